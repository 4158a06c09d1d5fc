package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.GridOperationException;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.Released;
import io.vmgrid.client.api.UnknownVmException;
import io.vmgrid.node.reliability.CheckReport.Kind;
import io.vmgrid.node.reliability.CheckReport.Violation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history checker on hand-built histories and end states: a clean run passes and is counted
 * per category, and each kind of wrong end state (a lost VM, a double placement, a server over
 * capacity, an indeterminate operation left half done, a release undone, a failed placement
 * holding capacity, ...) is reported by VM or server id.
 */
class HistoryCheckerTest {
  private final AtomicLong clock = new AtomicLong();
  private final History history = new History(clock::incrementAndGet);
  private final Map<String, List<EndState.Vm>> hosted = new HashMap<>();
  private final Map<String, String> records = new HashMap<>();
  private final List<EndState.RepairEntry> repairs = new ArrayList<>();

  /** An allocation of {@code vm} (2 cores, 1 GiB) acknowledged on {@code server}. */
  private void placed(String vm, String server) {
    history.ok(history.invokeAllocate(0, "m0", vm, "r-" + vm, 2, 1_024), server);
  }

  /** {@code vm} on {@code server} in the end state, with its record. */
  private void on(String server, String vm) {
    hosted.computeIfAbsent(server, k -> new ArrayList<>()).add(new EndState.Vm(vm, 2, 1_024));
    records.put(vm, server);
  }

  /** The end state: servers s1..s3 of 8 cores and 8 GiB, plus those named by {@link #on}. */
  private EndState end() {
    List<EndState.Server> servers = new ArrayList<>();
    for (String s : List.of("s1", "s2", "s3")) {
      List<EndState.Vm> vms = hosted.getOrDefault(s, List.of());
      servers.add(new EndState.Server(s, 8, 8_192, vms.stream().mapToLong(EndState.Vm::cores)
          .sum(), vms.stream().mapToLong(EndState.Vm::memoryMb).sum(), vms));
    }
    return new EndState(servers, records, repairs);
  }

  private CheckReport check() {
    return HistoryChecker.check(history.operations(), end());
  }

  private static List<String> subjects(CheckReport report, Kind kind) {
    return report.violations().stream().filter(v -> v.kind() == kind).map(Violation::subject)
        .toList();
  }

  @Test
  void aCleanHistoryPassesAndIsCountedPerCategory() {
    placed("a", "s1");
    on("s1", "a");
    placed("b", "s2");
    history.ok(history.invokeRelease(0, "m0", "b"), "s2");
    history.failed(history.invokeAllocate(1, "m1", "c", "r-c", 2, 1_024), Reason.NO_QUORUM, "");
    history.failed(history.invokeAllocate(1, "m1", "d", "r-d", 2, 1_024), Reason.TIMEOUT, "");
    on("s3", "d");
    history.failed(history.invokeAllocate(1, "m1", "e", "r-e", 2, 1_024), Reason.IN_DOUBT, "");
    placed("f", "s2");
    history.failed(history.invokeRelease(0, "m0", "f"), Reason.TIMEOUT, "");
    placed("g", "s3");
    on("s3", "g");
    history.failed(history.invokeRelease(0, "m0", "g"), Reason.NO_QUORUM, "");

    CheckReport report = check();

    assertThat(report.violations()).isEmpty();
    assertThat(report.allocationsOk()).isEqualTo(4);
    assertThat(report.allocationsFailed()).isEqualTo(1);
    assertThat(report.allocationsIndeterminate()).isEqualTo(2);
    assertThat(report.releasesOk()).isEqualTo(1);
    assertThat(report.releasesFailed()).isEqualTo(1);
    assertThat(report.releasesIndeterminate()).isEqualTo(1);
    assertThat(report.acknowledgedPresent()).as("a and g").isEqualTo(2);
    assertThat(report.releasedAbsent()).as("b").isEqualTo(1);
    assertThat(report.failedAbsent()).as("c").isEqualTo(1);
    assertThat(report.indeterminateAllocationsPresent()).as("d").isEqualTo(1);
    assertThat(report.indeterminateAllocationsAbsent()).as("e").isEqualTo(1);
    assertThat(report.indeterminateReleasesAbsent()).as("f").isEqualTo(1);
    assertThat(report.acknowledged()).isEqualTo(5);
    assertThat(report.vmsOnServers()).isEqualTo(3);
  }

  @Test
  void anAcknowledgedPlacementThatIsGoneIsLostUnlessTheRepairOrEvictionLogReportsIt() {
    placed("lost", "s1");
    placed("evicted", "s1");
    placed("dropped", "s2");
    placed("second-copy-only", "s3");
    placed("preempted", "s3");
    repairs.add(new EndState.RepairEntry("evicted", "s1", "EVICTED_OVER_CAPACITY"));
    repairs.add(new EndState.RepairEntry("preempted", "s3", "PREEMPTED")); // the eviction log
    repairs.add(new EndState.RepairEntry("dropped", "s2", "PLACEMENT_DROPPED"));
    // a released second copy says nothing about the acknowledged one
    repairs.add(new EndState.RepairEntry("second-copy-only", "s1", "DUPLICATE_RELEASED"));

    CheckReport report = check();

    assertThat(subjects(report, Kind.LOST)).containsExactly("lost", "second-copy-only");
    assertThat(report.acknowledgedReported()).containsOnly(Map.entry("EVICTED_OVER_CAPACITY", 1),
        Map.entry("PLACEMENT_DROPPED", 1), Map.entry("PREEMPTED", 1));
    assertThat(report.repairActions()).containsEntry("DUPLICATE_RELEASED", 1);
    assertThat(report.violations()).hasSize(2);
  }

  @Test
  void aVmOnTwoServersIsADoublePlacement() {
    placed("twice", "s1");
    on("s1", "twice");
    on("s2", "twice");
    records.put("twice", "s1");

    CheckReport report = check();

    assertThat(subjects(report, Kind.DOUBLE_PLACED)).containsExactly("twice");
    assertThat(report.count(Kind.DOUBLE_PLACED)).isEqualTo(1);
  }

  @Test
  void aServerOverCapacityOrMiscountingItsVmsIsReportedByServer() {
    List<EndState.Vm> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      placed("v" + i, "s1");
      five.add(new EndState.Vm("v" + i, 2, 1_024));
      records.put("v" + i, "s1");
    }
    List<EndState.Server> servers = List.of(
        new EndState.Server("s1", 8, 8_192, 10, 5_120, five),
        new EndState.Server("s2", 8, 8_192, 3, 0, List.of()));

    CheckReport report = HistoryChecker.check(history.operations(),
        new EndState(servers, records, repairs));

    assertThat(subjects(report, Kind.OVER_CAPACITY)).containsExactly("s1");
    assertThat(subjects(report, Kind.USED_MISCOUNTED)).containsExactly("s2");
    assertThat(report.acknowledgedPresent()).isEqualTo(5);
  }

  @Test
  void anIndeterminateOperationLeftHalfDoneIsUnresolved() {
    history.failed(history.invokeAllocate(0, "m0", "half", "r-half", 2, 1_024), Reason.TIMEOUT,
        "no outcome");
    records.put("half", "s1"); // a record, but no server holds the VM
    history.failed(history.invokeAllocate(0, "m0", "stray", "r-stray", 2, 1_024),
        Reason.IN_DOUBT, "");
    hosted.computeIfAbsent("s2", k -> new ArrayList<>()).add(new EndState.Vm("stray", 2, 1_024));

    CheckReport report = check();

    assertThat(subjects(report, Kind.UNRESOLVED)).containsExactlyInAnyOrder("half", "stray");
    assertThat(subjects(report, Kind.PLACEMENTS_DISAGREE))
        .containsExactlyInAnyOrder("half", "stray");
    assertThat(report.indeterminateAllocationsPresent() + report.indeterminateAllocationsAbsent())
        .isZero();
  }

  @Test
  void anOperationNeverAnsweredIsAViolation() {
    history.invokeAllocate(0, "m0", "open", "r-open", 2, 1_024);

    CheckReport report = check();

    assertThat(subjects(report, Kind.UNANSWERED)).containsExactly("open");
    assertThat(report.allocationsIndeterminate()).isEqualTo(1);
  }

  @Test
  void aReleasedVmPresentAFailedOneHoldingAndAStrangerAreReported() {
    placed("back", "s1");
    history.ok(history.invokeRelease(0, "m0", "back"), "s1");
    on("s1", "back");
    history.allocated(history.invokeAllocate(0, "m0", "refused", "r-refused", 2, 1_024),
        new AllocationOutcome.Rejected("r-refused", "refused", Reason.NO_CAPACITY, "full",
            Duration.ZERO));
    on("s2", "refused");
    on("s3", "stranger");

    CheckReport report = check();

    assertThat(subjects(report, Kind.RELEASED_PRESENT)).containsExactly("back");
    assertThat(subjects(report, Kind.FAILED_HOLDS)).containsExactly("refused");
    assertThat(subjects(report, Kind.PHANTOM)).containsExactly("stranger");
  }

  @Test
  void aVmOnAnotherServerOrOfAnotherSizeIsReported() {
    placed("moved", "s1");
    on("s2", "moved");
    placed("grown", "s3");
    hosted.computeIfAbsent("s3", k -> new ArrayList<>()).add(new EndState.Vm("grown", 4, 1_024));
    records.put("grown", "s3");

    CheckReport report = check();

    assertThat(subjects(report, Kind.WRONG_SERVER)).containsExactly("moved");
    assertThat(subjects(report, Kind.WRONG_SIZE)).containsExactly("grown");
  }

  @Test
  void aReleaseAnsweredUnknownVmForAVmThatIsThereIsReported() {
    placed("hidden", "s1");
    on("s1", "hidden");
    history.completed(history.invokeRelease(0, "m0", "hidden"), null,
        new CompletionException(new UnknownVmException("hidden", "no such VM")));

    CheckReport report = check();

    assertThat(subjects(report, Kind.UNKNOWN_VM_BUT_PRESENT)).containsExactly("hidden");
  }

  @Test
  void clientAnswersAreClassifiedOkFailOrIndeterminate() {
    long placed = history.invokeAllocate(0, "m0", "a", "r-a", 2, 1_024);
    history.completed(placed, new AllocationOutcome.Placed("r-a", "a", "s1", "c0", "agent", 1,
        Duration.ZERO), null);
    long released = history.invokeRelease(0, "m0", "a");
    history.completed(released, new Released("a", "s1", Duration.ZERO), null);
    long noQuorum = history.invokeRelease(0, "m0", "b");
    history.completed(noQuorum, null, new GridOperationException(Reason.NO_QUORUM, "minority"));
    long timedOut = history.invokeRelease(0, "m0", "c");
    history.completed(timedOut, null,
        new CompletionException(new GridOperationException(Reason.TIMEOUT, "late")));
    long odd = history.invokeRelease(0, "m0", "d");
    history.completed(odd, null, new IllegalStateException("client offline"));

    List<History.Operation> ops = history.operations();

    assertThat(ops).extracting(History.Operation::outcome).containsExactly(History.Outcome.OK,
        History.Outcome.OK, History.Outcome.FAIL, History.Outcome.INFO, History.Outcome.INFO);
    assertThat(ops.get(0).completion().serverId()).isEqualTo("s1");
    assertThat(ops.get(4).completion().reason()).isEqualTo(Reason.INTERNAL);
  }

  @Test
  void theHistoryIsWrittenAsJsonLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("history.jsonl");
    try (History h = new History(clock::incrementAndGet, file)) {
      h.note("cut [0, 1] from [2, 3, 4]");
      h.ok(h.invokeAllocate(3, "10.0.0.1", "vm \"x\"", "r-x", 2, 1_024), "s1");
    }

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);

    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("{\"type\":\"nemesis\"");
    assertThat(lines.get(1)).contains("\"type\":\"invoke\"", "\"vm\":\"vm \\\"x\\\"\"",
        "\"process\":3");
    assertThat(lines.get(2)).contains("\"type\":\"ok\"", "\"server\":\"s1\"");
  }
}
