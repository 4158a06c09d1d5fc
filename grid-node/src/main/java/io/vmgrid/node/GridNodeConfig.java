package io.vmgrid.node;

import io.vmgrid.node.routing.Scheduling;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.topology.PartitionGroup;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.store.StoreSettings;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything one grid member starts with, validated: which cluster it joins, where it listens,
 * whom it contacts, how it keeps its data, what rules and routing it runs, and its timings. Built
 * with {@link #builder()} (each default in one place, there) or, by {@code vmgrid node}, from the
 * node file and the flags.
 *
 * @param clusterName cluster name; members and clients must agree
 * @param bindAddress interface to bind and advertise (loopback by default)
 * @param port first port to try; the next free one up to {@code port + 100} is taken if it is busy
 * @param members TCP/IP join list ({@code host} or {@code host:port}); empty joins nobody else
 * @param workers request-processing threads (allocation agents) on this member
 * @param metricsPort port of the HTTP endpoints ({@code /metrics}, {@code /health/*}) on
 *     {@code bindAddress}; 0 picks a free port, -1 serves none
 * @param kubernetesDns DNS name of the headless service to discover members through (Kubernetes
 *     DNS mode); empty for TCP/IP join with {@code members}
 * @param quorum fewest members a side of a split must have to accept placements and releases (split-
 *     brain protection); set it to a majority of the intended cluster size, e.g. 2 of 3
 * @param heartbeatTimeoutSeconds seconds without a heartbeat after which the others drop a member
 *     (Hazelcast's {@code hazelcast.max.no.heartbeat.seconds}): how long a minority side keeps
 *     acknowledging after a split, and how long a pause may last before it looks like one
 * @param partitionGroup what the partition replicas are spread over, and this member's name there
 * @param rules the rule set the agents and the queries apply
 * @param scheduler routing policy of the scheduler job, or {@code direct} (no job: each member's
 *     own agents, shortest queue)
 * @param jetThreads Jet cooperative threads (the scheduler job's): -1 for the grid's default (1),
 *     0 for one per core. {@code vmgrid node} passes 0 unless told otherwise: bench e2e at 200/s
 *     on 3 members and 10,000 servers gave p99 16.8 and 17.2 ms with 1 thread, 12.5 ms with one
 *     per core (2 here; one run, noisy); embedded members and tests keep 1
 * @param store the database behind the placement store, or null to keep it in memory only; every
 *     member of a cluster names the same one, and an embedded one allows a single member
 * @param timings the member's sweep periods, wait bounds and keep times
 */
public record GridNodeConfig(
    String clusterName, String bindAddress, int port, List<String> members, int workers,
    int metricsPort, String kubernetesDns, int quorum, int heartbeatTimeoutSeconds,
    PartitionGroup partitionGroup, RuleSet rules, String scheduler, int jetThreads,
    @Nullable StoreSettings store, NodeTimings timings) {

  /** Default cluster name. */
  public static final String DEFAULT_CLUSTER = "vmgrid";
  /** Default bind address: loopback only, never a public interface unless asked. */
  public static final String DEFAULT_BIND = "127.0.0.1";
  /** Default first port. */
  public static final int DEFAULT_PORT = 5701;
  /** Default request-processing threads per member (as many as Azure runs agents per node). */
  public static final int DEFAULT_WORKERS = 4;
  /**
   * Default heartbeat timeout: a quarter of Hazelcast's 60 s, so a minority side stops
   * acknowledging within about 15 s of a split, and still several times the longest pause a member
   * should see (a full collection of a few GiB of heap on a throttled core), which would otherwise
   * look like a split (docs/deploy.md, "Heartbeat timeout").
   */
  public static final int DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 15;
  /** Shortest heartbeat timeout: below it, ordinary pauses split the cluster. */
  public static final int MIN_HEARTBEAT_TIMEOUT_SECONDS = 5;
  /** Longest heartbeat timeout (five times Hazelcast's default). */
  public static final int MAX_HEARTBEAT_TIMEOUT_SECONDS = 300;

  /** Validates every field, naming the bad one. */
  public GridNodeConfig {
    members = List.copyOf(members);
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(timings, "timings");
    Scheduling.validatePolicy("scheduler", scheduler);
    if (jetThreads < -1 || jetThreads > 256) {
      throw new IllegalArgumentException("jetThreads: must be -1 (the default, 1), 0 (one per"
          + " core) or 1..256 (was " + jetThreads + ")");
    }
    if (clusterName == null || clusterName.isBlank()) {
      throw new IllegalArgumentException("clusterName: is required");
    }
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress: is required");
    }
    if (port < 1 || port > 65_435) {
      throw new IllegalArgumentException("port: must be in 1..65435 (was " + port + ")");
    }
    for (String m : members) {
      if (m.isBlank() || m.contains(" ") || m.contains("-")) {
        throw new IllegalArgumentException(
            "members: '" + m + "' is not host or host:port (ranges are not supported)");
      }
    }
    if (workers < 1 || workers > 256) {
      throw new IllegalArgumentException("workers: must be in 1..256 (was " + workers + ")");
    }
    if (!kubernetesDns.isEmpty() && !members.isEmpty()) {
      throw new IllegalArgumentException(
          "discovery: give either members (tcp-ip) or a Kubernetes service DNS name, not both");
    }
    if (kubernetesDns.contains(" ") || kubernetesDns.contains(":")) {
      throw new IllegalArgumentException(
          "discovery.serviceDns: '" + kubernetesDns + "' is not a DNS name");
    }
    if (quorum < 1 || quorum > 1000) {
      throw new IllegalArgumentException("quorum: must be in 1..1000 (was " + quorum + ")");
    }
    if (metricsPort < -1 || metricsPort > 65_535) {
      throw new IllegalArgumentException(
          "metricsPort: must be -1 (off), 0 (any free port) or a port (was " + metricsPort + ")");
    }
    if (heartbeatTimeoutSeconds < MIN_HEARTBEAT_TIMEOUT_SECONDS
        || heartbeatTimeoutSeconds > MAX_HEARTBEAT_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException("heartbeatTimeoutSeconds: must be in "
          + MIN_HEARTBEAT_TIMEOUT_SECONDS + ".." + MAX_HEARTBEAT_TIMEOUT_SECONDS + " (was "
          + heartbeatTimeoutSeconds + ")");
    }
  }

  /**
   * Seconds between heartbeats: a tenth of the timeout, 1 to 5 s, so a member misses about ten
   * before it is dropped (Hazelcast's default is 5 s for its 60 s timeout).
   */
  public int heartbeatIntervalSeconds() {
    return Math.max(1, Math.min(5, heartbeatTimeoutSeconds / 10));
  }

  /** A single loopback member with every default. */
  public static GridNodeConfig defaults() {
    return builder().build();
  }

  /** A builder holding every default: a single loopback member, direct routing, memory only. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder().clusterName(clusterName).bindAddress(bindAddress).port(port)
        .members(members).workers(workers).metricsPort(metricsPort).kubernetesDns(kubernetesDns)
        .quorum(quorum).heartbeatTimeoutSeconds(heartbeatTimeoutSeconds)
        .partitionGroup(partitionGroup).rules(rules).scheduler(scheduler).jetThreads(jetThreads)
        .store(store).timings(timings);
  }

  /** The same config with another cluster name. */
  public GridNodeConfig withClusterName(String name) {
    return toBuilder().clusterName(name).build();
  }

  /** The same config with another metrics port. */
  public GridNodeConfig withMetricsPort(int newPort) {
    return toBuilder().metricsPort(newPort).build();
  }

  /** Builds a {@link GridNodeConfig}; each setter names a component, {@link #build} validates. */
  public static final class Builder {
    private String clusterName = DEFAULT_CLUSTER;
    private String bindAddress = DEFAULT_BIND;
    private int port = DEFAULT_PORT;
    private List<String> members = List.of();
    private int workers = DEFAULT_WORKERS;
    private int metricsPort = -1;
    private String kubernetesDns = "";
    private int quorum = 1;
    private int heartbeatTimeoutSeconds = DEFAULT_HEARTBEAT_TIMEOUT_SECONDS;
    private PartitionGroup partitionGroup = PartitionGroup.none();
    private RuleSet rules = RuleSet.defaults();
    private String scheduler = Scheduling.DIRECT;
    private int jetThreads = -1;
    private @Nullable StoreSettings store;
    private NodeTimings timings = NodeTimings.defaults();

    private Builder() {}

    /** See {@link GridNodeConfig#clusterName()}. */
    public Builder clusterName(String v) {
      this.clusterName = v;
      return this;
    }

    /** See {@link GridNodeConfig#bindAddress()}. */
    public Builder bindAddress(String v) {
      this.bindAddress = v;
      return this;
    }

    /** See {@link GridNodeConfig#port()}. */
    public Builder port(int v) {
      this.port = v;
      return this;
    }

    /** See {@link GridNodeConfig#members()}. */
    public Builder members(List<String> v) {
      this.members = v;
      return this;
    }

    /** See {@link GridNodeConfig#workers()}. */
    public Builder workers(int v) {
      this.workers = v;
      return this;
    }

    /** See {@link GridNodeConfig#metricsPort()}. */
    public Builder metricsPort(int v) {
      this.metricsPort = v;
      return this;
    }

    /** See {@link GridNodeConfig#kubernetesDns()}. */
    public Builder kubernetesDns(String v) {
      this.kubernetesDns = v;
      return this;
    }

    /** See {@link GridNodeConfig#quorum()}. */
    public Builder quorum(int v) {
      this.quorum = v;
      return this;
    }

    /** See {@link GridNodeConfig#heartbeatTimeoutSeconds()}. */
    public Builder heartbeatTimeoutSeconds(int v) {
      this.heartbeatTimeoutSeconds = v;
      return this;
    }

    /** See {@link GridNodeConfig#partitionGroup()}. */
    public Builder partitionGroup(PartitionGroup v) {
      this.partitionGroup = v;
      return this;
    }

    /** See {@link GridNodeConfig#rules()}. */
    public Builder rules(RuleSet v) {
      this.rules = v;
      return this;
    }

    /** See {@link GridNodeConfig#scheduler()}. */
    public Builder scheduler(String v) {
      this.scheduler = v;
      return this;
    }

    /** See {@link GridNodeConfig#jetThreads()}. */
    public Builder jetThreads(int v) {
      this.jetThreads = v;
      return this;
    }

    /** See {@link GridNodeConfig#store()}. */
    public Builder store(@Nullable StoreSettings v) {
      this.store = v;
      return this;
    }

    /** See {@link GridNodeConfig#timings()}. */
    public Builder timings(NodeTimings v) {
      this.timings = v;
      return this;
    }

    /** The config; throws {@link IllegalArgumentException} naming the first bad component. */
    public GridNodeConfig build() {
      return new GridNodeConfig(clusterName, bindAddress, port, members, workers, metricsPort,
          kubernetesDns, quorum, heartbeatTimeoutSeconds, partitionGroup, rules, scheduler,
          jetThreads, store, timings);
    }
  }
}
