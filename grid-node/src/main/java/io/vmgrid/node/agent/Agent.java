package io.vmgrid.node.agent;

import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionAwareKey;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.placement.CommitResult;
import io.vmgrid.node.placement.ConfirmPlacementProcessor;
import io.vmgrid.scheduler.api.Keys;
import io.vmgrid.scheduler.jet.AgentLoad;
import io.vmgrid.node.placement.PlaceVmProcessor;
import io.vmgrid.node.placement.ReleaseVmProcessor;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.CacheStats;
import io.vmgrid.rules.engine.Candidates;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.Explanation;
import io.vmgrid.rules.engine.Lookup;
import io.vmgrid.rules.engine.RequestClassifier;
import io.vmgrid.rules.engine.RequestTypeKey;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.engine.Ticker;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * One allocation agent (Protean): a FIFO queue, one thread, a rule engine and its private two-level
 * cache over this member's {@link InventoryMirror}. For each request it looks up candidates (cache
 * first), picks the best server (or one of the top N0 while commits conflict), and commits with
 * {@link PlaceVmProcessor} on the server's authoritative entry; a refused commit is a conflict, the
 * server is excluded and the agent tries again, a bounded number of times.
 *
 * <p>The cache itself stays in this object: the hot path never (de)serializes it. What lives in the
 * {@code agent-cache} map, under the agent's partition key, is the cache's composition: one record
 * per cached request type holding an exemplar request. Records are written when a type enters the
 * cache and deleted when it leaves, never on a hit. When the agent's partition moves to another
 * member, the records move with it, and the new owner re-evaluates the exemplars against its own
 * mirror before it serves (the entries' bitsets and revisions belong to the old member's mirror and
 * would be meaningless there).
 */
final class Agent {
  private static final Logger LOG = Logger.getLogger(Agent.class.getName());
  /** Commits tried per request before giving up with {@code CONFLICTS}. */
  static final int MAX_ATTEMPTS = 8;
  /** Rules of the default set about free capacity or health (their rejections mean no capacity). */
  private static final Set<String> CAPACITY_RULES = Set.of("cores-fit", "memory-fit", "ssd-fit",
      "cluster-utilization-limit", "server-health");
  /** Placements an agent remembers, to answer a second copy of a request it already placed. */
  private static final int RECENT_PLACEMENTS = 50_000;
  /** Longest wait for a settling mirror before rejecting for lack of capacity. */
  private static final long MIRROR_WAIT_MILLIS = 5_000;
  /** Requests between reconciling the {@code agent-cache} records with the cache's contents. */
  private static final int RECORD_SYNC_EVERY = 200;
  /**
   * Unwritten cache records wait at most about this long (idle or busy): they are what a moved
   * agent re-warms from, so a busy agent must not hold them back until its next idle moment.
   */
  private static final long RECORD_FLUSH_MILLIS = 200;
  /** New cache records written together. */
  private static final int RECORD_BATCH = 32;
  /** Longest wait of a new agent for the cache records in its partition before it serves. */
  static final long RECORDS_WAIT_MILLIS = 5_000;

  private final String id;
  private final AgentHost host;
  private final RuleSet ruleSet;
  private final CacheSettings cacheSettings;
  private final IMap<String, ServerState> servers;
  private final IMap<Object, GridRequest> records;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final SplittableRandom random;
  /** Exemplar request per cached type key: what the {@code agent-cache} records hold. */
  private final Map<String, GridRequest> exemplars = new LinkedHashMap<>();
  /** Records not yet written to {@code agent-cache} (agent thread only). */
  private final Map<Object, GridRequest> unsaved = new HashMap<>();
  /** When unsaved records were last written (agent thread only). */
  private long lastFlushNanos = System.nanoTime();
  private long lastKeyRefreshNanos = System.nanoTime();
  /** Fingerprints of the keys the last summary rebuild saw (agent thread only). */
  private Map<Object, Long> fingerprints = new HashMap<>();
  /** VM id to server of this agent's latest placements (agent thread only). */
  private final Map<String, String> recentlyPlaced = new LinkedHashMap<>(1024, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > RECENT_PLACEMENTS;
    }
  };
  private final AtomicLong topHits = new AtomicLong();
  private final AtomicLong partialHits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong prewarmed = new AtomicLong();
  /** The records in the agent's partition when it started (see {@link #recordsFound}). */
  private final CompletableFuture<List<GridRequest>> movedRecords = new CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicBoolean recordFetchClaimed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean running = true;
  private volatile boolean rewarmRequested;
  private volatile long busySinceNanos;
  private long epoch = -1;
  private @Nullable RuleEngine engine;
  private @Nullable AgentCache cache;
  private @Nullable CacheStats statsBeforeEpoch;

  private record Job(GridRequest request, RoutingHints hints, long enqueuedNanos,
      CompletableFuture<AgentOutcome> done) {}

  // Kamino indicators (see load()): changed by submit and the agent thread, read by the publisher
  private final AtomicLong loadVersion = new AtomicLong();
  private final AtomicLong queueTimeNanos = new AtomicLong();
  private volatile @Nullable Job current;
  private volatile long currentSinceEpochNanos;
  /** Fingerprints of the types and rule keys this agent has processed (its cache's key summary). */
  private final Set<Long> cachedTypeKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Set<Long> cachedRuleKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private record Choice(String serverId, int rank, int candidates) {}

  Agent(String id, AgentHost host, RuleSet ruleSet, CacheSettings cacheSettings) {
    this.id = id;
    this.host = host;
    this.ruleSet = ruleSet;
    this.cacheSettings = cacheSettings;
    this.servers = host.servers();
    this.records = host.cacheRecords();
    this.random = new SplittableRandom(id.hashCode());
    this.thread = new Thread(this::loop, "vmgrid-agent-" + id);
    thread.setDaemon(true);
    thread.start();
  }

  String id() {
    return id;
  }

  /** Queues {@code request}; the future completes when the agent has handled it. */
  CompletableFuture<AgentOutcome> submit(GridRequest request) {
    return submit(request, RoutingHints.NONE);
  }

  /** Queues {@code request} with the router's hints (its keys and stored estimate). */
  CompletableFuture<AgentOutcome> submit(GridRequest request, RoutingHints hints) {
    CompletableFuture<AgentOutcome> done = new CompletableFuture<>();
    if (!running) {
      done.completeExceptionally(new AgentUnavailableException("agent " + id + " has stopped"));
      return done;
    }
    Job job = new Job(request, hints, System.nanoTime(), done);
    queueTimeNanos.addAndGet(hints.estimateNanos());
    queue.add(job);
    loadVersion.incrementAndGet();
    if (!running && !thread.isAlive() && queue.remove(job)) { // raced with the end of stop()
      queueTimeNanos.addAndGet(-hints.estimateNanos());
      done.completeExceptionally(new AgentUnavailableException("agent " + id + " has stopped"));
    }
    return done;
  }

  /** Sum of the router's estimates of the queued requests (0 on the direct path). */
  long queueTimeNanos() {
    return Math.max(0, queueTimeNanos.get());
  }

  /** Changes whenever the indicators change. */
  long loadVersion() {
    return loadVersion.get();
  }

  /** The agent's Kamino indicators now, as published to {@code agent-load}. */
  AgentLoad load(String member) {
    long version = loadVersion.get();
    List<Long> types = new ArrayList<>();
    List<Long> rules = new ArrayList<>();
    Job now = current;
    if (now != null) {
      addKeys(now.hints(), types, rules);
    }
    int queued = 0;
    for (Job j : queue) {
      addKeys(j.hints(), types, rules);
      queued++;
    }
    return new AgentLoad(id, member, version, AgentLoad.nowNanos(), queued,
        Math.max(0, queueTimeNanos.get()), now == null ? 0 : currentSinceEpochNanos,
        now == null ? 0 : now.hints().estimateNanos(), toArray(cachedTypeKeys),
        toArray(cachedRuleKeys), toArray(types), toArray(rules));
  }

  private static void addKeys(RoutingHints h, List<Long> types, List<Long> rules) {
    if (h.typeKey() != 0) {
      types.add(h.typeKey());
      for (long k : h.ruleKeys()) {
        rules.add(k);
      }
    }
  }

  private static long[] toArray(java.util.Collection<Long> keys) {
    long[] out = new long[keys.size()];
    int i = 0;
    for (Long k : keys) {
      if (i == out.length) {
        break; // a concurrent set grew while copying
      }
      out[i++] = k;
    }
    return i == out.length ? out : java.util.Arrays.copyOf(out, i);
  }

  /** Requests waiting in the queue (the one in progress excluded). */
  int queueLength() {
    return queue.size();
  }

  /** When the request in progress started ({@code System.nanoTime}), or 0 when idle. */
  long busySinceNanos() {
    return busySinceNanos;
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

  /** Cache entries re-evaluated from exemplars (after a move or a mirror rebuild). */
  long prewarmed() {
    return prewarmed.get();
  }

  /** Request types the agent caches (exemplars it holds). */
  synchronized int cachedTypes() {
    return exemplars.size();
  }

  /**
   * Hands the agent the cache records found in its partition when it started (none for a new
   * agent; a moved agent's records came with its partition). It waits for them, up to
   * {@link #RECORDS_WAIT_MILLIS}, and re-warms from them before it serves its first request;
   * records that arrive later are re-warmed from before its next request.
   */
  void recordsFound(List<GridRequest> found) {
    movedRecords.complete(found);
  }

  /** True once, for the caller that should fetch this agent's records. */
  boolean claimRecordFetch() {
    return recordFetchClaimed.compareAndSet(false, true);
  }

  private synchronized void adoptRecords(List<GridRequest> records) {
    RequestClassifier classifier = new RequestClassifier(ruleSet);
    int before = exemplars.size();
    for (GridRequest r : records) {
      try {
        String type = classifier.typeKey(Mirrors.request(r)).value();
        exemplars.putIfAbsent(type, r);
        cachedTypeKeys.add(Keys.fingerprint(type));
      } catch (RuntimeException e) {
        LOG.fine(() -> "agent " + id + ": ignoring unusable cache record " + r.requestId() + ": " + e);
      }
    }
    if (exemplars.size() > before) {
      rewarmRequested = true;
    }
  }

  /** Stops taking work; the queue is drained (every queued request still gets its outcome). */
  void stop() {
    running = false; // the loop sees it within RECORD_FLUSH_MILLIS; never interrupt a commit
  }

  /** Waits for the queue to drain after {@link #stop()}. */
  boolean awaitStopped(long millis) throws InterruptedException {
    thread.join(millis);
    return !thread.isAlive();
  }

  private void loop() {
    awaitMovedRecords();
    if (cachedTypes() > 0) { // moved here with cache records: re-warm before serving
      try {
        host.mirror().awaitCaughtUp(MIRROR_WAIT_MILLIS);
        host.mirror().read(this::cacheFor);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "agent " + id + ": re-warming failed; it warms up as it serves", e);
      }
    }
    while (true) {
      Job job;
      try {
        job = running ? queue.poll(RECORD_FLUSH_MILLIS, TimeUnit.MILLISECONDS) : queue.poll();
      } catch (InterruptedException e) {
        if (running) {
          continue;
        }
        job = queue.poll();
      }
      if (job == null) {
        if (running) { // idle: re-warm if records arrived, write records not yet written
          if (rewarmRequested) {
            try {
              host.mirror().read(this::cacheFor);
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "agent " + id + ": re-warming failed", e);
            }
          }
          flushRecordsQuietly();
          continue;
        }
        break;
      }
      busySinceNanos = System.nanoTime();
      queueTimeNanos.addAndGet(-job.hints().estimateNanos());
      currentSinceEpochNanos = AgentLoad.nowNanos();
      current = job;
      loadVersion.incrementAndGet();
      try {
        job.done().complete(process(job));
      } catch (RuntimeException | Error e) {
        LOG.log(Level.WARNING, "agent " + id + " failed on request " + job.request().requestId(), e);
        job.done().completeExceptionally(e);
      } finally {
        busySinceNanos = 0;
        if (job.hints().typeKey() != 0) {
          cachedTypeKeys.add(job.hints().typeKey());
          for (long k : job.hints().ruleKeys()) {
            cachedRuleKeys.add(k);
          }
        }
        current = null;
        if (System.nanoTime() - lastKeyRefreshNanos > KEY_REFRESH_NANOS) {
          refreshCachedKeys();
        }
        loadVersion.incrementAndGet();
      }
      if (processed.incrementAndGet() % RECORD_SYNC_EVERY == 0) {
        syncRecords();
      } else if (!unsaved.isEmpty()
          && System.nanoTime() - lastFlushNanos > TimeUnit.MILLISECONDS.toNanos(RECORD_FLUSH_MILLIS)) {
        flushRecordsQuietly();
      }
    }
    for (Job late; (late = queue.poll()) != null; ) { // submitted while it was stopping
      queueTimeNanos.addAndGet(-late.hints().estimateNanos());
      late.done().completeExceptionally(new AgentUnavailableException("agent " + id + " has stopped"));
    }
    try {
      syncRecords(); // so the cache's composition moves with the partition
    } catch (RuntimeException e) {
      LOG.fine(() -> "agent " + id + ": last cache records not written: " + e);
    }
    LOG.fine(() -> "agent " + id + " stopped after " + processed.get() + " requests");
  }

  /** Waits (bounded) for the records found in the partition; later ones are adopted on arrival. */
  private void awaitMovedRecords() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECORDS_WAIT_MILLIS);
    while (running && !movedRecords.isDone() && System.nanoTime() < deadline) {
      try {
        movedRecords.get(50, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // keep waiting while running
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        break; // the host completes it normally, with an empty list on failure
      }
    }
    if (!movedRecords.isDone()) {
      LOG.info(() -> "agent " + id + ": serving before the cache records in its partition were "
          + "read; it re-warms when they arrive");
    }
    var unused = movedRecords.thenAccept(this::adoptRecords);
  }

  private AgentOutcome process(Job job) {
    GridRequest r = job.request();
    long start = System.nanoTime();
    long queueNanos = start - job.enqueuedNanos();
    String placedBefore = recentlyPlaced.get(r.vmId());
    if (placedBefore != null) { // a copy of a request this agent already placed (adopted request)
      return new AgentOutcome(AgentOutcome.Status.PLACED, placedBefore, "", "", id, 0, 0, "",
          queueNanos, 0, 0);
    }
    VmRequest request = Mirrors.request(r);
    HostedVm vm = new HostedVm(r.vmId(), r.tenantId(), r.cores(), r.memoryMb(), r.requestId(),
        r.priority(), System.currentTimeMillis(), r.availabilitySet(), r.antiAffinityGroup());
    Set<String> excluded = new HashSet<>();
    String firstLookup = "";
    long evaluateNanos = 0;
    long commitNanos = 0;
    int refused = 0;
    String lastRefusal = "";
    boolean waited = false;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      long e0 = System.nanoTime();
      Choice choice = host.mirror().read(inv -> choose(inv, request, r, excluded));
      evaluateNanos += System.nanoTime() - e0;
      if (firstLookup.isEmpty()) {
        AgentCache c = cache;
        firstLookup = c == null ? "" : c.lastLookup().name();
        count(firstLookup);
      }
      if (choice == null && refused == 0 && !waited && host.mirror().settling()) {
        // the inventory is still arriving (a load or added servers): answer from the full mirror
        waited = true;
        host.mirror().awaitCaughtUp(MIRROR_WAIT_MILLIS);
        attempt--;
        continue;
      }
      if (choice == null) {
        String[] why = refused == 0
            ? rejection(request)
            : new String[] {"NO_CAPACITY", "no server left after " + refused
                + " conflicting commits (last: " + lastRefusal + ")"};
        return new AgentOutcome(AgentOutcome.Status.REJECTED, "", why[0], why[1], id,
            attempt - 1, refused, firstLookup, queueNanos, evaluateNanos, commitNanos);
      }
      long c0 = System.nanoTime();
      CommitResult commit;
      try {
        commit = servers.executeOnKey(choice.serverId(), new PlaceVmProcessor(vm));
      } catch (SplitBrainProtectionException e) {
        return new AgentOutcome(AgentOutcome.Status.FAILED, "", "NO_QUORUM",
            "this side of the cluster has fewer members than the placement quorum (a network split?);"
                + " nothing was committed: retry later or through another member",
            id, attempt, refused, firstLookup, queueNanos, evaluateNanos, commitNanos);
      } finally {
        commitNanos += System.nanoTime() - c0;
      }
      if (commit.hosted()) {
        reportCommit(true);
        String winner;
        try {
          winner = confirm(r, choice.serverId(), commit.status() == CommitResult.Status.PLACED);
        } catch (SplitBrainProtectionException e) {
          return unconfirmed(r, choice.serverId(), commit.status() == CommitResult.Status.PLACED,
              attempt, refused, firstLookup, queueNanos, evaluateNanos, commitNanos);
        }
        if (winner == null) {
          return new AgentOutcome(AgentOutcome.Status.FAILED, "", "ABANDONED",
              "the request's claim disappeared while it was placed (its member gave up); the VM was"
                  + " released again: retry the request",
              id, attempt, refused, firstLookup, queueNanos, evaluateNanos, commitNanos);
        }
        recentlyPlaced.put(r.vmId(), winner);
        return new AgentOutcome(AgentOutcome.Status.PLACED, winner, "", "", id, attempt,
            refused, firstLookup, queueNanos, evaluateNanos, commitNanos);
      }
      reportCommit(false);
      refused++;
      conflicts.incrementAndGet();
      host.metrics().agentConflict(id);
      lastRefusal = choice.serverId() + ": " + commit.status() + " " + commit.detail();
      excluded.add(choice.serverId());
    }
    return new AgentOutcome(AgentOutcome.Status.FAILED, "", "CONFLICTS",
        "gave up after " + MAX_ATTEMPTS + " commits were refused by the servers' current state"
            + " (last: " + lastRefusal + "); retry the request",
        id, MAX_ATTEMPTS, refused, firstLookup, queueNanos, evaluateNanos, commitNanos);
  }

  /**
   * The answer when this side lost its quorum between the commit and its confirmation: the commit
   * is released if that still works (then nothing was committed); if not, the VM stays committed
   * but unrecorded, and the answer says so instead of claiming nothing happened. After the split
   * heals, the claim sweeper records it where it is (or the merge rule evicts it, reported in
   * {@code repairs}); asking again with the same request id tells the outcome.
   */
  private AgentOutcome unconfirmed(GridRequest r, String serverId, boolean added, int attempt,
      int refused, String firstLookup, long queueNanos, long evaluateNanos, long commitNanos) {
    boolean released = !added;
    if (added) {
      try {
        servers.executeOnKey(serverId, new ReleaseVmProcessor(r.vmId()));
        released = true;
      } catch (RuntimeException e) {
        LOG.warning(() -> "agent " + id + ": " + r.vmId() + " committed on " + serverId
            + " but neither confirmed nor released (no quorum): " + e.getMessage());
      }
    }
    String message = released
        ? "this side of the cluster lost the placement quorum (a network split?) before the placement"
            + " was recorded; the commit was undone: retry later or through another member"
        : "this side of the cluster lost the placement quorum (a network split?) after committing to "
            + serverId + " and before recording it; the commit could not be undone either. When the"
            + " split heals it is recorded there or evicted by the merge rule (see repairs): ask again"
            + " with the same requestId to learn the outcome";
    // a FAILED outcome naming a server: the VM may be there, so the request owner keeps the claim
    return new AgentOutcome(AgentOutcome.Status.FAILED, released ? "" : serverId,
        released ? "NO_QUORUM" : "IN_DOUBT", message, id, attempt, refused, firstLookup,
        queueNanos, evaluateNanos, commitNanos);
  }

  /**
   * Records the commit in the VM's placement entry (the first confirmation wins). If another copy
   * of this request won on another server, or the claim is gone, this commit is released again.
   *
   * <p>Only a commit that added the VM is released: when the server already hosted it
   * ({@code ALREADY_HOSTED}), another copy put it there and that copy's agent owns it.
   *
   * @return the server the VM is recorded on, or null if the claim is gone
   */
  private @Nullable String confirm(GridRequest r, String serverId, boolean added) {
    String answer = host.placements().executeOnKey(r.vmId(),
        new ConfirmPlacementProcessor(r.requestId(), serverId));
    String winner = answer.startsWith(ConfirmPlacementProcessor.OK)
        ? answer.substring(ConfirmPlacementProcessor.OK.length()) : null;
    if (!serverId.equals(winner) && added) {
      servers.executeOnKey(serverId, new ReleaseVmProcessor(r.vmId()));
      LOG.warning(() -> "agent " + id + ": " + r.vmId() + " was " + (winner == null
          ? "abandoned by its request owner" : "already placed on " + winner + " by another copy")
          + "; released it from " + serverId);
    }
    return winner;
  }

  /** Runs under the mirror's read lock. */
  private @Nullable Choice choose(
      Inventory inv, VmRequest request, GridRequest wire, Set<String> excluded) {
    AgentCache c = cacheFor(inv);
    RuleEngine e = java.util.Objects.requireNonNull(engine);
    Candidates candidates = c.candidates(request);
    if (c.lastLookup() != Lookup.TOP_HIT) {
      remember(request, wire, c);
    }
    int n0 = Math.max(1, e.currentN0());
    List<Integer> top = new ArrayList<>(n0);
    for (int rank = 0; rank < candidates.size() && top.size() < n0; rank++) {
      if (!excluded.contains(inv.serverId(candidates.server(rank)))) {
        top.add(rank);
      }
    }
    if (top.isEmpty()) {
      return null;
    }
    int rank = top.get(top.size() == 1 ? 0 : random.nextInt(top.size()));
    return new Choice(inv.serverId(candidates.server(rank)), rank, candidates.size());
  }

  /** The cache for the mirror's current epoch; a new epoch gets a new engine, re-warmed. */
  private AgentCache cacheFor(Inventory inv) {
    long now = host.mirror().epoch();
    AgentCache c = cache;
    if (c != null && now == epoch && !rewarmRequested) {
      return c;
    }
    rewarmRequested = false;
    if (c != null) {
      CacheStats s = c.stats();
      statsBeforeEpoch = s;
    }
    RuleEngine e = new RuleEngine(inv, ruleSet, EngineSettings.defaults(), random.split(),
        Ticker.system());
    AgentCache fresh = e.newCache(cacheSettings);
    List<GridRequest> warm;
    synchronized (this) {
      warm = new ArrayList<>(exemplars.values());
    }
    long t0 = System.nanoTime();
    for (GridRequest r : warm) {
      try {
        fresh.candidates(Mirrors.request(r));
      } catch (RuntimeException ex) {
        LOG.fine(() -> "agent " + id + ": exemplar " + r.requestId() + " not re-warmed: " + ex);
      }
    }
    prewarmed.addAndGet(warm.size());
    if (!warm.isEmpty()) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      LOG.info(() -> "agent " + id + ": re-warmed " + warm.size() + " cache entries in " + ms
          + " ms (epoch " + now + ")");
    }
    engine = e;
    cache = fresh;
    epoch = now;
    return fresh;
  }

  /**
   * The reason and one-line message for an empty candidate list: {@code CONSTRAINT_UNSATISFIABLE}
   * when one rule that is not about free capacity or health fails every server on its own (e.g. a
   * pin to an unknown cluster), {@code NO_CAPACITY} otherwise; the message names the rules that
   * removed the most servers.
   */
  private String[] rejection(VmRequest request) {
    Explanation x = host.mirror().read(inv -> {
      RuleEngine e = java.util.Objects.requireNonNull(engine);
      return e.explain(request);
    });
    List<Explanation.ValidatorCount> worst = new ArrayList<>(x.validators());
    worst.sort(Comparator.comparingInt(Explanation.ValidatorCount::removed).reversed());
    if (x.servers() == 0) {
      return new String[] {"NO_CAPACITY", "the inventory is empty: load servers first"};
    }
    String reason = "NO_CAPACITY";
    for (Explanation.ValidatorCount v : x.validators()) {
      if (v.failed() == x.servers() && !CAPACITY_RULES.contains(v.rule())) {
        reason = "CONSTRAINT_UNSATISFIABLE";
      }
    }
    StringBuilder sb = new StringBuilder("no server satisfies the rules (" + x.servers()
        + " servers); removed most: ");
    int shown = 0;
    for (Explanation.ValidatorCount v : worst) {
      if (v.removed() == 0 || shown == 3) {
        break;
      }
      sb.append(shown++ == 0 ? "" : ", ").append(v.rule()).append(" ").append(v.removed());
    }
    return new String[] {reason, sb.toString()};
  }

  private void remember(VmRequest request, GridRequest wire, AgentCache c) {
    RuleEngine e = java.util.Objects.requireNonNull(engine);
    RequestTypeKey type = e.classifier().typeKey(request);
    boolean added;
    synchronized (this) {
      added = exemplars.putIfAbsent(type.value(), wire) == null;
    }
    if (added && c.containsType(type)) {
      unsaved.put(recordKey(type.value()), wire); // written in batches by syncRecords
      if (unsaved.size() >= RECORD_BATCH) {
        flushRecords();
      }
    }
  }

  /**
   * How often the published cache-key summary is rebuilt from the cache (agent thread). A rebuild
   * only removes keys (processed ones are added at once), and entries go stale over thousands of
   * placements, so half a second is fresh enough; at 100 ms the rebuilds took a fifth of the
   * agents' time at 100,000 servers once hits were cheap (JFR, {@code bench e2e}, hundreds of
   * cached types per agent).
   */
  private static final long KEY_REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /**
   * Rebuilds the cache-key summary the indicators publish from the cache itself: types a lookup
   * would now hit (evicted ones, and ones so far behind the journal that they would be recomputed,
   * drop out) and the cached rule keys. Between rebuilds, processed requests' keys are added.
   */
  private void refreshCachedKeys() {
    lastKeyRefreshNanos = System.nanoTime();
    AgentCache c = cache;
    if (c == null) {
      return;
    }
    Map<Object, Long> known = new HashMap<>();
    Set<Long> types = new HashSet<>();
    c.hitTypeKeys().forEach(k -> types.add(fingerprint(known, k, k.value())));
    Set<Long> rules = new HashSet<>();
    c.hitRuleKeys().forEach(k -> rules.add(fingerprint(known, k, k.toString())));
    fingerprints = known;
    cachedTypeKeys.retainAll(types);
    cachedTypeKeys.addAll(types);
    cachedRuleKeys.retainAll(rules);
    cachedRuleKeys.addAll(rules);
  }

  /**
   * A cache key's fingerprint, from the previous rebuild's when it had one: a rebuild sees every
   * cached key, so hashing all their strings each time is wasted work.
   */
  private long fingerprint(Map<Object, Long> known, Object key, String canonical) {
    Long f = fingerprints.get(key);
    long v = f != null ? f : Keys.fingerprint(canonical);
    known.put(key, v);
    return v;
  }

  /** Deletes the records (and exemplars) of types the cache has evicted. */
  private void syncRecords() {
    AgentCache c = cache;
    if (c == null) {
      return;
    }
    Set<String> cached = new HashSet<>();
    c.typeKeys().forEach(k -> cached.add(k.value()));
    List<String> gone = new ArrayList<>();
    synchronized (this) {
      exemplars.keySet().removeIf(k -> {
        if (!cached.contains(k)) {
          gone.add(k);
          return true;
        }
        return false;
      });
    }
    for (String k : gone) {
      Object key = recordKey(k);
      if (unsaved.remove(key) == null) {
        records.deleteAsync(key);
      }
    }
    flushRecords();
  }

  private void flushRecordsQuietly() {
    try {
      flushRecords();
    } catch (RuntimeException e) {
      LOG.fine(() -> "agent " + id + ": cache records not written yet: " + e);
    }
  }

  /** Writes the records of types cached since the last flush, in one call. */
  private void flushRecords() {
    lastFlushNanos = System.nanoTime();
    if (!unsaved.isEmpty()) {
      records.putAllAsync(new HashMap<>(unsaved));
      unsaved.clear();
    }
  }

  private Object recordKey(String typeKey) {
    return new PartitionAwareKey<>(typeKey, id);
  }

  /** Feeds the engine's conflict window (agent thread only, so no lock: it reads no inventory). */
  private void reportCommit(boolean ok) {
    RuleEngine e = engine;
    if (e != null) {
      if (ok) {
        e.reportCommit();
      } else {
        e.reportConflict();
      }
    }
  }

  private void count(String lookup) {
    switch (lookup) {
      case "TOP_HIT" -> topHits.incrementAndGet();
      case "PARTIAL_HIT" -> partialHits.incrementAndGet();
      default -> misses.incrementAndGet();
    }
    host.metrics().lookup(id, lookup);
  }

  /** Estimated bytes of the current cache (0 before the first request). */
  long cacheBytes() {
    CacheStats s = cacheStats();
    return s == null ? 0 : s.bytes();
  }

  /** Evictions of the current cache. */
  long cacheEvictions() {
    CacheStats s = cacheStats();
    return s == null ? 0 : s.evictions();
  }

  /** Cache statistics of the current epoch's cache (null before the first request). */
  @Nullable CacheStats cacheStats() {
    AgentCache c = cache;
    return c == null ? statsBeforeEpoch : c.stats();
  }
}
