package io.vmgrid.rules.api;

import static io.vmgrid.rules.testing.Inventories.anInventory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The array-backed inventory, its changes and the bounded journal. */
class InventoryTest {

  private static HostedVm vm(String id, long cores) {
    return new HostedVm(id, "t", new Resources(cores, 2 * cores, 0), Priority.REGULAR, "as", "g");
  }

  @Test
  void clustersAreContiguousAndDomainsZoneWide() {
    Inventory inv = anInventory().clusters(3).racks(2).serversPerRack(2).build();
    assertThat(inv.size()).isEqualTo(12);
    assertThat(inv.clusterCount()).isEqualTo(3);
    for (int c = 0; c < 3; c++) {
      for (int s = inv.clusterStart(c); s < inv.clusterEnd(c); s++) {
        assertThat(inv.cluster(s)).isEqualTo(c);
      }
    }
    int a = inv.indexOf("c0-r1-s0");
    int b = inv.indexOf("c1-r1-s0");
    assertThat(inv.localFaultDomain(a)).isEqualTo(inv.localFaultDomain(b));
    assertThat(inv.faultDomain(a)).isNotEqualTo(inv.faultDomain(b));
    assertThat(inv.faultDomainMembers(inv.faultDomain(a))).containsExactly(a, a + 1);
  }

  @Test
  void placeReleaseAndHealthUpdateStateAndJournal() {
    Inventory inv = anInventory().clusters(1).racks(1).serversPerRack(2).build();
    long r1 = inv.apply(new InventoryChange.Place("c0-r0-s0", vm("v1", 10)));
    int s = inv.indexOf("c0-r0-s0");
    assertThat(inv.used(Resource.CORES, s)).isEqualTo(10);
    assertThat(inv.free(Resource.MEMORY, s)).isEqualTo(256 - 20);
    assertThat(inv.clusterUsed(Resource.CORES, 0)).isEqualTo(10);
    assertThat(inv.vmCount(s)).isEqualTo(1);
    assertThat(inv.setCountInFaultDomain("as", inv.faultDomain(s))).isEqualTo(1);
    assertThat(inv.groupCountOnServer("g", s)).isEqualTo(1);
    assertThat(inv.tenantCountInCluster("t", 0)).isEqualTo(1);
    assertThat(inv.serverOf("v1")).isEqualTo(s);
    long r2 = inv.apply(new InventoryChange.SetHealth("c0-r0-s1", Health.UNHEALTHY));
    long r3 = inv.apply(new InventoryChange.Release("c0-r0-s0", "v1"));
    assertThat(List.of(r1, r2, r3)).containsExactly(1L, 2L, 3L);
    assertThat(inv.used(Resource.CORES, s)).isZero();
    assertThat(inv.vmsOn(s)).isEmpty();
    assertThat(inv.setCountInFaultDomain("as", inv.faultDomain(s))).isZero();
    assertThat(inv.tenantCountInCluster("t", 0)).isZero();
    assertThat(inv.health(inv.indexOf("c0-r0-s1"))).isEqualTo(Health.UNHEALTHY);
    List<JournalRecord> records = new ArrayList<>();
    inv.journal().replay(0, records::add);
    assertThat(records).extracting(JournalRecord::revision).containsExactly(1L, 2L, 3L);
    assertThat(records.get(0).has(ChangeKind.USAGE)).isTrue();
    assertThat(records.get(1).has(ChangeKind.HEALTH)).isTrue();
    assertThat(records.get(1).has(ChangeKind.USAGE)).isFalse();
    assertThat(records.get(2).availabilitySet()).isEqualTo("as");
  }

  @Test
  void structuralErrorsNameTheFieldAndChangeNothing() {
    Inventory inv = anInventory().build();
    inv.apply(new InventoryChange.Place("c0-r0-s0", vm("v1", 1)));
    assertThatThrownBy(() -> inv.apply(new InventoryChange.Place("nope", vm("v2", 1))))
        .isInstanceOf(ValidationException.class).hasMessageStartingWith("serverId:");
    assertThatThrownBy(() -> inv.apply(new InventoryChange.Place("c0-r0-s1", vm("v1", 1))))
        .hasMessageStartingWith("vm.id:");
    assertThatThrownBy(() -> inv.apply(new InventoryChange.Release("c0-r0-s1", "v1")))
        .hasMessageStartingWith("vmId:");
    assertThat(inv.journal().revision()).isEqualTo(1);
  }

  @Test
  void journalIsBoundedAndSaysWhenItCannotReplay() {
    Inventory inv = anInventory().journal(3).build();
    for (int i = 0; i < 5; i++) {
      inv.apply(new InventoryChange.SetHealth("c0-r0-s0", Health.HEALTHY));
    }
    ChangeJournal j = inv.journal();
    assertThat(j.revision()).isEqualTo(5);
    assertThat(j.oldestRevision()).isEqualTo(3);
    assertThat(j.canReplayFrom(2)).isTrue();
    assertThat(j.canReplayFrom(1)).isFalse();
    assertThat(j.pendingSince(2)).isEqualTo(3);
    assertThatThrownBy(() -> j.replay(1, r -> {})).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void builderRejectsDuplicatesAndUnknownTypes() {
    MachineType t = new MachineType("m", new Resources(1, 1, 1), Set.of());
    assertThatThrownBy(() -> Inventory.builder().machineType(t)
        .server(new ServerSpec("s", "c", "r", 0, 0, "m"))
        .server(new ServerSpec("s", "c", "r", 0, 0, "m")).build())
        .hasMessageContaining("duplicate server id s");
    assertThatThrownBy(() -> Inventory.builder().machineType(t)
        .server(new ServerSpec("s", "c", "r", 0, 0, "x")).build())
        .hasMessageContaining("unknown machine type x");
  }

  @Test
  void syncAppliesOnlyTheDifferencesOfASnapshot() {
    Inventory inv = anInventory().serversPerRack(2).build();
    HostedVm a = vm("a", 1);
    HostedVm b = vm("b", 2);
    inv.sync("c0-r0-s0", Health.HEALTHY, List.of(a, b));
    assertThat(inv.journal().revision()).isEqualTo(2);
    long r = inv.sync("c0-r0-s0", Health.HEALTHY, List.of(a, b));
    assertThat(r).as("nothing changed, nothing journaled").isEqualTo(2);
    HostedVm bigger = vm("b", 4);
    inv.sync("c0-r0-s0", Health.MAINTENANCE_PENDING, List.of(bigger));
    int s0 = inv.indexOf("c0-r0-s0");
    assertThat(inv.vmsOn(s0)).containsExactly(bigger);
    assertThat(inv.used(Resource.CORES, s0)).isEqualTo(4);
    assertThat(inv.health(s0)).isEqualTo(Health.MAINTENANCE_PENDING);
    inv.sync("c0-r0-s1", Health.HEALTHY, List.of(bigger));
    assertThat(inv.serverOf("b")).as("moved").isEqualTo(inv.indexOf("c0-r0-s1"));
    assertThat(inv.used(Resource.CORES, s0)).isZero();
    assertThatThrownBy(() -> inv.sync("c0-r0-s1", Health.HEALTHY, List.of(a, a)))
        .hasMessageStartingWith("vms:");
  }
}
