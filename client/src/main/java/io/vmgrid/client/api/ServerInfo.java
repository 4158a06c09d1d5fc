package io.vmgrid.client.api;

import io.vmgrid.client.wire.ServerHealth;
import java.util.List;

/**
 * One server as the inventory holds it now: where it sits, its capacity, what is used, its health
 * and the VMs on it.
 *
 * @param serverId the server
 * @param clusterId its cluster
 * @param machineType its hardware type (named after its capacity when the inventory gave none)
 * @param health whether it takes new VMs
 * @param cores total cores
 * @param memoryMb total memory, MiB
 * @param usedCores cores held by its VMs
 * @param usedMemoryMb memory held by its VMs, MiB
 * @param rack its rack
 * @param faultDomain its fault domain within the cluster
 * @param updateDomain its update domain within the cluster
 * @param revision incremented by every committed change to it
 * @param vms the VMs it hosts, by VM id
 */
public record ServerInfo(String serverId, String clusterId, String machineType,
    ServerHealth health, long cores, long memoryMb, long usedCores, long usedMemoryMb, String rack,
    int faultDomain, int updateDomain, long revision, List<VmStatus> vms) {

  /** Copies the list. */
  public ServerInfo {
    vms = List.copyOf(vms);
  }

  /** Cores no VM holds. */
  public long freeCores() {
    return cores - usedCores;
  }

  /** Memory no VM holds, MiB. */
  public long freeMemoryMb() {
    return memoryMb - usedMemoryMb;
  }
}
