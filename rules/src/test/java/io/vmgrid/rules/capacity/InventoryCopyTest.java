package io.vmgrid.rules.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import org.junit.jupiter.api.Test;

/** {@link Inventory#copy()} is independent of its source in both directions. */
class InventoryCopyTest {

  @Test
  void copyHasTheSameStateAndDivergesIndependently() {
    Inventory live = Fixtures.random(7, 0.5);
    Inventory copy = live.copy(16);
    assertThat(Fixtures.snapshot(copy).subList(1, Fixtures.snapshot(copy).size()))
        .isEqualTo(Fixtures.snapshot(live).subList(1, Fixtures.snapshot(live).size()));
    assertThat(copy.journal().revision()).isZero();
    assertThat(copy.journal().capacity()).isEqualTo(16);
    var liveBefore = Fixtures.snapshot(live);

    String vm = live.vmsOn(firstNonEmpty(live)).get(0).id();
    int at = copy.serverOf(vm);
    copy.apply(new InventoryChange.Release(copy.serverId(at), vm));
    copy.apply(new InventoryChange.SetHealth(copy.serverId(0), Health.UNHEALTHY));
    copy.apply(new InventoryChange.Place(copy.serverId(1), new HostedVm("extra", "t9",
        new Resources(1, 1, 1), Priority.REGULAR, "as-new", "ag-new")));

    assertThat(Fixtures.snapshot(live)).isEqualTo(liveBefore);
    assertThat(live.serverOf(vm)).isEqualTo(at);
    assertThat(live.availabilitySetInUse("as-new")).isFalse();
    assertThat(live.tenantCountInCluster("t9", 0)).isZero();

    live.apply(new InventoryChange.Release(live.serverId(at), vm));
    assertThat(copy.vm("extra")).isNotNull();
    assertThat(copy.serverSpec(1)).isEqualTo(live.serverSpec(1));
  }

  private static int firstNonEmpty(Inventory inv) {
    for (int i = 0; i < inv.size(); i++) {
      if (inv.vmCount(i) > 0) {
        return i;
      }
    }
    throw new AssertionError("no VM");
  }
}
