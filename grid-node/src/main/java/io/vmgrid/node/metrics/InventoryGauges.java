package io.vmgrid.node.metrics;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.client.wire.ServerState;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Gauges over the inventory (from this member's view) and the Hazelcast basics of this member. The
 * inventory is summarized at most once per second however many gauges a scrape reads.
 */
public final class InventoryGauges {
  private static final long MAX_AGE_NANOS = 1_000_000_000L;

  /** One pass over the inventory. */
  record Snapshot(Map<ServerHealth, Integer> servers, long totalCores, long usedCores,
      long nonEmptyCores, int emptyServers, int vms) {
    double packingDensity() {
      return nonEmptyCores == 0 ? 0 : (double) usedCores / nonEmptyCores;
    }
  }

  private final Consumer<Consumer<ServerState>> inventory;
  private volatile Snapshot snapshot;
  private volatile long takenAt;

  private InventoryGauges(Consumer<Consumer<ServerState>> inventory) {
    this.inventory = inventory;
    this.snapshot = take();
    this.takenAt = System.nanoTime();
  }

  /**
   * Binds the gauges. {@code inventory} visits every server this member knows.
   */
  public static void bind(MeterRegistry registry, Consumer<Consumer<ServerState>> inventory,
      HazelcastInstance hz) {
    InventoryGauges g = new InventoryGauges(inventory);
    for (ServerHealth h : ServerHealth.values()) {
      gauge("vmgrid_inventory_servers", "Servers by health", g,
          s -> s.servers().getOrDefault(h, 0)).tag("health", h.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry);
    }
    gauge("vmgrid_inventory_cores", "Cores in the inventory", g, Snapshot::totalCores)
        .tag("state", "total").register(registry);
    gauge("vmgrid_inventory_cores", "Cores in the inventory", g, Snapshot::usedCores)
        .tag("state", "allocated").register(registry);
    gauge("vmgrid_inventory_packing_density",
        "Allocated cores / cores of non-empty servers (0..1)", g, Snapshot::packingDensity)
        .register(registry);
    gauge("vmgrid_inventory_empty_servers", "Servers hosting no VM", g,
        Snapshot::emptyServers).register(registry);
    gauge("vmgrid_inventory_vms", "VMs hosted", g, Snapshot::vms).register(registry);

    Gauge.builder("vmgrid_cluster_members", hz, h -> h.getCluster().getMembers().size())
        .description("Members this member sees in the cluster").register(registry);
    Gauge.builder("vmgrid_cluster_safe", hz, h -> h.getPartitionService().isClusterSafe() ? 1 : 0)
        .description("1 when no partition migration is pending and all backups are in sync")
        .register(registry);
    for (String name : new String[] {MapNames.SERVERS, MapNames.PLACEMENTS}) {
      IMap<?, ?> map = hz.getMap(name);
      Gauge.builder("vmgrid_map_owned_entries", map, m -> m.getLocalMapStats().getOwnedEntryCount())
          .description("Entries of the map owned by this member").tag("map", name).register(registry);
      Gauge.builder("vmgrid_map_backup_entries", map, m -> m.getLocalMapStats().getBackupEntryCount())
          .description("Backup entries of the map held by this member").tag("map", name).register(registry);
    }
  }

  private static Gauge.Builder<InventoryGauges> gauge(String name, String help, InventoryGauges g,
      ToDoubleFunction<Snapshot> f) {
    // Strong reference: Micrometer holds gauge objects weakly, and nothing else holds this one.
    return Gauge.builder(name, g, x -> f.applyAsDouble(x.current())).description(help)
        .strongReference(true);
  }

  private Snapshot current() {
    if (System.nanoTime() - takenAt > MAX_AGE_NANOS) {
      snapshot = take();
      takenAt = System.nanoTime();
    }
    return snapshot;
  }

  private Snapshot take() {
    Map<ServerHealth, Integer> servers = new EnumMap<>(ServerHealth.class);
    long[] sums = new long[3];
    int[] counts = new int[2];
    inventory.accept(s -> {
      servers.merge(s.health(), 1, Integer::sum);
      sums[0] += s.capacityCores();
      sums[1] += s.usedCores();
      if (s.vms().isEmpty()) {
        counts[0]++;
      } else {
        sums[2] += s.capacityCores();
      }
      counts[1] += s.vms().size();
    });
    return new Snapshot(servers, sums[0], sums[1], sums[2], counts[0], counts[1]);
  }
}
