package io.vmgrid.rules.trace;

import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ServerSpec;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.VmTypeCatalog;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Builds a synthetic inventory, deterministically from a seed (the trace has no inventory).
 *
 * <p>Exactly how, with {@code rng = new SplittableRandom(seed)}:
 * <ol>
 *   <li>Clusters hold {@code racksPerCluster × serversPerRack} servers; server {@code i} (0-based) is in
 *       cluster {@code i / clusterSize}, rack {@code (i % clusterSize) / serversPerRack}, slot
 *       {@code i % serversPerRack}; the last cluster may be partial. Ids: cluster {@code c<k>}, rack
 *       {@code r<k>}, server {@code c<k>-r<k>-s<k>}.</li>
 *   <li>Fault domain = rack number mod {@code faultDomains}; update domain = slot mod
 *       {@code updateDomains} (both within the cluster).</li>
 *   <li>Racks are homogeneous: for each rack in order, one draw {@code rng.nextDouble()} picks the
 *       machine type from the cumulative {@code mix} weights.</li>
 *   <li>Then for each server in order, one draw {@code u = rng.nextDouble()}: {@code u < unhealthy}
 *       → unhealthy; else {@code u < unhealthy + maintenance} → maintenance pending; applied as
 *       {@link InventoryChange.SetHealth} changes (so they are journal revisions 1..k).</li>
 * </ol>
 *
 * @param servers number of servers
 * @param seed the seed
 * @param serversPerRack servers per rack
 * @param racksPerCluster racks per cluster
 * @param faultDomains fault domains per cluster
 * @param updateDomains update domains per cluster
 * @param mix machine types with relative weights
 * @param unhealthy fraction of unhealthy servers
 * @param maintenance fraction of servers pending maintenance
 */
public record InventoryGenerator(
    int servers,
    long seed,
    int serversPerRack,
    int racksPerCluster,
    int faultDomains,
    int updateDomains,
    List<Weighted> mix,
    double unhealthy,
    double maintenance) {

  /**
   * A machine type and its relative weight in the mix.
   *
   * @param type the machine type
   * @param weight relative weight, {@code > 0}
   */
  public record Weighted(MachineType type, double weight) {}

  /** Validates, naming the field. */
  public InventoryGenerator {
    if (servers < 1) {
      throw new ValidationException("servers", "must be >= 1, was " + servers);
    }
    if (serversPerRack < 1 || racksPerCluster < 1 || faultDomains < 1 || updateDomains < 1) {
      throw new ValidationException("topology", "rack, cluster and domain sizes must be >= 1");
    }
    if (mix.isEmpty()) {
      throw new ValidationException("mix", "needs at least one machine type");
    }
    mix = List.copyOf(mix);
  }

  /**
   * Defaults: 40 servers per rack, 25 racks per cluster (1,000-server clusters), 5 fault and 5 update
   * domains, the {@link #syntheticTypes()} mix in equal weights, 1% unhealthy, 2% pending maintenance.
   */
  public static InventoryGenerator defaults(int servers, long seed) {
    return new InventoryGenerator(servers, seed, 40, 25, 5, 5,
        syntheticTypes().stream().map(t -> new Weighted(t, 1.0)).toList(), 0.01, 0.02);
  }

  /** A copy with another machine-type mix. */
  public InventoryGenerator withMix(List<Weighted> newMix) {
    return new InventoryGenerator(servers, seed, serversPerRack, racksPerCluster, faultDomains,
        updateDomains, newMix, unhealthy, maintenance);
  }

  /**
   * Three made-up machine types (cores, memory GiB, SSD GiB): {@code gen4} 40/256/2000,
   * {@code gen5} 64/512/4000 with accelerated networking, {@code gen6} 96/768/8000 with accelerated
   * networking and premium SSD.
   */
  public static List<MachineType> syntheticTypes() {
    return List.of(
        new MachineType("gen4", new Resources(40, 256, 2000), Set.of()),
        new MachineType("gen5", new Resources(64, 512, 4000), Set.of("accelerated-networking")),
        new MachineType("gen6", new Resources(96, 768, 8000),
            Set.of("accelerated-networking", "premium-ssd")));
  }

  /** Generates the inventory (journal capacity {@code journalCapacity}). */
  public Inventory generate(VmTypeCatalog vmTypes, int journalCapacity) {
    SplittableRandom rng = new SplittableRandom(seed);
    Inventory.Builder b = Inventory.builder().vmTypes(vmTypes).journalCapacity(journalCapacity);
    double total = 0;
    for (Weighted w : mix) {
      if (!(w.weight() > 0)) {
        throw new ValidationException("mix", "weights must be > 0, " + w.type().id() + " has "
            + w.weight());
      }
      b.machineType(w.type());
      total += w.weight();
    }
    int clusterSize = serversPerRack * racksPerCluster;
    String type = mix.get(0).type().id();
    for (int i = 0; i < servers; i++) {
      int cluster = i / clusterSize;
      int rack = (i % clusterSize) / serversPerRack;
      int slot = i % serversPerRack;
      if (slot == 0) {
        double u = rng.nextDouble() * total;
        for (Weighted w : mix) {
          type = w.type().id();
          u -= w.weight();
          if (u < 0) {
            break;
          }
        }
      }
      b.server(new ServerSpec("c" + cluster + "-r" + rack + "-s" + slot, "c" + cluster,
          "r" + rack, rack % faultDomains, slot % updateDomains, type));
    }
    Inventory inv = b.build();
    for (int i = 0; i < servers; i++) {
      double u = rng.nextDouble();
      Health h = u < unhealthy ? Health.UNHEALTHY
          : u < unhealthy + maintenance ? Health.MAINTENANCE_PENDING : null;
      if (h != null) {
        inv.apply(new InventoryChange.SetHealth(inv.serverId(i), h));
      }
    }
    return inv;
  }
}
