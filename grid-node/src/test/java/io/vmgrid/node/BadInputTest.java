package io.vmgrid.node;

import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.UnknownVmException;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
  void theGridRevalidatesWhatAClientWroteDirectly(
      String name, String tenant, long cores, long memory, String priority, String field)
      throws Exception {
    IMap<String, GridRequest> requests = hzClient.getMap(MapNames.REQUESTS);
    IMap<String, GridResult> results = hzClient.getMap(MapNames.RESULTS);
    CompletableFuture<GridResult> answer = new CompletableFuture<>();
    results.addEntryListener(
        (EntryAddedListener<String, GridResult>) (EntryEvent<String, GridResult> e) ->
            answer.complete(e.getValue()), "raw-1", true);

    requests.set("raw-1", new GridRequest(GridRequest.Op.ALLOCATE, "raw-1", "rogue-client", "vm-x",
        tenant, cores, memory, priority, 0));

    GridResult result = answer.get(30, TimeUnit.SECONDS);
    assertThat(result.status()).isEqualTo(GridResult.Status.FAILED);
    assertThat(result.reason()).isEqualTo("INVALID_INPUT");
    assertThat(result.message()).startsWith(field);
    assertNothingCommitted();
  }

  private void assertNothingCommitted() {
    assertThat(assertInvariants(node.hazelcast())).isEmpty();
    IMap<String, ServerState> servers = node.hazelcast().getMap(MapNames.SERVERS);
    assertThat(servers.values()).allSatisfy(s -> assertThat(s.usedCores()).isZero());
  }
}
