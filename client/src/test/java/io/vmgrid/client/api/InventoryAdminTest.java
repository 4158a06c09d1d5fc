package io.vmgrid.client.api;

import static io.vmgrid.client.fixtures.Futures.cause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import io.vmgrid.client.fixtures.TestMembers;
import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.InventoryProcessors;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.client.wire.ServerWrites;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's side of {@link AllocationClient} against a real member that runs no agents:
 * loading an inventory adds only what is missing and lists what differs, servers are added,
 * drained and removed with their entry processors, and the reads skip entries that are not
 * vmgrid's instead of failing on them.
 */
class InventoryAdminTest {
  private static HazelcastInstance member;
  private AllocationClient client;

  @BeforeAll
  static void startMember() {
    member = TestMembers.start(TestMembers.uniqueCluster("inventory"));
  }

  @AfterAll
  static void stopMember() {
    TestMembers.shutdown(member);
  }

  @BeforeEach
  void connect() {
    client = AllocationClient.using(member, Duration.ofSeconds(10));
  }

  @AfterEach
  void clear() {
    client.close();
    for (String map : List.of(MapNames.SERVERS, MapNames.PLACEMENTS, MapNames.EVICTIONS)) {
      member.getMap(map).clear();
    }
  }

  private static IMap<String, ServerState> servers() {
    return member.getMap(MapNames.SERVERS);
  }

  private static IMap<Object, Object> raw(String map) {
    return member.getMap(map);
  }

  private static HostedVm vm(String id, String tenant, long cores) {
    return new HostedVm(id, tenant, cores, cores * 1_024, "r-" + id, "REGULAR", 0);
  }

  @Test
  void loadingTwiceAddsOnlyWhatIsMissingAndListsWhatDiffers() {
    List<ServerSpec> first = List.of(new ServerSpec("s1", "c1", 64, 262_144),
        new ServerSpec("s2", "c1", 32, 131_072));
    assertThat(client.loadInventoryReport(first).join())
        .isEqualTo(new InventoryLoad(2, 0, List.of()));
    servers().put("s1", servers().get("s1").with(vm("vm-1", "t", 4)));

    InventoryLoad again = client.loadInventoryReport(List.of(
        new ServerSpec("s1", "c1", 64, 262_144),
        ServerSpec.of("s2", "c1", 32, 131_072, "rack-9", 1, 2, "m32"),
        new ServerSpec("s3", "c2", 8, 8_192))).join();

    assertThat(again.added()).isEqualTo(1);
    assertThat(again.unchanged()).as("s1 hosts a VM now but is what the file says").isEqualTo(1);
    assertThat(again.differing()).containsExactly("s2: present as c1, 32 cores, 131072 MiB, r0"
        + " fd 0 ud 0; the file says c1, 32 cores, 131072 MiB, rack-9 fd 1 ud 2 type m32");
    assertThat(servers().get("s1").vms()).as("a present server keeps its VMs").hasSize(1);
    assertThat(servers().get("s2").topology()).isEqualTo(ServerState.Topology.UNSPECIFIED);
    assertThat(servers().get("s3")).isEqualTo(new ServerSpec("s3", "c2", 8, 8_192)
        .initialState());
    assertThat(client.loadInventory(List.of(new ServerSpec("s4", "c2", 8, 8_192))).join())
        .isEqualTo(1);
  }

  @Test
  void aLoadLargerThanOneBatchIsWrittenWhole() {
    List<ServerSpec> specs = new ArrayList<>();
    for (int i = 0; i < 2_345; i++) {
      specs.add(new ServerSpec(String.format("s%05d", i), "c" + (i % 3), 16 + i % 5, 65_536));
    }

    assertThat(client.loadInventoryReport(specs).join().added()).isEqualTo(2_345);
    assertThat(servers().size()).isEqualTo(2_345);
    assertThat(client.loadInventoryReport(specs).join())
        .isEqualTo(new InventoryLoad(0, 2_345, List.of()));
  }

  @Test
  void aServerIdTwiceInOneLoadIsRefusedBeforeAnythingIsWritten() {
    List<ServerSpec> specs = List.of(new ServerSpec("s1", "c1", 1, 1),
        new ServerSpec("s2", "c1", 1, 1), new ServerSpec("s1", "c2", 2, 2));

    assertThatThrownBy(() -> client.loadInventoryReport(specs))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("serverId: 's1' appears twice in the inventory");
    assertThat(servers().isEmpty()).isTrue();
  }

  @Test
  void aForeignEntryUnderAServerIdIsLeftAsItIsAndSkippedByTheReads() {
    raw(MapNames.SERVERS).put("s1", "not a server");
    raw(MapNames.SERVERS).put("s2", ServerState.empty("s9", "c1", 8, 8));

    InventoryLoad load = client.loadInventoryReport(List.of(new ServerSpec("s1", "c1", 8, 8)))
        .join();

    assertThat(load.added()).isZero();
    assertThat(load.differing()).containsExactly("s1: present, but its entry is not a vmgrid"
        + " server (java.lang.String); left as it is");
    assertThat(raw(MapNames.SERVERS).get("s1")).isEqualTo("not a server");
    assertThat(client.server("s1").join()).isEmpty();
    assertThat(client.server("s2").join()).as("a server's state under another id").isEmpty();
    assertThat(client.inventory().join().servers()).isZero();
  }

  @Test
  void theSummaryCountsServersVmsHealthAndPackingDensity() {
    servers().put("s1", ServerState.empty("s1", "c1", 16, 65_536).with(vm("a", "t", 4))
        .with(vm("b", "t", 4)));
    servers().put("s2", ServerState.empty("s2", "c1", 32, 131_072).with(vm("c", "t", 8)));
    servers().put("s3", ServerState.empty("s3", "c2", 64, 32_768)
        .withHealth(ServerHealth.MAINTENANCE));

    InventorySummary s = client.inventory().join();

    assertThat(s.servers()).isEqualTo(3);
    assertThat(s.byHealth()).isEqualTo(Map.of("HEALTHY", 2, "MAINTENANCE", 1));
    assertThat(s.totalCores()).isEqualTo(112);
    assertThat(s.usedCores()).isEqualTo(16);
    assertThat(s.vms()).isEqualTo(3);
    assertThat(s.emptyServers()).isEqualTo(1);
    assertThat(s.nonEmptyCores()).isEqualTo(48);
    assertThat(s.packingDensityPercent()).isCloseTo(100.0 * 16 / 48, org.assertj.core.data
        .Offset.offset(1e-9));
    assertThat(s.largestCores()).isEqualTo(64);
    assertThat(s.largestMemoryMb()).isEqualTo(131_072);
    assertThat(new InventorySummary(0, Map.of(), 0, 0, 0, 0, 0, 0, 0).packingDensityPercent())
        .isZero();
  }

  @Test
  void aServerIsShownWithItsPlaceAndItsVmsById() {
    servers().put("s1", ServerState.empty("s1", "c1", 16, 65_536,
            new ServerState.Topology("rack-3", 2, 4, "")).with(vm("vm-b", "t2", 2))
        .with(vm("vm-a", "t1", 1)));

    ServerInfo info = client.server("s1").join().orElseThrow();

    assertThat(info.machineType()).isEqualTo("c16-m65536");
    assertThat(info.rack()).isEqualTo("rack-3");
    assertThat(info.faultDomain()).isEqualTo(2);
    assertThat(info.updateDomain()).isEqualTo(4);
    assertThat(info.freeCores()).isEqualTo(13);
    assertThat(info.freeMemoryMb()).isEqualTo(65_536 - 3 * 1_024);
    assertThat(info.revision()).isEqualTo(2);
    assertThat(info.vms()).extracting(VmStatus::vmId).containsExactly("vm-a", "vm-b");
    assertThat(info.vms().get(1)).isEqualTo(new VmStatus("vm-b", "s1", "t2", 2, 2_048, "r-vm-b"));
    assertThat(client.server("s9").join()).isEmpty();
    assertThatThrownBy(() -> client.server("s 1")).isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("serverId:");
  }

  @Test
  void addingAServerTwiceIsRefusedAndTheFirstKeepsItsVms() {
    ServerSpec spec = ServerSpec.of("s1", "c1", 8, 8_192, "r1", 0, 1, "");
    client.addServer(spec).join();
    servers().put("s1", servers().get("s1").with(vm("vm-1", "t", 1)));

    Throwable again = cause(client.addServer(new ServerSpec("s1", "c1", 99, 99)));

    assertThat(again).isInstanceOf(InvalidRequestException.class)
        .hasMessage("serverId: 's1' is already in the inventory");
    assertThat(servers().get("s1").capacityCores()).isEqualTo(8);
    assertThat(servers().get("s1").vms()).hasSize(1);
    assertThat(servers().executeOnKey("s1",
        new InventoryProcessors.AddServer(ServerState.empty("s1", "c", 1, 1)))).isEqualTo("EXISTS");
  }

  @Test
  void settingHealthAnswersThePreviousOneAndLeavesAnUnchangedServerAlone() {
    client.addServer(new ServerSpec("s1", "c1", 8, 8_192)).join();

    assertThat(client.setHealth("s1", ServerHealth.MAINTENANCE).join())
        .isEqualTo(ServerHealth.HEALTHY);
    long revision = servers().get("s1").revision();
    assertThat(client.setHealth("s1", ServerHealth.MAINTENANCE).join())
        .isEqualTo(ServerHealth.MAINTENANCE);
    assertThat(servers().get("s1").revision()).as("nothing changed: nothing written")
        .isEqualTo(revision);
    assertThat(client.setHealth("s1", ServerHealth.HEALTHY).join())
        .isEqualTo(ServerHealth.MAINTENANCE);
    assertThat(servers().get("s1").acceptsPlacements()).isTrue();
    assertThat(cause(client.setHealth("s9", ServerHealth.UNHEALTHY)))
        .isInstanceOf(UnknownServerException.class)
        .hasMessage("no server 's9' in the inventory");
    assertThat(servers().containsKey("s9")).as("no entry is created").isFalse();
  }

  @Test
  void aServerIsRemovedOnlyOnceItHostsNoVm() {
    servers().put("s1", ServerState.empty("s1", "c1", 8, 8_192).with(vm("a", "t", 1))
        .with(vm("b", "t", 1)));

    Throwable hosting = cause(client.removeServer("s1"));

    assertThat(hosting).isInstanceOfSatisfying(GridOperationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.SERVER_NOT_EMPTY));
    assertThat(((GridOperationException) hosting).detail())
        .isEqualTo("serverId: 's1' hosts 2 VMs; drain it and release them first");
    assertThat(servers().containsKey("s1")).isTrue();
    servers().put("s1", servers().get("s1").without("a").without("b"));
    client.removeServer("s1").join();
    assertThat(servers().containsKey("s1")).isFalse();
    assertThat(cause(client.removeServer("s1"))).isInstanceOf(UnknownServerException.class);
    assertThatThrownBy(() -> client.removeServer("")).isInstanceOf(InvalidRequestException.class)
        .hasMessage("serverId: is required");
  }

  @Test
  void aVmsStatusComesFromItsPlacementRecord() {
    raw(MapNames.PLACEMENTS).put("vm-1", new Placement("vm-1", "r-1", "s1", "t", 2, 2_048));
    raw(MapNames.PLACEMENTS).put("vm-2", "{\"vmId\":\"vm-2\"}");

    assertThat(client.status("vm-1").join())
        .contains(new VmStatus("vm-1", "s1", "t", 2, 2_048, "r-1"));
    assertThat(client.status("vm-2").join()).as("a foreign entry is no placement").isEmpty();
    assertThat(client.status("vm-3").join()).isEmpty();
    assertThatThrownBy(() -> client.status("vm 1")).isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("vmId:");
  }

  @Test
  void vmsAndPlacedByMatchOnlyVmgridsOwnRecords() {
    raw(MapNames.PLACEMENTS).put("run1-vm-2", new Placement("run1-vm-2", "run1-r2", "s2", "t1",
        1, 1));
    raw(MapNames.PLACEMENTS).put("run1-vm-1", new Placement("run1-vm-1", "run1-r1", "s1", "t1",
        1, 1));
    raw(MapNames.PLACEMENTS).put("other", new Placement("other", "x-r1", "s1", "t2", 1, 1));
    raw(MapNames.PLACEMENTS).put("wrong-key", new Placement("not-this-key", "run1-r9", "s1",
        "t1", 1, 1));
    raw(MapNames.PLACEMENTS).put("text", "run1-vm-7");

    assertThat(client.vms(VmFilter.any()).join()).extracting(VmStatus::vmId)
        .containsExactly("other", "run1-vm-1", "run1-vm-2");
    assertThat(client.vms(VmFilter.any().tenant("t1")).join()).extracting(VmStatus::vmId)
        .containsExactly("run1-vm-1", "run1-vm-2");
    assertThat(client.vms(VmFilter.any().server("s1").vmIdPrefix("run1-")).join())
        .extracting(VmStatus::vmId).containsExactly("run1-vm-1");
    assertThat(client.vms(VmFilter.any().requestIdPrefix("x-")).join())
        .extracting(VmStatus::vmId).containsExactly("other");
    assertThat(client.placedBy(List.of("run1-r2", "x-r1", "nobody")).join())
        .containsOnlyKeys("run1-r2", "x-r1");
    assertThat(client.placedBy(List.of()).join()).isEmpty();
    assertThatThrownBy(() -> client.placedBy(List.of("ok", "not ok")))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("requestId:");
    assertThatThrownBy(() -> VmFilter.any().tenant("a b"))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("tenantId:");
  }

  @Test
  void theEvictionLogIsReadOldestFirstPerTenantAndNewEvictionsAreHeard() throws Exception {
    HostedVm by = vm("big", "t0", 8);
    Eviction late = Eviction.preempted(vm("vm-b", "t1", 1), "s1", by, 2_000);
    Eviction early = Eviction.merged(vm("vm-c", "t2", 1), "s2", 1_000);
    Eviction sameTime = Eviction.preempted(vm("vm-a", "t1", 1), "s1", by, 2_000);
    for (Eviction e : List.of(late, early, sameTime)) {
      raw(MapNames.EVICTIONS).put(e.key(), e);
    }
    raw(MapNames.EVICTIONS).put("junk", 42);

    assertThat(client.evictions("")).extracting(EvictedVm::vmId)
        .containsExactly("vm-c", "vm-a", "vm-b");
    assertThat(client.evictions("t1")).extracting(EvictedVm::vmId)
        .containsExactly("vm-a", "vm-b");
    EvictedVm a = client.evictions("t1").get(0);
    assertThat(a.at()).isEqualTo(Instant.ofEpochMilli(2_000));
    assertThat(a.byVmId()).isEqualTo("big");
    assertThat(a.reason()).isEqualTo(Eviction.PREEMPTED);
    assertThatThrownBy(() -> client.evictions("t 1")).isInstanceOf(InvalidRequestException.class);

    CompletableFuture<EvictedVm> heard = new CompletableFuture<>();
    UUID id = client.addEvictionListener(heard::complete);
    try {
      Eviction next = Eviction.merged(vm("vm-d", "t3", 2), "s3", 3_000);
      raw(MapNames.EVICTIONS).put(next.key(), next);
      assertThat(heard.get(30, TimeUnit.SECONDS).vmId()).isEqualTo("vm-d");
    } finally {
      assertThat(client.removeEvictionListener(id)).isTrue();
    }
  }

  @Test
  void theMembersAreListedWithTheOldestFirst() {
    List<MemberInfo> members = client.members();

    assertThat(members).singleElement().satisfies(m -> {
      assertThat(m.address()).isEqualTo(TestMembers.address(member));
      assertThat(m.uuid()).isEqualTo(member.getCluster().getLocalMember().getUuid().toString());
    });
  }

  @Test
  void aConfirmedWriteOfServersPutsThemAllAndAnEmptyOneWritesNothing() {
    List<String> warnings = new ArrayList<>();
    Map<String, ServerState> batch = Map.of("s1", ServerState.empty("s1", "c", 1, 1),
        "s2", ServerState.empty("s2", "c", 2, 2));

    ServerWrites.putAllConfirmed(servers(), Map.of(), warnings::add);
    ServerWrites.putAllConfirmed(servers(), batch, warnings::add);

    assertThat(servers().getAll(batch.keySet())).isEqualTo(batch);
    assertThat(warnings).as("a confirmed write needs no second round").isEmpty();
  }

  @Test
  void onlyAnIndeterminateOutcomeAnywhereInTheCausesIsInDoubt() {
    IndeterminateOperationStateException indeterminate =
        new IndeterminateOperationStateException("backup did not ack");

    assertThat(ServerWrites.indeterminate(indeterminate)).isTrue();
    assertThat(ServerWrites.indeterminate(new CompletionException(
        new IllegalStateException("wrapped", indeterminate)))).isTrue();
    assertThat(ServerWrites.indeterminate(new IllegalStateException("refused"))).isFalse();
    assertThat(ServerWrites.indeterminate(new CompletionException(null))).isFalse();
  }

  @Test
  void theClientOwnsNeitherTheMemberItWasGivenNorItsMaps() {
    client.addServer(new ServerSpec("s1", "c1", 8, 8_192)).join();

    client.close();

    assertThat(member.getLifecycleService().isRunning()).isTrue();
    assertThat(servers().containsKey("s1")).isTrue();
    try (AllocationClient another = AllocationClient.using(member, Duration.ofSeconds(5))) {
      Optional<ServerInfo> stillReadable = another.server("s1").join();
      assertThat(stillReadable).isPresent();
    }
  }
}
