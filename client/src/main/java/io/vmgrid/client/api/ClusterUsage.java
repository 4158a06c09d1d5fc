package io.vmgrid.client.api;

/**
 * One cluster's capacity and use, and the utilization limit the grid's rules set for it.
 *
 * @param clusterId the cluster
 * @param servers its servers
 * @param placeableServers those that take new VMs (healthy)
 * @param cores its cores
 * @param usedCores cores held by VMs
 * @param memoryMb its memory, MiB
 * @param usedMemoryMb memory held by VMs, MiB
 * @param limit the share of the cluster's cores regular VMs may use (the rule set's {@code
 *     cluster-utilization-limit}), or 1 when the rule set has none
 */
public record ClusterUsage(String clusterId, int servers, int placeableServers, long cores,
    long usedCores, long memoryMb, long usedMemoryMb, double limit) {

  /** Used cores over all cores, 0 to 1. */
  public double utilization() {
    return cores == 0 ? 0 : (double) usedCores / cores;
  }

  /** Cores regular VMs may still take before the cluster reaches its limit (0 at or past it). */
  public long headroomCores() {
    return Math.max(0, (long) Math.floor(limit * cores) - usedCores);
  }
}
