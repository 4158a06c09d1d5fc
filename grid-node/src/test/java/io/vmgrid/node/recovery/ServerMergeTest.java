package io.vmgrid.node.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.ServerState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The merge rule of ServerMerge, on hand-built states. */
class ServerMergeTest {
  private static final ServerState EMPTY = ServerState.empty("s1", "c", 8, 8_192);

  private static HostedVm vm(String id, int cores, String priority, long placedAt) {
    return new HostedVm(id, "t", cores, 1_024, "r-" + id, priority, placedAt);
  }

  private static ServerState with(HostedVm... vms) {
    ServerState s = EMPTY;
    for (HostedVm vm : vms) {
      s = s.with(vm);
    }
    return s;
  }

  @Test
  void unionKeepsEveryVmOfBothSidesWhenItFits() {
    ServerState merged = ServerMerge.merge(with(vm("a", 2, "REGULAR", 1)), with(vm("b", 3, "REGULAR", 2)));

    assertThat(merged.vms()).extracting(HostedVm::vmId).containsExactly("a", "b");
    assertThat(merged.usedCores()).isEqualTo(5);
    assertThat(merged.evicted()).isEmpty();
  }

  @Test
  void aVmOnBothSidesIsKeptOnce() {
    HostedVm shared = vm("x", 4, "REGULAR", 1);

    ServerState merged = ServerMerge.merge(with(shared), with(shared, vm("y", 2, "REGULAR", 2)));

    assertThat(merged.vms()).extracting(HostedVm::vmId).containsExactly("x", "y");
    assertThat(merged.usedCores()).isEqualTo(6);
  }

  @Test
  void overCommitEvictsLowPriorityFirstThenTheNewest() {
    ServerState surviving = with(vm("old", 4, "REGULAR", 10), vm("low", 2, "LOW", 5));
    ServerState joining = with(vm("new", 4, "REGULAR", 20), vm("mid", 2, "REGULAR", 15));

    ServerState merged = ServerMerge.merge(surviving, joining);

    // 12 cores on 8: evict "low" (LOW) then "new" (newest regular) -> 6 cores left.
    assertThat(merged.evicted()).extracting(HostedVm::vmId).containsExactly("low", "new");
    assertThat(merged.vms()).extracting(HostedVm::vmId).containsExactlyInAnyOrder("old", "mid");
    assertThat(merged.usedCores()).isLessThanOrEqualTo(merged.capacityCores()).isEqualTo(6);
    assertThat(merged.revision()).isGreaterThan(Math.max(surviving.revision(), joining.revision()));
  }

  @Test
  void theResultDoesNotDependOnWhichSideIsWhichBeyondTheSurvivorsCopy() {
    List<HostedVm> left = List.of(vm("a", 3, "REGULAR", 3), vm("b", 3, "LOW", 1));
    List<HostedVm> right = List.of(vm("c", 3, "REGULAR", 2), vm("d", 3, "REGULAR", 4));

    ServerState one = ServerMerge.merge(with(left.toArray(HostedVm[]::new)), with(right.toArray(HostedVm[]::new)));
    ServerState two = ServerMerge.merge(with(right.toArray(HostedVm[]::new)), with(left.toArray(HostedVm[]::new)));

    assertThat(one.evicted()).extracting(HostedVm::vmId).containsExactlyInAnyOrder("b", "d");
    assertThat(two.evicted()).extracting(HostedVm::vmId).containsExactlyInAnyOrder("b", "d");
    assertThat(one.usedCores()).isEqualTo(two.usedCores()).isEqualTo(6);
  }

  @Test
  void aPlacementReleasedOnOneSideStaysReleasedWhicheverSideSurvives() {
    HostedVm gone = vm("gone", 4, "REGULAR", 1);
    HostedVm kept = vm("kept", 2, "REGULAR", 2);
    ServerState before = with(gone, kept);
    ServerState released = before.releasing("gone", 60_000); // released on one side
    ServerState stale = before.with(vm("other", 2, "REGULAR", 3)); // the other side went on

    for (ServerState merged : List.of(ServerMerge.merge(released, stale),
        ServerMerge.merge(stale, released))) {
      assertThat(merged.vms()).extracting(HostedVm::vmId)
          .containsExactlyInAnyOrder("kept", "other");
      assertThat(merged.usedCores()).isEqualTo(4);
      assertThat(merged.releasedHere(gone)).as("the release is remembered after the merge").isTrue();
    }
  }

  @Test
  void theSameVmIdPlacedAgainByAnotherRequestIsNotTakenForTheReleasedOne() {
    HostedVm first = vm("v", 2, "REGULAR", 1);
    ServerState released = with(first).releasing("v", 60_000);
    HostedVm again = new HostedVm("v", "t", 2, 1_024, "r-again", "REGULAR", 120_000);

    ServerState merged = ServerMerge.merge(released, with(again));

    assertThat(merged.vms()).containsExactly(again);
    assertThat(released.releasedHere(first)).isTrue();
    assertThat(released.releasedHere(again)).isFalse();
  }

  @Test
  void aServerRemembersitsNewestReleasesOnlyAndForgetsOldOnes() {
    ServerState s = EMPTY;
    for (int i = 0; i < ServerState.RELEASED_KEPT + 5; i++) {
      s = s.with(vm("v" + i, 1, "REGULAR", i)).releasing("v" + i, 60_000);
    }
    assertThat(s.released()).hasSize(ServerState.RELEASED_KEPT);
    assertThat(s.releasedHere(vm("v0", 1, "REGULAR", 0))).isFalse();
    assertThat(s.releasedHere(vm("v" + (ServerState.RELEASED_KEPT + 4), 1, "REGULAR", 0))).isTrue();
    long later = 60_000L * (ServerState.RELEASED_KEPT_MINUTES + 2);
    ServerState aged = s.with(vm("w", 1, "REGULAR", 0)).releasing("w", later);
    assertThat(aged.released()).as("older than the retention: forgotten").hasSize(1);
  }
}
