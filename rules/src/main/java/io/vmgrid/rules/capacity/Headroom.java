package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.VmRequest;
import java.util.Map;

/**
 * How many more VMs like one template fit right now: the number of copies the rule engine places,
 * one by one on a copy of the inventory, before it finds no candidate (see {@link
 * CapacityPlanner#headroom(io.vmgrid.rules.api.Inventory, VmRequest)}).
 *
 * @param template the request every copy repeats (its id names the template)
 * @param total copies placed
 * @param perCluster copies placed per cluster id, in inventory cluster order (zeros included)
 * @param capped whether counting stopped at {@link CapacitySettings#maxCopiesPerTemplate()} (so
 *     {@code total} is a lower bound)
 * @param whenFull packing statistics of the copy once every counted copy is placed
 */
public record Headroom(
    VmRequest template,
    long total,
    Map<String, Long> perCluster,
    boolean capped,
    PackingStats whenFull) {

  /** Copies the map, keeping its order. */
  public Headroom {
    perCluster = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perCluster));
  }

  /** The template's id. */
  public String templateId() {
    return template.id();
  }

  /** Copies placed in cluster {@code clusterId} (0 if unknown). */
  public long inCluster(String clusterId) {
    return perCluster.getOrDefault(clusterId, 0L);
  }
}
