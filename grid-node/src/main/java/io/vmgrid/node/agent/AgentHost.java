package io.vmgrid.node.agent;

import io.vmgrid.node.commit.Committer;
import io.vmgrid.node.inventory.InventoryMirror;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import io.vmgrid.scheduler.api.AgentIndicators;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.ReplicaMigrationEvent;
import com.hazelcast.query.Predicates;
import io.micrometer.core.instrument.Meter;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.metrics.NodeMetrics;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.scheduler.jet.AgentLoad;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Runs this member's allocation agents: starts and stops them as their partitions come and go,
 * hands them requests, and knows every agent registered in the cluster.
 *
 * <p><b>Agent identity.</b> There is one possible agent per partition: agent {@code agent-p<k>} is a
 * key that hashes to partition {@code k}. An agent runs on the member that owns its partition, so
 * its {@code agent-cache} records and its {@code agent-indicators} registration live next to it and
 * move with it.
 *
 * <p><b>Which agents run.</b> Each member keeps at least {@code agentsPerMember} agents among the
 * partitions it owns: the ones already running, then those whose cache records arrived here
 * (warm, most records first), then the lowest partition ids. An agent whose partition leaves stops
 * after draining its queue; the new owner starts it warm from the records that moved. An agent
 * never stops merely because a member has more than its share (that would throw away a warm cache);
 * routing spreads work over every registered agent.
 */
public final class AgentHost implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AgentHost.class.getName());
  /** Key of this object in the member's user context (so executor tasks find it). */
  public static final String CONTEXT_KEY = "vmgrid.agentHost";
  /** The map holding each agent's cache records (partition key = agent id). */
  public static final String AGENT_CACHE = "agent-cache";
  /** The map of agent registrations (and, with the scheduler job, its indicators). */
  public static final String AGENT_INDICATORS = "agent-indicators";
  /** The executor that carries requests to agents. */
  public static final String EXECUTOR = "vmgrid-agents";

  private final java.util.concurrent.atomic.AtomicLong departures =
      new java.util.concurrent.atomic.AtomicLong();
  private final HazelcastInstance hz;
  private final InventoryMirror mirror;
  private final RuleSet ruleSet;
  private final CacheSettings cacheSettings;
  private final int agentsPerMember;
  private final NodeMetrics metrics;
  private final IMap<String, ServerState> servers;
  private final IMap<Object, GridRequest> cacheRecords;
  /** Counts entries of the agents' maps that are not vmgrid's. */
  private final ForeignEntries foreign;
  private final Committer committer;
  /** Capacity this member's agents have chosen and not yet seen committed (shared by them). */
  private final InFlight inFlight = new InFlight();
  /** Which servers this member holds as primary (agents prefer them, see {@link Locality}). */
  private final Locality locality;
  private final Registrations registrations;
  private final String[] agentKeys;
  private final Map<String, Integer> partitionOfAgent = new HashMap<>();
  private final Map<String, Agent> active = new ConcurrentHashMap<>();
  private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final Object reconcileLock = new Object();
  private final UUID migrationListenerId;
  private final UUID membershipListenerId;
  private @Nullable ScheduledFuture<?> pendingReconcile;
  /** Reads agents' cache records and cleans registrations, off the reconcile thread. */
  private final ExecutorService recordReader;
  private final NodeClock clock;
  private final NodeTimings timings;
  /** When the current migration process started ({@link #clock}), 0 if none. */
  private volatile long migrationStartedNanos;
  private volatile boolean closed;

  /** Creates the host and starts this member's agents. */
  public AgentHost(HazelcastInstance hz, InventoryMirror mirror, RuleSet ruleSet,
      CacheSettings cacheSettings, int agentsPerMember, NodeMetrics metrics) {
    if (agentsPerMember < 1) {
      throw new IllegalArgumentException("agentsPerMember: must be >= 1 (was " + agentsPerMember + ")");
    }
    this.hz = hz;
    this.clock = NodeClock.of(hz);
    this.timings = NodeTimings.of(hz);
    this.mirror = mirror;
    this.ruleSet = ruleSet;
    this.cacheSettings = cacheSettings;
    this.agentsPerMember = agentsPerMember;
    this.metrics = metrics;
    this.servers = hz.getMap(io.vmgrid.client.wire.MapNames.SERVERS);
    this.cacheRecords = hz.getMap(AGENT_CACHE);
    this.committer = new Committer(hz, mirror::applyOwn);
    this.locality = new Locality(hz.getPartitionService());
    this.foreign = ForeignEntries.of(hz);
    this.agentKeys = agentKeys(hz);
    for (int p = 0; p < agentKeys.length; p++) {
      partitionOfAgent.put(agentKeys[p], p);
    }
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("vmgrid-agent-host"));
    this.recordReader = Executors.newFixedThreadPool(2, daemon("vmgrid-agent-records"));
    hz.getUserContext().put(CONTEXT_KEY, this);
    this.registrations = new Registrations(hz);
    this.migrationListenerId = hz.getPartitionService().addMigrationListener(new Migrations());
    this.membershipListenerId = hz.getCluster().addMembershipListener(new Members());
    reconcile();
    // safety net: a migration that finished before the listener above was registered (a member
    // that just joined) sends no event, so reconcile now and then anyway
    long every = timings.millis(Timing.AGENT_RECONCILE);
    var unused = scheduler.scheduleWithFixedDelay(this::reconcileSafely, every, every,
        TimeUnit.MILLISECONDS); // runs until close(); errors are logged
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Agents write their cache records before partitions move, and are placed again after. */
  private final class Migrations implements MigrationListener {
    @Override
    public void migrationStarted(MigrationState state) {
      migrationStartedNanos = clock.nanoTime();
      // partitions are about to move: agents write their cache records now, so that the
      // records move with them
      active.values().forEach(a -> a.records().requestFlush());
    }

    @Override
    public void migrationFinished(MigrationState state) {
      migrationStartedNanos = 0;
      scheduleReconcile();
    }

    @Override
    public void replicaMigrationCompleted(ReplicaMigrationEvent event) {}

    @Override
    public void replicaMigrationFailed(ReplicaMigrationEvent event) {}
  }

  /** Agents are placed again when members come and go; departures are counted. */
  private final class Members implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {
      scheduleReconcile();
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      departures.incrementAndGet();
      scheduleReconcile();
    }
  }

  /**
   * Members that left this member's view of the cluster since it started: an agent compares it
   * before and after its commits to tell whether one of them may have run on a departed member's
   * replica before Hazelcast retried it here.
   */
  long departures() {
    return departures.get();
  }

  /** Whether this member's side of the cluster has the placement quorum now. */
  boolean hasQuorum() {
    return io.vmgrid.node.commit.Quorum.present(hz);
  }

  /** The agent key of partition {@code p}: {@code agent-p<p>}, or a suffixed variant hashing there. */
  static String[] agentKeys(HazelcastInstance hz) {
    int count = hz.getPartitionService().getPartitions().size();
    String[] keys = new String[count];
    int found = 0;
    for (int n = 0; found < count && n < 1_000_000; n++) {
      for (int p = 0; p < count; p++) {
        if (keys[p] != null) {
          continue;
        }
        String candidate = n == 0 ? "agent-p" + p : "agent-p" + p + "." + n;
        int actual = hz.getPartitionService().getPartition(candidate).getPartitionId();
        if (actual == p) {
          keys[p] = candidate;
          found++;
        }
      }
    }
    if (found < count) {
      throw new IllegalStateException("could not find agent keys for all " + count + " partitions");
    }
    return keys;
  }

  /** This member's inventory mirror. */
  public InventoryMirror mirror() {
    return mirror;
  }

  NodeMetrics metrics() {
    return metrics;
  }

  /** The member. */
  HazelcastInstance hazelcast() {
    return hz;
  }

  /** The member's clock. */
  NodeClock clock() {
    return clock;
  }

  /** The member's timings. */
  NodeTimings timings() {
    return timings;
  }

  IMap<String, ServerState> servers() {
    return servers;
  }

  Committer committer() {
    return committer;
  }

  InFlight inFlight() {
    return inFlight;
  }

  Locality locality() {
    return locality;
  }

  IMap<Object, GridRequest> cacheRecords() {
    return cacheRecords;
  }

  /**
   * Hands {@code request}, routed here with {@code hints}, to the local agent {@code agentId}
   * (started on demand if its partition just arrived; if this member is no longer its owner, the
   * least loaded local agent takes it: any agent may place any request, because the commit
   * re-checks the server). The future fails with {@link AgentUnavailableException} when this member
   * has no agent to run it (it is shutting down): nothing was done.
   */
  public CompletableFuture<AgentOutcome> submit(
      String agentId, GridRequest request, RoutingHints hints) {
    Agent agent = active.get(agentId);
    if (agent == null) {
      synchronized (this) { // the same lock as reconcile
        agent = active.get(agentId);
        if (agent == null) {
          agent = active.values().stream().min(Comparator.comparingInt(Agent::queueLength))
              .orElse(null);
        }
        if (agent == null && !closed && owns(agentId)) { // its partition arrived before reconcile
          startAgent(agentId); // reconcile hands it the records that moved here
          agent = active.get(agentId);
          scheduleReconcile();
        }
      }
    }
    if (agent == null) {
      CompletableFuture<AgentOutcome> f = new CompletableFuture<>();
      f.completeExceptionally(new AgentUnavailableException("no agent runs on this member now"));
      return f;
    }
    return agent.submit(request, hints);
  }

  private boolean owns(String agentId) {
    Member owner = hz.getPartitionService().getPartition(agentId).getOwner();
    return owner != null && owner.localMember();
  }

  /**
   * A local agent as the router sees it: its id and its live Kamino indicators.
   *
   * @param agentId the agent
   * @param indicators its indicators, current at every read
   */
  public record LocalAgent(String agentId, AgentIndicators indicators) {}

  /** This member's running agents, in id order. */
  public List<LocalAgent> localIndicators() {
    List<LocalAgent> out = new ArrayList<>(active.size());
    for (Agent a : active.values()) {
      out.add(new LocalAgent(a.id(), a.indicators()));
    }
    out.sort(Comparator.comparing(LocalAgent::agentId));
    return out;
  }

  /** Changes whenever any local agent's indicators change (or the set of agents does). */
  public long indicatorsVersion() {
    long v = active.size();
    for (Agent a : active.values()) {
      v = 31 * v + a.indicators().version();
    }
    return v;
  }

  /** The local agents' indicators now, as other members' routers read them. */
  public List<AgentLoad> indicatorSnapshots() {
    List<AgentLoad> out = new ArrayList<>(active.size());
    for (Agent a : active.values()) {
      out.add(a.indicators().snapshot(a.id(), registrations.memberUuid()));
    }
    return out;
  }

  /** The rule set the agents evaluate. */
  public RuleSet ruleSet() {
    return ruleSet;
  }

  /** Registered agents per member UUID, as this member sees them. */
  public Map<String, List<String>> agentsByMember() {
    return registrations.byMember();
  }

  /** Snapshot of this member's agents. */
  public List<AgentSnapshot> localAgents() {
    List<AgentSnapshot> out = new ArrayList<>();
    for (Agent a : active.values()) {
      out.add(new AgentSnapshot(a.id(), a.queueLength(), a.processed(), a.groups(), a.topHits(),
          a.partialHits(), a.misses(), a.conflicts(), a.cachedTypes(), a.prewarmed()));
    }
    out.sort(Comparator.comparing(AgentSnapshot::agentId));
    return out;
  }

  /**
   * One agent's counters.
   *
   * @param agentId the agent
   * @param queueLength requests waiting
   * @param processed requests handled
   * @param groups groups committed (processed / groups is the mean group size)
   * @param topHits lookups answered by a top-level entry
   * @param partialHits lookups that reused cached rule results
   * @param misses lookups evaluated from scratch
   * @param conflicts commits refused by a server's current state
   * @param cachedTypes request types in its cache
   * @param prewarmed cache entries re-evaluated from moved or kept records
   */
  public record AgentSnapshot(String agentId, int queueLength, long processed, long groups,
      long topHits,
      long partialHits, long misses, long conflicts, int cachedTypes, long prewarmed) {}

  private void scheduleReconcile() {
    if (closed) {
      return;
    }
    synchronized (reconcileLock) {
      if (pendingReconcile != null && !pendingReconcile.isDone()) {
        pendingReconcile.cancel(false);
      }
      pendingReconcile = scheduler.schedule(this::reconcileSafely, 200, TimeUnit.MILLISECONDS);
    }
  }

  private void reconcileSafely() {
    try {
      reconcile();
    } catch (RuntimeException e) {
      if (!closed && hz.getLifecycleService().isRunning()) {
        LOG.log(Level.WARNING, "reconciling agents failed; retrying", e);
        scheduleReconcile();
      }
    }
  }

  /**
   * Stops agents whose partition left, starts agents up to the quota, hands new agents the cache
   * records in their partition, cleans stale registrations.
   *
   * <p>Only {@link #reconcileMembership} holds the lock, and it makes no grid call: a grid call
   * may wait while partitions migrate (a local key listing did, for seconds), and a member that
   * waits there neither stops the agents whose partitions left nor starts their successors. The
   * grid calls here run afterwards and off the reconcile thread.
   */
  private void reconcile() {
    reconcileMembership();
    for (Agent a : active.values()) {
      if (a.records().claimFetch()) {
        var unused = CompletableFuture.supplyAsync(() -> recordsOf(a.id()), recordReader)
            .whenComplete((records, e) -> {
              if (e != null) {
                LOG.log(Level.INFO, "agent " + a.id() + ": could not read its cache records; "
                    + "it starts cold", e);
              }
              a.records().found(e == null ? records : List.of());
            });
        // the member the partition left writes its unflushed records when it notices the move,
        // possibly after the read above: read once more when that has surely happened
        Executor later = CompletableFuture.delayedExecutor(
            timings.millis(Timing.CACHE_RECORD_WAIT), TimeUnit.MILLISECONDS, recordReader);
        var unusedReread = CompletableFuture.supplyAsync(() -> recordsOf(a.id()), later)
            .whenComplete((records, e) -> {
              if (e == null && active.get(a.id()) == a) {
                a.records().foundLater(records);
              }
            });
      }
    }
    var unused = CompletableFuture.runAsync(this::removeStaleRegistrations, recordReader);
  }

  /** The cache records in {@code agentId}'s partition (a query of that one partition). */
  private List<GridRequest> recordsOf(String agentId) {
    List<GridRequest> out = new ArrayList<>();
    for (Map.Entry<Object, Object> e : raw(cacheRecords)
        .entrySet(Predicates.partitionPredicate(agentId, Predicates.alwaysTrue()))) {
      // a record's key is a PartitionAwareKey, not a String: only the value's type is checked
      if (e.getValue() instanceof GridRequest r) {
        out.add(r);
      } else {
        foreign.skip(AGENT_CACHE, e.getKey(), e.getValue());
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static IMap<Object, Object> raw(IMap<?, ?> map) {
    return (IMap<Object, Object>) map;
  }

  /** Removes registrations of agents that do not run here though their partition is here. */
  private void removeStaleRegistrations() {
    if (!closed) {
      registrations.removeStale(active::containsKey);
    }
  }

  /**
   * Under the lock and without grid calls: stops agents whose partition left, starts agents up to
   * the quota, warm ones first (registered on another member: their partition moved here with
   * their cache records). While partitions migrate it starts only warm ones, so that cold agents
   * do not fill the quota before the warm ones' partitions arrive.
   */
  private synchronized void reconcileMembership() {
    if (closed || !hz.getLifecycleService().isRunning()) {
      return;
    }
    Set<Integer> owned = new HashSet<>();
    Set<Partition> partitions = hz.getPartitionService().getPartitions();
    for (Partition p : partitions) {
      Member owner = p.getOwner();
      if (owner != null && owner.localMember()) {
        owned.add(p.getPartitionId());
      }
    }
    locality.refresh(owned, partitions.size(), hz.getCluster().getMembers().size());
    for (String id : List.copyOf(active.keySet())) {
      if (!owned.contains(partitionOfAgent.getOrDefault(id, -1))) {
        stopAgent(id, true);
      }
    }
    if (active.size() >= agentsPerMember) {
      return;
    }
    List<String> candidates = new ArrayList<>();
    for (int p : owned) {
      if (!active.containsKey(agentKeys[p])) {
        candidates.add(agentKeys[p]);
      }
    }
    candidates.sort(Comparator.comparing((String id) -> !movedHere(id))
        .thenComparingInt(id -> partitionOfAgent.getOrDefault(id, Integer.MAX_VALUE)));
    boolean migrating = migrating();
    for (String id : candidates) {
      if (active.size() >= agentsPerMember || (migrating && !movedHere(id))) {
        break;
      }
      startAgent(id);
    }
  }

  private boolean movedHere(String agentId) {
    return registrations.movedHere(agentId);
  }

  /** Whether a migration process is under way (bounded: its end event may never come). */
  private boolean migrating() {
    long since = migrationStartedNanos;
    return since != 0 && clock.nanoTime() - since < timings.nanos(Timing.AGENT_MIGRATION_WAIT);
  }

  private void startAgent(String id) {
    Agent agent = new Agent(id, this, ruleSet, cacheSettings);
    active.put(id, agent);
    meters.put(id, metrics.agentGauges(id, agent::queueLength,
        () -> agent.indicators().queueTimeNanos(), agent::cacheBytes, agent::cacheEvictions));
    registrations.register(id); // no grid wait under the reconcile lock
    LOG.info(() -> "agent " + id + " started on " + hz.getCluster().getLocalMember().getAddress());
  }

  /**
   * Stops a local agent. Its registration stays when its partition {@code moved}: the new owner
   * reads it as "this agent has cache records here" and starts it first (or removes it).
   */
  private void stopAgent(String id, boolean moved) {
    Agent agent = active.remove(id);
    if (agent == null) {
      return;
    }
    agent.stop();
    List<Meter> m = meters.remove(id);
    if (m != null) {
      metrics.removeAgent(id, m);
    }
    registrations.deregister(id, moved);
    LOG.info(() -> "agent " + id + " stopping on this member"
        + (moved ? " (its partition moved)" : " (shutdown)"));
  }

  /** The cluster of {@code serverId} in this member's mirror (empty if it does not know it). */
  public String clusterOf(String serverId) {
    return mirror.read(inv -> {
      int i = inv.indexOf(serverId);
      return i < 0 ? "" : inv.clusterId(inv.cluster(i));
    });
  }

  /** Agents running here. */
  public int activeAgents() {
    return active.size();
  }

  /**
   * Stops every local agent after it has drained its queue (graceful shutdown), waiting up to
   * {@code millis} in total.
   */
  @Override
  public void close() {
    closed = true;
    List<Agent> agents = new ArrayList<>(active.values());
    for (String id : List.copyOf(active.keySet())) {
      stopAgent(id, false);
    }
    long deadline = clock.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Agent a : agents) {
      try {
        a.awaitStopped(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    scheduler.shutdownNow();
    recordReader.shutdownNow();
    try {
      hz.getPartitionService().removeMigrationListener(migrationListenerId);
      hz.getCluster().removeMembershipListener(membershipListenerId);
      registrations.close();
      hz.getUserContext().remove(CONTEXT_KEY, this);
    } catch (RuntimeException ignored) {
      // the member may already be shut down (or crashed)
    }
  }
}
