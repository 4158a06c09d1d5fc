package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.TestGrid;
import io.vmgrid.node.placement.ClaimSweeper;
import io.vmgrid.node.placement.PlaceVmProcessor;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Orphaned claims (PENDING entries no handler holds: the handler's member crashed, or lost the
 * cluster while dropping the claim) are resolved from the servers' state: confirmed where a server
 * hosts the VM, dropped otherwise; claims a live handler holds are never touched.
 */
class ClaimSweeperTest {
  private TestGrid grid;

  @AfterEach
  void tearDown() {
    if (grid != null) {
      grid.close();
    }
  }

  @Test
  void orphanedClaimsAreResolvedFromTheServersAndHeldOnesAreLeftAlone() throws Exception {
    grid = TestGrid.start(2, 2, GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()))
        .load(Fixtures.servers(4, 16, 65_536));
    HazelcastInstance m = grid.member(0);
    IMap<String, Placement> placements = m.getMap(MapNames.PLACEMENTS);
    IMap<String, ServerState> servers = m.getMap(MapNames.SERVERS);
    String departed = UUID.randomUUID() + "|agent-p3";
    String alive = m.getCluster().getLocalMember().getUuid() + "|agent-p5";

    // 1. departed owner, VM nowhere: the claim blocks vm-a's id until dropped
    placements.set("vm-a", claim("vm-a", "req-a", departed));
    // 2. departed owner, but its agent committed the VM before the member died
    placements.set("vm-b", claim("vm-b", "req-b", departed));
    String host = servers.keySet().iterator().next();
    assertThat(servers.executeOnKey(host, new PlaceVmProcessor(
        new HostedVm("vm-b", "t", 2, 1_024, "req-b", "REGULAR", 0L, "", ""))).hosted()).isTrue();
    // 3. a live owner with no handler for it (finished without resolving it): orphaned too
    placements.set("vm-c", claim("vm-c", "req-c", alive));

    ClaimSweeper sweeper = grid.node(0).claims();
    assertThat(sweeper.sweep()).as("a claim is only orphaned once seen unchanged twice").isZero();
    assertThat(sweeper.sweep()).isEqualTo(3);

    assertThat(placements.get("vm-a")).as("dropped").isNull();
    Placement b = placements.get("vm-b");
    assertThat(b.state()).isEqualTo(Placement.State.PLACED);
    assertThat(b.serverId()).isEqualTo(host);
    assertThat(placements.get("vm-c")).isNull();
    Fixtures.assertInvariants(m);

    // the VM id is usable again
    AllocationClient client = grid.client();
    AllocationOutcome again = client.allocate(VmRequest.builder().vmId("vm-a").tenantId("t")
        .cores(2).memoryMb(1_024).build()).get();
    assertThat(again).isInstanceOf(AllocationOutcome.Placed.class);
    Fixtures.assertInvariants(m);
  }

  @Test
  void aClaimWhoseHandlerIsAliveIsNeverResolved() throws Exception {
    grid = TestGrid.start(1, 2, GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()))
        .load(Fixtures.servers(2, 16, 65_536));
    AllocationClient client = grid.client();
    // many allocations in flight while sweeping: none of their claims may be touched
    var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<AllocationOutcome>>();
    for (int i = 0; i < 300; i++) {
      futures.add(client.allocate(VmRequest.builder().vmId("vm-" + i).tenantId("t")
          .cores(1).memoryMb(512).build()));
    }
    // sweep back to back while they are queued: claims stay PENDING across sweeps, so the
    // sweeper must ask their owner, which holds them
    var all = java.util.concurrent.CompletableFuture.allOf(
        futures.toArray(new java.util.concurrent.CompletableFuture<?>[0]));
    int sweeps = 0;
    while (!all.isDone()) {
      grid.node(0).claims().sweep();
      sweeps++;
    }
    System.out.println("sweeps while allocating: " + sweeps);
    for (var f : futures) {
      assertThat(f.get()).isNotInstanceOf(AllocationOutcome.Failed.class);
    }
    assertThat(grid.node(0).claims().resolved()).isZero();
    Fixtures.assertInvariants(grid.member(0));
  }

  private static Placement claim(String vm, String requestId, String owner) {
    return new Placement(vm, requestId, Placement.State.PENDING, "", "t", 2, 1_024, owner);
  }
}
