package io.vmgrid.client.api;

import java.util.Map;

/**
 * How many more VMs like one request the grid could place right now under its rule set: the
 * number of copies its rule engine places one by one on a copy of a member's inventory (nothing is
 * placed for real).
 *
 * @param total copies that fit
 * @param perCluster copies per cluster id (clusters where none fit included)
 * @param capped whether counting stopped at the planner's limit ({@code total} is then a lower bound)
 * @param densityWhenFull packing density (allocated ÷ cores of non-empty servers) once they are placed
 */
public record CapacityHeadroom(
    long total, Map<String, Long> perCluster, boolean capped, double densityWhenFull) {

  /** Copies the map, keeping its order. */
  public CapacityHeadroom {
    perCluster = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perCluster));
  }
}
