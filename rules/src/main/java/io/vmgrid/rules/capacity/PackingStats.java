package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Resource;

/**
 * How densely an inventory's VMs are packed, by cores: Protean's packing density is allocated cores
 * ÷ total cores of non-empty servers (servers hosting at least one VM).
 *
 * @param allocatedCores cores used by VMs
 * @param nonEmptyCores total cores of servers hosting at least one VM
 * @param totalCores total cores of all servers
 * @param nonEmptyServers servers hosting at least one VM
 * @param emptyServers servers hosting none
 * @param vms number of VMs
 */
public record PackingStats(
    long allocatedCores,
    long nonEmptyCores,
    long totalCores,
    int nonEmptyServers,
    int emptyServers,
    int vms) {

  /** The statistics of {@code inventory}'s current state, over all servers whatever their health. */
  public static PackingStats of(Inventory inventory) {
    long allocated = 0;
    long nonEmpty = 0;
    long total = 0;
    int used = 0;
    for (int i = 0; i < inventory.size(); i++) {
      long cap = inventory.capacity(Resource.CORES, i);
      total += cap;
      if (inventory.vmCount(i) > 0) {
        used++;
        nonEmpty += cap;
        allocated += inventory.used(Resource.CORES, i);
      }
    }
    return new PackingStats(allocated, nonEmpty, total, used, inventory.size() - used,
        inventory.vmTotal());
  }

  /** Packing density, allocated ÷ non-empty cores, in [0, 1] (0 when no server hosts a VM). */
  public double density() {
    return nonEmptyCores == 0 ? 0 : allocatedCores / (double) nonEmptyCores;
  }

  /** Core utilization over all servers, allocated ÷ total cores. */
  public double utilization() {
    return totalCores == 0 ? 0 : allocatedCores / (double) totalCores;
  }
}
