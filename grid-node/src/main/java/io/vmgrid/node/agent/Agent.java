package io.vmgrid.node.agent;

import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.commit.CommitResult;
import io.vmgrid.node.commit.Committer;
import io.vmgrid.node.commit.Evictions;
import io.vmgrid.node.inventory.InventoryMirror;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.Timing;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.CacheStats;
import io.vmgrid.rules.engine.Lookup;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.scheduler.api.Keys;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * One allocation agent (Protean): a FIFO queue, one thread, a rule engine and its private two-level
 * cache over this member's {@link InventoryMirror} ({@link AgentEngine}).
 *
 * <p><b>Group commit.</b> The agent takes the request at the head of its queue and, when more are
 * waiting, up to {@link #MAX_GROUP} in all. It evaluates them one after the other in one read of
 * the mirror, each seeing the capacity the earlier ones were promised, then commits them together:
 * one {@link Committer#place} call for the servers, one {@link Committer#record} call for the VMs'
 * placement records. A request whose commit a server refused (a conflict: the mirror was stale)
 * excludes that server and goes round again with the others still open, a bounded number of times.
 * With one request waiting, a group is that request: two grid operations.
 *
 * <p><b>Exactly once.</b> A commit counts only once its record is written: the first record of a VM
 * id wins, and a commit that lost (the id belongs to another request, or another copy of the same
 * request was recorded on another server, or the request's placement was released since) is
 * released again: {@link Recording}.
 */
final class Agent {
  private static final Logger LOG = Logger.getLogger(Agent.class.getName());
  /** The answer to a request refused for lack of quorum, nothing of it committed. */
  private static final String NO_QUORUM_MESSAGE = "this side of the cluster has fewer members than"
      + " the placement quorum (a network split?); nothing was committed: retry later or through"
      + " another member";
  /** The answer to a request refused by servers while a member left (see {@link #exposed}). */
  private static final String EXPOSED_MESSAGE = "the servers refused this request's commits while"
      + " a member left the cluster, and Hazelcast may have run one of them on that member's"
      + " replica first (on the other side of a split it may still be there); it may or may not"
      + " have taken effect: ask again with the same requestId to learn the outcome";
  /** Commits tried per request before giving up with {@link Reason#CONFLICT}. */
  static final int MAX_ATTEMPTS = 8;
  /** Most requests evaluated and committed together. */
  static final int MAX_GROUP = 16;
  /** Requests between reconciling the cache records with the cache's contents. */
  private static final int RECORD_SYNC_EVERY = 200;

  private final String id;
  private final AgentHost host;
  private final InventoryMirror mirror;
  private final Committer committer;
  private final Recording recording;
  private final LinkedBlockingDeque<Work.Job> queue = new LinkedBlockingDeque<>();
  private final Thread thread;
  private final LiveIndicators indicators = new LiveIndicators();
  private final CacheRecords records;
  private final AgentEngine engine;
  private final AtomicLong topHits = new AtomicLong();
  private final AtomicLong partialHits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong groups = new AtomicLong();
  private final NodeClock clock;
  /** How often an idle agent looks up from its queue ({@link Timing#AGENT_IDLE_POLL}). */
  private final long idlePollMillis;
  private final long mirrorWaitMillis;
  private final long summaryNanos;
  private long lastSummaryNanos;
  private volatile boolean running = true;

  Agent(String id, AgentHost host, RuleSet ruleSet, CacheSettings cacheSettings) {
    this.id = id;
    this.host = host;
    this.clock = host.clock();
    this.idlePollMillis = host.timings().millis(Timing.AGENT_IDLE_POLL);
    this.mirrorWaitMillis = host.timings().millis(Timing.MIRROR_WAIT);
    this.summaryNanos = host.timings().nanos(Timing.AGENT_SUMMARY);
    this.lastSummaryNanos = clock.nanoTime();
    this.mirror = host.mirror();
    this.committer = host.committer();
    this.recording = new Recording(id, host, committer);
    this.records = new CacheRecords(id, ruleSet, host.cacheRecords(), clock,
        host.timings());
    this.engine = new AgentEngine(id, mirror, ruleSet, cacheSettings, records, clock);
    this.thread = new Thread(this::loop, "vmgrid-agent-" + id);
    thread.setDaemon(true);
    thread.start();
  }

  String id() {
    return id;
  }

  /** Queues {@code request} with the router's hints; the future completes when it is handled. */
  CompletableFuture<AgentOutcome> submit(GridRequest request, RoutingHints hints) {
    CompletableFuture<AgentOutcome> done = new CompletableFuture<>();
    if (!running) {
      done.completeExceptionally(new AgentUnavailableException("agent " + id + " has stopped"));
      return done;
    }
    Work.Job job = new Work.Job(request, hints, clock.nanoTime(), done);
    indicators.enqueued(hints);
    queue.add(job);
    if (!running && !thread.isAlive() && queue.remove(job)) { // raced with the end of the loop
      indicators.dropped(hints);
      done.completeExceptionally(new AgentUnavailableException("agent " + id + " has stopped"));
    }
    return done;
  }

  /** The live Kamino indicators (read by this member's router). */
  LiveIndicators indicators() {
    return indicators;
  }

  /** Requests waiting in the queue (the group in progress excluded). */
  int queueLength() {
    return queue.size();
  }

  long topHits() {
    return topHits.get();
  }

  long partialHits() {
    return partialHits.get();
  }

  long misses() {
    return misses.get();
  }

  long conflicts() {
    return conflicts.get();
  }

  long processed() {
    return processed.get();
  }

  /** Groups committed (processed / groups is the mean group size). */
  long groups() {
    return groups.get();
  }

  /** Cache entries re-evaluated from exemplars (after a move or a mirror rebuild). */
  long prewarmed() {
    return engine.prewarmed();
  }

  /** Request types the agent caches (exemplars it holds). */
  int cachedTypes() {
    return records.size();
  }

  CacheRecords records() {
    return records;
  }

  /** Cache statistics of the current epoch's cache (null before the first request). */
  @Nullable CacheStats cacheStats() {
    return engine.stats();
  }

  /** Estimated bytes of the current cache (0 before the first request). */
  long cacheBytes() {
    CacheStats s = engine.stats();
    return s == null ? 0 : s.bytes();
  }

  /** Evictions of the current cache. */
  long cacheEvictions() {
    CacheStats s = engine.stats();
    return s == null ? 0 : s.evictions();
  }

  /** Stops taking work; the queue is drained (every queued request still gets its outcome). */
  void stop() {
    running = false; // the loop sees it within idlePollMillis; never interrupt a commit
  }

  /** Waits for the queue to drain after {@link #stop()}. */
  boolean awaitStopped(long millis) throws InterruptedException {
    thread.join(millis);
    return !thread.isAlive();
  }

  private void loop() {
    records.awaitMoved(() -> running, type -> indicators.cachedType(Keys.fingerprint(type)));
    if (records.size() > 0) { // moved here with cache records: re-warm before serving
      rewarm(true);
    }
    while (true) {
      Work.Job first;
      try {
        first = running ? queue.poll(idlePollMillis, TimeUnit.MILLISECONDS) : queue.poll();
      } catch (InterruptedException e) {
        if (running) {
          continue;
        }
        first = queue.poll();
      }
      if (first == null) {
        if (!running) {
          break;
        }
        if (records.rewarmRequested()) { // idle: re-warm if records arrived
          rewarm(false);
        }
        records.flushIfDue();
        continue;
      }
      serve(group(first));
    }
    for (Work.Job late; (late = queue.poll()) != null; ) { // submitted while it was stopping
      indicators.dropped(late.hints());
      late.done().completeExceptionally(new AgentUnavailableException("agent " + id + " has stopped"));
    }
    try {
      records.sync(engine.cachedTypes()); // so the cache's composition moves with the partition
    } catch (RuntimeException e) {
      LOG.fine(() -> "agent " + id + ": last cache records not written: " + e);
    }
    LOG.fine(() -> "agent " + id + " stopped after " + processed.get() + " requests");
  }

  /** Handles one group, with its indicators, and keeps the cache records in step. */
  private void serve(List<Work.Job> group) {
    long estimate = 0;
    for (Work.Job j : group) {
      estimate += j.hints().estimateNanos();
    }
    indicators.started(group.size(), estimate);
    try {
      process(group);
    } catch (RuntimeException | Error e) {
      LOG.log(Level.WARNING, "agent " + id + " failed on a group of " + group.size(), e);
      for (Work.Job j : group) {
        j.done().completeExceptionally(e);
      }
    } finally {
      group.forEach(j -> indicators.finished(j.hints()));
      indicators.idle();
      if (clock.nanoTime() - lastSummaryNanos > summaryNanos) {
        summarize();
      }
    }
    groups.incrementAndGet();
    long before = processed.getAndAdd(group.size());
    if (before / RECORD_SYNC_EVERY != (before + group.size()) / RECORD_SYNC_EVERY) {
      records.sync(engine.cachedTypes());
    } else {
      records.flushIfDue();
    }
  }

  private void rewarm(boolean catchUp) {
    try {
      if (catchUp) {
        mirror.awaitCaughtUp(mirrorWaitMillis);
      }
      mirror.read(engine::cacheFor);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "agent " + id + ": re-warming failed; it warms up as it serves", e);
    }
  }

  /** {@code first} and the requests queued behind it, up to {@link #MAX_GROUP}, VM ids distinct. */
  private List<Work.Job> group(Work.Job first) {
    List<Work.Job> group = new ArrayList<>(Math.min(MAX_GROUP, 1 + queue.size()));
    group.add(first);
    Set<String> vmIds = new HashSet<>();
    vmIds.add(first.request().vmId());
    while (group.size() < MAX_GROUP) {
      Work.Job next = queue.poll();
      if (next == null) {
        break;
      }
      if (!vmIds.add(next.request().vmId())) { // the same VM twice: the second waits its turn
        queue.addFirst(next);
        break;
      }
      group.add(next);
    }
    return group;
  }

  private void summarize() {
    lastSummaryNanos = clock.nanoTime();
    Set<Long> types = new HashSet<>();
    Set<Long> rules = new HashSet<>();
    engine.summarize(types, rules);
    indicators.cacheSummary(types, rules);
  }

  /** Evaluates, commits and records a group until every request in it has its outcome. */
  private void process(List<Work.Job> group) {
    long start = clock.nanoTime();
    long placedAtMillis = clock.millis();
    List<Work> open = new ArrayList<>(group.size());
    for (Work.Job j : group) {
      open.add(new Work(j, start, placedAtMillis));
    }
    List<Work> all = List.copyOf(open);
    try {
      boolean waited = false;
      while (!open.isEmpty()) {
        evaluate(open);
        if (!waited && mirror.settling() && open.stream().anyMatch(w -> w.choice == null)) {
          // the inventory is still arriving (a load or added servers): answer from the full mirror
          waited = true;
          mirror.awaitCaughtUp(mirrorWaitMillis);
          continue;
        }
        List<Work> planned = new ArrayList<>(open.size());
        for (Work w : open) {
          if (w.choice != null) {
            planned.add(w);
          } else if (w.refused == 0) {
            AgentEngine.Rejection why = engine.rejection(w.request);
            w.finish(id, AgentOutcome.Status.REJECTED, "", "", why.reason(), why.message());
          } else if (exposed(w)) {
            w.finish(id, AgentOutcome.Status.FAILED, "", "", Reason.IN_DOUBT, EXPOSED_MESSAGE);
          } else {
            w.finish(id, AgentOutcome.Status.REJECTED, "", "", Reason.NO_CAPACITY, "no server left"
                + " after " + w.refused + " conflicting commits (last: " + w.lastRefusal + ")");
          }
        }
        open = commit(planned);
      }
    } finally {
      all.forEach(this::unclaim);
    }
  }

  /**
   * Chooses a server for each open request, in one read of the mirror, and claims the capacity on
   * it for this member until the commit returns.
   */
  private void evaluate(List<Work> open) {
    InFlight inFlight = host.inFlight();
    Locality locality = host.locality();
    open.forEach(this::unclaim);
    mirror.read(inv -> {
      for (Work w : open) {
        long t0 = clock.nanoTime();
        AgentEngine.Choice c =
            engine.choose(inv, w.request, w.job.request(), w.excluded, inFlight, locality);
        w.evaluateNanos += clock.nanoTime() - t0;
        if (w.firstLookup == null) {
          w.firstLookup = engine.lastLookup();
          count(w.firstLookup);
        }
        w.victims = List.of();
        if (c == null) {
          AgentEngine.Preemption p =
              engine.preempt(inv, w.request, w.excluded, inFlight, locality);
          if (p != null) {
            c = p.choice();
            w.victims = p.victims();
          }
        }
        w.choice = c;
        if (c != null) {
          w.claim = inFlight.claim(c.serverId(), w.vm.cores(), w.vm.memoryMb());
        }
      }
      return null;
    });
  }

  /** Gives {@code w}'s claim back: its commit's answer is in the mirror, or it was never sent. */
  private void unclaim(Work w) {
    InFlight.Claim c = w.claim;
    if (c != null) {
      w.claim = null;
      host.inFlight().release(c);
    }
  }

  /**
   * Whether a member left since {@code w}'s first commit was sent: a commit refused here may then
   * have run first on the departed member's replica (Hazelcast retries a partition operation on the
   * new owner), so a refusal does not prove that nothing was placed.
   */
  private boolean exposed(Work w) {
    return w.departuresAtFirstCommit >= 0 && host.departures() != w.departuresAtFirstCommit;
  }

  /** Commits and records the planned requests; returns those to evaluate again (conflicts). */
  private List<Work> commit(List<Work> planned) {
    if (planned.isEmpty()) {
      return List.of();
    }
    if (!host.hasQuorum()) {
      refuseWithoutQuorum(planned);
      return List.of();
    }
    List<Committer.Planned> plan = new ArrayList<>(planned.size());
    long departures = host.departures();
    for (Work w : planned) {
      if (w.departuresAtFirstCommit < 0) {
        w.departuresAtFirstCommit = departures;
      }
      plan.add(new Committer.Planned(w.choice().serverId(), w.vm, w.victims));
    }
    long c0 = clock.nanoTime();
    List<Committer.Attempt<CommitResult>> results;
    try {
      results = committer.place(plan);
    } finally {
      planned.forEach(this::unclaim); // the servers' new states are in the mirror now
    }
    Work.share(planned, c0, clock.nanoTime());
    List<Work> again = new ArrayList<>();
    List<Work> toRecord = new ArrayList<>();
    for (int i = 0; i < planned.size(); i++) {
      Work w = planned.get(i);
      Committer.Attempt<CommitResult> a = results.get(i);
      w.attempts++;
      if (a.error() != null) {
        // a quorum refusal here came after the check above: Hazelcast may have run the commit on
        // the other side's replica before the split was noticed and then retried it on this side's
        // (a nemesis run answered NO_QUORUM and found the VM placed after the heal): in doubt
        recording.failed(w, a.error(), "", w.choice().serverId(),
            "the commit to " + w.choice().serverId());
      } else if (a.value().hosted()) {
        engine.reportCommit(true);
        w.added = a.value().status() == CommitResult.Status.PLACED;
        if (!w.victims.isEmpty()) {
          tellEvicted(w.choice().serverId());
        }
        toRecord.add(w);
      } else if (refused(w, a.value())) {
        again.add(w);
      }
    }
    recording.record(toRecord);
    return again;
  }

  /** Answers the planned requests when this side lacks the quorum: nothing is sent. */
  private void refuseWithoutQuorum(List<Work> planned) {
    for (Work w : planned) {
      if (w.attempts == 0) {
        // refused before anything of this request was sent: certain to have committed nothing
        w.finish(id, AgentOutcome.Status.FAILED, "", "", Reason.NO_QUORUM, NO_QUORUM_MESSAGE);
      } else {
        // an earlier commit of this request was refused by a server, but it may have run on a
        // replica across the split first (Hazelcast retries a partition operation on the new
        // owner when the old one leaves): not certain
        w.finish(id, AgentOutcome.Status.FAILED, "", "", Reason.IN_DOUBT, "this side of the"
            + " cluster lost the placement quorum while the request was being committed (a"
            + " network split?); it may or may not have taken effect: ask again with the same"
            + " requestId to learn the outcome");
      }
    }
  }

  /**
   * Notes a server's refusal of {@code w}'s commit; true if {@code w} is to be evaluated again,
   * false if it was answered (too many refusals).
   */
  private boolean refused(Work w, CommitResult r) {
    engine.reportCommit(false);
    w.refused++;
    conflicts.incrementAndGet();
    host.metrics().agentConflict(id);
    w.lastRefusal = w.choice().serverId() + ": " + r.status() + " " + r.detail();
    if (w.victims.isEmpty()) {
      w.excluded.add(w.choice().serverId());
    } // a preemption is searched again on the refusal's state (in the mirror now), same server or not
    if (w.attempts >= MAX_ATTEMPTS && exposed(w)) {
      w.finish(id, AgentOutcome.Status.FAILED, "", "", Reason.IN_DOUBT, EXPOSED_MESSAGE);
    } else if (w.attempts >= MAX_ATTEMPTS) {
      w.finish(id, AgentOutcome.Status.FAILED, "", "", Reason.CONFLICT, "gave up after "
          + MAX_ATTEMPTS + " commits were refused by the servers' current state (last: "
          + w.lastRefusal + "); retry the request");
    } else {
      return true;
    }
    return false;
  }

  /**
   * Logs the evictions a preempting commit left pending on {@code serverId}, removes the victims'
   * records and clears the list ({@link Evictions#settle}); on failure the reconciler does it.
   */
  private void tellEvicted(String serverId) {
    try {
      ServerState s = host.servers().get(serverId);
      if (s != null) {
        Evictions.of(host.hazelcast()).settle(s);
      }
    } catch (RuntimeException e) {
      LOG.warning(() -> "agent " + id + ": the evictions on " + serverId + " are not logged yet ("
          + e + "); the reconciler logs them");
    }
  }

  private void count(Lookup lookup) {
    switch (lookup) {
      case TOP_HIT -> topHits.incrementAndGet();
      case PARTIAL_HIT -> partialHits.incrementAndGet();
      default -> misses.incrementAndGet();
    }
    host.metrics().lookup(id, lookup.name());
  }
}
