package io.vmgrid.node;

import com.hazelcast.cluster.ClusterState;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import io.vmgrid.scheduler.jet.AgentLoad;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.client.wire.CallbackThreads;
import io.vmgrid.client.wire.WireSerialization;
import io.vmgrid.node.metrics.HealthState;
import io.vmgrid.node.metrics.HttpEndpoints;
import io.vmgrid.node.metrics.InventoryGauges;
import io.vmgrid.node.metrics.NodeMetrics;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.agent.AgentSerialization;
import io.vmgrid.node.agent.InventoryMirror;
import io.vmgrid.node.placement.PlacementSerialization;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.node.placement.ClaimSweeper;
import io.vmgrid.node.scheduling.Scheduling;
import io.vmgrid.node.scheduling.SchedulingSerialization;
import io.vmgrid.node.placement.RequestProcessor;
import io.vmgrid.node.placement.ServerView;
import io.vmgrid.node.reliability.MergeRepair;
import io.vmgrid.node.reliability.ServerMergePolicy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One vmgrid member: an embedded Hazelcast member configured with the grid's maps, plus the
 * member-side services that carry out requests. Close it to leave the cluster gracefully.
 */
public final class GridNode implements AutoCloseable {
  /** Result entries expire after this many seconds if no client picked them up. */
  static final int RESULT_TTL_SECONDS = 600;
  private static final int LOAD_BATCH = 1_000;
  private static final long VIEW_CATCH_UP_MILLIS = 30_000;

  /** The routing policy of the direct path, as metrics label it. */
  static final String POLICY = Scheduling.DIRECT;
  /** Journal records each member's mirror keeps for cache refresh. */
  static final int JOURNAL_CAPACITY = 200_000;
  /** Event journal of {@code requests}, across all partitions (the scheduler job's source). */
  static final int REQUEST_JOURNAL_CAPACITY = 271 * 1_000;
  /** Executor threads carrying requests to agents (they wait for the agent's answer). */
  static final int AGENT_EXECUTOR_THREADS = 32;
  /** Name of the split-brain protection rule guarding the placement store. */
  public static final String QUORUM = "vmgrid-placement-quorum";

  private final HazelcastInstance hazelcast;
  private final ServerView view;
  private final InventoryMirror mirror;
  private final AgentHost agents;
  private final RequestProcessor processor;
  private final MergeRepair repair;
  private final ClaimSweeper claims;
  private final @Nullable Scheduling scheduling;
  private final NodeMetrics metrics;
  private final HealthState health;
  private final @Nullable HttpEndpoints endpoints;

  private GridNode(HazelcastInstance hazelcast, int agentsPerMember, RuleSet ruleSet,
      String scheduler, NodeMetrics metrics, HealthState health,
      @Nullable HttpEndpoints endpoints) {
    this.hazelcast = hazelcast;
    CompactSchemas.register(hazelcast); // before any other member can be joining: see there
    this.metrics = metrics;
    this.health = health;
    this.endpoints = endpoints;
    this.view = new ServerView(hazelcast.getMap(MapNames.SERVERS));
    this.mirror = new InventoryMirror(view, JOURNAL_CAPACITY);
    metrics.mirrorGauges(mirror::lag, mirror::rebuilds, mirror::appliedChanges);
    this.agents = new AgentHost(hazelcast, mirror, ruleSet, CacheSettings.defaults(),
        agentsPerMember, metrics);
    this.processor = new RequestProcessor(hazelcast, agents,
        Math.max(16, 4 * agentsPerMember), metrics);
    this.repair = new MergeRepair(hazelcast);
    this.claims = new ClaimSweeper(hazelcast);
    metrics.policy(scheduler);
    if (Scheduling.DIRECT.equals(scheduler)) {
      this.scheduling = null;
    } else {
      processor.routeAllocationsThroughScheduler();
      this.scheduling = new Scheduling(hazelcast, agents, processor, metrics, scheduler, 1);
    }
    InventoryGauges.bind(metrics.registry(), view::forEach, hazelcast);
    health.safeWhen(() -> hazelcast.getLifecycleService().isRunning()
        && hazelcast.getPartitionService().isClusterSafe());
    health.running(this::serving);
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
    private RuleSet ruleSet = RuleSet.defaults();
    private String scheduler = Scheduling.DIRECT;
    private int jetThreads;

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

    /** Uses {@code rules} instead of the default rule set. */
    public Starting rules(RuleSet rules) {
      this.ruleSet = rules;
      return this;
    }

    /**
     * Routes allocations through the scheduler job with {@code policy} (a policy name), or
     * {@code direct} for the direct path without a job.
     */
    public Starting scheduler(String policy) {
      this.scheduler = policy;
      return this;
    }

    /**
     * Runs Jet (the scheduler job) on {@code threads} cooperative threads; 0 keeps Hazelcast's
     * default of one per core.
     */
    public Starting jetThreads(int threads) {
      if (threads < 0 || threads > 256) {
        throw new IllegalArgumentException("jetThreads: must be in 0..256 (was " + threads + ")");
      }
      this.jetThreads = threads;
      return this;
    }

    /** Starts the member, joins the cluster, loads the view and starts serving requests. */
    public GridNode join() {
      try {
        Config member = memberConfig(config);
        if (jetThreads > 0) {
          member.getJetConfig().setCooperativeThreadCount(jetThreads);
        }
        return new GridNode(Hazelcast.newHazelcastInstance(member), config.workers(),
            ruleSet, scheduler, metrics, health, endpoints);
      } catch (RuntimeException e) {
        health.stopped();
        if (endpoints != null) {
          endpoints.close();
        }
        throw e;
      }
    }
  }

  /**
   * Starts the grid services on an already running member whose config went through
   * {@link #applyGridConfig(Config)} (tests use this with Hazelcast's test factories). No HTTP
   * endpoints are served.
   */
  public static GridNode attach(HazelcastInstance member, int agentsPerMember) {
    return attach(member, agentsPerMember, RuleSet.defaults());
  }

  /** Like {@link #attach(HazelcastInstance, int)} with a rule set. */
  public static GridNode attach(HazelcastInstance member, int agentsPerMember, RuleSet rules) {
    return attach(member, agentsPerMember, rules, Scheduling.DIRECT);
  }

  /**
   * Grid services on an existing member with allocations routed by the scheduler job with
   * {@code scheduler} (a policy name, or {@code direct}).
   */
  public static GridNode attach(HazelcastInstance member, int agentsPerMember, RuleSet rules,
      String scheduler) {
    return new GridNode(member, agentsPerMember, rules, scheduler, new NodeMetrics(POLICY),
        new HealthState(), null);
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

  /**
   * The full member configuration: {@link #applyGridConfig(Config)} plus networking. Members bind to
   * {@code bindAddress} only and join by TCP/IP or, under Kubernetes, by DNS lookup of a headless
   * service; multicast and auto-detection are off.
   */
  public static Config memberConfig(GridNodeConfig node) {
    Config config = new Config();
    config.setClusterName(node.clusterName());
    config.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "jdk"));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(node.port()).setPortAutoIncrement(true).setPortCount(100);
    network.getInterfaces().setEnabled(true).addInterface(node.bindAddress());
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    if (!node.kubernetesDns().isEmpty()) {
      // DNS lookup of a headless service: no Kubernetes API access (RBAC) needed.
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", node.kubernetesDns());
    } else {
      join.getTcpIpConfig().setEnabled(true);
      if (node.members().isEmpty()) {
        join.getTcpIpConfig().addMember(node.bindAddress());
      } else {
        node.members().forEach(join.getTcpIpConfig()::addMember);
      }
    }
    return applyGridConfig(config, node.quorum());
  }

  /** {@link #applyGridConfig(Config, int)} without split-brain protection (quorum 1). */
  public static Config applyGridConfig(Config config) {
    return applyGridConfig(config, 1);
  }

  /**
   * Adds the grid's map configurations, serializers, the Java deserialization allow-list and the
   * split-brain protection of the placement store to {@code config}, and returns it.
   *
   * @param quorum fewest members a side needs to change {@code servers} or {@code placements}
   */
  public static Config applyGridConfig(Config config, int quorum) {
    CallbackThreads.install(); // before the member exists: see there (2-core machines)
    WireSerialization.register(config.getSerializationConfig());
    boolean protect = quorum > 1; // a quorum of 1 protects nothing: every side has one member
    if (protect) {
      config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM, true, quorum)
          .setProtectOn(SplitBrainProtectionOn.WRITE));
    }
    PlacementSerialization.register(config.getSerializationConfig());
    MergeRepair.register(config.getSerializationConfig());
    AgentSerialization.register(config.getSerializationConfig());
    // agents' cache records: next to the agent (partition key = agent id), no backup (rebuildable)
    config.addMapConfig(new MapConfig(AgentHost.AGENT_CACHE)
        .setBackupCount(0)
        .setInMemoryFormat(InMemoryFormat.OBJECT));
    config.addMapConfig(new MapConfig(AgentHost.AGENT_INDICATORS).setBackupCount(1));
    config.getExecutorConfig(AgentHost.EXECUTOR).setPoolSize(AGENT_EXECUTOR_THREADS);
    config.addMapConfig(
        new MapConfig(MapNames.SERVERS)
            .setSplitBrainProtectionName(protect ? QUORUM : null)
            .setBackupCount(1)
            .setAsyncBackupCount(0)
            .setInMemoryFormat(InMemoryFormat.OBJECT)
            .setMergePolicyConfig(new MergePolicyConfig(ServerMergePolicy.class.getName(), 100)));
    config.addMapConfig(
        new MapConfig(MapNames.PLACEMENTS)
            .setSplitBrainProtectionName(protect ? QUORUM : null)
            .setBackupCount(1));
    MapConfig requests = new MapConfig(MapNames.REQUESTS).setBackupCount(1);
    // the scheduler job reads new requests from the journal
    requests.getEventJournalConfig().setEnabled(true).setCapacity(REQUEST_JOURNAL_CAPACITY);
    config.addMapConfig(requests);
    // agents' Kamino indicators: every member's router keeps a local copy fed by this map's entry
    // events (measured: a near cache invalidated on every change made each routing decision read
    // remotely, 1.4 ms mean for 12 agents; events carry the value and arrive in about a millisecond)
    config.addMapConfig(new MapConfig(AgentLoad.MAP).setBackupCount(0));
    config.addMapConfig(new MapConfig(Scheduling.STATE_MAP).setBackupCount(1));
    config.getJetConfig().setEnabled(true);
    SchedulingSerialization.register(config.getSerializationConfig());
    config.addMapConfig(
        new MapConfig(MapNames.RESULTS).setBackupCount(1).setTimeToLiveSeconds(RESULT_TTL_SECONDS));
    return config;
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

  /** Commit conflicts seen by this member's request processing. */
  public long conflicts() {
    return processor.conflicts();
  }

  /**
   * Servers this member's agents currently evaluate (its inventory mirror, which follows the servers
   * map within milliseconds, and rebuilds about 150 ms after servers are added or removed).
   */
  public int knownServers() {
    return mirror.settling() ? Math.min(view.size(), mirror.size()) : mirror.size();
  }

  /** Requests this member has answered. */
  public long processed() {
    return processor.processed();
  }

  /**
   * Writes servers into the placement store in batches, replacing entries with the same id, and
   * returns once this member's view knows them all (other members' views follow within milliseconds).
   * Meant for loading an inventory before allocation starts.
   */
  public void loadInventory(Collection<ServerState> inventory) {
    IMap<String, ServerState> servers = hazelcast.getMap(MapNames.SERVERS);
    Map<String, ServerState> batch = new HashMap<>();
    List<String> ids = new ArrayList<>(inventory.size());
    for (ServerState s : inventory) {
      batch.put(s.serverId(), s);
      ids.add(s.serverId());
      if (batch.size() == LOAD_BATCH) {
        servers.putAll(batch);
        batch.clear();
      }
    }
    servers.putAll(batch);
    if (!view.awaitKnown(ids, VIEW_CATCH_UP_MILLIS)
        || !mirror.awaitCaughtUp(VIEW_CATCH_UP_MILLIS)
        || (!ids.isEmpty() && !mirror.knows(ids.get(ids.size() - 1)))) {
      throw new IllegalStateException("inventory: loaded " + ids.size() + " servers but this member's"
          + " mirror knows only " + mirror.size() + " after " + VIEW_CATCH_UP_MILLIS + " ms");
    }
  }

  /** This member's inventory mirror. */
  public InventoryMirror mirror() {
    return mirror;
  }

  /** Allocations this member handled itself because the scheduler job had not answered in time. */
  public long handledAfterGrace() {
    return processor.handledAfterGrace();
  }

  /** This member's scheduler services, or null on the direct path. */
  public @Nullable Scheduling scheduling() {
    return scheduling;
  }

  /** This member's sweeper of orphaned claims (it acts while its member is the oldest). */
  public ClaimSweeper claims() {
    return claims;
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
    if (scheduling != null) {
      scheduling.close();
    }
    processor.close();
    agents.close();
    mirror.close();
    repair.close();
    claims.close();
    try {
      view.close();
    } catch (RuntimeException ignored) {
      // the member may already be stopped
    }
    if (hazelcast.getLifecycleService().isRunning()) {
      hazelcast.shutdown();
    }
    health.stopped();
    if (endpoints != null) {
      endpoints.close();
    }
  }
}
