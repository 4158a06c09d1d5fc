package io.vmgrid.node.demo;

import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small seeded inventory for the demo and for trying a node: servers of three machine types in
 * clusters of 16, racks of 4 (one machine type per rack), each rack its own fault domain (4 per
 * cluster), update domains round-robin over the servers of a rack. Same seed, same inventory.
 */
public final class DemoInventory {
  /** Servers per cluster. */
  static final int CLUSTER_SIZE = 16;

  /** Servers per rack. */
  static final int RACK_SIZE = 4;

  /** A machine type: cores and memory (GiB) per server. */
  record MachineType(String name, int cores, int memoryGib) {}

  static final List<MachineType> TYPES =
      List.of(new MachineType("gen4", 48, 384), new MachineType("gen5", 64, 512),
          new MachineType("gen6", 96, 768));

  private DemoInventory() {}

  /** {@code count} empty healthy servers, ids {@code c00-s000}, machine types drawn with {@code seed}. */
  public static List<ServerState> generate(int count, long seed) {
    if (count < 1) {
      throw new IllegalArgumentException("servers: must be >= 1 (was " + count + ")");
    }
    Random random = new Random(seed);
    List<ServerState> out = new ArrayList<>(count);
    MachineType type = TYPES.get(0);
    for (int i = 0; i < count; i++) {
      int slot = i % CLUSTER_SIZE;
      if (slot % RACK_SIZE == 0) {
        type = TYPES.get(random.nextInt(TYPES.size()));
      }
      int rack = slot / RACK_SIZE;
      String cluster = String.format("c%02d", i / CLUSTER_SIZE);
      out.add(ServerState.empty(String.format("%s-s%03d", cluster, slot), cluster, type.cores(),
          type.memoryGib() * 1024L,
          new ServerState.Topology("r" + rack, rack, slot % RACK_SIZE, type.name())));
    }
    return out;
  }
}
