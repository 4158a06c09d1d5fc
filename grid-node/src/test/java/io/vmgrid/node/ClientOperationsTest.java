package io.vmgrid.node;

import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static io.vmgrid.node.Fixtures.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.BatchOutcome;
import io.vmgrid.client.api.GridOperationException;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.InventorySummary;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.api.UnknownServerException;
import io.vmgrid.client.api.VmStatus;
import io.vmgrid.client.wire.ServerHealth;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every AllocationClient operation against a real in-JVM member, with each outcome kind. */
class ClientOperationsTest {
  private TestGrid grid;
  private GridNode node;
  private AllocationClient client;

  @BeforeEach
  void start() {
    grid = TestGrid.start(1).load(servers(3, 8, 8_192));
    node = grid.node(0);
    client = grid.client();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  @Test
  void batchThatFitsIsPlacedWhole() {
    BatchOutcome batch =
        client.allocateAll(List.of(vm("as-1", 4, 1_024), vm("as-2", 4, 1_024), vm("as-3", 4, 1_024)))
            .join();

    assertThat(batch.allPlaced()).isTrue();
    assertThat(batch.outcomes()).allSatisfy(o -> assertThat(o).isInstanceOf(AllocationOutcome.Placed.class));
    assertThat(assertInvariants(node.hazelcast())).containsOnlyKeys("as-1", "as-2", "as-3");
  }

  @Test
  void batchThatDoesNotFitHoldsNothing() {
    BatchOutcome batch =
        client.allocateAll(List.of(vm("as-1", 8, 1_024), vm("as-2", 8, 1_024), vm("as-3", 8, 1_024),
            vm("as-4", 8, 1_024))).join();

    assertThat(batch.allPlaced()).isFalse();
    assertThat(batch.outcomes()).hasSize(4).allSatisfy(o -> assertThat(o)
        .isInstanceOfSatisfying(AllocationOutcome.Rejected.class,
            r -> assertThat(r.reason()).isIn(Reason.BATCH_ROLLED_BACK, Reason.NO_CAPACITY)));
    assertThat(batch.outcomes()).filteredOn(o -> ((AllocationOutcome.Rejected) o).reason()
        == Reason.NO_CAPACITY).hasSize(1);
    assertThat(assertInvariants(node.hazelcast())).isEmpty();
  }

  @Test
  void batchWithARepeatedVmIdIsRefusedBeforeSending() {
    assertThatThrownBy(() -> client.allocateAll(List.of(vm("x", 1, 1), vm("x", 1, 1))))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("vmId:");
    assertThat(assertInvariants(node.hazelcast())).isEmpty();
  }

  @Test
  void statusTellsWhereAVmIsOrThatItIsUnknown() {
    AllocationOutcome.Placed placed =
        (AllocationOutcome.Placed) client.allocateAndWait(vm("vm-s", 2, 2_048));

    Optional<VmStatus> status = client.status("vm-s").join();

    assertThat(status).hasValueSatisfying(s -> {
      assertThat(s.serverId()).isEqualTo(placed.serverId());
      assertThat(s.cores()).isEqualTo(2);
    });
    assertThat(client.status("nobody").join()).isEmpty();
  }

  @Test
  void drainedServerTakesNoNewVms() {
    ServerHealth previous = client.setHealth("srv-000", ServerHealth.MAINTENANCE).join();
    HazelcastTestSupport.assertTrueEventually(() ->
        assertThat(client.allocateAndWait(vm("probe", 1, 1))).isInstanceOfSatisfying(
            AllocationOutcome.Placed.class, p -> assertThat(p.serverId()).isNotEqualTo("srv-000")));

    assertThat(previous).isEqualTo(ServerHealth.HEALTHY);
    assertThat(client.inventory().join().byHealth()).containsEntry("MAINTENANCE", 1);
    assertThatThrownBy(() -> client.setHealth("srv-999", ServerHealth.UNHEALTHY).join())
        .hasCauseInstanceOf(UnknownServerException.class).hasMessageContaining("no server 'srv-999'");
  }

  @Test
  void serversAreAddedOnceAndRemovedOnlyWhenEmpty() {
    client.addServer(new ServerSpec("zz-1", "c1", 16, 16_384)).join();
    assertThatThrownBy(() -> client.addServer(new ServerSpec("zz-1", "c1", 16, 16_384)).join())
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(InvalidRequestException.class);
    client.allocateAndWait(vm("big", 8, 1_024));
    client.allocateAndWait(vm("big2", 8, 1_024));
    client.allocateAndWait(vm("big3", 8, 1_024));
    AllocationOutcome onNew = client.allocateAndWait(vm("big4", 8, 1_024));
    assertThat(onNew).isInstanceOfSatisfying(AllocationOutcome.Placed.class,
        p -> assertThat(p.serverId()).isEqualTo("zz-1"));

    assertThatThrownBy(() -> client.removeServer("zz-1").join())
        .hasCauseInstanceOf(GridOperationException.class).hasMessageContaining("SERVER_NOT_EMPTY");
    client.releaseAndWait("big4");
    client.removeServer("zz-1").join();

    assertThat(client.inventory().join().servers()).isEqualTo(3);
    assertThatThrownBy(() -> client.removeServer("zz-1").join())
        .hasCauseInstanceOf(UnknownServerException.class);
    assertThatThrownBy(() -> new ServerSpec("s", "c", 0, 1))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("cores:");
    assertInvariants(node.hazelcast());
  }

  @Test
  void loadingAnInventoryAddsNewServersAndKeepsExistingOnes() {
    client.allocateAndWait(vm("keep-me", 2, 1_024));

    int added = client.loadInventory(List.of(new ServerSpec("srv-000", "c0", 64, 65_536),
        new ServerSpec("srv-100", "c1", 32, 32_768))).join();

    assertThat(added).isEqualTo(1);
    InventorySummary summary = client.inventory().join();
    assertThat(summary.servers()).isEqualTo(4);
    assertThat(summary.totalCores()).isEqualTo(3 * 8 + 32);
    assertThat(summary.vms()).isEqualTo(1);
    assertThat(assertInvariants(node.hazelcast())).containsOnlyKeys("keep-me");
  }
}
