package io.vmgrid.node.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.IMap;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.Repair;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.TestGrid;
import io.vmgrid.node.commit.PlaceVmProcessor;
import io.vmgrid.node.commit.ReleaseVmProcessor;
import io.vmgrid.node.time.ManualClock;
import io.vmgrid.node.time.NodeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against states the request path leaves when a member dies at the wrong moment: a
 * commit without its record (the agent died between the two), a VM on two servers (a request
 * placed again by a survivor while the dead agent's commit was still travelling), a record naming
 * a server that does not hold its VM. What a periodic pass finds it repairs only when the next pass
 * finds it again, so a commit waiting for its record is never touched.
 */
class ReconcilerTest {
  private static HostedVm vm(String id) {
    return new HostedVm(id, "t1", 2, 1_024, "req-" + id, "REGULAR", 1);
  }

  private static void commit(TestGrid grid, String server, HostedVm vm) {
    IMap<String, ServerState> servers = grid.member(0).getMap(MapNames.SERVERS);
    assertThat(servers.executeOnKey(server, PlaceVmProcessor.of(server, vm)).single().hosted())
        .isTrue();
  }

  @Test
  void aCommitWithoutItsRecordGetsItOnTheSecondPassAndARetryFindsIt() {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(3, 8, 8_192))) {
      Reconciler reconciler = grid.node(0).reconciler();
      IMap<String, Placement> placements = grid.member(0).getMap(MapNames.PLACEMENTS);
      commit(grid, "srv-000", vm("orphan"));

      assertThat(reconciler.sweep(Reconciler.Mode.STABLE)).as("found").isEqualTo(1);
      assertThat(placements.get("orphan")).as("a commit may be waiting for its record").isNull();
      assertThat(reconciler.sweep(Reconciler.Mode.STABLE)).isEqualTo(1);
      assertThat(placements.get("orphan")).isEqualTo(Placement.of(vm("orphan"), "srv-000"));
      assertThat(reconciler.sweep(Reconciler.Mode.STABLE)).as("nothing left").isZero();
      assertThat(actions(grid)).containsExactly("orphan@srv-000 PLACEMENT_RESTORED");

      // the request's retry (same request id) learns where it is, and places nothing again
      AllocationOutcome retry = grid.client().allocateAndWait(VmRequest.builder()
          .requestId("req-orphan").vmId("orphan").tenantId("t1").cores(2).memoryMb(1_024).build());
      assertThat(retry).isInstanceOfSatisfying(AllocationOutcome.Placed.class,
          p -> assertThat(p.serverId()).isEqualTo("srv-000"));
      assertThat(Fixtures.assertInvariants(grid.member(0))).containsOnlyKeys("orphan");
    }
  }

  @Test
  void aCopyOnAServerTheRecordDoesNotNameIsReleased() {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(3, 8, 8_192))) {
      IMap<String, Placement> placements = grid.member(0).getMap(MapNames.PLACEMENTS);
      commit(grid, "srv-001", vm("dup"));
      commit(grid, "srv-002", vm("dup"));
      placements.set("dup", Placement.of(vm("dup"), "srv-002"));

      assertThat(grid.node(0).reconciler().sweep(Reconciler.Mode.DEPARTURE)).isEqualTo(1);

      assertThat(Fixtures.assertInvariants(grid.member(0))).containsEntry("dup", "srv-002");
      assertThat(actions(grid)).containsExactly("dup@srv-001 DUPLICATE_RELEASED");
    }
  }

  @Test
  void aCopyOfAPlacementAClientReleasedIsReleasedNotGivenARecord() {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(4, 8, 8_192))) {
      IMap<String, ServerState> servers = grid.member(0).getMap(MapNames.SERVERS);
      IMap<String, Placement> placements = grid.member(0).getMap(MapNames.PLACEMENTS);
      // two copies of one request, committed on the two sides of a split; the client was told of
      // the one on srv-001 and released it (the server remembers the release); the merge brought
      // the other back without a record
      commit(grid, "srv-001", vm("twice"));
      commit(grid, "srv-002", vm("twice"));
      servers.executeOnKey("srv-001", new ReleaseVmProcessor("twice", true));
      // placements of their own, whose records are restored: a VM moved away from srv-000 (the
      // grid's own release there, not a client's), a copy of another request for a released VM
      // id; but a copy of the released request placed after the client's release is a late copy
      // (a member paused or cut off ran it: a request places once) and goes too
      commit(grid, "srv-000", vm("moved"));
      commit(grid, "srv-003", vm("moved"));
      servers.executeOnKey("srv-000", new ReleaseVmProcessor("moved"));
      HostedVm other = new HostedVm("again", "t1", 2, 1_024, "req-other", "REGULAR", 1);
      commit(grid, "srv-000", vm("again"));
      servers.executeOnKey("srv-000", new ReleaseVmProcessor("again", true));
      commit(grid, "srv-003", other);
      HostedVm later = new HostedVm("later", "t1", 1, 1_024, "req-later", "REGULAR",
          System.currentTimeMillis() + 120_000);
      commit(grid, "srv-000", new HostedVm("later", "t1", 1, 1_024, "req-later", "REGULAR", 1));
      servers.executeOnKey("srv-000", new ReleaseVmProcessor("later", true));
      commit(grid, "srv-002", later);
      assertThat(placements.size()).isZero();

      grid.node(0).reconciler().sweep(Reconciler.Mode.MERGE);

      assertThat(servers.get("srv-002").find("twice")).as("the released VM's copy").isNull();
      assertThat(placements.get("twice")).isNull();
      assertThat(placements.get("moved")).isEqualTo(Placement.of(vm("moved"), "srv-003"));
      assertThat(placements.get("again")).isEqualTo(Placement.of(other, "srv-003"));
      assertThat(servers.get("srv-002").find("later")).as("the late copy").isNull();
      assertThat(placements.get("later")).isNull();
      assertThat(actions(grid)).containsExactly("again@srv-003 PLACEMENT_RESTORED",
          "later@srv-002 RELEASED_COPY_REMOVED", "moved@srv-003 PLACEMENT_RESTORED",
          "twice@srv-002 RELEASED_COPY_REMOVED");
      assertThat(grid.node(0).reconciler().sweep(Reconciler.Mode.STABLE)).isZero();
    }
  }

  /**
   * A copy of a released placement without a record, outside a merge (a late copy whose agent
   * could not remove it): removed at the first sighting, since no record will ever claim it;
   * before, the second sighting restored its record when it was made after the release.
   */
  @Test
  void aLateCopyOfAReleasedPlacementIsRemovedAtTheFirstPeriodicPass() {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(3, 8, 8_192))) {
      IMap<String, ServerState> servers = grid.member(0).getMap(MapNames.SERVERS);
      IMap<String, Long> releases = grid.member(0).getMap(MapNames.RELEASES);
      long now = System.currentTimeMillis();
      releases.set("late", ServerState.clientReleaseEntry("late", "req-late", now - 180_000));
      commit(grid, "srv-001", new HostedVm("late", "t1", 2, 1_024, "req-late", "REGULAR", now));
      commit(grid, "srv-002", vm("fresh")); // no release: a commit waiting for its record

      assertThat(grid.node(0).reconciler().sweep(Reconciler.Mode.STABLE)).isEqualTo(2);

      assertThat(servers.get("srv-001").find("late")).as("the late copy").isNull();
      assertThat(servers.get("srv-002").find("fresh")).as("left for the next pass").isNotNull();
      assertThat(actions(grid)).containsExactly("late@srv-001 RELEASED_COPY_REMOVED");
    }
  }

  /**
   * A release mark counts for its age on the member's clock: a copy of a placement released a
   * minute ago is removed, one whose release is older than the marks are trusted (twice
   * {@link ServerState#RELEASED_KEPT_MINUTES}) is an ordinary unrecorded commit, restored on the
   * second pass. A manual clock stands for the hour.
   */
  @Test
  void aReleaseMarkCountsForItsAgeOnTheMembersClock() {
    ManualClock clock = new ManualClock();
    try (TestGrid grid = TestGrid.start(1, 2, NodeClock.install(
        GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()), clock))
        .load(Fixtures.servers(3, 8, 8_192))) {
      Reconciler reconciler = grid.node(0).reconciler();
      IMap<String, Long> releases = grid.member(0).getMap(MapNames.RELEASES);
      releases.set("old", ServerState.clientReleaseEntry("old", "req-old", clock.millis()));
      clock.advance(Duration.ofMinutes(2L * ServerState.RELEASED_KEPT_MINUTES + 1));
      releases.set("recent", ServerState.clientReleaseEntry("recent", "req-recent",
          clock.millis() - 60_000));
      commit(grid, "srv-001", vm("old"));
      commit(grid, "srv-002", vm("recent"));

      assertThat(reconciler.sweep(Reconciler.Mode.STABLE)).isEqualTo(2);
      assertThat(actions(grid)).containsExactly("recent@srv-002 RELEASED_COPY_REMOVED");
      assertThat(reconciler.sweep(Reconciler.Mode.STABLE)).isEqualTo(1);
      assertThat(actions(grid)).containsExactly("old@srv-001 PLACEMENT_RESTORED",
          "recent@srv-002 RELEASED_COPY_REMOVED");
    }
  }

  @Test
  void aRecordNamingAServerWithoutItsVmIsDroppedOnTheSecondPass() {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(3, 8, 8_192))) {
      Reconciler reconciler = grid.node(0).reconciler();
      IMap<String, Placement> placements = grid.member(0).getMap(MapNames.PLACEMENTS);
      placements.set("ghost", Placement.of(vm("ghost"), "srv-001"));

      reconciler.sweep(Reconciler.Mode.STABLE);
      assertThat(placements.get("ghost")).as("a release may be between its two steps").isNotNull();
      reconciler.sweep(Reconciler.Mode.STABLE);

      assertThat(placements.get("ghost")).isNull();
      assertThat(actions(grid)).containsExactly("ghost@srv-001 PLACEMENT_DROPPED");
      assertThat(Fixtures.assertInvariants(grid.member(0))).isEmpty();
    }
  }

  @Test
  void foreignEntriesAreSkippedNotThrownOn() {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(2, 8, 8_192))) {
      IMap<Object, Object> placements = grid.clientInstance().getMap(MapNames.PLACEMENTS);
      IMap<Object, Object> servers = grid.clientInstance().getMap(MapNames.SERVERS);
      placements.set("a-string", "not a placement");
      placements.set(42, Placement.of(vm("numbered"), "srv-000"));
      servers.set("srv-x", 17L);
      commit(grid, "srv-000", vm("real"));

      Reconciler reconciler = grid.node(0).reconciler();
      reconciler.sweep(Reconciler.Mode.STABLE);
      reconciler.sweep(Reconciler.Mode.STABLE);

      assertThat(grid.member(0).<String, Placement>getMap(MapNames.PLACEMENTS).get("real"))
          .as("the real inconsistency is still repaired").isNotNull();
      assertThat(placements.get("a-string")).as("foreign entries are left alone")
          .isEqualTo("not a placement");
    }
  }

  @Test
  void aRecordedCopyOfAPlacementAClientReleasedIsRemovedAfterAMerge() {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(4, 8, 8_192))) {
      IMap<String, ServerState> servers = grid.member(0).getMap(MapNames.SERVERS);
      IMap<String, Placement> placements = grid.member(0).getMap(MapNames.PLACEMENTS);
      // one request committed and recorded on both sides of a split (a retry that reached the
      // other side); the client released the copy it was told of, on srv-001; the merge brought
      // back the other side's copy on srv-002 together with its record (a nemesis run found one
      // such VM present at the end, released, with no repair)
      commit(grid, "srv-001", vm("twice"));
      servers.executeOnKey("srv-001", new ReleaseVmProcessor("twice", true));
      commit(grid, "srv-002", vm("twice"));
      placements.set("twice", Placement.of(vm("twice"), "srv-002"));
      // recorded placements that stay: after the grid's own release elsewhere (a move), another
      // request for a VM id a client released; a copy of the released request placed after the
      // client's release is a late copy (a request places once) and goes
      commit(grid, "srv-000", vm("moved"));
      servers.executeOnKey("srv-000", new ReleaseVmProcessor("moved"));
      commit(grid, "srv-003", vm("moved"));
      placements.set("moved", Placement.of(vm("moved"), "srv-003"));
      commit(grid, "srv-000", vm("again"));
      servers.executeOnKey("srv-000", new ReleaseVmProcessor("again", true));
      HostedVm other = new HostedVm("again", "t1", 2, 1_024, "req-other", "REGULAR", 1);
      commit(grid, "srv-003", other);
      placements.set("again", Placement.of(other, "srv-003"));
      commit(grid, "srv-000", new HostedVm("later", "t1", 1, 1_024, "req-later", "REGULAR", 1));
      servers.executeOnKey("srv-000", new ReleaseVmProcessor("later", true));
      HostedVm later = new HostedVm("later", "t1", 1, 1_024, "req-later", "REGULAR",
          System.currentTimeMillis() + 120_000);
      commit(grid, "srv-002", later);
      placements.set("later", Placement.of(later, "srv-002"));

      assertThat(grid.node(0).reconciler().sweep(Reconciler.Mode.STABLE))
          .as("outside a merge, a recorded copy is left alone").isZero();
      grid.node(0).reconciler().sweep(Reconciler.Mode.MERGE);

      assertThat(servers.get("srv-002").find("twice")).as("the released placement's copy").isNull();
      assertThat(placements.get("twice")).isNull();
      assertThat(Fixtures.assertInvariants(grid.member(0))).containsOnlyKeys("moved", "again");
      assertThat(actions(grid)).containsExactly("later@srv-002 RELEASED_COPY_REMOVED",
          "twice@srv-002 RELEASED_COPY_REMOVED");
      assertThat(grid.node(0).reconciler().sweep(Reconciler.Mode.MERGE)).as("nothing left").isZero();
    }
  }

  @Test
  void aPreemptionWhoseAgentStoppedBeforeLoggingItIsLoggedByTheNextPass() {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(2, 8, 8_192))) {
      IMap<String, ServerState> servers = grid.member(0).getMap(MapNames.SERVERS);
      IMap<String, Placement> placements = grid.member(0).getMap(MapNames.PLACEMENTS);
      HostedVm low = new HostedVm("spot", "t2", 6, 1_024, "req-spot", "LOW", 1);
      commit(grid, "srv-000", low);
      placements.set("spot", Placement.of(low, "srv-000"));
      // the agent's commit evicted the low-priority VM and placed its own; then its member
      // stopped before the eviction log, the victim's record and the pending list were seen to
      HostedVm regular = new HostedVm("prod", "t1", 6, 1_024, "req-prod", "REGULAR", 2);
      assertThat(servers.executeOnKey("srv-000", new PlaceVmProcessor(
          java.util.Map.of("srv-000", java.util.List.of(regular)),
          java.util.Map.of("prod", java.util.List.of("spot")))).single().status())
          .isEqualTo(io.vmgrid.node.commit.CommitResult.Status.PLACED);
      placements.set("prod", Placement.of(regular, "srv-000"));
      assertThat(servers.get("srv-000").preempted()).hasSize(1);

      assertThat(grid.node(0).reconciler().sweep(Reconciler.Mode.STABLE))
          .as("found at once: only a commit makes pending preemptions").isPositive();

      IMap<String, io.vmgrid.client.wire.Eviction> log =
          grid.member(0).getMap(MapNames.EVICTIONS);
      assertThat(log.values()).singleElement().satisfies(e -> {
        assertThat(e.vmId()).isEqualTo("spot");
        assertThat(e.tenantId()).isEqualTo("t2");
        assertThat(e.reason()).isEqualTo(io.vmgrid.client.wire.Eviction.PREEMPTED);
        assertThat(e.byRequestId()).isEqualTo("req-prod");
      });
      assertThat(servers.get("srv-000").preempted()).as("cleared once logged").isEmpty();
      assertThat(Fixtures.assertInvariants(grid.member(0))).containsOnlyKeys("prod");
      assertThat(grid.node(0).reconciler().sweep(Reconciler.Mode.STABLE)).as("nothing left")
          .isZero();
      assertThat(actions(grid)).as("an eviction is not a repair").isEmpty();
    }
  }

  private static java.util.List<String> actions(TestGrid grid) {
    IMap<String, Repair> repairs = grid.member(0).getMap(MapNames.REPAIRS);
    return repairs.values().stream().map(r -> r.vmId() + "@" + r.serverId() + " " + r.action())
        .sorted().toList();
  }
}
