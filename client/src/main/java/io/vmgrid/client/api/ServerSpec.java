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
 */
public record ServerSpec(String serverId, String clusterId, long cores, long memoryMb) {

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
  }

  /** The empty, healthy state this server starts in. */
  public ServerState initialState() {
    return ServerState.empty(serverId, clusterId, cores, memoryMb);
  }

  private static void check(@Nullable String problem) {
    if (problem != null) {
      throw InvalidRequestException.of(problem);
    }
  }
}
