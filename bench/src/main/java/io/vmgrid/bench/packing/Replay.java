package io.vmgrid.bench.packing;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.Decision;
import io.vmgrid.rules.trace.TraceRequest;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Replays trace rows (sorted by start) through one placer on one inventory: departures whose end is
 * at or before an arrival are released first; a rejected VM never departs. Density and empty servers
 * are integrated over trace time from 0 to the last arrival (the initial VMs, with negative starts,
 * are the state at time 0) and also reported at the last arrival. A placement that preempts first
 * releases its victims, which leave the inventory for good (they are not re-queued, and their
 * departure is skipped); each must be on the chosen server and of lower priority than the request.
 */
final class Replay {
  private record Departure(double at, String vmId) {}

  /**
   * The outcome of one replay.
   *
   * @param policy the placer's name
   * @param requests rows replayed
   * @param placed VMs placed
   * @param rejected requests with no server
   * @param rejectedInitial of those, VMs running when the trace starts
 * @param rejectedRegular of those, regular-priority (priority 0) requests
 * @param preemptions placements that evicted VMs first
 * @param evictions VMs evicted by those placements
 * @param evictedCores cores the evicted VMs held
 * @param preemptionSearches the placer's preemption searches (requests no server fitted)
 * @param preemptionSearchesCutShort of those, searches that ran out of their step budget
 * @param preemptionTrials trial evictions those searches evaluated against the validators
   * @param rejectedAllClustersAtLimit of those, requests for which every cluster was at or above the
   *     default rule set's utilization limit for the request's priority (0.85 regular, 0.95 low);
   *     the others failed for lack of a server with room in a cluster under its limit
   * @param rejectedCores cores the rejected requests asked for
   * @param meanUtilization time-weighted allocated ÷ all cores
   * @param meanDensity time-weighted packing density over [0, last arrival]
   * @param finalDensity packing density at the last arrival
   * @param meanEmptyServers time-weighted number of empty servers
   * @param finalEmptyServers empty servers at the last arrival
   * @param finalUtilization allocated ÷ all cores at the last arrival
   * @param seconds wall time of the replay
   */
  record Result(
      String policy,
      int requests,
      int placed,
      int rejected,
      int rejectedInitial,
      int rejectedRegular,
      int preemptions,
      int evictions,
      long evictedCores,
      long preemptionSearches,
      long preemptionSearchesCutShort,
      long preemptionTrials,
      int rejectedAllClustersAtLimit,
      long rejectedCores,
      double meanUtilization,
      double meanDensity,
      double finalDensity,
      double meanEmptyServers,
      int finalEmptyServers,
      double finalUtilization,
      double seconds) {}

  /** Something run on the inventory at regular trace times (e.g. applying a consolidation plan). */
  interface Periodic {
    /** Runs at trace time {@code day}; returns how many migrations it made. */
    int run(Inventory inv, double day);
  }

  /** The counters and time integrals of one {@link #run}. */
  private static final class Tally {
    int placed;
    int rejected;
    int rejectedInitial;
    int rejectedRegular;
    int preemptions;
    int evictions;
    long evictedCores;
    int atLimit;
    long rejectedCores;
    double utilTime;
    double lastT;
    double densityTime;
    double emptyTime;
  }

  private final Inventory inv;
  private final Placer placer;
  private @org.jspecify.annotations.Nullable Periodic periodic;
  private double every = Double.POSITIVE_INFINITY;
  private int migrations;
  private long allocated;
  private long nonEmptyCores;
  private long totalCores;
  private int empty;

  Replay(Inventory inv, Placer placer) {
    this.inv = inv;
    this.placer = placer;
    for (int i = 0; i < inv.size(); i++) {
      totalCores += inv.capacity(Resource.CORES, i);
      allocated += inv.used(Resource.CORES, i);
      if (inv.vmCount(i) > 0) {
        nonEmptyCores += inv.capacity(Resource.CORES, i);
      } else {
        empty++;
      }
    }
  }

  /** Runs {@code task} every {@code days} of trace time (from time {@code days} on). */
  Replay every(double days, Periodic task) {
    this.every = days;
    this.periodic = task;
    return this;
  }

  /** Migrations made by the periodic task. */
  int migrations() {
    return migrations;
  }

  Result run(List<TraceRequest> rows) {
    Tally tally = new Tally();
    long t0 = System.nanoTime();
    PriorityQueue<Departure> departures =
        new PriorityQueue<>(Comparator.comparingDouble(Departure::at));
    java.util.Set<String> evicted = new java.util.HashSet<>();
    double nextPeriodic = every;
    for (TraceRequest row : rows) {
      Periodic task = periodic;
      if (task != null && row.start() >= nextPeriodic) {
        migrations += task.run(inv, nextPeriodic);
        recount();
        nextPeriodic += every;
      }
      departBefore(row.start(), departures, evicted, tally);
      advance(Math.max(0, row.start()), tally);
      VmRequest r = row.toRequest(Constraints.NONE);
      java.util.Optional<Decision> decision = placer.choose(r);
      if (decision.isEmpty()) {
        reject(row, r, tally);
        continue;
      }
      int s = decision.get().server();
      if (decision.get().preempts()) {
        evictVictims(decision.get(), r, evicted, tally);
      }
      if (!inv.fits(s, r.demand())) {
        throw new IllegalStateException(placer.name() + " over-committed " + inv.serverId(s)
            + " with VM " + r.id());
      }
      place(s, r);
      tally.placed++;
      if (row.end() != Double.POSITIVE_INFINITY) {
        departures.add(new Departure(row.end(), row.vmId()));
      }
    }
    return result(rows.size(), tally, t0);
  }

  /** Releases the VMs departing at or before {@code start}, skipping those evicted already. */
  private void departBefore(double start, PriorityQueue<Departure> departures,
      java.util.Set<String> evicted, Tally tally) {
    while (!departures.isEmpty() && departures.peek().at() <= start) {
      Departure d = departures.poll();
      if (evicted.remove(d.vmId())) {
        continue;
      }
      advance(Math.max(0, d.at()), tally);
      release(d.vmId());
    }
  }

  /** Integrates density, empty servers and utilization from the last event up to {@code at}. */
  private void advance(double at, Tally tally) {
    tally.densityTime += density() * (at - tally.lastT);
    tally.emptyTime += empty * (at - tally.lastT);
    tally.utilTime += allocated / (double) totalCores * (at - tally.lastT);
    tally.lastT = Math.max(tally.lastT, at);
  }

  private void reject(TraceRequest row, VmRequest r, Tally tally) {
    tally.rejected++;
    tally.rejectedInitial += row.initial() ? 1 : 0;
    tally.rejectedRegular += r.priority() == Priority.REGULAR ? 1 : 0;
    tally.atLimit += allClustersAtLimit(r) ? 1 : 0;
    tally.rejectedCores += r.demand().cores();
  }

  /** Releases the victims of a preempting decision, checking each is a lower-priority VM there. */
  private void evictVictims(Decision decision, VmRequest r, java.util.Set<String> evicted,
      Tally tally) {
    int s = decision.server();
    tally.preemptions++;
    for (String v : decision.victims()) {
      HostedVm vm = inv.vm(v);
      if (vm == null || inv.serverOf(v) != s || !r.priority().outranks(vm.priority())) {
        throw new IllegalStateException(placer.name() + " chose victim " + v + " for " + r.id()
            + " that is not a lower-priority VM on " + inv.serverId(s));
      }
      tally.evictedCores += vm.used().cores();
      release(v);
      evicted.add(v);
      tally.evictions++;
    }
  }

  private Result result(int requests, Tally t, long t0) {
    double span = Math.max(t.lastT, 1e-9);
    return new Result(placer.name(), requests, t.placed, t.rejected, t.rejectedInitial,
        t.rejectedRegular, t.preemptions, t.evictions, t.evictedCores,
        placer.preemptionStats().searches(), placer.preemptionStats().cutShort(),
        placer.preemptionStats().trials(), t.atLimit,
        t.rejectedCores, t.utilTime / Math.max(t.lastT, 1e-9),
        t.densityTime / span, density(), t.emptyTime / span, empty,
        allocated / (double) totalCores, (System.nanoTime() - t0) / 1e9);
  }

  private boolean allClustersAtLimit(VmRequest r) {
    double limit = r.priority() == Priority.LOW ? 0.95 : 0.85;
    for (int c = 0; c < inv.clusterCount(); c++) {
      if (inv.clusterUsed(Resource.CORES, c) < limit * inv.clusterCapacity(Resource.CORES, c)) {
        return false;
      }
    }
    return true;
  }

  private void recount() {
    allocated = 0;
    nonEmptyCores = 0;
    empty = 0;
    for (int i = 0; i < inv.size(); i++) {
      allocated += inv.used(Resource.CORES, i);
      if (inv.vmCount(i) > 0) {
        nonEmptyCores += inv.capacity(Resource.CORES, i);
      } else {
        empty++;
      }
    }
  }

  private double density() {
    return nonEmptyCores == 0 ? 0 : allocated / (double) nonEmptyCores;
  }

  private void place(int s, VmRequest r) {
    if (inv.vmCount(s) == 0) {
      nonEmptyCores += inv.capacity(Resource.CORES, s);
      empty--;
    }
    Resources d = r.demand();
    inv.apply(new InventoryChange.Place(inv.serverId(s), r.toHostedVm(d)));
    allocated += d.cores();
  }

  private void release(String vmId) {
    int s = inv.serverOf(vmId);
    var vm = java.util.Objects.requireNonNull(inv.vm(vmId));
    inv.apply(new InventoryChange.Release(inv.serverId(s), vmId));
    allocated -= vm.used().cores();
    if (inv.vmCount(s) == 0) {
      nonEmptyCores -= inv.capacity(Resource.CORES, s);
      empty++;
    }
  }
}
