package io.vmgrid.node.recovery;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.SerializationConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.Repair;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.commit.CommitResult;
import io.vmgrid.node.commit.Evictions;
import io.vmgrid.node.commit.ReleaseVmProcessor;
import io.vmgrid.node.inventory.OwnValues;
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
  /** First sweep after a departure: after the survivors' retries have settled. */
  static final long DEPARTURE_SWEEP_FIRST_MILLIS = 5_000;
  /** Second sweep, for commits that were still travelling. */
  static final long DEPARTURE_SWEEP_SECOND_MILLIS = 20_000;
  /** Time between passes after a merge while they keep finding something. */
  static final long MERGE_REPEAT_MILLIS = 5_000;
  /** Passes after a merge at most. */
  static final int MERGE_PASSES = 10;
  /** Default time between periodic passes. */
  public static final long DEFAULT_PERIOD_MILLIS = 60_000;

  private final HazelcastInstance hazelcast;
  private final IMap<String, ServerState> servers;
  private final IMap<String, Placement> placements;
  private final IMap<String, Repair> repairs;
  private final IMap<String, Long> releaseMarks;
  private final ForeignEntries foreign;
  private final ScheduledExecutorService executor;
  private final UUID listenerId;
  private final UUID membershipListenerId;
  private final AtomicLong repaired = new AtomicLong();
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

  /** Starts listening for merges and departures, and passes every {@code periodMillis}. */
  public Reconciler(HazelcastInstance hz, long periodMillis) {
    this.hazelcast = hz;
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.repairs = hz.getMap(MapNames.REPAIRS);
    this.releaseMarks = hz.getMap(MapNames.RELEASES);
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
    if (periodMillis > 0) {
      var unused = executor.scheduleWithFixedDelay(this::periodic, periodMillis, periodMillis,
          TimeUnit.MILLISECONDS);
    }
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
    return repaired.get();
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
   * Runs {@link Mode#MERGE} passes, {@link #MERGE_REPEAT_MILLIS} apart, until one finds nothing
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
      var unused = executor.schedule(() -> repairPass(after, pass + 1, clean), MERGE_REPEAT_MILLIS,
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
    for (long delay : new long[] {DEPARTURE_SWEEP_FIRST_MILLIS, DEPARTURE_SWEEP_SECOND_MILLIS}) {
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
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    try {
      while (!hz.getPartitionService().isClusterSafe() && System.nanoTime() < deadline) {
        Thread.sleep(100);
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
    Map<String, Placement> recorded = new HashMap<>();
    for (Placement p : OwnValues.placements(placements, foreign)) {
      recorded.put(p.vmId(), p);
    }
    Map<String, ServerState> states = new HashMap<>();
    for (ServerState s : OwnValues.servers(servers, foreign)) {
      states.put(s.serverId(), s);
    }
    Set<String> findings = new HashSet<>();
    List<Orphan> orphans = new ArrayList<>();
    List<Orphan> unrecorded = new ArrayList<>();
    // a merge pass checks every recorded VM against the client releases the grid remembers (the
    // servers' own lists and the releases map): index them once; other passes look up the few VMs
    // they need
    Map<Long, List<Integer>> clientReleases = mode == Mode.MERGE ? releasesByKey(states.values())
        : null;
    for (ServerState s : states.values()) {
      if (!s.evicted().isEmpty()) {
        findings.add("evicted@" + s.serverId());
        repair(() -> logEvictions(s, clientReleases != null ? clientReleases
            : releasesByKey(states.values(), s.evicted())));
      }
      if (!s.preempted().isEmpty()) { // the preempting agent's member stopped before logging them
        findings.add("preempted@" + s.serverId());
        repair(() -> Evictions.of(hazelcast).settle(s));
      }
      for (HostedVm vm : s.vms()) {
        Placement p = recorded.get(vm.vmId());
        if (p != null && p.serverId().equals(s.serverId())) {
          if (clientReleases != null && clientReleased(clientReleases, vm)) {
            // a copy recorded on the other side of a split, of a placement a client released on
            // this side meanwhile: the merge brought back both the copy and its record
            findings.add("released-copy:" + vm.vmId() + "@" + s.serverId());
            repair(() -> removeRecordedReleased(vm, s.serverId(), p));
          }
          continue;
        }
        String finding = "vm:" + vm.vmId() + "@" + s.serverId() + " record " + p;
        findings.add(finding);
        boolean seen = previous.contains(finding);
        ServerState named = p == null ? null : states.get(p.serverId());
        if (named != null && named.find(vm.vmId()) != null) { // placed twice: the record wins
          if (mode != Mode.STABLE || seen) {
            repair(() -> releaseCopy(vm, s.serverId()));
          }
        } else if (mode == Mode.MERGE || (seen && (p == null || named != null))) {
          // the record is missing, or names a server without the VM; outside a merge a record
          // naming a server this side does not see is left alone (a split may hide the server)
          orphans.add(new Orphan(vm, s.serverId()));
        } else if (p == null) {
          unrecorded.add(new Orphan(vm, s.serverId()));
        }
      }
    }
    if (!unrecorded.isEmpty()) {
      // seen once, without a record: a commit about to write its record, unless a client released
      // this very placement (a request places once): then a copy that outlived the release, which
      // no record will ever claim (its record step refuses it), removed at once
      Map<Long, List<Integer>> released = releasesByKey(states.values(),
          unrecorded.stream().map(Orphan::vm).toList());
      for (Orphan o : unrecorded) {
        if (clientReleased(released, o.vm())) {
          repair(() -> removeReleased(o.vm(), o.serverId()));
        }
      }
    }
    if (!orphans.isEmpty()) {
      // an orphan that is a copy of a placement a client released after it was made: two copies of
      // one request were committed on the two sides of a split (a forward cut off, then run again
      // on this side), or the other side still held a copy of a VM released on this side, and the
      // merge brought it back without a record (restoring one would bring back a released VM)
      Map<Long, List<Integer>> released = clientReleases != null ? clientReleases
          : releasesByKey(states.values(), orphans.stream().map(Orphan::vm).toList());
      for (Orphan o : orphans) {
        if (clientReleased(released, o.vm())) {
          repair(() -> removeReleased(o.vm(), o.serverId()));
        } else {
          repair(() -> restore(o.vm(), o.serverId()));
        }
      }
    }
    for (Placement p : recorded.values()) {
      ServerState s = states.get(p.serverId());
      if (s != null && s.find(p.vmId()) != null) {
        continue;
      }
      if (s != null && (s.releasedHere(asVm(p))
          || (clientReleases != null && clientReleased(clientReleases, asVm(p))))) {
        // a released placement whose record a merge put back (put-if-absent from the side that
        // still had it): the release stands, and there is nothing to report
        findings.add("released:" + p);
        repair(() -> placements.remove(p.vmId(), p));
        continue;
      }
      String finding = "record:" + p;
      findings.add(finding);
      // outside a merge, only when this side sees the server: a split may hide it, VMs and all
      if (previous.contains(finding) && (mode == Mode.MERGE || s != null)) {
        repair(() -> dropRecord(p));
      }
    }
    previous = findings;
    if (repairFailure != null) {
      LOG.log(Level.WARNING, "reconcile (" + mode + "): " + repairsFailed + " repairs failed"
          + " (the first below); the next pass finds them again", repairFailure);
    }
    this.findings.addAndGet(findings.size());
    if (!findings.isEmpty()) {
      LOG.info(() -> "reconcile (" + mode + "): " + findings.size() + " inconsistencies found");
    }
    return findings.size();
  }

  /** A VM on a server without a record that names it there. */
  private record Orphan(HostedVm vm, String serverId) {}

  /**
   * Whether {@code releases} ({@link #releasesByKey}) hold a client's release (or an eviction) of
   * {@code vm}'s placement (its VM id and request id) that is still remembered. Whenever the copy
   * was made: a request places once (its record step refuses it after a release), so a copy made
   * after the release is a late one (a member paused or cut off ran it), never a new placement.
   */
  private static boolean clientReleased(Map<Long, List<Integer>> releases, HostedVm vm) {
    List<Integer> minutes = releases.get(ServerState.clientReleaseKey(vm));
    if (minutes == null) {
      return false;
    }
    long now = System.currentTimeMillis();
    for (int minute : minutes) {
      if (ServerState.releasedSince(minute, 0, now)) { // placed "at 0": only the age counts
        return true;
      }
    }
    return false;
  }

  /**
   * Every release the grid remembers, by key: the minutes each was made in. The servers' own lists
   * (a client's release of a VM on a busy server drops out of its list within seconds) and every
   * client release in the {@code releases} map (kept {@link ServerState#RELEASED_KEPT_MINUTES}).
   */
  private Map<Long, List<Integer>> releasesByKey(Collection<ServerState> states) {
    Map<Long, List<Integer>> out = serverReleases(states);
    for (long entry : OwnValues.releases(releaseMarks, foreign)) {
      index(out, entry);
    }
    return out;
  }

  /** As {@link #releasesByKey(Collection)}, with the {@code releases} entries of {@code vms} only. */
  private Map<Long, List<Integer>> releasesByKey(Collection<ServerState> states,
      Collection<HostedVm> vms) {
    Map<Long, List<Integer>> out = serverReleases(states);
    Set<Object> ids = new HashSet<>();
    vms.forEach(vm -> ids.add(vm.vmId()));
    raw(releaseMarks).getAll(ids).forEach((id, value) -> {
      Long entry = foreign.value(MapNames.RELEASES, id, value, Long.class);
      if (entry != null) {
        index(out, entry);
      }
    });
    return out;
  }

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

  private static Map<Long, List<Integer>> serverReleases(Collection<ServerState> states) {
    Map<Long, List<Integer>> out = new HashMap<>();
    for (ServerState s : states) {
      s.forEachRelease((key, minute) -> out.computeIfAbsent(key, k -> new ArrayList<>()).add(minute));
    }
    return out;
  }

  private static void index(Map<Long, List<Integer>> out, long entry) {
    out.computeIfAbsent(entry & ~0xFFFFL, k -> new ArrayList<>()).add((int) (entry & 0xFFFF));
  }

  /**
   * Releases {@code vm}'s copy on {@code serverId} and removes its record {@code p}, the copy of a
   * placement a client released elsewhere ({@code RELEASED_COPY_REMOVED}).
   */
  private void removeRecordedReleased(HostedVm vm, String serverId, Placement p) {
    Object done = servers.executeOnKey(serverId, new ReleaseVmProcessor(vm.vmId(), true));
    if (done instanceof CommitResult r && r.status() == CommitResult.Status.RELEASED) {
      placements.remove(vm.vmId(), p);
      log(vm, serverId, "RELEASED_COPY_REMOVED");
    }
  }

  /** Releases a stale copy of a released placement ({@code RELEASED_COPY_REMOVED}). */
  private void removeReleased(HostedVm vm, String serverId) {
    Placement p = placement(vm.vmId());
    if (p != null && p.serverId().equals(serverId)) {
      return; // recorded there meanwhile: not an orphan any more
    }
    Object done = servers.executeOnKey(serverId, new ReleaseVmProcessor(vm.vmId()));
    if (done instanceof CommitResult r && r.status() == CommitResult.Status.RELEASED) {
      log(vm, serverId, "RELEASED_COPY_REMOVED");
    }
  }

  /** The VM a record describes, as far as the record knows it (for {@code releasedHere}). */
  private static HostedVm asVm(Placement p) {
    return new HostedVm(p.vmId(), p.tenantId(), p.cores(), p.memoryMb(), p.requestId(), "", 0);
  }

  /** Removes a record naming a server that does not hold its VM (if it is still that record). */
  private void dropRecord(Placement p) {
    ServerState s = server(p.serverId());
    if ((s == null || s.find(p.vmId()) == null) && placements.remove(p.vmId(), p)
        && !repairs.containsKey(p.vmId() + "@" + p.serverId())) {
      log(asVm(p), p.serverId(), "PLACEMENT_DROPPED");
    }
  }

  /** Releases the copy of {@code vm} on {@code serverId} if its record names another holder. */
  private void releaseCopy(HostedVm vm, String serverId) {
    Placement p = placement(vm.vmId());
    if (p == null || p.serverId().equals(serverId)) {
      return;
    }
    ServerState winner = server(p.serverId());
    if (winner != null && winner.find(vm.vmId()) != null) {
      Object done = servers.executeOnKey(serverId, new ReleaseVmProcessor(vm.vmId()));
      if (done instanceof CommitResult r && r.status() == CommitResult.Status.RELEASED) {
        log(vm, serverId, "DUPLICATE_RELEASED"); // once, by the member whose release removed it
      }
    }
  }

  /**
   * Makes {@code serverId}'s copy of {@code vm} the VM's placement: writes the missing record, or
   * moves a record that names a server without the VM (compare-and-set either way).
   */
  private void restore(HostedVm vm, String serverId) {
    ServerState now = server(serverId);
    if (now == null || now.find(vm.vmId()) == null) {
      return; // released meanwhile
    }
    Object there = raw(placements).putIfAbsent(vm.vmId(), Placement.of(vm, serverId));
    if (there == null) {
      log(vm, serverId, "PLACEMENT_RESTORED");
      return;
    }
    Placement p = foreign.value(MapNames.PLACEMENTS, vm.vmId(), there, Placement.class);
    if (p == null) {
      return; // a foreign value holds the VM's id: left alone
    }
    if (p.serverId().equals(serverId)) {
      return;
    }
    ServerState named = server(p.serverId());
    if (named == null || named.find(vm.vmId()) == null) {
      if (placements.replace(vm.vmId(), p, p.placedOn(serverId))) {
        log(vm, serverId, "PLACEMENT_RESTORED");
      }
    } else {
      releaseCopy(vm, serverId);
    }
  }

  /**
   * Logs the VMs a merge evicted from {@code s} to fit capacity, and removes their records. One
   * that a client had released ({@code released}, from {@link #releasesByKey}) was a copy the other
   * side still held: it is logged as {@code RELEASED_COPY_REMOVED}, and its owner is not told of an
   * eviction.
   */
  private void logEvictions(ServerState s, Map<Long, List<Integer>> released) {
    Set<String> logged = new HashSet<>();
    for (HostedVm vm : s.evicted()) {
      if (clientReleased(released, vm)) {
        log(vm, s.serverId(), "RELEASED_COPY_REMOVED");
      } else {
        log(vm, s.serverId(), "EVICTED_OVER_CAPACITY");
        Evictions.of(hazelcast).record(Eviction.merged(vm, s.serverId(),
            System.currentTimeMillis()));
      }
      Placement p = placement(vm.vmId());
      if (p != null && p.serverId().equals(s.serverId())) {
        placements.remove(vm.vmId(), p);
      }
      logged.add(vm.vmId());
    }
    servers.executeOnKey(s.serverId(), new ClearEvictedProcessor(logged));
  }

  /** Server {@code id}'s state, or null if there is none or its entry is foreign. */
  private @Nullable ServerState server(String id) {
    return foreign.value(MapNames.SERVERS, id, raw(servers).get(id), ServerState.class);
  }

  /** VM {@code id}'s record, or null if there is none or its entry is foreign. */
  @Nullable Placement placement(String id) {
    return foreign.value(MapNames.PLACEMENTS, id, raw(placements).get(id), Placement.class);
  }

  @SuppressWarnings("unchecked")
  private static IMap<Object, Object> raw(IMap<String, ?> map) {
    return (IMap<Object, Object>) (IMap<?, ?>) map;
  }

  /** Writes a repair log entry for {@code vm} on {@code serverId}. */
  void log(HostedVm vm, String serverId, String action) {
    repairs.set(vm.vmId() + "@" + serverId, new Repair(vm.vmId(), serverId, action, vm.tenantId(),
        vm.priority(), vm.cores(), System.currentTimeMillis()));
    repaired.incrementAndGet();
    LOG.warning(() -> "reconcile: " + action + " " + vm.vmId() + " on " + serverId);
  }

  /**
   * Writes a repair log entry about server {@code s} as a whole (no VM id), keyed by the server and
   * the time so that a later one does not replace it.
   */
  void logServer(ServerState s, String action) {
    long now = System.currentTimeMillis();
    repairs.set("server:" + s.serverId() + "@" + now,
        new Repair("", s.serverId(), action, "", "", s.usedCores(), now));
    repaired.incrementAndGet();
    LOG.warning(() -> "reconcile: " + action + " server " + s.serverId() + " with "
        + s.vms().size() + " VMs");
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
