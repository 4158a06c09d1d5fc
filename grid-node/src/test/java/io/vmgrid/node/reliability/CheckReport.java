package io.vmgrid.node.reliability;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What {@link HistoryChecker} found: how the operations of a history ended, how each category of
 * them is accounted for in the grid's end state, and every violation, by VM id (or server id).
 *
 * @param allocationsOk allocations acknowledged
 * @param allocationsFailed allocations that definitely did nothing
 * @param allocationsIndeterminate allocations with an indeterminate outcome
 * @param releasesOk releases acknowledged
 * @param releasesFailed releases that definitely did nothing
 * @param releasesIndeterminate releases with an indeterminate outcome
 * @param acknowledgedPresent acknowledged placements (not released) present once on their server
 * @param acknowledgedReported acknowledged placements absent but reported in {@code repairs}, per
 *     repair action
 * @param releasedAbsent acknowledged releases whose VM is absent
 * @param failedAbsent failed allocations whose VM is absent
 * @param indeterminateAllocationsPresent indeterminate allocations resolved as carried out
 * @param indeterminateAllocationsAbsent indeterminate allocations resolved as not carried out
 * @param indeterminateReleasesPresent indeterminate releases resolved as not carried out
 * @param indeterminateReleasesAbsent indeterminate releases resolved as carried out
 * @param repairActions every repair log entry's action, counted (second copies released, records
 *     restored, evictions)
 * @param servers servers in the end state
 * @param vmsOnServers VMs hosted in the end state
 * @param violations every violation found
 */
record CheckReport(
    int allocationsOk, int allocationsFailed, int allocationsIndeterminate,
    int releasesOk, int releasesFailed, int releasesIndeterminate,
    int acknowledgedPresent, Map<String, Integer> acknowledgedReported,
    int releasedAbsent, int failedAbsent,
    int indeterminateAllocationsPresent, int indeterminateAllocationsAbsent,
    int indeterminateReleasesPresent, int indeterminateReleasesAbsent,
    Map<String, Integer> repairActions,
    int servers, int vmsOnServers,
    List<Violation> violations) {

  /** Copies the maps and the list. */
  CheckReport {
    acknowledgedReported = Map.copyOf(acknowledgedReported);
    repairActions = Map.copyOf(repairActions);
    violations = List.copyOf(violations);
  }

  /** What is wrong with one VM (or server) of the end state. */
  enum Kind {
    /** An acknowledged placement, not released, absent and not reported in {@code repairs}. */
    LOST,
    /** A VM hosted by two or more servers. */
    DOUBLE_PLACED,
    /** A server hosting more than its capacity (cores or memory). */
    OVER_CAPACITY,
    /** A server whose used capacity is not the sum of its VMs. */
    USED_MISCOUNTED,
    /** A {@code placements} record without its VM on the server it names, or a VM without one. */
    PLACEMENTS_DISAGREE,
    /** An acknowledged placement present on another server than the one acknowledged. */
    WRONG_SERVER,
    /** A VM holding another size than its request asked for. */
    WRONG_SIZE,
    /** An acknowledged release whose VM is present. */
    RELEASED_PRESENT,
    /** A VM whose every allocation failed, present. */
    FAILED_HOLDS,
    /** A VM present that no operation of the history asked for. */
    PHANTOM,
    /** An indeterminate operation whose VM is neither cleanly present nor cleanly absent. */
    UNRESOLVED,
    /** An operation invoked and never completed: the client never answered. */
    UNANSWERED,
    /** Two acknowledgements of one VM naming different servers. */
    ACK_CONFLICT,
    /** A release answered "unknown VM" for an acknowledged VM that is present at the end. */
    UNKNOWN_VM_BUT_PRESENT
  }

  /**
   * One violation.
   *
   * @param kind what is wrong
   * @param subject the VM id (the server id for {@link Kind#OVER_CAPACITY} and
   *     {@link Kind#USED_MISCOUNTED})
   * @param detail what the history and the end state say, for people
   */
  record Violation(Kind kind, String subject, String detail) {
    @Override
    public String toString() {
      return kind + " " + subject + ": " + detail;
    }
  }

  /** Acknowledged operations: allocations and releases answered ok. */
  int acknowledged() {
    return allocationsOk + releasesOk;
  }

  /** Indeterminate operations, all resolved unless a violation says otherwise. */
  int indeterminate() {
    return allocationsIndeterminate + releasesIndeterminate;
  }

  /** Violations of {@code kind}. */
  long count(Kind kind) {
    return violations.stream().filter(v -> v.kind() == kind).count();
  }

  /** Violations per kind, only the kinds found. */
  Map<Kind, Long> violationsByKind() {
    return violations.stream().collect(Collectors.groupingBy(Violation::kind, TreeMap::new,
        Collectors.counting()));
  }

  /** The report in a few lines, then up to {@code maxViolations} violations. */
  String summary(int maxViolations) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("allocations: %d ok, %d failed, %d indeterminate%n", allocationsOk,
        allocationsFailed, allocationsIndeterminate));
    b.append(String.format("releases: %d ok, %d failed, %d indeterminate%n", releasesOk,
        releasesFailed, releasesIndeterminate));
    b.append(String.format("acknowledged placements present once on their server: %d; absent and"
        + " reported in repairs: %s%n", acknowledgedPresent, new TreeMap<>(acknowledgedReported)));
    b.append(String.format("released and absent: %d; failed and absent: %d%n", releasedAbsent,
        failedAbsent));
    b.append(String.format("indeterminate allocations resolved: %d present, %d absent;"
        + " indeterminate releases resolved: %d present (not done), %d absent (done)%n",
        indeterminateAllocationsPresent, indeterminateAllocationsAbsent,
        indeterminateReleasesPresent, indeterminateReleasesAbsent));
    b.append(String.format("end state: %d servers, %d VMs; repair log: %s%n", servers,
        vmsOnServers, new TreeMap<>(repairActions)));
    b.append(String.format("violations: %d %s (lost %d, double %d, over capacity %d)%n",
        violations.size(), violationsByKind(), count(Kind.LOST), count(Kind.DOUBLE_PLACED),
        count(Kind.OVER_CAPACITY)));
    violations.stream().limit(maxViolations).forEach(v -> b.append("  ").append(v).append('\n'));
    return b.toString();
  }
}
