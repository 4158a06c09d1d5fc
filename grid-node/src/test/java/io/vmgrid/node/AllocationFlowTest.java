package io.vmgrid.node;

import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static io.vmgrid.node.Fixtures.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.map.IMap;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.Released;
import io.vmgrid.client.api.UnknownVmException;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton end to end over real sockets: a {@link GridNode} member on loopback and an
 * {@link AllocationClient} connected to it as a real Hazelcast client.
 */
class AllocationFlowTest {
  private static GridNode node;
  private static AllocationClient client;

  @BeforeAll
  static void startCluster() {
    GridNodeConfig config =
        GridNodeConfig.builder().clusterName("flow-" + UUID.randomUUID()).port(5801).workers(2)
            .build();
    node = GridNode.start(config);
    client =
        AllocationClient.connect(
            new ClientSettings(config.clusterName(), List.of(node.clientAddress()),
                Duration.ofSeconds(30)));
  }

  @AfterAll
  static void stopCluster() {
    client.close();
    node.close();
  }

  /**
   * Deletes key by key (not {@code clear()}): per-key events are ordered with the following puts on
   * the same partition, so the member's view cannot see the reload before the removal.
   */
  @BeforeEach
  void freshInventory() {
    IMap<String, ServerState> servers = node.hazelcast().getMap(MapNames.SERVERS);
    node.hazelcast().getMap(MapNames.PLACEMENTS).clear();
    servers.keySet().forEach(servers::delete);
    HazelcastTestSupport.assertTrueEventually(() -> assertThat(node.knownServers()).isZero());
    node.loadInventory(servers(2, 8, 32_768));
    HazelcastTestSupport.assertTrueEventually(() -> assertThat(node.knownServers()).isEqualTo(2));
  }

  @Test
  void placesThenReleasesAndCapacityComesBack() {
    AllocationOutcome outcome = client.allocate(vm("vm-1", 6, 8_192)).join();

    assertThat(outcome).isInstanceOf(AllocationOutcome.Placed.class);
    String server = ((AllocationOutcome.Placed) outcome).serverId();
    IMap<String, ServerState> servers = node.hazelcast().getMap(MapNames.SERVERS);
    assertThat(servers.get(server).usedCores()).isEqualTo(6);
    assertThat(assertInvariants(node.hazelcast())).containsEntry("vm-1", server);

    Released released = client.release("vm-1").join();

    assertThat(released.serverId()).isEqualTo(server);
    assertThat(servers.get(server).usedCores()).isZero();
    assertThat(servers.get(server).usedMemoryMb()).isZero();
    assertThat(assertInvariants(node.hazelcast())).isEmpty();
  }

  @Test
  void firstFitFillsServersInOrderAndRejectsWhenFull() {
    List<AllocationOutcome> outcomes =
        List.of(
            client.allocateAndWait(vm("a", 8, 1_024)),
            client.allocateAndWait(vm("b", 8, 1_024)),
            client.allocateAndWait(vm("c", 1, 1_024)));

    assertThat(outcomes.get(0)).isInstanceOfSatisfying(AllocationOutcome.Placed.class,
        p -> assertThat(p.serverId()).isEqualTo("srv-000"));
    assertThat(outcomes.get(1)).isInstanceOfSatisfying(AllocationOutcome.Placed.class,
        p -> assertThat(p.serverId()).isEqualTo("srv-001"));
    assertThat(outcomes.get(2)).isInstanceOfSatisfying(AllocationOutcome.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(Reason.NO_CAPACITY));
    assertThat(assertInvariants(node.hazelcast())).containsOnlyKeys("a", "b");
  }

  @Test
  void retryWithSameRequestIdReturnsFirstPlacementAndNeverPlacesTwice() {
    VmRequest request =
        VmRequest.builder().requestId("req-42").vmId("vm-42").tenantId("t").cores(2)
            .memoryMb(1_024).build();

    AllocationOutcome first = client.allocateAndWait(request);
    AllocationOutcome retry = client.allocateAndWait(request);

    assertThat(first).isInstanceOf(AllocationOutcome.Placed.class);
    assertThat(retry).isInstanceOfSatisfying(AllocationOutcome.Placed.class,
        p -> assertThat(p.serverId()).isEqualTo(((AllocationOutcome.Placed) first).serverId()));
    IMap<String, ServerState> servers = node.hazelcast().getMap(MapNames.SERVERS);
    assertThat(servers.values().stream().mapToLong(ServerState::usedCores).sum()).isEqualTo(2);
    assertThat(assertInvariants(node.hazelcast())).containsOnlyKeys("vm-42");
  }

  @Test
  void anotherRequestForAPlacedVmIdIsRejected() {
    client.allocateAndWait(vm("vm-7", 1, 512));

    AllocationOutcome second = client.allocateAndWait(vm("vm-7", 1, 512));

    assertThat(second).isInstanceOfSatisfying(AllocationOutcome.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(Reason.VM_ID_IN_USE));
    assertThat(assertInvariants(node.hazelcast())).containsOnlyKeys("vm-7");
  }

  @Test
  void releasingTwiceTellsTheSecondCallerTheVmIsUnknown() {
    client.allocateAndWait(vm("vm-9", 1, 512));
    client.releaseAndWait("vm-9");

    assertThatThrownBy(() -> client.releaseAndWait("vm-9"))
        .isInstanceOf(UnknownVmException.class)
        .hasMessageContaining("vmId")
        .hasMessageContaining("vm-9");
  }
}
