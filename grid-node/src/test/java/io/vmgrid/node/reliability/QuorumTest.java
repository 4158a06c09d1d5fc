package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.Accessors;
import com.hazelcast.test.HazelcastTestSupport;
import com.hazelcast.test.SplitBrainTestSupport;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Repair;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.TestGrid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Split a 3-member cluster (quorum 2) into 1 | 2: the minority refuses to place with NO_QUORUM and
 * commits nothing, the majority keeps placing, and after the heal every acknowledged placement is
 * there exactly once.
 */
class QuorumTest {
  private TestGrid grid;

  @AfterEach
  void tearDown() {
    grid.close();
  }

  /** Three members with a quorum of 2 and {@code servers} servers of 8 cores. */
  private void start(int servers) {
    Config config = GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig(), 2);
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    grid = TestGrid.start(3, 2, config).load(Fixtures.servers(servers, 8, 65_536));
  }

  @Test
  void minorityRefusesAndMajorityPlaces() throws Exception {
    start(6);
    HazelcastInstance a = grid.member(0);
    HazelcastInstance b = grid.member(1);
    HazelcastInstance c = grid.member(2);

    split(a, b, c);

    GridResult minority = submit(a, "minority-1", "vm-minority");
    assertThat(minority.status()).isEqualTo(GridResult.Status.FAILED);
    assertThat(minority.reason()).isEqualTo(Reason.NO_QUORUM);
    GridResult majority = submit(b, "majority-1", "vm-majority");
    assertThat(majority.status()).as(majority.message()).isEqualTo(GridResult.Status.PLACED);

    heal(a, b, c);

    HazelcastTestSupport.assertTrueEventually(() ->
        assertThat(Fixtures.assertInvariants(a)).containsOnlyKeys("vm-majority"), 60);
    assertThat(Fixtures.assertInvariants(c)).containsOnlyKeys("vm-majority");
  }

  /**
   * A VM placed before a split and released on the majority side stays released after the merge,
   * although its server released more VMs during the split than it remembers (a nemesis run saw
   * three VMs come back so, with their records restored, and a VM placed after them evicted to
   * make room): the minority's older copy of the server still holds the VM, and its copy of the
   * record still names it.
   */
  @Test
  void aVmReleasedOnTheMajorityStaysReleasedAfterItsServerForgotTheRelease() throws Exception {
    start(1);
    HazelcastInstance a = grid.member(0);
    HazelcastInstance b = grid.member(1);
    HazelcastInstance c = grid.member(2);
    assertThat(submit(b, "req-old", "old").status()).isEqualTo(GridResult.Status.PLACED);
    assertThat(submit(b, "req-kept", "kept").status()).isEqualTo(GridResult.Status.PLACED);

    split(a, b, c);
    ServerState minoritys = a.<String, ServerState>getMap(MapNames.SERVERS).get("srv-000");
    HostedVm old = minoritys.find("old");
    assertThat(old).as("the minority's copy of the server holds the VM").isNotNull();
    assertThat(release(b, "old").status()).isEqualTo(GridResult.Status.RELEASED);
    for (int i = 0; i <= ServerState.RELEASED_KEPT; i++) {
      assertThat(submit(b, "req-churn-" + i, "churn-" + i).status())
          .isEqualTo(GridResult.Status.PLACED);
      assertThat(release(b, "churn-" + i).status()).isEqualTo(GridResult.Status.RELEASED);
    }
    assertThat(b.<String, ServerState>getMap(MapNames.SERVERS).get("srv-000").releasedHere(old))
        .as("the server has forgotten the release").isFalse();

    heal(a, b, c);

    HazelcastTestSupport.assertTrueEventually(() ->
        assertThat(Fixtures.assertInvariants(a)).containsOnlyKeys("kept"), 60);
    assertThat(Fixtures.assertInvariants(c)).containsOnlyKeys("kept");
    assertThat(a.<String, Repair>getMap(MapNames.REPAIRS).values())
        .as("nothing restored, nothing evicted").noneSatisfy(r ->
            assertThat(r.action()).isIn("PLACEMENT_RESTORED", "EVICTED_OVER_CAPACITY"));
  }

  private static GridResult release(HazelcastInstance member, String vmId) throws Exception {
    return Fixtures.send(member, member.getCluster().getLocalMember(), new GridRequest(
        GridRequest.Op.RELEASE, "rel-" + vmId, vmId, "", 0, 0, "")).get(0);
  }

  /** Sends an allocation to {@code member} itself, as a client on its side of a split would. */
  private static GridResult submit(HazelcastInstance member, String requestId, String vmId)
      throws Exception {
    return Fixtures.send(member, member.getCluster().getLocalMember(),
        new GridRequest(GridRequest.Op.ALLOCATE, requestId, vmId, "t", 2, 1_024, "REGULAR")).get(0);
  }

  private static void split(HazelcastInstance lone, HazelcastInstance... others) {
    for (HazelcastInstance o : others) {
      SplitBrainTestSupport.blockCommunicationBetween(lone, o);
    }
    for (HazelcastInstance o : others) {
      HazelcastTestSupport.closeConnectionBetween(lone, o);
    }
    HazelcastTestSupport.assertClusterSizeEventually(1, lone);
    HazelcastTestSupport.assertClusterSizeEventually(2, others);
  }

  private static void heal(HazelcastInstance lone, HazelcastInstance... others) {
    for (HazelcastInstance o : others) {
      SplitBrainTestSupport.unblockCommunicationBetween(lone, o);
      Accessors.getNode(lone).getJoiner().unblacklist(Accessors.getNode(o).getThisAddress());
      Accessors.getNode(o).getJoiner().unblacklist(Accessors.getNode(lone).getThisAddress());
    }
    HazelcastTestSupport.assertClusterSizeEventually(3, lone);
    HazelcastTestSupport.waitAllForSafeState(lone);
  }
}
