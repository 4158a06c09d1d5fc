package io.vmgrid.node.recovery;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.SerializationConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.commit.Evictions;
import io.vmgrid.node.inventory.OwnValues;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the placement store's two halves consistent: every VM on a server has a record naming that
 * server, every record names a server that holds its VM, no VM is on two servers. It repairs what
 * it finds, and says what it changed in the {@code repairs} map:
 * <ul>
 *   <li>VMs that {@link ServerMerge} evicted to fit capacity are logged as
 *       {@code EVICTED_OVER_CAPACITY} (and in the eviction log) and their records removed; a
 *       client had released one of them already (a copy the other side still held), it is logged as
 *       {@code RELEASED_COPY_REMOVED} instead;</li>
 *   <li>preemptions whose agent's member stopped before it logged them are logged ({@link
 *       Evictions#settle});</li>
 *   <li>a VM on a server whose record names another server that holds it was placed twice: this
 *       copy is released ({@code DUPLICATE_RELEASED});</li>
 *   <li>a VM on a server with no record, or whose record names a server that does not hold it,
 *       gets its record ({@code PLACEMENT_RESTORED}): a commit whose record was never written (its
 *       agent's member died between the two) becomes the placement, which a retry of its request
 *       then finds;</li>
 *   <li>unless that copy is of a placement (VM id and request id) that a client released, as some
 *       server's list of releases or the {@code releases} map remembers (at once, at the first
 *       sighting: a request places once, so no record will claim it); two
 *       copies of one request were committed on the two sides of a split and the client released
 *       the one it was told of, or one side released a VM the other side still held; the merge
 *       brought the copy back. It is released ({@code RELEASED_COPY_REMOVED}), after a merge even
 *       when the merge also brought its record back;</li>
 *   <li>a record naming a server that does not hold its VM is removed ({@code PLACEMENT_DROPPED},
 *       unless its eviction was logged already), once two passes running found it so.</li>
 * </ul>
 *
 * <p>When it runs: on this member's {@code MERGED} event (a healed split), again every few seconds
 * until a pass finds nothing; after a member leaves, twice (5 and 20 s later) on the oldest member;
 * and periodically on the oldest member. Outside merges it acts on most findings only when the
 * next pass finds them again, so that a commit waiting for its record, or a release between its
 * two steps, is left to finish (see {@link #sweep}). Every step is idempotent
 * and compare-and-set, so passes on several members at once are harmless. A pass reads every
 * server and record once: it is per event and per period, never per request.
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());
  /** Passes after a merge at most. */
  static final int MERGE_PASSES = 10;

  private final HazelcastInstance hazelcast;
  private final NodeClock clock;
  private final NodeTimings timings;
  private final IMap<String, ServerState> servers;
  private final IMap<String, Placement> placements;
  private final IMap<String, Long> releaseMarks;
  private final RepairSteps steps;
  private final ForeignEntries foreign;
  private final ScheduledExecutorService executor;
  private final UUID listenerId;
  private final UUID membershipListenerId;
  private final AtomicLong passes = new AtomicLong();
  private final AtomicLong departureSweeps = new AtomicLong();
  private final AtomicLong findings = new AtomicLong();
  /** Findings of the previous periodic or merge pass (acted on when found again). */
  private Set<String> previous = Set.of();
  /** The first repair of the current pass that failed, and how many did (see {@link #repair}). */
  private @Nullable RuntimeException repairFailure;
  private int repairsFailed;
  /** While true, departure and periodic sweeps are skipped (the store is being repaired). */
  private volatile BooleanSupplier paused = () -> false;

  /** What a pass may do. */
  public enum Mode {
    /** After a merge: repair everything at once. */
    MERGE,
    /**
     * After a departure: releases duplicates whose recorded server holds the VM at once, and
     * restores missing records on a second sighting.
     */
    DEPARTURE,
    /** Periodic: repair what the previous periodic pass found too. */
    STABLE
  }

  /**
   * Starts listening for merges and departures, and passes every {@link Timing#RECONCILE_PERIOD}
   * of the member's timings.
   */
  public Reconciler(HazelcastInstance hz) {
    this.hazelcast = hz;
    this.clock = NodeClock.of(hz);
    this.timings = NodeTimings.of(hz);
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.releaseMarks = hz.getMap(MapNames.RELEASES);
    this.steps = new RepairSteps(hz);
    this.foreign = ForeignEntries.of(hz);
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vmgrid-reconciler");
      t.setDaemon(true);
      return t;
    });
    this.listenerId = hz.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        var unused = repairUntilClean("a merge");
      }
    });
    this.membershipListenerId = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        afterDeparture();
      }
    });
    long periodMillis = timings.millis(Timing.RECONCILE_PERIOD);
    var unused = executor.scheduleWithFixedDelay(this::periodic, periodMillis, periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Registers the Compact serializers this package needs on members. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig().addSerializer(new ClearEvictedProcessor.Serializer())
        .addSerializer(new OwnValues.Serializer());
    return config;
  }

  /** One instance of each of this package's Compact types (see {@code CompactSchemas}). */
  public static java.util.List<Object> schemaSamples() {
    return java.util.List.of(new ClearEvictedProcessor(Set.of("vm")),
        new OwnValues(OwnValues.Kind.SERVERS));
  }

  /** Repair log entries written by this member. */
  public long repaired() {
    return steps.repaired();
  }

  /** Passes run on this member. */
  public long passes() {
    return passes.get();
  }

  /** Sweeps done after members left (on this member). */
  public long departureSweeps() {
    return departureSweeps.get();
  }

  /**
   * Skips the departure and periodic sweeps while {@code condition} holds: while a lost partition
   * is being repaired the maps are incomplete (entries still reloading or being rebuilt), and a
   * departure sweep would act on a record or server that is about to come back. The repair's own
   * passes ({@link #repairUntilClean}) cover what those sweeps would have found.
   */
  public void pauseWhile(BooleanSupplier condition) {
    this.paused = condition;
  }

  /** Inconsistencies the passes on this member found (each pass counts what it sees). */
  public long findings() {
    return findings.get();
  }

  /**
   * Runs {@link Mode#MERGE} passes, {@link Timing#MERGE_REPEAT} apart, until one finds nothing
   * (at most {@link #MERGE_PASSES}; a pass that fails counts as finding something): after a merge,
   * and after a partition loss. The future completes with whether the last pass found nothing.
   *
   * @param after what happened, for the log
   */
  public CompletableFuture<Boolean> repairUntilClean(String after) {
    CompletableFuture<Boolean> clean = new CompletableFuture<>();
    try {
      executor.execute(() -> repairPass(after, 1, clean));
    } catch (RejectedExecutionException e) {
      clean.complete(false); // closing: another member repairs
    }
    return clean;
  }

  private void repairPass(String after, int pass, CompletableFuture<Boolean> clean) {
    int found;
    try {
      awaitSafe(); // the other merging members' data may still be on its way
      found = sweep(Mode.MERGE);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "repair pass " + pass + " after " + after + " failed; it runs again",
          e);
      found = 1;
    }
    if (found == 0 || pass >= MERGE_PASSES || executor.isShutdown()) {
      if (found > 0) {
        LOG.warning(() -> "repair after " + after + ": " + MERGE_PASSES + " passes still found"
            + " inconsistencies; the periodic pass goes on");
      }
      clean.complete(found == 0);
      return;
    }
    try {
      var unused = executor.schedule(() -> repairPass(after, pass + 1, clean),
          timings.millis(Timing.MERGE_REPEAT),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      clean.complete(false);
    }
  }

  /**
   * After the placement store was loaded from its database at a cluster's start: a commit whose
   * record never reached the database (every member was killed between the two) is a VM on a
   * server without a record. The same two sweeps as after a departure restore it.
   */
  public void afterLoad() {
    afterDeparture();
  }

  /**
   * After a member left, a commit its agent sent just before dying can land after survivors have
   * placed the same request again (the record names the survivor's copy: acknowledged placements
   * are always the recorded ones), or stay without its record: the sweeps release the extra copy
   * and restore the record. Run by the oldest member only, twice.
   */
  private void afterDeparture() {
    for (long delay : new long[] {timings.millis(Timing.DEPARTURE_SWEEP_FIRST),
        timings.millis(Timing.DEPARTURE_SWEEP_SECOND)}) {
      try {
        var unused = executor.schedule(() -> {
          try {
            if (oldest() && !paused.getAsBoolean()) {
              sweep(Mode.DEPARTURE);
              departureSweeps.incrementAndGet();
            }
          } catch (RuntimeException e) {
            // nobody reads this future: say it here; the periodic pass finds what is left
            LOG.log(Level.WARNING, "reconcile pass after a departure failed; the periodic pass"
                + " repairs what it left", e);
          }
          return null;
        }, delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        return; // closing
      }
    }
  }

  private void periodic() {
    try {
      if (oldest() && !paused.getAsBoolean()) {
        sweep(Mode.STABLE);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "periodic reconcile pass failed; it runs again", e);
    }
  }

  private void awaitSafe() {
    awaitSafe(hazelcast, 10_000);
  }

  /**
   * Waits until {@code hz}'s partitions are all assigned with their backups in sync, or
   * {@code maxMillis} passed (the caller then goes on: a pass over what is there is still useful).
   */
  static void awaitSafe(HazelcastInstance hz, long maxMillis) {
    NodeClock clock = NodeClock.of(hz);
    long deadline = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    try {
      while (!hz.getPartitionService().isClusterSafe() && clock.nanoTime() < deadline) {
        clock.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean oldest() {
    return hazelcast.getLifecycleService().isRunning()
        && hazelcast.getCluster().getMembers().iterator().next().localMember();
  }

  /**
   * One pass in {@code mode} (public for tests and operators); returns the number of
   * inconsistencies it found (repaired, or noted to be repaired if the next pass finds them too).
   *
   * <p>What it repairs at once and what only on a second sighting, by mode:
   * <ul>
   *   <li>a merge's evictions: always at once (only a merge makes them);</li>
   *   <li>a copy on a server the record does not name, while the named server holds the VM: at
   *       once after a merge or a departure, on a second sighting otherwise;</li>
   *   <li>a VM without a record, or whose record names a server without it: at once after a merge,
   *       on a second sighting otherwise (a commit may be about to write its record); a VM without
   *       a record whose placement a client released: removed at once (no record will claim it);</li>
   *   <li>a record naming a server without its VM: on a second sighting always (a release may be
   *       between its two steps, or after a merge the server's entry may still be merging in).</li>
   * </ul>
   * Outside a merge, a record naming a server this member cannot see at all is never touched: the
   * member may be on one side of a split whose other side holds that server, VMs and all.
   */
  public synchronized int sweep(Mode mode) {
    passes.incrementAndGet();
    repairFailure = null; // a pass that threw before its end left its tally behind
    repairsFailed = 0;
    Pass pass = read(mode);
    checkServers(pass);
    repairCopies(pass, pass.unrecorded, false);
    repairCopies(pass, pass.orphans, true);
    checkRecords(pass);
    previous = pass.findings;
    if (repairFailure != null) {
      LOG.log(Level.WARNING, "reconcile (" + mode + "): " + repairsFailed + " repairs failed"
          + " (the first below); the next pass finds them again", repairFailure);
    }
    this.findings.addAndGet(pass.findings.size());
    if (!pass.findings.isEmpty()) {
      LOG.info(() -> "reconcile (" + mode + "): " + pass.findings.size()
          + " inconsistencies found");
    }
    return pass.findings.size();
  }

  /** What one pass read, and what it found so far. */
  private static final class Pass {
    final Mode mode;
    final Map<String, Placement> recorded;
    final Map<String, ServerState> states;
    /**
     * The releases the grid remembers: a merge pass checks every VM against them, so it indexes
     * them all once; other passes look up the few VMs they need (null).
     */
    final @Nullable ReleaseIndex clientReleases;
    /** When the pass read the maps (wall clock). */
    final long nowMillis;
    final Set<String> findings = new HashSet<>();
    /** VMs without a record naming their server, to repair now. */
    final List<Orphan> orphans = new ArrayList<>();
    /** VMs without a record, seen for the first time outside a merge. */
    final List<Orphan> unrecorded = new ArrayList<>();

    Pass(Mode mode, Map<String, Placement> recorded, Map<String, ServerState> states,
        @Nullable ReleaseIndex clientReleases, long nowMillis) {
      this.mode = mode;
      this.nowMillis = nowMillis;
      this.recorded = recorded;
      this.states = states;
      this.clientReleases = clientReleases;
    }

    /** The index of every release if this pass has one, else of {@code vms}' releases. */
    ReleaseIndex releases(Collection<HostedVm> vms, IMap<String, Long> marks,
        ForeignEntries foreign) {
      return clientReleases != null ? clientReleases
          : ReleaseIndex.of(states.values(), vms, marks, foreign, nowMillis);
    }
  }

  private Pass read(Mode mode) {
    Map<String, Placement> recorded = new HashMap<>();
    for (Placement p : OwnValues.placements(placements, foreign)) {
      recorded.put(p.vmId(), p);
    }
    Map<String, ServerState> states = new HashMap<>();
    for (ServerState s : OwnValues.servers(servers, foreign)) {
      states.put(s.serverId(), s);
    }
    long now = clock.millis();
    return new Pass(mode, recorded, states, mode == Mode.MERGE
        ? ReleaseIndex.all(states.values(), releaseMarks, foreign, now) : null, now);
  }

  /** Each server's evictions, pending preemptions and VMs against the records. */
  private void checkServers(Pass pass) {
    for (ServerState s : pass.states.values()) {
      if (!s.evicted().isEmpty()) {
        pass.findings.add("evicted@" + s.serverId());
        repair(() -> steps.logEvictions(s, pass.releases(s.evicted(), releaseMarks, foreign)));
      }
      if (!s.preempted().isEmpty()) { // the preempting agent's member stopped before logging them
        pass.findings.add("preempted@" + s.serverId());
        repair(() -> Evictions.of(hazelcast).settle(s));
      }
      for (HostedVm vm : s.vms()) {
        checkCopy(pass, s, vm);
      }
    }
  }

  /** One VM on server {@code s} against its record. */
  private void checkCopy(Pass pass, ServerState s, HostedVm vm) {
    Placement p = pass.recorded.get(vm.vmId());
    if (p != null && p.serverId().equals(s.serverId())) {
      if (pass.clientReleases != null && pass.clientReleases.released(vm)) {
        // a copy recorded on the other side of a split, of a placement a client released on
        // this side meanwhile: the merge brought back both the copy and its record
        pass.findings.add("released-copy:" + vm.vmId() + "@" + s.serverId());
        repair(() -> steps.removeRecordedReleased(vm, s.serverId(), p));
      }
      return;
    }
    String finding = "vm:" + vm.vmId() + "@" + s.serverId() + " record " + p;
    pass.findings.add(finding);
    boolean seen = previous.contains(finding);
    ServerState named = p == null ? null : pass.states.get(p.serverId());
    if (named != null && named.find(vm.vmId()) != null) { // placed twice: the record wins
      if (pass.mode != Mode.STABLE || seen) {
        repair(() -> steps.releaseCopy(vm, s.serverId()));
      }
    } else if (pass.mode == Mode.MERGE || (seen && (p == null || named != null))) {
      // the record is missing, or names a server without the VM; outside a merge a record
      // naming a server this side does not see is left alone (a split may hide the server)
      pass.orphans.add(new Orphan(vm, s.serverId()));
    } else if (p == null) {
      pass.unrecorded.add(new Orphan(vm, s.serverId()));
    }
  }

  /**
   * VMs without a record naming their server. A copy of a placement a client released is removed
   * (a request places once: no record will ever claim it), for orphans and for VMs seen once
   * alike: two copies of one request were committed on the two sides of a split (a forward cut
   * off, then run again on this side), the other side still held a copy of a VM released on this
   * side, or a copy of the request ran late on a member paused or cut off. Other orphans get their
   * records back ({@code restore}); other VMs seen once are left to the next pass (commits about
   * to write their records).
   */
  private void repairCopies(Pass pass, List<Orphan> copies, boolean restore) {
    if (copies.isEmpty()) {
      return;
    }
    ReleaseIndex released = pass.releases(copies.stream().map(Orphan::vm).toList(),
        releaseMarks, foreign);
    for (Orphan o : copies) {
      if (released.released(o.vm())) {
        repair(() -> steps.removeReleased(o.vm(), o.serverId()));
      } else if (restore) {
        repair(() -> steps.restore(o.vm(), o.serverId()));
      }
    }
  }

  /** Records naming a server that does not hold their VM. */
  private void checkRecords(Pass pass) {
    for (Placement p : pass.recorded.values()) {
      ServerState s = pass.states.get(p.serverId());
      if (s != null && s.find(p.vmId()) != null) {
        continue;
      }
      if (s != null && (s.releasedHere(RepairSteps.asVm(p))
          || (pass.clientReleases != null && pass.clientReleases.released(RepairSteps.asVm(p))))) {
        // a released placement whose record a merge put back (put-if-absent from the side that
        // still had it): the release stands, and there is nothing to report
        pass.findings.add("released:" + p);
        repair(() -> placements.remove(p.vmId(), p));
        continue;
      }
      String finding = "record:" + p;
      pass.findings.add(finding);
      // outside a merge, only when this side sees the server: a split may hide it, VMs and all
      if (previous.contains(finding) && (pass.mode == Mode.MERGE || s != null)) {
        repair(() -> steps.dropRecord(p));
      }
    }
  }

  /** A VM on a server without a record that names it there. */
  private record Orphan(HostedVm vm, String serverId) {}

  /**
   * Runs one finding's repair; a failure (a write the grid did not confirm during a split or a
   * member's crash, a member leaving mid-write) is noted and the pass goes on with the next finding:
   * the next pass sees what this one left.
   */
  private void repair(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      if (repairFailure == null) {
        repairFailure = e;
      }
      repairsFailed++;
    }
  }

  /** VM {@code id}'s record, or null if there is none or its entry is foreign. */
  @Nullable Placement placement(String id) {
    return steps.placement(id);
  }

  /** Writes a repair log entry for {@code vm} on {@code serverId}. */
  void log(HostedVm vm, String serverId, String action) {
    steps.log(vm, serverId, action);
  }

  /** Writes a repair log entry about server {@code s} as a whole (see {@link RepairSteps}). */
  void logServer(ServerState s, String action) {
    steps.logServer(s, action);
  }

  @Override
  public void close() {
    try {
      hazelcast.getLifecycleService().removeLifecycleListener(listenerId);
      hazelcast.getCluster().removeMembershipListener(membershipListenerId);
    } catch (RuntimeException ignored) {
      // member already stopped
    }
    executor.shutdownNow(); // pending sweeps are skipped: another member runs them
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
