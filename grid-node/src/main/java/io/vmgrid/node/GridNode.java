package io.vmgrid.node;

import com.hazelcast.cluster.ClusterState;
import com.hazelcast.config.Config;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.GridTask;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.client.wire.ServerWrites;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.intake.Intake;
import io.vmgrid.node.intake.IntakeSerialization;
import io.vmgrid.node.inventory.InventoryMirror;
import io.vmgrid.node.inventory.ServerAudit;
import io.vmgrid.node.inventory.ServerView;
import io.vmgrid.node.metrics.GridOperations;
import io.vmgrid.node.metrics.HealthState;
import io.vmgrid.node.metrics.HttpEndpoints;
import io.vmgrid.node.metrics.InventoryGauges;
import io.vmgrid.node.metrics.NodeMetrics;
import io.vmgrid.node.query.Queries;
import io.vmgrid.node.recovery.PartitionLoss;
import io.vmgrid.node.recovery.Reconciler;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import io.vmgrid.store.Store;
import io.vmgrid.store.StoreMaps;
import io.vmgrid.store.StoreSettings;
import io.vmgrid.node.routing.Estimates;
import io.vmgrid.node.routing.IndicatorBoard;
import io.vmgrid.node.routing.Scheduling;
import io.vmgrid.node.topology.RedundancyWatch;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.ruleset.RuleSet;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * One vmgrid member: an embedded Hazelcast member configured with the grid's maps, plus the
 * member-side services that carry out requests. Close it to leave the cluster gracefully.
 */
public final class GridNode implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GridNode.class.getName());
  private static final int LOAD_BATCH = 1_000;

  /** The routing policy of the direct path, as metrics label it. */
  static final String POLICY = Scheduling.DIRECT;
  /** Journal records each member's mirror keeps for cache refresh. */
  static final int JOURNAL_CAPACITY = 200_000;
  /**
   * Intake threads: each carries one task (a request or a client's batch) and waits for its
   * agents, so they bound the tasks a member works on at once, not its throughput.
   */
  static final int INTAKE_THREADS = 64;
  /** Threads running allocations forwarded from other members (they wait for local agents). */
  static final int FORWARD_THREADS = 64;
  /**
   * Threads answering read-only queries (explain, capacity, what-if, ...): apart from the intake,
   * so that a burst of queries over a large inventory never holds up allocations.
   */
  static final int QUERY_THREADS = 2;
  /**
   * Jet's cooperative threads: the scheduler job carries a batch of measurements per member and
   * second, so one is plenty.
   */
  static final int JET_THREADS = 1;
  /**
   * Longest park of an idle Jet cooperative thread (Hazelcast's default 500 µs wakes each thread
   * 2,000 times a second for nothing; the job handles a batch a second, its latency does not
   * matter).
   */
  static final int JET_IDLE_MAX_MICROS = 20_000;
  /** Hazelcast's property for how often Jet's master re-reads its job records. */
  public static final String JET_JOB_SCAN_PROPERTY = "hazelcast.jet.job.scan.period";
  /**
   * Synchronous backups of the placement store ({@code servers}, {@code placements}). Two, so that
   * a member dying while partitions migrate loses nothing acknowledged: with one, killing the merge
   * target while a healed minority rejoined left 173 of 271 partitions without a live replica
   * (NetnsSplitProcessTest; the partition table had already given the rejoining member replicas it
   * did not hold yet). Hazelcast keeps as many as there are other members, so a two-member cluster
   * keeps one.
   */
  static final int STORE_BACKUPS = 2;
  /**
   * The grid's maps: what {@code vmgrid_foreign_entries_total} reports on (0 until one is found),
   * with the indicators' topic.
   */
  public static final List<String> MAPS = List.of(MapNames.SERVERS, MapNames.PLACEMENTS,
      MapNames.REPAIRS, MapNames.EVICTIONS, MapNames.RELEASES, AgentHost.AGENT_CACHE,
      AgentHost.AGENT_INDICATORS, Estimates.STATE_MAP);
  /** Name of the split-brain protection rule guarding the placement store. */
  public static final String QUORUM = io.vmgrid.node.commit.Quorum.NAME;

  private final HazelcastInstance hazelcast;
  private final ServerView view;
  private final ServerAudit audit;
  private final InventoryMirror mirror;
  private final AgentHost agents;
  private final Scheduling scheduling;
  private final Intake intake;
  private final Reconciler reconciler;
  private final PartitionLoss partitionLoss;
  private final NodeMetrics metrics;
  private final HealthState health;
  private final @Nullable HttpEndpoints endpoints;
  /** The database behind the placement store, if any: closed after the member has left. */
  private @Nullable Store store;
  /** What the grid-operation counters read (held here: Micrometer holds it only weakly). */
  @SuppressWarnings("UnusedVariable") // kept only to be referenced
  private final Object gridOperations;

  private GridNode(HazelcastInstance hazelcast, int agentsPerMember, RuleSet ruleSet,
      String scheduler, NodeMetrics metrics, HealthState health,
      @Nullable HttpEndpoints endpoints) {
    this.hazelcast = hazelcast;
    CompactSchemas.register(hazelcast); // before any other member can be joining: see there
    this.metrics = metrics;
    this.health = health;
    this.endpoints = endpoints;
    NodeClock clock = NodeClock.of(hazelcast);
    this.view = new ServerView(hazelcast.getMap(MapNames.SERVERS), ForeignEntries.of(hazelcast),
        clock);
    this.audit = new ServerAudit(hazelcast);
    view.audit(audit);
    metrics.foreignEntries(ForeignEntries.of(hazelcast),
        java.util.stream.Stream.concat(MAPS.stream(),
            java.util.stream.Stream.of(IndicatorBoard.TOPIC)).toList());
    this.mirror = new InventoryMirror(view, JOURNAL_CAPACITY, clock,
        NodeTimings.of(hazelcast).get(Timing.MIRROR_REBUILD_QUIET));
    metrics.mirrorGauges(mirror::size, mirror::lag, mirror::rebuilds, mirror::appliedChanges);
    this.agents = new AgentHost(hazelcast, mirror, ruleSet, CacheSettings.defaults(),
        agentsPerMember, metrics);
    metrics.policy(scheduler);
    this.scheduling = new Scheduling(hazelcast, agents, ruleSet, metrics, scheduler, 1);
    this.intake = new Intake(hazelcast, agents, scheduling.router(), scheduling.estimates(),
        new Queries(mirror, ruleSet, clock, NodeTimings.of(hazelcast)), metrics);
    this.reconciler = new Reconciler(hazelcast);
    this.partitionLoss = new PartitionLoss(hazelcast, view, reconciler,
        hazelcast.getConfig().getMapConfig(MapNames.SERVERS).getMapStoreConfig().isEnabled());
    intake.recordsIncompleteWhile(partitionLoss::repairing);
    metrics.recovery(reconciler, partitionLoss, io.vmgrid.node.commit.Evictions.of(hazelcast));
    InventoryGauges.bind(metrics, view::forEach, hazelcast,
        ruleSet.clusterUtilizationLimit().orElse(1.0));
    this.gridOperations = GridOperations.bind(metrics.registry(), hazelcast);
    for (String executor : List.of(GridTask.INTAKE_EXECUTOR, GridTask.QUERY_EXECUTOR,
        IntakeSerialization.FORWARD_EXECUTOR)) {
      var stats = hazelcast.getExecutorService(executor);
      metrics.executorGauge(executor.replace("vmgrid-", ""),
          () -> stats.getLocalExecutorStats().getPendingTaskCount());
    }
    health.liveWhen(() -> hazelcast.getLifecycleService().isRunning());
    health.safeWhen(() -> hazelcast.getLifecycleService().isRunning()
        && hazelcast.getPartitionService().isClusterSafe() && !partitionLoss.repairing());
    health.running(this::serving);
    intake.open();
  }

  /** Starts a member from {@code config} and the grid services on it. */
  public static GridNode start(GridNodeConfig config) {
    return prepare(config).join();
  }

  /**
   * First half of {@link #start}: opens the HTTP endpoints (if configured), which report live but not
   * ready until {@link Starting#join()} has joined the cluster and loaded this member's view.
   */
  public static Starting prepare(GridNodeConfig config) {
    NodeMetrics metrics = new NodeMetrics(POLICY);
    HealthState health = new HealthState();
    HttpEndpoints endpoints = config.metricsPort() < 0 ? null
        : HttpEndpoints.start(config.bindAddress(), config.metricsPort(), metrics::scrape, health);
    return new Starting(config, metrics, health, endpoints);
  }

  /** A member whose HTTP endpoints are up but which has not joined the cluster yet. */
  public static final class Starting {
    private final GridNodeConfig config;
    private final NodeMetrics metrics;
    private final HealthState health;
    private final @Nullable HttpEndpoints endpoints;

    private Starting(GridNodeConfig config, NodeMetrics metrics, HealthState health,
        @Nullable HttpEndpoints endpoints) {
      this.config = config;
      this.metrics = metrics;
      this.health = health;
      this.endpoints = endpoints;
    }

    /** The HTTP endpoints, if configured. */
    public @Nullable HttpEndpoints endpoints() {
      return endpoints;
    }

    /** Starts the member, joins the cluster, loads the view and starts serving requests. */
    public GridNode join() {
      Store store = null;
      StoreSettings storeSettings = config.store();
      int jetThreads = config.jetThreads();
      try {
        Config member = memberConfig(config);
        if (jetThreads >= 0) {
          member.getJetConfig().setCooperativeThreadCount(jetThreads == 0
              ? Runtime.getRuntime().availableProcessors() : jetThreads);
        }
        if (storeSettings != null) {
          store = Store.open(storeSettings); // fails here, with one line, if it cannot be used
          StoreMaps.attach(member, store);
        }
        member.getMemberAttributeConfig().setAttribute(STORE_ATTRIBUTE, storeName(storeSettings));
        member.addListenerConfig(new ListenerConfig(new RedundancyWatch(
            config.partitionGroup().kind(), STORE_BACKUPS).bind(metrics.registry())));
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(member);
        try {
          checkSameStore(hz, storeSettings);
        } catch (RuntimeException e) {
          hz.shutdown(); // a graceful leave: it may already hold partitions and their backups
          throw e;
        }
        GridNode node;
        try {
          node = new GridNode(hz, config.workers(), config.rules(), config.scheduler(), metrics,
              health, endpoints);
        } catch (RuntimeException e) {
          hz.shutdown(); // as above: leave gracefully rather than vanish when the process exits
          throw e;
        }
        node.store = store;
        if (store != null) {
          node.reconciler.afterLoad();
        }
        return node;
      } catch (RuntimeException e) {
        if (store != null) {
          store.close();
        }
        health.stopped();
        if (endpoints != null) {
          endpoints.close();
        }
        throw e;
      }
    }
  }

  /**
   * Grid services on an existing member (started by the caller from a config that went through
   * {@link #applyGridConfig}): {@code config}'s workers, rules and scheduler; its network, store
   * and timings are the member's own config's business.
   */
  public static GridNode attach(HazelcastInstance member, GridNodeConfig config) {
    return new GridNode(member, config.workers(), config.rules(), config.scheduler(),
        new NodeMetrics(POLICY), new HealthState(), null);
  }

  private boolean serving() {
    return hazelcast.getLifecycleService().isRunning()
        && hazelcast.getCluster().getClusterState() == ClusterState.ACTIVE;
  }

  /** This member's metrics. */
  public NodeMetrics metrics() {
    return metrics;
  }

  /** The HTTP endpoints, if this member serves them. */
  public @Nullable HttpEndpoints endpoints() {
    return endpoints;
  }

  /** Member attribute naming the member's placement store (compared when a member joins). */
  static final String STORE_ATTRIBUTE = "vmgrid.store";

  private static String storeName(@Nullable StoreSettings s) {
    return s == null ? "memory" : s.isEmbedded() ? "embedded" : s.displayUrl();
  }

  /**
   * Refuses to serve in a cluster whose members keep the placement store in different places:
   * writes on one member's partitions would reach one database and not the other, and an
   * embedded file cannot be shared, since partitions move between members.
   */
  private static void checkSameStore(HazelcastInstance hz, @Nullable StoreSettings mine) {
    String own = storeName(mine);
    for (com.hazelcast.cluster.Member m : hz.getCluster().getMembers()) {
      if (m.localMember()) {
        continue;
      }
      String theirs = m.getAttribute(STORE_ATTRIBUTE);
      if ("embedded".equals(own) || "embedded".equals(theirs)) {
        throw new IllegalStateException("store: an embedded store (--data) keeps the placement"
            + " store in one member's file, and this cluster has other members (" + m.getAddress()
            + "); give every member the same --store jdbc:postgresql://... instead");
      }
      if (!own.equals(theirs)) {
        throw new IllegalStateException("store: this member's store is " + own + " but member "
            + m.getAddress() + " uses " + theirs + "; every member must use the same --store");
      }
    }
  }

  /**
   * The full member configuration: the grid's configuration plus networking ({@link
   * GridConfigs#member}).
   */
  public static Config memberConfig(GridNodeConfig node) {
    return GridConfigs.member(node);
  }

  /** {@link #applyGridConfig(Config, int)} without split-brain protection (quorum 1). */
  public static Config applyGridConfig(Config config) {
    return GridConfigs.apply(config, 1);
  }

  /**
   * Adds the grid's map configurations, serializers and split-brain protection to {@code config}
   * ({@link GridConfigs#apply}), and returns it.
   */
  public static Config applyGridConfig(Config config, int quorum) {
    return GridConfigs.apply(config, quorum);
  }

  /** The underlying Hazelcast member. */
  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /** The {@code host:port} clients use to reach this member. */
  public String clientAddress() {
    InetSocketAddress a = hazelcast.getCluster().getLocalMember().getSocketAddress();
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** Commit conflicts this member's agents met. */
  public long conflicts() {
    return agents.localAgents().stream().mapToLong(AgentHost.AgentSnapshot::conflicts).sum();
  }

  /**
   * Servers this member's agents currently evaluate (its inventory mirror, which follows the servers
   * map within milliseconds, and rebuilds about 150 ms after servers are added or removed).
   */
  public int knownServers() {
    return mirror.settling() ? Math.min(view.size(), mirror.size()) : mirror.size();
  }

  /** Requests this member's agents have handled. */
  public long processed() {
    return agents.localAgents().stream().mapToLong(AgentHost.AgentSnapshot::processed).sum();
  }

  /**
   * Writes servers into the placement store in batches, replacing entries with the same id, and
   * returns once this member's view knows them all (other members' views follow within milliseconds).
   * Meant for loading an inventory before allocation starts. A batch whose write the grid did not
   * confirm is written again server by server ({@link ServerWrites#putAllConfirmed}).
   */
  public void loadInventory(Collection<ServerState> inventory) {
    IMap<String, ServerState> servers = hazelcast.getMap(MapNames.SERVERS);
    Map<String, ServerState> batch = new HashMap<>();
    List<String> ids = new ArrayList<>(inventory.size());
    for (ServerState s : inventory) {
      batch.put(s.serverId(), s);
      ids.add(s.serverId());
      if (batch.size() == LOAD_BATCH) {
        ServerWrites.putAllConfirmed(servers, batch, m -> LOG.warning("inventory: " + m));
        batch.clear();
      }
    }
    ServerWrites.putAllConfirmed(servers, batch, m -> LOG.warning("inventory: " + m));
    long catchUpMillis = NodeTimings.of(hazelcast).millis(Timing.VIEW_CATCH_UP);
    if (!view.awaitKnown(ids, catchUpMillis)
        || !mirror.awaitCaughtUp(catchUpMillis)
        || (!ids.isEmpty() && !mirror.knows(ids.get(ids.size() - 1)))) {
      throw new IllegalStateException("inventory: loaded " + ids.size() + " servers but this member's"
          + " mirror knows only " + mirror.size() + " after " + catchUpMillis + " ms");
    }
  }

  /** This member's inventory mirror. */
  public InventoryMirror mirror() {
    return mirror;
  }

  /** This member's scheduler services (its router; the board, estimates and job unless direct). */
  public Scheduling scheduling() {
    return scheduling;
  }

  /** This member's intake (where requests enter). */
  public Intake intake() {
    return intake;
  }

  /** This member's reconciler. */
  public Reconciler reconciler() {
    return reconciler;
  }

  /** This member's watch over lost partitions of the placement store. */
  public PartitionLoss partitionLoss() {
    return partitionLoss;
  }

  /** This member's allocation agents. */
  public AgentHost agents() {
    return agents;
  }

  /**
   * Stops request processing and leaves the cluster gracefully: requests already handed to this
   * member's agents are finished (their queues drain), then partitions are handed over.
   */
  @Override
  public void close() {
    health.stopping();
    intake.close(); // new requests go elsewhere; the ones in the agents' queues finish below
    agents.close();
    scheduling.close();
    mirror.close();
    partitionLoss.close();
    reconciler.close();
    audit.close();
    try {
      view.close();
    } catch (RuntimeException ignored) {
      // the member may already be stopped
    }
    if (hazelcast.getLifecycleService().isRunning()) {
      hazelcast.shutdown(); // a graceful shutdown writes what write-behind still holds
    }
    if (store != null) {
      store.close();
    }
    health.stopped();
    if (endpoints != null) {
      endpoints.close();
    }
  }
}
