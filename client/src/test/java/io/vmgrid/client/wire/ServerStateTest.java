package io.vmgrid.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A server's state: used capacity always equals what its VMs hold and never exceeds capacity,
 * every change bumps the revision, and the memory of releases stays bounded in count and age.
 */
class ServerStateTest {
  private static final long MINUTE = 60_000;
  private static final long NOW = 1_000_000 * MINUTE;

  private static HostedVm vm(String id, long cores, long memoryMb) {
    return new HostedVm(id, "t", cores, memoryMb, "r-" + id, "REGULAR", 0);
  }

  @Test
  void aStateThatMiscountsOrOverCommitsCannotBeBuilt() {
    List<HostedVm> vms = List.of(vm("a", 2, 100));

    assertThatThrownBy(() -> new ServerState("s", "c", 8, 1_000, 3, 100, ServerHealth.HEALTHY, 0,
        vms, List.of())).hasMessage("used: 3 cores/100 MiB do not match the hosted VMs' 2/100 on"
            + " server s");
    assertThatThrownBy(() -> new ServerState("s", "c", 1, 1_000, 2, 100, ServerHealth.HEALTHY, 0,
        vms, List.of())).hasMessage("used: exceeds capacity on server s");
    assertThatThrownBy(() -> new ServerState("s", "c", 8, 50, 2, 100, ServerHealth.HEALTHY, 0,
        vms, List.of())).hasMessage("used: exceeds capacity on server s");
    assertThatThrownBy(() -> new ServerState("s", "c", -1, 0, 0, 0, ServerHealth.HEALTHY, 0,
        List.of(), List.of())).hasMessageStartingWith("capacity:");
    assertThatThrownBy(() -> new ServerState("s", "c", 8, 8, 0, 0, null, 0, List.of(),
        List.of())).hasMessage("health: is required on server s");
    assertThatThrownBy(() -> new ServerState("s", "c", 8, 8, 0, 0, ServerHealth.HEALTHY, 0,
        List.of(), List.of(), null)).hasMessage("topology: is required on server s");
  }

  @Test
  void aTopologyNamesItsBadField() {
    assertThatThrownBy(() -> new ServerState.Topology("", 0, 0, ""))
        .hasMessage("rack: is required");
    assertThatThrownBy(() -> new ServerState.Topology("r", -1, 0, ""))
        .hasMessage("faultDomain: must be >= 0");
    assertThatThrownBy(() -> new ServerState.Topology("r", 0, -1, ""))
        .hasMessage("updateDomain: must be >= 0");
    assertThatThrownBy(() -> new ServerState.Topology("r", 0, 0, null))
        .hasMessageStartingWith("machineType:");
  }

  @Test
  void addingAndRemovingVmsKeepsTheCountsAndBumpsTheRevision() {
    ServerState empty = ServerState.empty("s", "c", 16, 32_768);

    ServerState two = empty.with(vm("a", 4, 8_192)).with(vm("b", 2, 1_024));
    ServerState one = two.without("a");

    assertThat(two.usedCores()).isEqualTo(6);
    assertThat(two.freeMemoryMb()).isEqualTo(32_768 - 9_216);
    assertThat(two.revision()).isEqualTo(2);
    assertThat(one.find("a")).isNull();
    assertThat(one.find("b")).isEqualTo(vm("b", 2, 1_024));
    assertThat(one.usedCores()).isEqualTo(2);
    assertThat(one.revision()).isEqualTo(3);
    assertThat(one.without("nobody")).as("nothing to remove: the same state").isSameAs(one);
    assertThat(one.releasing("nobody", NOW)).isSameAs(one);
  }

  @Test
  void fitsComparesBothResourcesWithWhatIsFree() {
    ServerState s = ServerState.empty("s", "c", 8, 8_192).with(vm("a", 6, 1_024));

    assertThat(s.fits(2, 7_168)).isTrue();
    assertThat(s.fits(3, 1)).isFalse();
    assertThat(s.fits(1, 7_169)).isFalse();
  }

  @Test
  void healthDecidesWhetherNewVmsComeAndKeepsTheVms() {
    ServerState s = ServerState.empty("s", "c", 8, 8_192).with(vm("a", 1, 1));

    ServerState drained = s.withHealth(ServerHealth.MAINTENANCE);

    assertThat(s.acceptsPlacements()).isTrue();
    assertThat(drained.acceptsPlacements()).isFalse();
    assertThat(drained.withHealth(ServerHealth.UNHEALTHY).acceptsPlacements()).isFalse();
    assertThat(drained.vms()).isEqualTo(s.vms());
    assertThat(drained.revision()).isEqualTo(s.revision() + 1);
  }

  @Test
  void aMachineTypeWithoutANameIsNamedAfterItsCapacity() {
    assertThat(ServerState.empty("s", "c", 64, 262_144).machineTypeId()).isEqualTo("c64-m262144");
    assertThat(ServerState.empty("s", "c", 64, 262_144,
        new ServerState.Topology("r1", 0, 0, "gen5")).machineTypeId()).isEqualTo("gen5");
  }

  @Test
  void aServerRemembersAtMostItsNewestReleases() {
    ServerState s = ServerState.empty("s", "c", 1_000, 1_000_000);
    for (int i = 0; i < ServerState.RELEASED_KEPT + 10; i++) {
      s = s.with(vm("vm-" + i, 1, 1));
    }
    List<HostedVm> all = List.copyOf(s.vms());
    for (HostedVm v : all) {
      s = s.releasing(v.vmId(), NOW);
    }

    assertThat(s.vms()).isEmpty();
    assertThat(s.released()).hasSize(ServerState.RELEASED_KEPT);
    assertThat(s.releasedHere(all.get(0))).as("the oldest are forgotten").isFalse();
    assertThat(s.releasedHere(all.get(all.size() - 1))).isTrue();
    assertThat(s.releasedHere(all.get(10))).isTrue();
    assertThat(s.releasedHere(all.get(9))).isFalse();
  }

  @Test
  void rememberedReleasesAreHeldUnboxedAndEqualAnyListOfTheSameLongs() {
    ServerState s = ServerState.empty("s", "c", 8, 8_192).with(vm("a", 1, 1)).with(vm("b", 1, 1))
        .releasing("a", NOW).releasing("b", NOW);
    assertThat(s.released()).isInstanceOf(LongList.class).hasSize(2);
    ServerState boxed = new ServerState(s.serverId(), s.clusterId(), s.capacityCores(),
        s.capacityMemoryMb(), s.usedCores(), s.usedMemoryMb(), s.health(), s.revision(), s.vms(),
        s.evicted(), s.topology(), new ArrayList<>(s.released()), s.preempted());
    assertThat(boxed.released()).isInstanceOf(LongList.class);
    assertThat(boxed).isEqualTo(s).hasSameHashCodeAs(s);
    assertThat(s.released()).isEqualTo(List.of(s.released().get(0), s.released().get(1)));
    List<Long> withNull = new ArrayList<>(s.released());
    withNull.add(null);
    assertThatThrownBy(() -> new ServerState(s.serverId(), s.clusterId(), s.capacityCores(),
        s.capacityMemoryMb(), s.usedCores(), s.usedMemoryMb(), s.health(), s.revision(), s.vms(),
        s.evicted(), s.topology(), withNull, s.preempted())).hasMessageContaining("null element");
  }

  @Test
  void aReleaseOlderThanTheKeptMinutesIsForgottenAtTheNextRelease() {
    ServerState s = ServerState.empty("s", "c", 8, 8_192).with(vm("old", 1, 1))
        .with(vm("recent", 1, 1)).with(vm("now", 1, 1));

    s = s.releasing("old", NOW - (ServerState.RELEASED_KEPT_MINUTES + 1) * MINUTE)
        .releasing("recent", NOW - ServerState.RELEASED_KEPT_MINUTES * MINUTE)
        .releasing("now", NOW);

    assertThat(s.releasedHere(vm("old", 1, 1))).isFalse();
    assertThat(s.releasedHere(vm("recent", 1, 1))).isTrue();
    assertThat(s.releasedHere(vm("now", 1, 1))).isTrue();
    List<Integer> minutes = new ArrayList<>();
    s.forEachRelease((key, minute) -> minutes.add(minute));
    assertThat(minutes).containsExactly((int) ((NOW / MINUTE - 30) & 0xFFFF),
        (int) ((NOW / MINUTE) & 0xFFFF));
  }

  @Test
  void aReleaseKeyBelongsToOnePlacementNotToTheVmId() {
    HostedVm first = new HostedVm("vm-1", "t", 1, 1, "r-1", "REGULAR", 0);
    HostedVm again = new HostedVm("vm-1", "t", 1, 1, "r-2", "REGULAR", 0);
    ServerState s = ServerState.empty("s", "c", 8, 8).with(first).releasing("vm-1", NOW, true);

    assertThat(s.releasedHere(first)).isTrue();
    assertThat(s.releasedHere(again)).as("a later placement of the same VM id").isFalse();
    assertThat(ServerState.releaseKey(first) & 0xFFFF).as("the low bits hold the minute")
        .isZero();
    assertThat(ServerState.clientReleaseKey(first)).isNotEqualTo(ServerState.releaseKey(first));
    assertThat(ServerState.clientReleaseEntry("vm-1", "r-1", NOW))
        .isEqualTo(ServerState.clientReleaseKey(first) | ((NOW / MINUTE) & 0xFFFF));
    assertThat(ServerState.clientReleaseKey("vm-1", "r-1"))
        .as("the id split between the parts changes the key")
        .isNotEqualTo(ServerState.clientReleaseKey("vm-1r", "-1"));
  }

  @Test
  void aPreemptionMovesItsVictimsToPendingAndRemembersThemAsClientReleases() {
    HostedVm low1 = new HostedVm("low-1", "t", 2, 2_048, "r-l1", "LOW", 0);
    HostedVm low2 = new HostedVm("low-2", "t", 2, 2_048, "r-l2", "LOW", 0);
    HostedVm keeps = vm("keeps", 1, 1_024);
    HostedVm by = vm("big", 4, 4_096);
    ServerState s = ServerState.empty("s", "c", 5, 5_120).with(low1).with(keeps).with(low2);

    ServerState after = s.preempting(List.of("low-1", "low-2"), by, NOW);

    assertThat(after.vms()).containsExactly(keeps);
    assertThat(after.usedCores()).isEqualTo(1);
    assertThat(after.fits(by.cores(), by.memoryMb())).isTrue();
    assertThat(after.preempted()).extracting(Eviction::vmId).containsExactly("low-1", "low-2");
    assertThat(after.preempted()).allSatisfy(e -> {
      assertThat(e.reason()).isEqualTo(Eviction.PREEMPTED);
      assertThat(e.byRequestId()).isEqualTo("r-big");
      assertThat(e.serverId()).isEqualTo("s");
    });
    List<Long> keys = new ArrayList<>();
    after.forEachRelease((key, minute) -> keys.add(key));
    assertThat(keys).containsExactly(ServerState.clientReleaseKey(low1),
        ServerState.clientReleaseKey(low2));
    assertThat(after.revision()).isEqualTo(s.revision() + 1);
    assertThatThrownBy(() -> s.preempting(List.of("ghost"), by, NOW))
        .isInstanceOf(NullPointerException.class).hasMessage("ghost is not on s");

    ServerState logged = after.withoutPreempted(Set.of(after.preempted().get(0).key()));
    assertThat(logged.preempted()).extracting(Eviction::vmId).containsExactly("low-2");
    assertThat(logged.revision()).isEqualTo(after.revision() + 1);
  }

  @Test
  void anEvictionKeyTellsPlacementsOfOneVmIdApart() {
    HostedVm v = vm("vm-1", 1, 1);
    Eviction e = Eviction.merged(v, "s-1", NOW);

    assertThat(e.key()).isEqualTo("vm-1@s-1#r-vm-1");
    assertThat(e.reason()).isEqualTo(Eviction.OVER_CAPACITY_AFTER_MERGE);
    assertThat(e.byVmId()).isEmpty();
    assertThat(Eviction.merged(new HostedVm("vm-1", "t", 1, 1, "r-9", "LOW", 0), "s-1", NOW).key())
        .isNotEqualTo(e.key());
  }

  @Test
  void withVmsRecomputesWhatIsUsedAndKeepsTheGivenRevision() {
    ServerState s = ServerState.empty("s", "c", 8, 8_192).with(vm("a", 4, 4_096));

    ServerState replaced = s.withVms(List.of(vm("b", 1, 10), vm("c", 2, 20)),
        List.of(vm("a", 4, 4_096)), 99);

    assertThat(replaced.usedCores()).isEqualTo(3);
    assertThat(replaced.usedMemoryMb()).isEqualTo(30);
    assertThat(replaced.evicted()).extracting(HostedVm::vmId).containsExactly("a");
    assertThat(replaced.revision()).isEqualTo(99);
    assertThatThrownBy(() -> s.withVms(List.of(vm("x", 9, 1)), List.of(), 5))
        .hasMessageStartingWith("used: exceeds capacity");
  }

  @Test
  void randomChangesNeverBreakTheCountsOrTheRevisionOrder() {
    long seed = Long.getLong("vmgrid.seed", System.nanoTime());
    System.out.println("ServerStateTest seed " + seed + " (replay with -Dvmgrid.seed=" + seed + ")");
    Random random = new Random(seed);
    ServerState s = ServerState.empty("s", "c", 64, 262_144);
    Map<String, HostedVm> expected = new HashMap<>();
    long now = NOW;
    for (int step = 0; step < 2_000; step++) {
      long revision = s.revision();
      now += random.nextInt(3) * MINUTE;
      int action = random.nextInt(4);
      if (action < 2) {
        HostedVm v = new HostedVm("vm-" + step, "t", 1 + random.nextInt(16),
            1 + random.nextInt(65_536), "r-" + step, random.nextBoolean() ? "LOW" : "REGULAR",
            now);
        if (s.fits(v.cores(), v.memoryMb())) {
          s = s.with(v);
          expected.put(v.vmId(), v);
        } else {
          HostedVm over = v;
          ServerState full = s;
          assertThatThrownBy(() -> full.with(over)).as("seed %d step %d", seed, step)
              .hasMessageStartingWith("used: exceeds capacity");
          continue;
        }
      } else if (!expected.isEmpty()) {
        List<String> ids = new ArrayList<>(expected.keySet());
        ids.sort(null);
        String id = ids.get(random.nextInt(ids.size()));
        HostedVm gone = expected.remove(id);
        s = action == 2 ? s.releasing(id, now, random.nextBoolean()) : s.without(id);
        if (action == 2) {
          assertThat(s.releasedHere(gone)).as("seed %d step %d", seed, step).isTrue();
        }
      } else {
        continue;
      }
      assertThat(s.revision()).as("seed %d step %d", seed, step).isEqualTo(revision + 1);
      assertThat(s.usedCores()).as("seed %d step %d", seed, step)
          .isEqualTo(expected.values().stream().mapToLong(HostedVm::cores).sum())
          .isLessThanOrEqualTo(s.capacityCores());
      assertThat(s.usedMemoryMb()).as("seed %d step %d", seed, step)
          .isEqualTo(expected.values().stream().mapToLong(HostedVm::memoryMb).sum());
      assertThat(s.vms()).as("seed %d step %d", seed, step)
          .containsExactlyInAnyOrderElementsOf(expected.values());
      assertThat(s.released()).as("seed %d step %d", seed, step)
          .hasSizeLessThanOrEqualTo(ServerState.RELEASED_KEPT);
    }
  }
}
