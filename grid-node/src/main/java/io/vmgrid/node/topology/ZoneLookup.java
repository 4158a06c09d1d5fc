package io.vmgrid.node.topology;

/** Finds the zone a Kubernetes node runs in. */
@FunctionalInterface
public interface ZoneLookup {

  /**
   * The zone of the node named {@code nodeName}.
   *
   * @throws IllegalStateException saying why the zone cannot be told (no access, no such node, no
   *     zone label)
   */
  String zoneOf(String nodeName);
}
