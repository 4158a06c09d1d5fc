package io.vmgrid.node.demo;

import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small seeded inventory for the demo and for trying a node: servers of three machine types in
 * clusters of 16. Same seed, same inventory. The rule engine's generator replaces it for real
 * workloads.
 */
public final class DemoInventory {
  /** Servers per cluster. */
  static final int CLUSTER_SIZE = 16;

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
    for (int i = 0; i < count; i++) {
      MachineType type = TYPES.get(random.nextInt(TYPES.size()));
      String cluster = String.format("c%02d", i / CLUSTER_SIZE);
      out.add(ServerState.empty(String.format("%s-s%03d", cluster, i % CLUSTER_SIZE),
          cluster, type.cores(), type.memoryGib() * 1024L));
    }
    return out;
  }
}
