package io.vmgrid.node.cli;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import io.vmgrid.node.routing.Scheduling;
import io.vmgrid.node.NodeFile;
import io.vmgrid.node.topology.KubernetesNodeZone;
import io.vmgrid.node.topology.PartitionGroup;
import io.vmgrid.node.topology.ZoneLookup;
import io.vmgrid.rules.ruleset.RuleRegistry;
import io.vmgrid.rules.ruleset.Preemption;
import io.vmgrid.rules.ruleset.RuleSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import io.vmgrid.node.demo.DemoInventory;
import io.vmgrid.node.metrics.HttpEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import io.vmgrid.store.StoreSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmgrid node}: one grid member in the foreground until Ctrl-C, or until its Hazelcast
 * instance stops on its own, when the command exits with 1 so that a supervisor restarts it.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description =
        "Run one grid member in the foreground. Ctrl-C leaves the cluster gracefully (partitions and their backups are handed to the remaining members first). Exits with 1 if the member stops on its own.")
final class NodeCommand implements Callable<Integer> {
  /** The environment variable the store's database password is read from (never a flag or key). */
  static final String PASSWORD_VARIABLE = "VMGRID_STORE_PASSWORD";
  /** Hazelcast's own heartbeat-timeout property, honoured when neither flag nor key is given. */
  static final String HEARTBEAT_PROPERTY = "hazelcast.max.no.heartbeat.seconds";

  @Option(names = "--config", paramLabel = "FILE",
      description = "Node configuration file (YAML); the flags below override it.")
  @Nullable Path configFile;

  @Option(names = "--cluster-name", description = "Cluster to join (default vmgrid).")
  @Nullable String clusterName;

  @Option(names = "--bind", description = "Interface to bind and advertise (default 127.0.0.1: loopback only).")
  @Nullable String bind;

  @Option(names = "--port", description = "First port to try; the next free one is used if busy (default 5701).")
  @Nullable Integer port;

  @Option(names = "--member", paramLabel = "HOST[:PORT]",
      description = "Another member to join through (repeatable; TCP/IP join). Default: the bind address.")
  List<String> members = new ArrayList<>();

  @Option(names = "--kubernetes-dns", paramLabel = "NAME",
      description = "Discover members by DNS lookup of this headless Kubernetes service instead of TCP/IP.")
  @Nullable String kubernetesDns;

  @Option(names = "--workers",
      description = "Allocation agents this member keeps running (default 4).")
  @Nullable Integer workers;

  @Option(names = "--metrics-port",
      description = "Port for /metrics and /health/* on the bind address; 0 picks a"
          + " free port, -1 serves none (default 9401).")
  @Nullable Integer metricsPort;

  @Option(names = "--quorum", paramLabel = "N",
      description = "Fewest members a side of a network split needs to place or release VMs; use a"
          + " majority of the cluster size, e.g. 2 of 3 (default 1: no protection).")
  @Nullable Integer quorum;

  @Option(names = "--heartbeat-timeout", paramLabel = "SECONDS",
      description = "Seconds without a heartbeat after which the other members drop this one, 5 to"
          + " 300: about how long a minority side of a split keeps acknowledging placements, and"
          + " how long a pause (a full GC) may last before it looks like a split. Use the same on"
          + " every member (default 15, or the config file's heartbeatTimeoutSeconds, or"
          + " -Dhazelcast.max.no.heartbeat.seconds).")
  @Nullable Integer heartbeatTimeout;

  @Option(names = "--partition-group", paramLabel = "KIND",
      description = "Keep a partition's primary and backups apart: none (on any members, the"
          + " default), node (on different machines, named by the environment variable"
          + " VMGRID_NODE_NAME) or zone (VMGRID_ZONE, else the zone label of the Kubernetes node"
          + " VMGRID_NODE_NAME names, read with the pod's service account). Every member must use"
          + " the same; with fewer machines or zones than replicas the store keeps fewer backups"
          + " (a warning says so).")
  @Nullable String partitionGroup;

  @Option(names = "--rules", paramLabel = "FILE",
      description = "Rule-set file (YAML/JSON) to validate and load; default: the built-in rule set.")
  @Nullable Path rulesFile;

  @Option(names = "--preemption", paramLabel = "on|off",
      description = "Whether a regular request that fits no server may evict low-priority VMs"
          + " (default: the rule set's preemption block, on unless it says otherwise; the config"
          + " file's preemption.enabled if set).")
  @Nullable String preemption;

  @Option(names = "--max-victims", paramLabel = "N",
      description = "The most VMs one request may evict, 1..64 (default: the rule set's, 8 unless it"
          + " says otherwise; the config file's preemption.maxVictims if set).")
  @Nullable Integer maxVictims;

  @Option(names = "--scheduler", paramLabel = "POLICY",
      description = "Policy of the scheduler job that routes allocations to agents (kamino-request,"
          + " kamino-rule, round-robin, random, jsq, power-of-two, bounded-hash, hash-ws), or direct"
          + " for no job. The first member's choice holds for the cluster's job (default"
          + " kamino-request; the config file's scheduler key if set).")
  @Nullable String scheduler;

  @Option(names = "--jet-threads", paramLabel = "N",
      description = "Jet cooperative threads, which run the scheduler job (its estimator), 1..256,"
          + " or 0 for one per core (default: the config file's jetThreads if set, else 0).")
  @Nullable Integer jetThreads;

  @Option(names = "--store", paramLabel = "JDBC_URL",
      description = "Keep the placement store (servers, placements, repairs) in this PostgreSQL"
          + " database (jdbc:postgresql://host:port/db), so that it survives a restart of the whole"
          + " cluster; every member must name the same one. Password: env VMGRID_STORE_PASSWORD."
          + " Default: memory only.")
  @Nullable String store;

  @Option(names = "--store-user", paramLabel = "USER", description = "Database user of --store.")
  @Nullable String storeUser;

  @Option(names = "--store-mode", paramLabel = "MODE",
      description = "write-through (default: a placement is acknowledged once the database has it)"
          + " or write-behind (batched, at most --store-delay seconds late: a crash of the whole"
          + " cluster loses the last delay's changes).")
  @Nullable String storeMode;

  @Option(names = "--store-delay", paramLabel = "SECONDS",
      description = "Write-behind's delay, 1 to 300 (default 1).")
  @Nullable Integer storeDelay;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Keep the placement store in an embedded database file in DIR (created if"
          + " absent): a single-member installation that survives its own restart. Refused in a"
          + " cluster of several members; use --store there.")
  @Nullable Path dataDir;

  @Option(names = "--demo-inventory", paramLabel = "N", defaultValue = "0",
      description = "If the cluster has no servers yet, load N generated ones (default: none).")
  int demoServers;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of --demo-inventory (default ${DEFAULT-VALUE}).")
  long seed;

  /**
   * The member configuration: defaults, then the file, then the flags; the partition group's name
   * from the process environment (and the Kubernetes API for a zone).
   */
  GridNodeConfig resolve(NodeFile file) {
    Map<String, String> env = System.getenv();
    return resolve(file, env, node -> KubernetesNodeZone.inCluster(env).zoneOf(node));
  }

  /**
   * {@link #resolve(NodeFile)} with {@code env} as the environment and {@code zones} telling a
   * Kubernetes node's zone. The heartbeat timeout falls back to
   * {@code -Dhazelcast.max.no.heartbeat.seconds} before the default, so that Hazelcast's own
   * property still works when neither the flag nor the key is given.
   */
  GridNodeConfig resolve(NodeFile file, Map<String, String> env, ZoneLookup zones) {
    PartitionGroup.Kind fileGroup = file.partitionGroup();
    List<String> joinList = !members.isEmpty() ? members
        : file.members() != null ? file.members() : List.of();
    String dns = kubernetesDns != null ? kubernetesDns
        : file.kubernetesDns() != null ? file.kubernetesDns() : "";
    if (kubernetesDns != null && members.isEmpty()) {
      joinList = List.of();
    }
    return GridNodeConfig.builder()
        .clusterName(first(clusterName, file.clusterName(), GridNodeConfig.DEFAULT_CLUSTER))
        .bindAddress(first(bind, file.bindAddress(), GridNodeConfig.DEFAULT_BIND))
        .port(first(port, file.port(), GridNodeConfig.DEFAULT_PORT))
        .members(joinList)
        .workers(first(workers, file.workers(), GridNodeConfig.DEFAULT_WORKERS))
        .metricsPort(first(metricsPort, file.metricsPort(), HttpEndpoints.DEFAULT_PORT))
        .kubernetesDns(dns)
        .quorum(first(quorum, file.quorum(), 1))
        .heartbeatTimeoutSeconds(first(heartbeatTimeout, file.heartbeatTimeoutSeconds(),
            Integer.getInteger(HEARTBEAT_PROPERTY, GridNodeConfig.DEFAULT_HEARTBEAT_TIMEOUT_SECONDS)))
        .partitionGroup(PartitionGroup.resolve(partitionGroup != null
            ? PartitionGroup.Kind.parse("--partition-group", partitionGroup)
            : fileGroup != null ? fileGroup : PartitionGroup.Kind.NONE, env, zones))
        .build();
  }

  /**
   * The placement store the flags and the file's {@code store} section name, or null for memory
   * only; validated. Flags override keys one by one, except that {@code --store} or {@code --data}
   * replaces the file's {@code url} or {@code data}, and {@code --data} the whole section (its
   * user, mode and delay belong to a database); the file's delay is dropped when
   * {@code --store-mode} makes the mode write-through. The password comes from the environment
   * variable {@code VMGRID_STORE_PASSWORD} only.
   */
  @Nullable StoreSettings storeSettings(NodeFile file) {
    return storeSettings(file, System.getenv(PASSWORD_VARIABLE));
  }

  /** {@link #storeSettings(NodeFile)} with {@code password} as the environment's. */
  @Nullable StoreSettings storeSettings(NodeFile file, @Nullable String password) {
    if (dataDir != null && store != null) {
      throw new IllegalArgumentException("--data and --store: give one (--data is one machine's"
          + " file, --store a database the cluster shares)");
    }
    NodeFile.StoreKeys keys = dataDir != null ? null : file.store();
    Path data = dataDir != null ? dataDir : store == null && keys != null ? keys.data() : null;
    String url = store != null ? store : keys != null ? keys.url() : null;
    boolean databaseFlags = storeUser != null || storeMode != null || storeDelay != null;
    if (data != null) {
      if (databaseFlags) {
        throw new IllegalArgumentException("--store-user, --store-mode, --store-delay: apply to a"
            + " database (--store or the file's store.url), not to "
            + (dataDir != null ? "--data" : "the file's store.data") + " (written through)");
      }
      return StoreSettings.embedded(data);
    }
    if (url == null) {
      if (databaseFlags) {
        throw new IllegalArgumentException("--store-user, --store-mode, --store-delay: need"
            + " --store (or store.url in the --config file)");
      }
      return null;
    }
    if (!url.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException("--store: '" + url + "' is not a"
          + " jdbc:postgresql://host:port/database URL");
    }
    // A file with data has no user, mode or delay (NodeFile refuses them), so keys apply as they are.
    String user = first(storeUser, keys == null ? null : keys.user(), "");
    StoreSettings.Mode mode = first(storeMode == null ? null : StoreSettings.Mode.parse(storeMode),
        keys == null ? null : keys.mode(), StoreSettings.Mode.WRITE_THROUGH);
    if (mode == StoreSettings.Mode.WRITE_THROUGH && storeDelay != null) {
      throw new IllegalArgumentException("--store-delay: applies to write-behind (--store-mode or"
          + " the file's store.mode)");
    }
    int delay = first(storeDelay,
        keys == null || mode != StoreSettings.Mode.WRITE_BEHIND ? null : keys.delaySeconds(), 1);
    return StoreSettings.of(url, user, password == null ? "" : password, mode, delay);
  }

  /**
   * Jet's cooperative threads: the flag, else the file, else 0 (one per core, as measured: bench
   * e2e p99 at 200/s, see {@code GridNodeConfig.jetThreads}).
   */
  int jetThreads(NodeFile file) {
    if (jetThreads != null && (jetThreads < 0 || jetThreads > 256)) {
      throw new IllegalArgumentException("--jet-threads: must be 0 (one per core) or 1..256 (was "
          + jetThreads + ")");
    }
    Integer threads = jetThreads != null ? jetThreads : file.jetThreads();
    return threads == null ? 0 : threads;
  }

  /**
   * The rule set named by the flag, else the file, else the built-in one; validated; its
   * preemption policy overridden by the flags, else the file's {@code preemption} section.
   */
  RuleSet rules(NodeFile file) throws IOException {
    Path path = rulesFile != null ? rulesFile : file.rules();
    RuleSet loaded;
    if (path == null) {
      loaded = RuleSet.defaults();
    } else if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("rules: " + path + " does not exist or is not a file");
    } else {
      loaded = RuleSet.load(path, RuleRegistry.builtin());
    }
    NodeFile.PreemptionKeys keys = file.preemption();
    Boolean on = preemption == null ? null : switch (preemption) {
      case "on" -> Boolean.TRUE;
      case "off" -> Boolean.FALSE;
      default -> throw new IllegalArgumentException(
          "--preemption: must be on or off (was '" + preemption + "')");
    };
    if (maxVictims != null && (maxVictims < 1 || maxVictims > 64)) {
      throw new IllegalArgumentException("--max-victims: must be in 1..64 (was " + maxVictims + ")");
    }
    Preemption p = loaded.preemption();
    boolean enabled = first(on, keys == null ? null : keys.enabled(), p.enabled());
    int max = first(maxVictims, keys == null ? null : keys.maxVictims(), p.maxVictims());
    return loaded.withPreemption(new Preemption(enabled, max, p.searchBudget()));
  }

  private static <T> T first(@Nullable T flag, @Nullable T file, T fallback) {
    return flag != null ? flag : file != null ? file : fallback;
  }

  @Override
  public Integer call() throws InterruptedException, IOException {
    if (demoServers < 0) {
      throw new IllegalArgumentException("--demo-inventory: must be >= 0 (was " + demoServers + ")");
    }
    NodeFile file = configFile == null ? NodeFile.empty() : NodeFile.read(configFile);
    GridNodeConfig config = resolve(file);
    RuleSet ruleSet = rules(file);
    System.out.printf("vmgrid node: rule set valid (%d rules); %d allocation agents on this member%n",
        ruleSet.rules().size(), config.workers());
    System.out.printf("vmgrid node: quorum %d, heartbeat timeout %d s, partition group %s%n",
        config.quorum(), config.heartbeatTimeoutSeconds(), config.partitionGroup());
    System.out.println("vmgrid node: preemption " + (ruleSet.preemption().enabled()
        ? "on (a regular request may evict up to " + ruleSet.preemption().maxVictims()
            + " low-priority VMs)" : "off"));
    String policy = scheduler != null ? scheduler
        : file.scheduler() != null ? file.scheduler() : Scheduling.DEFAULT_POLICY;
    Scheduling.validatePolicy("--scheduler", policy);
    StoreSettings storeSettings = storeSettings(file);
    if (storeSettings != null) {
      System.out.println("vmgrid node: placement store " + storeSettings);
    }
    config = config.toBuilder().rules(ruleSet).scheduler(policy).store(storeSettings)
        .jetThreads(jetThreads(file)).build();
    GridNode node = GridNode.prepare(config).join();
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean lost = new AtomicBoolean();
    Thread leave = watch(node, stopped, lost);
    IMap<String, ServerState> servers = node.hazelcast().getMap(MapNames.SERVERS);
    if (demoServers > 0 && servers.isEmpty()) {
      node.loadInventory(DemoInventory.generate(demoServers, seed));
      System.out.printf("vmgrid node: loaded %d generated servers (seed %d)%n", demoServers, seed);
    }
    System.out.printf("vmgrid node: member %s of cluster '%s' (%d members, %d servers). Ctrl-C to stop.%n",
        node.clientAddress(), config.clusterName(), node.hazelcast().getCluster().getMembers().size(),
        servers.size());
    HttpEndpoints http = node.endpoints();
    if (http != null) {
      System.out.println("vmgrid node: metrics at " + http.metricsUrl()
          + ", health at /health/live, /health/ready and /health/safe");
    }
    stopped.await();
    if (!lost.get()) {
      return 0;
    }
    System.err.println("vmgrid node: the member stopped on its own (see the log above); exiting");
    try {
      Runtime.getRuntime().removeShutdownHook(leave);
    } catch (IllegalStateException shuttingDown) {
      return 1; // the hook is running and closes the node
    }
    node.close();
    return 1;
  }

  /**
   * Leaves the cluster on SIGTERM (a shutdown hook), says who joins and leaves, and counts
   * {@code stopped} down when the member stops, setting {@code lost} if it stopped without being
   * asked to (out of memory, a cluster-wide shutdown): such a member serves nothing, so the process
   * ends rather than stay up and never ready. Returns the shutdown hook.
   */
  private static Thread watch(GridNode node, CountDownLatch stopped, AtomicBoolean lost) {
    AtomicBoolean leaving = new AtomicBoolean();
    Thread leave = new Thread(() -> {
      leaving.set(true);
      System.out.println("vmgrid node: leaving the cluster...");
      node.close();
      System.out.println("vmgrid node: stopped");
      stopped.countDown();
    }, "vmgrid-shutdown");
    Runtime.getRuntime().addShutdownHook(leave);
    node.hazelcast().getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleState.SHUTDOWN && !leaving.get()) {
        lost.set(true);
        stopped.countDown();
      }
    });
    node.hazelcast().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        System.out.println("vmgrid node: member joined " + e.getMember().getAddress()
            + " (" + e.getMembers().size() + " members)");
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        System.out.println("vmgrid node: member left " + e.getMember().getAddress()
            + " (" + e.getMembers().size() + " members)");
      }
    });
    return leave;
  }
}
