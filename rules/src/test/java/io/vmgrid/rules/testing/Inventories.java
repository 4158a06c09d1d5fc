package io.vmgrid.rules.testing;

import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ServerSpec;
import io.vmgrid.rules.api.VmTypeCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Fluent builder of small hand-made inventories: {@code anInventory().clusters(2).racks(2)
 * .serversPerRack(3).build()}. Server ids are {@code c<k>-r<k>-s<k>}; fault domain = rack, update
 * domain = slot; machine type {@code std} (64 cores, 256 memory, 1000 SSD) unless a rack's type is set.
 */
public final class Inventories {
  public static final MachineType STD =
      new MachineType("std", new Resources(64, 256, 1000), Set.of("accelerated-networking"));
  public static final MachineType SMALL = new MachineType("small", new Resources(8, 32, 100), Set.of());

  private int clusters = 1;
  private int racks = 1;
  private int serversPerRack = 4;
  private final List<MachineType> types = new ArrayList<>(List.of(STD, SMALL));
  private int smallRacks = 0;
  private int journal = 1024;
  private VmTypeCatalog vmTypes = VmTypeCatalog.EMPTY;

  private Inventories() {}

  public static Inventories anInventory() {
    return new Inventories();
  }

  public Inventories clusters(int n) {
    clusters = n;
    return this;
  }

  public Inventories racks(int n) {
    racks = n;
    return this;
  }

  public Inventories serversPerRack(int n) {
    serversPerRack = n;
    return this;
  }

  /** The first {@code n} racks of every cluster hold {@link #SMALL} servers. */
  public Inventories smallRacks(int n) {
    smallRacks = n;
    return this;
  }

  public Inventories journal(int records) {
    journal = records;
    return this;
  }

  public Inventories vmTypes(VmTypeCatalog c) {
    vmTypes = c;
    return this;
  }

  public Inventory build() {
    Inventory.Builder b = Inventory.builder().journalCapacity(journal).vmTypes(vmTypes);
    types.forEach(b::machineType);
    for (int c = 0; c < clusters; c++) {
      for (int r = 0; r < racks; r++) {
        for (int s = 0; s < serversPerRack; s++) {
          b.server(new ServerSpec("c" + c + "-r" + r + "-s" + s, "c" + c, "r" + r, r, s,
              r < smallRacks ? SMALL.id() : STD.id()));
        }
      }
    }
    return b.build();
  }
}
