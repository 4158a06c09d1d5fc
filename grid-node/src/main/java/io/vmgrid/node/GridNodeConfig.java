package io.vmgrid.node;

import io.vmgrid.node.topology.PartitionGroup;
import java.util.List;

/**
 * How one grid member starts: which cluster it joins, where it listens, whom it contacts.
 *
 * @param clusterName cluster name; members and clients must agree
 * @param bindAddress interface to bind and advertise (loopback by default)
 * @param port first port to try; the next free one up to {@code port + 100} is taken if it is busy
 * @param members TCP/IP join list ({@code host} or {@code host:port}); empty joins nobody else
 * @param workers request-processing threads on this member
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
 */
public record GridNodeConfig(
    String clusterName, String bindAddress, int port, List<String> members, int workers,
    int metricsPort, String kubernetesDns, int quorum, int heartbeatTimeoutSeconds,
    PartitionGroup partitionGroup) {

  /** A TCP/IP-joined config without HTTP endpoints or quorum. */
  public GridNodeConfig(
      String clusterName, String bindAddress, int port, List<String> members, int workers) {
    this(clusterName, bindAddress, port, members, workers, -1, "", 1);
  }

  /** A TCP/IP-joined config without quorum. */
  public GridNodeConfig(String clusterName, String bindAddress, int port, List<String> members,
      int workers, int metricsPort) {
    this(clusterName, bindAddress, port, members, workers, metricsPort, "", 1);
  }

  /** A config with the default heartbeat timeout and no partition grouping. */
  public GridNodeConfig(String clusterName, String bindAddress, int port, List<String> members,
      int workers, int metricsPort, String kubernetesDns, int quorum) {
    this(clusterName, bindAddress, port, members, workers, metricsPort, kubernetesDns, quorum,
        DEFAULT_HEARTBEAT_TIMEOUT_SECONDS, PartitionGroup.none());
  }

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
    if (clusterName == null || clusterName.isBlank()) {
      throw new IllegalArgumentException("clusterName: is required");
    }
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress: is required");
    }
    if (port < 1 || port > 65_435) {
      throw new IllegalArgumentException("port: must be in 1..65435 (was " + port + ")");
    }
    members = List.copyOf(members);
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

  /** A single loopback member with defaults. */
  public static GridNodeConfig defaults() {
    return new GridNodeConfig(DEFAULT_CLUSTER, DEFAULT_BIND, DEFAULT_PORT, List.of(), DEFAULT_WORKERS);
  }

  /** The same config with another cluster name. */
  public GridNodeConfig withClusterName(String name) {
    return new GridNodeConfig(name, bindAddress, port, members, workers, metricsPort, kubernetesDns,
        quorum, heartbeatTimeoutSeconds, partitionGroup);
  }

  /** The same config with another metrics port. */
  public GridNodeConfig withMetricsPort(int newPort) {
    return new GridNodeConfig(clusterName, bindAddress, port, members, workers, newPort,
        kubernetesDns, quorum, heartbeatTimeoutSeconds, partitionGroup);
  }
}
