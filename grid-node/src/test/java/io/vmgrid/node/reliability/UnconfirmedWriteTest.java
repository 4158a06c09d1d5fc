package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.spi.impl.SpiDataSerializerHook;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.test.HazelcastTestSupport;
import com.hazelcast.test.PacketFiltersUtil;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.GridOperationException;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.TestGrid;
import io.vmgrid.node.recovery.Reconciler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A write that only the primary applied is not acknowledged. The server's primary sends its
 * synchronous backups nowhere (as when a split cuts it off from the members that hold them): an
 * allocation, and a release, on that server are answered {@code IN_DOUBT}. Hazelcast's default
 * completes such a write with the primary's answer once the backup timeout passes; a nemesis run
 * saw acknowledged placements that only the minority's copy held.
 */
class UnconfirmedWriteTest {
  private TestGrid grid;

  @AfterEach
  void tearDown() {
    grid.close();
  }

  @Test
  void aWriteWhoseBackupsNeverConfirmIsInDoubtNotAcknowledged() throws Exception {
    Config config = GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig());
    config.setProperty(ClusterProperty.OPERATION_BACKUP_TIMEOUT_MILLIS.getName(), "2000");
    grid = TestGrid.start(3, 2, config).load(Fixtures.servers(1, 8, 65_536));
    HazelcastInstance primary = grid.nodes().stream().map(GridNode::hazelcast)
        .filter(hz -> hz.getPartitionService().getPartition("srv-000").getOwner()
            .localMember()).findFirst().orElseThrow();

    PacketFiltersUtil.dropOperationsFrom(primary, SpiDataSerializerHook.F_ID,
        List.of(SpiDataSerializerHook.BACKUP));
    GridResult unconfirmed = allocate(primary, "vm-a");
    PacketFiltersUtil.resetPacketFiltersFrom(primary);

    assertThat(unconfirmed.status()).as(unconfirmed.message()).isEqualTo(GridResult.Status.FAILED);
    assertThat(unconfirmed.reason()).isEqualTo(Reason.IN_DOUBT);
    // in doubt either way, but never half done once repaired: on its server with its record (the
    // reconciler restores the record of a commit that stayed; a periodic pass acts on a second
    // sighting), or nowhere
    HazelcastTestSupport.assertTrueEventually(() -> {
      grid.node(0).reconciler().sweep(Reconciler.Mode.STABLE);
      var hostOf = Fixtures.assertInvariants(primary);
      assertThat(hostOf.isEmpty() || hostOf.keySet().equals(java.util.Set.of("vm-a")))
          .as("%s", hostOf).isTrue();
    }, 60);

    GridResult placed = allocate(primary, "vm-b");
    assertThat(placed.status()).as(placed.message()).isEqualTo(GridResult.Status.PLACED);
    PacketFiltersUtil.dropOperationsFrom(primary, SpiDataSerializerHook.F_ID,
        List.of(SpiDataSerializerHook.BACKUP));
    GridResult release = Fixtures.send(primary, primary.getCluster().getLocalMember(),
        new GridRequest(GridRequest.Op.RELEASE, "rel-b", "vm-b", "", 0, 0, "")).get(0);
    PacketFiltersUtil.resetPacketFiltersFrom(primary);

    assertThat(release.status()).as(release.message()).isEqualTo(GridResult.Status.FAILED);
    assertThat(release.reason()).isEqualTo(Reason.IN_DOUBT);
    assertThat(primary.getMap(MapNames.SERVERS).size()).isEqualTo(1);
  }

  /**
   * An inventory load whose first write the members could not confirm (every backup dropped for
   * half a second) writes the servers again one by one and completes: before, the load failed with
   * Hazelcast's exception and a nemesis run on a busy machine stopped at its start.
   */
  @Test
  void anInventoryLoadWhoseBackupsAreLateIsWrittenAgainAndCompletes() throws Exception {
    Config config = GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig());
    config.setProperty(ClusterProperty.OPERATION_BACKUP_TIMEOUT_MILLIS.getName(), "1000");
    grid = TestGrid.start(3, 3, config);
    HazelcastInstance single = grid.singleMemberClientInstance();
    AllocationClient loader = AllocationClient.using(single, Duration.ofSeconds(60));
    List<ServerSpec> specs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      specs.add(new ServerSpec(String.format("srv-%03d", i), "c0", 16, 65_536));
    }
    grid.nodes().forEach(n -> PacketFiltersUtil.dropOperationsFrom(n.hazelcast(),
        SpiDataSerializerHook.F_ID, List.of(SpiDataSerializerHook.BACKUP)));
    // what a putAll meets now (a member runs it for the client): the members fail it
    assertThatThrownBy(() -> single.getMap(MapNames.RELEASES).putAll(Map.of("probe", 1L)))
        .isInstanceOf(IndeterminateOperationStateException.class);

    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(
        "io.vmgrid.client.api.InventoryReads");
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        warnings.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(handler);
    try {
      CompletableFuture<Integer> added = loader.loadInventory(specs);
      Thread.sleep(500); // its first write is out, its backups dropped
      grid.nodes().forEach(n -> PacketFiltersUtil.resetPacketFiltersFrom(n.hazelcast()));
      assertThat(added.get(60, TimeUnit.SECONDS)).isEqualTo(40);
    } finally {
      log.removeHandler(handler);
    }
    assertThat(warnings).as("the first write was not confirmed and was written again")
        .anyMatch(w -> w.contains("writing them again one by one"));
    assertThat(single.getMap(MapNames.SERVERS).size()).isEqualTo(40);
    assertThat(loader.loadInventory(specs).get(60, TimeUnit.SECONDS)).isZero();
  }

  /**
   * A client's direct writes whose backups do not confirm (add, drain, remove a server), sent on by
   * the member it is bound to, fail with {@code IN_DOUBT} named for the server, not with Hazelcast's
   * exception.
   */
  @Test
  void aClientsUnconfirmedServerWritesAreInDoubt() throws Exception {
    Config config = GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig());
    config.setProperty(ClusterProperty.OPERATION_BACKUP_TIMEOUT_MILLIS.getName(), "1000");
    grid = TestGrid.start(3, 3, config).load(Fixtures.servers(1, 8, 65_536));
    AllocationClient client =
        AllocationClient.using(grid.singleMemberClientInstance(), Duration.ofSeconds(60));
    grid.nodes().forEach(n -> PacketFiltersUtil.dropOperationsFrom(n.hazelcast(),
        SpiDataSerializerHook.F_ID, List.of(SpiDataSerializerHook.BACKUP)));
    try {
      assertInDoubt(client.addServer(new ServerSpec("srv-new", "c0", 16, 65_536)), "srv-new");
      assertInDoubt(client.setHealth("srv-000", ServerHealth.MAINTENANCE), "srv-000");
      assertInDoubt(client.removeServer("srv-000"), "srv-000");
    } finally {
      grid.nodes().forEach(n -> PacketFiltersUtil.resetPacketFiltersFrom(n.hazelcast()));
    }
  }

  private static void assertInDoubt(CompletableFuture<?> write, String serverId) {
    assertThatThrownBy(() -> write.get(60, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(GridOperationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.IN_DOUBT);
          assertThat(e.detail()).contains("'" + serverId + "'")
              .contains("backups did not confirm");
        });
  }

  private static GridResult allocate(HazelcastInstance via, String vmId) throws Exception {
    return Fixtures.send(via, via.getCluster().getLocalMember(), new GridRequest(
        GridRequest.Op.ALLOCATE, "req-" + vmId, vmId, "t", 2, 1_024, "REGULAR")).get(0);
  }
}
