package io.vmgrid.client.api;

import io.vmgrid.client.wire.Checks;
import io.vmgrid.client.wire.ServerState;
import org.jspecify.annotations.Nullable;

/**
 * A server to add to the inventory. Construction validates every field and throws
 * {@link InvalidRequestException} naming the first bad one.
 *
 * @param serverId unique server id
 * @param clusterId the cluster it belongs to
 * @param cores total cores, 1..1,000,000
 * @param memoryMb total memory in MiB, > 0
 * @param topology rack, fault and update domain and machine type ({@link ServerState.Topology#UNSPECIFIED}
 *     when unknown: every server then shares fault domain 0, so availability sets cannot spread)
 */
public record ServerSpec(
    String serverId, String clusterId, long cores, long memoryMb, ServerState.Topology topology) {

  /** A server without topology. */
  public ServerSpec(String serverId, String clusterId, long cores, long memoryMb) {
    this(serverId, clusterId, cores, memoryMb, ServerState.Topology.UNSPECIFIED);
  }

  /** A server with its rack, domains and machine type, validated like the rest. */
  public static ServerSpec of(String serverId, String clusterId, long cores, long memoryMb,
      String rack, int faultDomain, int updateDomain, String machineType) {
    check(Checks.idProblem("rack", rack));
    check(Checks.optionalIdProblem("machineType", machineType));
    if (faultDomain < 0 || faultDomain > 1000) {
      throw new InvalidRequestException(
          "faultDomain", "faultDomain: must be in 0..1000 (was " + faultDomain + ")");
    }
    if (updateDomain < 0 || updateDomain > 1000) {
      throw new InvalidRequestException(
          "updateDomain", "updateDomain: must be in 0..1000 (was " + updateDomain + ")");
    }
    return new ServerSpec(serverId, clusterId, cores, memoryMb,
        new ServerState.Topology(rack, faultDomain, updateDomain, machineType));
  }

  /** Largest accepted core count of one server. */
  public static final long MAX_SERVER_CORES = 1_000_000;

  /** Validates all fields. */
  public ServerSpec {
    check(Checks.idProblem("serverId", serverId));
    check(Checks.idProblem("clusterId", clusterId));
    if (cores <= 0 || cores > MAX_SERVER_CORES) {
      throw new InvalidRequestException(
          "cores", "cores: must be in 1.." + MAX_SERVER_CORES + " (was " + cores + ")");
    }
    if (memoryMb <= 0) {
      throw new InvalidRequestException("memoryMb", "memoryMb: must be > 0 (was " + memoryMb + ")");
    }
    if (topology == null) {
      throw new InvalidRequestException("topology", "topology: is required (use UNSPECIFIED)");
    }
  }

  /** The empty, healthy state this server starts in. */
  public ServerState initialState() {
    return ServerState.empty(serverId, clusterId, cores, memoryMb, topology);
  }

  private static void check(@Nullable String problem) {
    if (problem != null) {
      throw InvalidRequestException.of(problem);
    }
  }
}
