package io.vmgrid.node;

import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.UnknownVmException;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input gets a clear error naming the field, in the client and again on the grid, and nothing is
 * committed.
 */
class BadInputTest {
  private TestGrid grid;
  private GridNode node;
  private HazelcastInstance hzClient;
  private AllocationClient client;

  @BeforeEach
  void start() {
    grid = TestGrid.start(1).load(servers(2, 8, 8_192));
    node = grid.node(0);
    hzClient = grid.clientInstance();
    client = grid.client();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  @ParameterizedTest(name = "cores={0}")
  @CsvSource({"0", "-3", "1000000"})
  void nonPositiveOrAbsurdCoresNameTheField(int cores) {
    assertThatThrownBy(() -> VmRequest.builder().vmId("v").tenantId("t").cores(cores).memoryMb(1).build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("cores:")
        .extracting(e -> ((InvalidRequestException) e).field()).isEqualTo("cores");
    assertNothingCommitted();
  }

  @Test
  void missingFieldsAreNamed() {
    assertThatThrownBy(() -> VmRequest.builder().vmId("v").cores(1).memoryMb(1).build())
        .isInstanceOf(InvalidRequestException.class).hasMessage("tenantId: is required");
    assertThatThrownBy(() -> VmRequest.builder().tenantId("t").cores(1).memoryMb(1).build())
        .isInstanceOf(InvalidRequestException.class).hasMessage("vmId: is required");
    assertThatThrownBy(() -> VmRequest.builder().vmId("v").tenantId("t").cores(1).build())
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("memoryMb:");
    assertThatThrownBy(() -> VmRequest.builder().vmId("bad id!").tenantId("t").cores(1).memoryMb(1).build())
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("vmId:");
    assertNothingCommitted();
  }

  @Test
  void releasingAnUnknownVmNamesIt() {
    assertThatThrownBy(() -> client.releaseAndWait("no-such-vm"))
        .isInstanceOf(UnknownVmException.class)
        .hasMessage("vmId: no VM 'no-such-vm' is allocated");
    assertThatThrownBy(() -> client.release(" "))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("vmId:");
    assertNothingCommitted();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "negative cores,  t,  -1,  1024,  REGULAR, cores:",
    "zero memory,     t,   2,     0,  REGULAR, memoryMb:",
    "missing tenant,  '',  2,  1024,  REGULAR, tenantId:",
    "bad priority,    t,   2,  1024,  URGENT,  priority:",
  })
  void theGridRevalidatesWhatAClientSentDirectly(
      String name, String tenant, long cores, long memory, String priority, String field)
      throws Exception {
    GridResult result = Fixtures.send(hzClient, new GridRequest(GridRequest.Op.ALLOCATE, "raw-1",
        "vm-x", tenant, cores, memory, priority)).get(0);

    assertThat(result.status()).isEqualTo(GridResult.Status.FAILED);
    assertThat(result.reason()).isEqualTo(Reason.INVALID_INPUT);
    assertThat(result.message()).startsWith(field);
    assertNothingCommitted();
  }

  @Test
  void aTaskOfManyRequestsAnswersEachInOrderAndOnlyTheValidOnesAreCarriedOut() throws Exception {
    List<GridResult> results = Fixtures.send(hzClient,
        Fixtures.allocation("ok-1", "vm-ok-1", 2, 1_024),
        new GridRequest(GridRequest.Op.ALLOCATE, "bad-1", "vm-bad", "t", -2, 1_024, "REGULAR"),
        new GridRequest(null, "bad-2", "vm-bad-2", "t", 2, 1_024, "REGULAR"),
        Fixtures.allocation("ok-2", "vm-ok-2", 2, 1_024));

    assertThat(results).extracting(GridResult::requestId)
        .containsExactly("ok-1", "bad-1", "bad-2", "ok-2");
    assertThat(results).extracting(GridResult::status).containsExactly(GridResult.Status.PLACED,
        GridResult.Status.FAILED, GridResult.Status.FAILED, GridResult.Status.PLACED);
    assertThat(results.get(1).message()).startsWith("cores:");
    assertThat(results.get(2).message()).startsWith("op:");
    assertThat(assertInvariants(node.hazelcast())).containsOnlyKeys("vm-ok-1", "vm-ok-2");
  }

  private void assertNothingCommitted() {
    assertThat(assertInvariants(node.hazelcast())).isEmpty();
    IMap<String, ServerState> servers = node.hazelcast().getMap(MapNames.SERVERS);
    assertThat(servers.values()).allSatisfy(s -> assertThat(s.usedCores()).isZero());
  }
}
