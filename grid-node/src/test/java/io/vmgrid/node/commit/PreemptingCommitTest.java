package io.vmgrid.node.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.recovery.ServerMerge;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A preempting commit evicts its victims and places its VM in one step on the server's entry, or
 * changes nothing: a victim gone or not of lower priority refuses it, and so does a VM that would
 * still not fit. A merge never brings a preempted VM back.
 */
class PreemptingCommitTest {
  private static final HostedVm LOW_A = new HostedVm("low-a", "ta", 4, 8_192, "ra", "LOW", 10);
  private static final HostedVm LOW_B = new HostedVm("low-b", "tb", 4, 8_192, "rb", "LOW", 11);
  private static final HostedVm REG = new HostedVm("reg", "tr", 6, 8_192, "rr", "REGULAR", 12);

  /** A 16-core server holding two 4-core low-priority VMs and a 6-core regular one (2 free). */
  private static ServerState full() {
    return ServerState.empty("s1", "c1", 16, 65_536).with(LOW_A).with(LOW_B).with(REG);
  }

  private static CommitResults commit(Map.Entry<String, ServerState> entry, HostedVm vm,
      List<String> victims) {
    return new PlaceVmProcessor(Map.of("s1", List.of(vm)), Map.of(vm.vmId(), victims))
        .process(entry);
  }

  @Test
  void evictsTheVictimsAndPlacesInOneStep() {
    Map.Entry<String, ServerState> entry = new AbstractMap.SimpleEntry<>("s1", full());
    HostedVm vm = new HostedVm("new", "tn", 6, 8_192, "rn", "REGULAR", 1_000);

    CommitResults r = commit(entry, vm, List.of("low-a"));

    assertThat(r.results().get(0).status()).isEqualTo(CommitResult.Status.PLACED);
    ServerState after = entry.getValue();
    assertThat(after.vms()).extracting(HostedVm::vmId).containsExactly("low-b", "reg", "new");
    assertThat(after.usedCores()).isEqualTo(16);
    assertThat(after.preempted()).singleElement().satisfies(e -> {
      assertThat(e.vmId()).isEqualTo("low-a");
      assertThat(e.tenantId()).isEqualTo("ta");
      assertThat(e.reason()).isEqualTo(Eviction.PREEMPTED);
      assertThat(e.byRequestId()).isEqualTo("rn");
      assertThat(e.byVmId()).isEqualTo("new");
      assertThat(e.atMillis()).as("the VM's own time: the backup decides the same").isEqualTo(1_000);
    });
    assertThat(after.releasedHere(LOW_A)).as("remembered: a merge does not bring it back").isTrue();
    assertThat(r.state()).isEqualTo(after);

    // a retry of the same commit finds its VM there: ALREADY_HOSTED, nothing evicted again
    CommitResults again = commit(entry, vm, List.of("low-a"));
    assertThat(again.results().get(0).status()).isEqualTo(CommitResult.Status.ALREADY_HOSTED);
    assertThat(entry.getValue()).isSameAs(after);
  }

  @Test
  void aVictimGoneOrNotOfLowerPriorityRefusesAndChangesNothing() {
    ServerState state = full();
    Map.Entry<String, ServerState> entry = new AbstractMap.SimpleEntry<>("s1", state);
    HostedVm vm = new HostedVm("new", "tn", 6, 8_192, "rn", "REGULAR", 1_000);

    assertThat(commit(entry, vm, List.of("gone")).results().get(0).status())
        .isEqualTo(CommitResult.Status.VICTIMS_CHANGED);
    assertThat(commit(entry, vm, List.of("reg")).results().get(0).status())
        .as("a regular VM is never a victim").isEqualTo(CommitResult.Status.VICTIMS_CHANGED);
    assertThat(commit(entry, vm, List.of("low-a", "low-a")).results().get(0).status())
        .as("one victim named twice frees its capacity once")
        .isEqualTo(CommitResult.Status.VICTIMS_CHANGED);
    HostedVm low = new HostedVm("new-low", "tn", 6, 8_192, "rl", "LOW", 1_000);
    assertThat(commit(entry, low, List.of("low-a")).results().get(0).status())
        .as("a low-priority VM evicts nothing").isEqualTo(CommitResult.Status.VICTIMS_CHANGED);
    assertThat(entry.getValue()).isSameAs(state);
  }

  @Test
  void tooFewVictimsRefusesAndEvictsNothing() {
    ServerState state = full();
    Map.Entry<String, ServerState> entry = new AbstractMap.SimpleEntry<>("s1", state);
    HostedVm big = new HostedVm("big", "tn", 10, 8_192, "rn", "REGULAR", 1_000);

    CommitResults r = commit(entry, big, List.of("low-a"));

    assertThat(r.results().get(0).status()).isEqualTo(CommitResult.Status.INSUFFICIENT);
    assertThat(entry.getValue()).isSameAs(state);
    assertThat(commit(entry, big, List.of("low-a", "low-b")).results().get(0).status())
        .isEqualTo(CommitResult.Status.PLACED);
    assertThat(entry.getValue().preempted()).extracting(Eviction::vmId)
        .containsExactly("low-a", "low-b");
  }

  @Test
  void aMergeKeepsPendingPreemptionsAndDoesNotBringTheVictimBack() {
    ServerState before = full();
    HostedVm vm = new HostedVm("new", "tn", 6, 8_192, "rn", "REGULAR", 1_000);
    Map.Entry<String, ServerState> entry = new AbstractMap.SimpleEntry<>("s1", before);
    commit(entry, vm, List.of("low-a"));
    ServerState preempted = entry.getValue();

    // the other side of a split still holds low-a, and placed nothing else
    for (ServerState merged : List.of(ServerMerge.merge(preempted, before),
        ServerMerge.merge(before, preempted))) {
      assertThat(merged.vms()).extracting(HostedVm::vmId).doesNotContain("low-a").contains("new");
      assertThat(merged.preempted()).extracting(Eviction::vmId).containsExactly("low-a");
      assertThat(merged.usedCores()).isLessThanOrEqualTo(merged.capacityCores());
    }
    // logged: the pending list empties, nothing else changes
    ServerState cleared = preempted.withoutPreempted(java.util.Set.of(preempted.preempted().get(0).key()));
    assertThat(cleared.preempted()).isEmpty();
    assertThat(cleared.vms()).isEqualTo(preempted.vms());
  }
}
