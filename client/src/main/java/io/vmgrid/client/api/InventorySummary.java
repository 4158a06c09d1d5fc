package io.vmgrid.client.api;

import java.util.Map;

/**
 * Totals over the inventory.
 *
 * @param servers servers in the inventory
 * @param byHealth servers per health state
 * @param totalCores cores over all servers
 * @param usedCores cores held by VMs
 * @param vms VMs hosted
 * @param emptyServers servers hosting no VM
 * @param nonEmptyCores cores of servers hosting at least one VM
 * @param largestCores the most cores any one server has
 * @param largestMemoryMb the most memory any one server has
 */
public record InventorySummary(
    int servers, Map<String, Integer> byHealth, long totalCores, long usedCores, int vms,
    int emptyServers, long nonEmptyCores, long largestCores, long largestMemoryMb) {

  /** Copies the map. */
  public InventorySummary {
    byHealth = Map.copyOf(byHealth);
  }

  /** Allocated cores / cores of non-empty servers, in percent (Protean's packing density). */
  public double packingDensityPercent() {
    return nonEmptyCores == 0 ? 0 : 100.0 * usedCores / nonEmptyCores;
  }
}
