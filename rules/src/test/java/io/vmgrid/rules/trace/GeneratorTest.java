package io.vmgrid.rules.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.VmTypeCatalog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seeded generators: same seed, same output; the documented topology. */
class GeneratorTest {

  private static List<String> describe(Inventory inv) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < inv.size(); i++) {
      out.add(inv.serverId(i) + " " + inv.machineType(i) + " " + inv.health(i) + " "
          + inv.localFaultDomain(i) + " " + inv.localUpdateDomain(i));
    }
    return out;
  }

  @Test
  void sameSeedSameInventory() {
    Inventory a = InventoryGenerator.defaults(3_000, 11).generate(VmTypeCatalog.EMPTY, 16);
    Inventory b = InventoryGenerator.defaults(3_000, 11).generate(VmTypeCatalog.EMPTY, 16);
    Inventory c = InventoryGenerator.defaults(3_000, 12).generate(VmTypeCatalog.EMPTY, 16);
    assertThat(describe(a)).isEqualTo(describe(b));
    assertThat(describe(a)).isNotEqualTo(describe(c));
  }

  @Test
  void topologyIsAsDocumented() {
    Inventory inv = InventoryGenerator.defaults(2_500, 1).generate(VmTypeCatalog.EMPTY, 16);
    assertThat(inv.clusterCount()).isEqualTo(3);
    assertThat(inv.clusterEnd(0) - inv.clusterStart(0)).isEqualTo(1_000);
    assertThat(inv.clusterEnd(2) - inv.clusterStart(2)).isEqualTo(500);
    int i = inv.indexOf("c1-r7-s13");
    assertThat(inv.localFaultDomain(i)).isEqualTo(7 % 5);
    assertThat(inv.localUpdateDomain(i)).isEqualTo(13 % 5);
    for (int s = 0; s < inv.size(); s += 40) {
      for (int k = 1; k < 40 && s + k < inv.size(); k++) {
        assertThat(inv.machineType(s + k)).as("racks are homogeneous").isEqualTo(inv.machineType(s));
      }
    }
    long unhealthy = 0;
    for (int s = 0; s < inv.size(); s++) {
      unhealthy += inv.health(s) == Health.UNHEALTHY ? 1 : 0;
    }
    assertThat(unhealthy).isBetween(5L, 60L);
  }

  @Test
  void constraintsDependOnSeedAndVmOnlyNotOrder() {
    ConstraintGenerator g = ConstraintGenerator.defaults(5, List.of("c0", "c1", "c2"),
        List.of("gen4", "gen5", "gen6"), List.of("premium-ssd"));
    List<Constraints> forward = new ArrayList<>();
    for (int v = 0; v < 500; v++) {
      forward.add(g.constraintsFor("vm" + v, "t" + (v % 17)));
    }
    for (int v = 499; v >= 0; v--) {
      assertThat(g.constraintsFor("vm" + v, "t" + (v % 17))).isEqualTo(forward.get(v));
    }
    long sets = forward.stream().filter(c -> c.availabilitySet() != null).count();
    assertThat(sets).isBetween(100L, 200L);
    long pinned = forward.stream().filter(c -> c.clusterPin() != null).count();
    assertThat(pinned).isBetween(1L, 30L);
    ConstraintGenerator other = ConstraintGenerator.defaults(6, List.of("c0", "c1", "c2"),
        List.of("gen4", "gen5", "gen6"), List.of("premium-ssd"));
    List<Constraints> otherSeed = new ArrayList<>();
    for (int v = 0; v < 500; v++) {
      otherSeed.add(other.constraintsFor("vm" + v, "t" + (v % 17)));
    }
    assertThat(otherSeed).isNotEqualTo(forward);
  }
}
