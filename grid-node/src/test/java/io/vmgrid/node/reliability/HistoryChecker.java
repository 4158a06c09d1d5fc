package io.vmgrid.node.reliability;

import io.vmgrid.client.api.Reason;
import io.vmgrid.node.reliability.CheckReport.Kind;
import io.vmgrid.node.reliability.CheckReport.Violation;
import io.vmgrid.node.reliability.History.Operation;
import io.vmgrid.node.reliability.History.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges a grid's end state against the {@link History} of a chaos run, the way Jepsen's checkers
 * judge a history: every operation acknowledged ok must have taken effect, every one that failed
 * must have had none, and every indeterminate one must have resolved one way or the other. Per VM:
 * <ul>
 *   <li>an acknowledged placement, not released since, is on its acknowledged server exactly once,
 *       or absent and listed in {@code repairs} with a reason that reports it
 *       ({@link #REPORTED_LOSS}; {@code DUPLICATE_RELEASED} concerns a second copy and reports
 *       nothing lost);</li>
 *   <li>an acknowledged release leaves its VM absent;</li>
 *   <li>a VM whose allocations all failed is absent;</li>
 *   <li>an indeterminate operation's VM is either present (once, its record agreeing) or absent
 *       (and without a record); how many resolved each way is counted.</li>
 * </ul>
 * And over the whole state: no server over capacity or miscounting its used capacity, no VM on two
 * servers, the {@code placements} records agreeing with the servers, no VM nobody asked for.
 * A pure function of its inputs.
 */
final class HistoryChecker {
  /**
   * Repair actions (and eviction reasons, {@link EndState#read}) under which an acknowledged
   * placement that is gone counts as reported.
   */
  static final Set<String> REPORTED_LOSS = Set.of("EVICTED_OVER_CAPACITY", "PLACEMENT_DROPPED",
      "LOST_WITH_PARTITION", io.vmgrid.client.wire.Eviction.PREEMPTED);

  private HistoryChecker() {}

  /** Checks {@code end} against {@code operations} and reports what it found. */
  static CheckReport check(List<Operation> operations, EndState end) {
    return new Run(operations, end).check();
  }

  /** One check's working state. */
  private static final class Run {
    private final List<Operation> operations;
    private final EndState end;
    private final List<Violation> violations = new ArrayList<>();
    /** VM id to every server hosting it, in end-state order. */
    private final Map<String, List<String>> hosts = new HashMap<>();
    private final Map<String, EndState.Vm> hosted = new HashMap<>();
    private final Map<String, List<EndState.RepairEntry>> repairsOf = new HashMap<>();
    private final Map<String, Integer> reported = new TreeMap<>();
    private final Map<String, Integer> repairActions = new TreeMap<>();
    private int acknowledgedPresent;
    private int releasedAbsent;
    private int failedAbsent;
    private int infoAllocationsPresent;
    private int infoAllocationsAbsent;
    private int infoReleasesPresent;
    private int infoReleasesAbsent;

    Run(List<Operation> operations, EndState end) {
      this.operations = operations;
      this.end = end;
    }

    CheckReport check() {
      checkServers();
      checkRecords();
      for (EndState.RepairEntry r : end.repairs()) {
        repairActions.merge(r.action(), 1, Integer::sum);
        repairsOf.computeIfAbsent(r.vmId(), k -> new ArrayList<>()).add(r);
      }
      Map<String, List<Operation>> byVm = new LinkedHashMap<>();
      for (Operation op : operations) {
        byVm.computeIfAbsent(op.vmId(), k -> new ArrayList<>()).add(op);
      }
      for (Map.Entry<String, List<Operation>> e : byVm.entrySet()) {
        checkVm(e.getKey(), e.getValue());
      }
      for (String vm : new TreeSet<>(hosts.keySet())) {
        if (!byVm.containsKey(vm)) {
          violations.add(new Violation(Kind.PHANTOM, vm,
              "on " + hosts.get(vm) + " but no operation of the history asked for it"));
        }
      }
      int vmsOnServers = end.servers().stream().mapToInt(s -> s.vms().size()).sum();
      return new CheckReport(
          count(History.Kind.ALLOCATE, Outcome.OK), count(History.Kind.ALLOCATE, Outcome.FAIL),
          count(History.Kind.ALLOCATE, Outcome.INFO), count(History.Kind.RELEASE, Outcome.OK),
          count(History.Kind.RELEASE, Outcome.FAIL), count(History.Kind.RELEASE, Outcome.INFO),
          acknowledgedPresent, reported, releasedAbsent, failedAbsent, infoAllocationsPresent,
          infoAllocationsAbsent, infoReleasesPresent, infoReleasesAbsent, repairActions,
          end.servers().size(), vmsOnServers, violations);
    }

    private int count(History.Kind kind, Outcome outcome) {
      return (int) operations.stream().filter(o -> o.kind() == kind && o.outcome() == outcome)
          .count();
    }

    /** Capacity and used capacity per server; VMs on two servers. */
    private void checkServers() {
      for (EndState.Server s : end.servers()) {
        long cores = 0;
        long memory = 0;
        for (EndState.Vm vm : s.vms()) {
          cores += vm.cores();
          memory += vm.memoryMb();
          hosts.computeIfAbsent(vm.vmId(), k -> new ArrayList<>()).add(s.serverId());
          hosted.putIfAbsent(vm.vmId(), vm);
        }
        if (cores != s.usedCores() || memory != s.usedMemoryMb()) {
          violations.add(new Violation(Kind.USED_MISCOUNTED, s.serverId(), "counts "
              + s.usedCores() + " cores/" + s.usedMemoryMb() + " MiB used, its VMs hold "
              + cores + "/" + memory));
        }
        long usedCores = Math.max(cores, s.usedCores());
        long usedMemory = Math.max(memory, s.usedMemoryMb());
        if (usedCores > s.capacityCores() || usedMemory > s.capacityMemoryMb()) {
          violations.add(new Violation(Kind.OVER_CAPACITY, s.serverId(), usedCores + " cores/"
              + usedMemory + " MiB on " + s.capacityCores() + "/" + s.capacityMemoryMb()
              + " with " + s.vms().stream().map(EndState.Vm::vmId).toList()));
        }
      }
      new TreeMap<>(hosts).forEach((vm, servers) -> {
        if (servers.size() > 1) {
          violations.add(new Violation(Kind.DOUBLE_PLACED, vm, "on " + servers));
        }
      });
    }

    /** The {@code placements} records against the servers, both ways. */
    private void checkRecords() {
      new TreeMap<>(end.records()).forEach((vm, server) -> {
        List<String> where = hosts.get(vm);
        if (where == null) {
          violations.add(new Violation(Kind.PLACEMENTS_DISAGREE, vm,
              "recorded on " + server + ", hosted by no server"));
        } else if (!where.contains(server)) {
          violations.add(new Violation(Kind.PLACEMENTS_DISAGREE, vm,
              "recorded on " + server + ", hosted by " + where));
        }
      });
      for (String vm : new TreeSet<>(hosts.keySet())) {
        if (!end.records().containsKey(vm)) {
          violations.add(new Violation(Kind.PLACEMENTS_DISAGREE, vm,
              "hosted by " + hosts.get(vm) + " without a placements record"));
        }
      }
    }

    /** The VM's operations against where it is. */
    private void checkVm(String vm, List<Operation> ops) {
      List<String> where = hosts.getOrDefault(vm, List.of());
      boolean present = !where.isEmpty();
      String record = end.records().get(vm);
      // present once with its record, or absent without one: anything else is half a placement
      boolean clean = present ? where.size() == 1 && where.get(0).equals(record) : record == null;
      Operation okAllocation = null;
      Set<String> acknowledgedOn = new TreeSet<>();
      List<Operation> infoAllocations = new ArrayList<>();
      List<Operation> failedAllocations = new ArrayList<>();
      for (Operation op : ops) {
        if (op.completion() == null) {
          violations.add(new Violation(Kind.UNANSWERED, vm, op.kind() + " #" + op.index()
              + " invoked at " + op.invokedMillis() + " ms through " + op.via()
              + " never completed"));
        }
        if (op.kind() != History.Kind.ALLOCATE) {
          continue;
        }
        switch (op.outcome()) {
          case OK -> {
            okAllocation = op;
            acknowledgedOn.add(op.completion().serverId());
          }
          case INFO -> infoAllocations.add(op);
          case FAIL -> failedAllocations.add(op);
        }
      }
      if (acknowledgedOn.size() > 1) {
        violations.add(new Violation(Kind.ACK_CONFLICT, vm, "acknowledged on " + acknowledgedOn));
      }
      long after = okAllocation == null ? -1 : okAllocation.index();
      boolean releasedOk = ops.stream().anyMatch(o -> o.kind() == History.Kind.RELEASE && o.ok()
          && o.index() > after);
      List<Operation> infoReleases = ops.stream().filter(o -> o.kind() == History.Kind.RELEASE
          && o.outcome() == Outcome.INFO && o.index() > after).toList();
      if (present) {
        checkSize(vm, ops);
      }
      if (releasedOk) {
        if (present) {
          violations.add(new Violation(Kind.RELEASED_PRESENT, vm,
              "release acknowledged, yet on " + where));
        } else {
          releasedAbsent++;
        }
        return;
      }
      if (okAllocation != null) {
        String server = okAllocation.completion().serverId();
        if (present && ops.stream().anyMatch(o -> o.kind() == History.Kind.RELEASE
            && o.outcome() == Outcome.FAIL && o.completion().reason() == Reason.UNKNOWN_VM)) {
          violations.add(new Violation(Kind.UNKNOWN_VM_BUT_PRESENT, vm, "a release was answered "
              + "UNKNOWN_VM, yet the VM acknowledged on " + server + " is on " + where));
        }
        if (!infoReleases.isEmpty()) {
          resolve(vm, infoReleases, clean, present, false);
          if (present && !where.contains(server)) {
            violations.add(new Violation(Kind.WRONG_SERVER, vm, "acknowledged on " + server
                + ", found on " + where));
          }
        } else if (present) {
          if (where.contains(server)) {
            acknowledgedPresent++;
          } else {
            violations.add(new Violation(Kind.WRONG_SERVER, vm, "acknowledged on " + server
                + ", found on " + where));
          }
        } else {
          accountAbsent(vm, okAllocation);
        }
      } else if (!infoAllocations.isEmpty()) {
        resolve(vm, infoAllocations, clean, present, true);
      } else if (present) {
        violations.add(new Violation(failedAllocations.isEmpty() ? Kind.PHANTOM
            : Kind.FAILED_HOLDS, vm, (failedAllocations.isEmpty() ? "never allocated"
            : "allocation failed (" + failedAllocations.get(0).completion().reason() + ")")
            + ", yet on " + where));
      } else {
        failedAbsent += failedAllocations.size();
      }
    }

    /** An acknowledged placement that is gone: reported in the repair log, or lost. */
    private void accountAbsent(String vm, Operation okAllocation) {
      List<EndState.RepairEntry> entries = repairsOf.getOrDefault(vm, List.of());
      for (EndState.RepairEntry r : entries) {
        if (REPORTED_LOSS.contains(r.action())) {
          reported.merge(r.action(), 1, Integer::sum);
          return;
        }
      }
      boolean unknownToARelease = operations.stream().anyMatch(o -> o.vmId().equals(vm)
          && o.kind() == History.Kind.RELEASE && o.outcome() == Outcome.FAIL
          && o.completion().reason() == Reason.UNKNOWN_VM);
      violations.add(new Violation(Kind.LOST, vm, "acknowledged on "
          + okAllocation.completion().serverId() + " at " + okAllocation.completion()
          .completedMillis() + " ms, not released, absent"
          + (entries.isEmpty() ? " and not in repairs" : "; repairs say only " + entries)
          + (unknownToARelease ? "; a release was answered UNKNOWN_VM (lost before it, or"
              + " released by an earlier attempt of that release whose answer was lost)" : "")));
    }

    /** Indeterminate operations of one VM: resolved if the VM is cleanly present or absent. */
    private void resolve(String vm, List<Operation> info, boolean clean, boolean present,
        boolean allocations) {
      if (!clean) {
        for (Operation op : info) {
          violations.add(new Violation(Kind.UNRESOLVED, vm, op.kind() + " #" + op.index() + " ("
              + op.outcome() + (op.completion() == null ? "" : " " + op.completion().reason())
              + ") neither present once with its record nor absent: on "
              + hosts.getOrDefault(vm, List.of()) + ", recorded on "
              + end.records().get(vm)));
        }
        return;
      }
      int n = info.size();
      if (allocations) {
        if (present) {
          infoAllocationsPresent += n;
        } else {
          infoAllocationsAbsent += n;
        }
      } else if (present) {
        infoReleasesPresent += n;
      } else {
        infoReleasesAbsent += n;
      }
    }

    /** The hosted copy holds what its allocation asked for. */
    private void checkSize(String vm, List<Operation> ops) {
      EndState.Vm copy = hosted.get(vm);
      for (Operation op : ops) {
        if (op.kind() == History.Kind.ALLOCATE && op.outcome() != Outcome.FAIL) {
          if (copy.cores() != op.cores() || copy.memoryMb() != op.memoryMb()) {
            violations.add(new Violation(Kind.WRONG_SIZE, vm, "holds " + copy.cores() + " cores/"
                + copy.memoryMb() + " MiB, asked for " + op.cores() + "/" + op.memoryMb()));
          }
          return;
        }
      }
    }
  }
}
