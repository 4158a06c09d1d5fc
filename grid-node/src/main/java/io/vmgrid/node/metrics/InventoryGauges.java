package io.vmgrid.node.metrics;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vmgrid.client.api.ClusterUsage;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Gauges over the inventory (from this member's view) and the Hazelcast basics of this member. The
 * inventory is summarized at most once per second however many gauges a scrape reads.
 *
 * <p>The inventory gauges describe the whole zone, which every member's view holds: only the
 * oldest member exports them (checked before each scrape), so that a sum over members counts the
 * zone once and a dashboard's {@code max} or {@code sum} agree. They are the zone totals
 * ({@code vmgrid_inventory_*}) and, per cluster, its cores ({@code
 * vmgrid_inventory_cluster_cores{cluster,state}}), its utilization and the cores regular VMs may
 * still take before the rule set's cluster utilization limit ({@code
 * vmgrid_inventory_cluster_headroom_cores}). The member gauges (members seen, cluster safe, map
 * entries and their memory held here) are exported by every member: each describes that member.
 */
public final class InventoryGauges {

  /** One pass over the inventory. */
  record Snapshot(Map<ServerHealth, Integer> servers, long totalCores, long usedCores,
      long nonEmptyCores, int emptyServers, int vms, Map<String, ClusterUsage> clusters) {
    double packingDensity() {
      return nonEmptyCores == 0 ? 0 : (double) usedCores / nonEmptyCores;
    }
  }

  private final MeterRegistry registry;
  private final HazelcastInstance hazelcast;
  private final Consumer<Consumer<ServerState>> inventory;
  private final double utilizationLimit;
  /** Held here: the gauge holds it only weakly. */
  private final LocalSafety safety;
  private volatile Snapshot snapshot;
  private volatile long takenAt;
  /** The zone gauges while this member exports them (it is the oldest), else empty. */
  private final NodeClock clock;
  private final long maxAgeNanos;
  private final List<Meter> zoneMeters = new ArrayList<>();
  private final Map<String, List<Meter>> clusterMeters = new HashMap<>();

  private InventoryGauges(MeterRegistry registry, HazelcastInstance hazelcast,
      Consumer<Consumer<ServerState>> inventory, double utilizationLimit) {
    this.registry = registry;
    this.hazelcast = hazelcast;
    this.inventory = inventory;
    this.utilizationLimit = utilizationLimit;
    this.safety = new LocalSafety(hazelcast);
    this.clock = NodeClock.of(hazelcast);
    this.maxAgeNanos = NodeTimings.of(hazelcast).nanos(Timing.GAUGE_SNAPSHOT);
    this.snapshot = take();
    this.takenAt = clock.nanoTime();
  }

  /**
   * Binds the gauges. {@code inventory} visits every server this member knows;
   * {@code utilizationLimit} is the rule set's cluster utilization limit for regular VMs (1 without
   * one). The zone gauges follow which member is the oldest at each scrape of {@code metrics}.
   */
  public static InventoryGauges bind(NodeMetrics metrics, Consumer<Consumer<ServerState>> inventory,
      HazelcastInstance hz, double utilizationLimit) {
    MeterRegistry registry = metrics.registry();
    InventoryGauges g = new InventoryGauges(registry, hz, inventory, utilizationLimit);
    Gauge.builder("vmgrid_cluster_members", hz, h -> h.getCluster().getMembers().size())
        .description("Members this member sees in the cluster").register(registry);
    // This member's own safety, not isClusterSafe(): that asks every member to check the backups
    // of all its partitions, one invocation per partition and backup (about 600 on three members
    // holding 10,000 servers, with two backups). Even the member's own check costs about 180, so a
    // safe answer is kept until something may have changed it (LocalSafety). The cluster is safe
    // when every member reports 1: dashboards take the minimum over members.
    Gauge.builder("vmgrid_cluster_safe", g.safety, s -> s.safe() ? 1 : 0)
        .description("1 when this member has no partition migration pending and the backups of the"
            + " partitions it owns are in sync; the cluster is safe when every member reports 1")
        .register(registry);
    for (String name : new String[] {MapNames.SERVERS, MapNames.PLACEMENTS, MapNames.REPAIRS}) {
      IMap<?, ?> map = hz.getMap(name);
      Gauge.builder("vmgrid_map_owned_entries", map, m -> m.getLocalMapStats().getOwnedEntryCount())
          .description("Entries of the map owned by this member").tag("map", name).register(registry);
      Gauge.builder("vmgrid_map_backup_entries", map, m -> m.getLocalMapStats().getBackupEntryCount())
          .description("Backup entries of the map held by this member").tag("map", name).register(registry);
      Gauge.builder("vmgrid_map_entry_memory_bytes", map,
              m -> m.getLocalMapStats().getOwnedEntryMemoryCost()
                  + m.getLocalMapStats().getBackupEntryMemoryCost())
          .description("Heap Hazelcast counts for the map's entries and backups on this member"
              + " (binary format only: servers are kept as objects and count 0)")
          .baseUnit("bytes").tag("map", name).register(registry);
    }
    metrics.beforeScrape(g::followOldest);
    g.followOldest();
    return g;
  }

  /** Whether this member exports the zone gauges now. */
  public synchronized boolean exportsZone() {
    return !zoneMeters.isEmpty();
  }

  /**
   * Registers the zone gauges if this member is the oldest and removes them if it no longer is;
   * while it exports them, keeps one set of cluster gauges per cluster of the inventory.
   */
  synchronized void followOldest() {
    boolean oldest;
    try {
      oldest = hazelcast.getLifecycleService().isRunning()
          && hazelcast.getCluster().getMembers().iterator().next().localMember();
    } catch (RuntimeException e) {
      oldest = false; // stopping
    }
    if (!oldest) {
      zoneMeters.forEach(registry::remove);
      zoneMeters.clear();
      clusterMeters.values().forEach(list -> list.forEach(registry::remove));
      clusterMeters.clear();
      return;
    }
    if (zoneMeters.isEmpty()) {
      registerZone();
    }
    Map<String, ClusterUsage> clusters = current().clusters();
    clusterMeters.entrySet().removeIf(e -> {
      if (clusters.containsKey(e.getKey())) {
        return false;
      }
      e.getValue().forEach(registry::remove);
      return true;
    });
    for (String cluster : clusters.keySet()) {
      clusterMeters.computeIfAbsent(cluster, this::registerCluster);
    }
  }

  private void registerZone() {
    for (ServerHealth h : ServerHealth.values()) {
      zoneMeters.add(gauge("vmgrid_inventory_servers", "Servers by health", s -> s.servers()
          .getOrDefault(h, 0)).tag("health", h.name().toLowerCase(Locale.ROOT)).register(registry));
    }
    zoneMeters.add(gauge("vmgrid_inventory_cores", "Cores in the inventory",
        Snapshot::totalCores).tag("state", "total").register(registry));
    zoneMeters.add(gauge("vmgrid_inventory_cores", "Cores in the inventory",
        Snapshot::usedCores).tag("state", "allocated").register(registry));
    zoneMeters.add(gauge("vmgrid_inventory_packing_density",
        "Allocated cores / cores of non-empty servers (0..1)", Snapshot::packingDensity)
        .register(registry));
    zoneMeters.add(gauge("vmgrid_inventory_empty_servers", "Servers hosting no VM",
        Snapshot::emptyServers).register(registry));
    zoneMeters.add(gauge("vmgrid_inventory_vms", "VMs hosted", Snapshot::vms).register(registry));
  }

  private List<Meter> registerCluster(String cluster) {
    return List.of(
        clusterGauge(cluster, "vmgrid_inventory_cluster_cores", "Cores of the cluster",
            ClusterUsage::cores).tag("state", "total").register(registry),
        clusterGauge(cluster, "vmgrid_inventory_cluster_cores", "Cores of the cluster",
            ClusterUsage::usedCores).tag("state", "allocated").register(registry),
        clusterGauge(cluster, "vmgrid_inventory_cluster_utilization",
            "Allocated over all cores of the cluster (0..1)", ClusterUsage::utilization)
            .register(registry),
        clusterGauge(cluster, "vmgrid_inventory_cluster_headroom_cores",
            "Cores regular VMs may still take before the rule set's cluster utilization limit",
            ClusterUsage::headroomCores).register(registry));
  }

  private Gauge.Builder<InventoryGauges> gauge(String name, String help,
      ToDoubleFunction<Snapshot> f) {
    // Strong reference: Micrometer holds gauge objects weakly
    return Gauge.builder(name, this, x -> f.applyAsDouble(x.current())).description(help)
        .strongReference(true);
  }

  private Gauge.Builder<InventoryGauges> clusterGauge(String cluster, String name, String help,
      ToDoubleFunction<ClusterUsage> f) {
    return Gauge.builder(name, this, x -> {
      ClusterUsage c = x.current().clusters().get(cluster);
      return c == null ? 0 : f.applyAsDouble(c);
    }).description(help).tag("cluster", cluster).strongReference(true);
  }

  private Snapshot current() {
    if (clock.nanoTime() - takenAt > maxAgeNanos) {
      snapshot = take();
      takenAt = clock.nanoTime();
    }
    return snapshot;
  }

  private Snapshot take() {
    Map<ServerHealth, Integer> servers = new EnumMap<>(ServerHealth.class);
    Map<String, long[]> clusters = new TreeMap<>();
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
      long[] c = clusters.computeIfAbsent(s.clusterId(), k -> new long[6]);
      c[0]++;
      c[1] += s.acceptsPlacements() ? 1 : 0;
      c[2] += s.capacityCores();
      c[3] += s.usedCores();
      c[4] += s.capacityMemoryMb();
      c[5] += s.usedMemoryMb();
    });
    Map<String, ClusterUsage> usage = new TreeMap<>();
    clusters.forEach((id, c) -> usage.put(id, new ClusterUsage(id, (int) c[0], (int) c[1], c[2],
        c[3], c[4], c[5], utilizationLimit)));
    return new Snapshot(servers, sums[0], sums[1], sums[2], counts[0], counts[1], usage);
  }
}
