package io.vmgrid.rules.capacity;

import static io.vmgrid.rules.testing.Inventories.anInventory;

import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmTypeCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded small inventories and a state snapshot for the capacity tests. */
final class Fixtures {
  /** Sizes per machine type: {@code std} is 64 cores / 256 memory / 1000 SSD, {@code small} 8/32/100. */
  static final VmTypeCatalog CATALOG = new VmTypeCatalog(Map.of(
      "d2", Map.of("std", new VmTypeCatalog.Fraction(0.03125, 0.03125, 0.01),
          "small", new VmTypeCatalog.Fraction(0.25, 0.25, 0.1)),
      "d8", Map.of("std", new VmTypeCatalog.Fraction(0.125, 0.0625, 0.05)),
      "d32", Map.of("std", new VmTypeCatalog.Fraction(0.5, 0.5, 0.2))));

  private Fixtures() {}

  /**
   * 2–3 clusters of 2–3 racks × 2–4 servers (first rack of each cluster {@code small}), a few
   * unhealthy or maintenance-pending servers, and random VMs filling about {@code fill} of the cores,
   * some in availability sets and anti-affinity groups.
   */
  static Inventory random(long seed, double fill) {
    SplittableRandom rng = new SplittableRandom(seed);
    Inventory inv = anInventory().clusters(2 + rng.nextInt(2)).racks(2 + rng.nextInt(2))
        .serversPerRack(2 + rng.nextInt(3)).smallRacks(1).vmTypes(CATALOG).build();
    for (int i = 0; i < inv.size(); i++) {
      double u = rng.nextDouble();
      if (u < 0.08) {
        inv.apply(new InventoryChange.SetHealth(inv.serverId(i), Health.UNHEALTHY));
      } else if (u < 0.16) {
        inv.apply(new InventoryChange.SetHealth(inv.serverId(i), Health.MAINTENANCE_PENDING));
      }
    }
    long total = 0;
    for (int i = 0; i < inv.size(); i++) {
      total += inv.capacity(Resource.CORES, i);
    }
    long target = (long) (fill * total);
    long placed = 0;
    for (int k = 0; placed < target && k < 10_000; k++) {
      int s = rng.nextInt(inv.size());
      long cores = 1L << rng.nextInt(5);
      Resources d = new Resources(cores, cores * (1 + rng.nextInt(4)), rng.nextInt(20));
      if (!inv.fits(s, d)) {
        continue;
      }
      double u = rng.nextDouble();
      String set = u < 0.2 ? "as" + rng.nextInt(3) : null;
      String group = u > 0.9 ? "ag" + rng.nextInt(2) : null;
      if (group != null && inv.groupCountOnServer(group, s) > 0) {
        continue;
      }
      inv.apply(new InventoryChange.Place(inv.serverId(s), new HostedVm("vm" + k,
          "t" + rng.nextInt(4), d, rng.nextInt(5) == 0 ? Priority.LOW : Priority.REGULAR, set,
          group)));
      placed += cores;
    }
    return inv;
  }

  /** Everything observable about an inventory's state, as comparable text. */
  static List<String> snapshot(Inventory inv) {
    List<String> out = new ArrayList<>();
    out.add("revision " + inv.journal().revision() + " vms " + inv.vmTotal());
    for (int i = 0; i < inv.size(); i++) {
      StringBuilder sb = new StringBuilder(inv.serverId(i)).append(' ').append(inv.health(i));
      for (Resource r : Resource.values()) {
        sb.append(' ').append(inv.used(r, i));
      }
      inv.vmsOn(i).stream().map(HostedVm::toString).sorted().forEach(v -> sb.append(' ').append(v));
      out.add(sb.toString());
    }
    for (int c = 0; c < inv.clusterCount(); c++) {
      out.add(inv.clusterId(c) + " used " + inv.clusterUsed(Resource.CORES, c));
    }
    return out;
  }

  /** Whether any server uses more than its capacity of any resource. */
  static boolean overCommitted(Inventory inv) {
    for (int i = 0; i < inv.size(); i++) {
      for (Resource r : Resource.values()) {
        if (inv.used(r, i) > inv.capacity(r, i)) {
          return true;
        }
      }
    }
    return false;
  }
}
