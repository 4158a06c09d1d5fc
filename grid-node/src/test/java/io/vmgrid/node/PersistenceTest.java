package io.vmgrid.node;

import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static io.vmgrid.node.Fixtures.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.Reason;
import io.vmgrid.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member whose placement store is kept in its embedded database ({@code vmgrid node --data}):
 * its Hazelcast instance is stopped abruptly (nothing flushed, no graceful leave), a new member
 * starts on the same directory, and every acknowledged placement and release is as it was.
 */
class PersistenceTest {
  @TempDir Path dir;

  private static GridNodeConfig config(String cluster, int port) {
    return GridNodeConfig.builder().clusterName(cluster).port(port).workers(2).build();
  }

  private static AllocationClient client(GridNode node, String cluster) {
    return AllocationClient.connect(new ClientSettings(cluster, List.of(node.clientAddress()),
        Duration.ofSeconds(30)));
  }

  @Test
  void aSingleMemberWithDataKeepsEveryAcknowledgedPlacementAcrossACrash() {
    long seed = Fixtures.seed("persistence");
    Random random = new Random(seed);
    String cluster = "persist-" + UUID.randomUUID();
    StoreSettings store = StoreSettings.embedded(dir);
    Map<String, String> placed = new HashMap<>();
    GridNode first = GridNode.prepare(config(cluster, 5841).toBuilder().store(store).build())
        .join();
    try (AllocationClient c = client(first, cluster)) {
      first.loadInventory(servers(6, 16, 65_536));
      for (int i = 0; i < 40; i++) {
        AllocationOutcome o = c.allocate(vm("vm-" + i, 1 + random.nextInt(3), 4_096)).join();
        if (o instanceof AllocationOutcome.Placed p) {
          placed.put(p.vmId(), p.serverId());
        }
      }
      for (int i = 0; i < 8; i++) {
        String gone = "vm-" + (i * 5);
        if (placed.remove(gone) != null) {
          c.release(gone).join();
        }
      }
    } finally {
      first.hazelcast().getLifecycleService().terminate(); // a crash: no flush, no leave
      first.close();
    }
    assertThat(placed).as("acknowledged before the crash").hasSizeGreaterThan(20);

    GridNode second = GridNode.prepare(config(cluster, 5851).toBuilder().store(store).build())
        .join();
    try (AllocationClient c = client(second, cluster)) {
      HazelcastTestSupport.assertTrueEventually(
          () -> assertThat(second.knownServers()).isEqualTo(6));
      assertThat(assertInvariants(second.hazelcast())).as("placements after the restart")
          .isEqualTo(placed);
      String taken = placed.keySet().iterator().next();
      AllocationOutcome again = c.allocate(vm(taken, 1, 1_024)).join();
      assertThat(again).as("a VM id placed before the restart is still taken")
          .isInstanceOfSatisfying(AllocationOutcome.Rejected.class,
              r -> assertThat(r.reason()).isEqualTo(Reason.VM_ID_IN_USE));
      assertThat(c.allocate(vm("vm-0", 1, 1_024)).join()).as("a released VM id is free again")
          .isInstanceOf(AllocationOutcome.Placed.class);
      assertInvariants(second.hazelcast());
    } finally {
      second.close();
    }
  }

  @Test
  void anEmbeddedStoreRefusesASecondMemberAndMembersMustShareOneStore() {
    String cluster = "persist-" + UUID.randomUUID();
    GridNode only = GridNode.prepare(config(cluster, 5861).toBuilder()
        .store(StoreSettings.embedded(dir)).build()).join();
    try {
      GridNodeConfig second = config(cluster, 5871).toBuilder().members(
          List.of("127.0.0.1:" + only.hazelcast().getCluster().getLocalMember().getAddress()
              .getPort())).build();
      assertThatThrownBy(() -> GridNode.prepare(second.toBuilder().store(
          StoreSettings.embedded(dir.resolve("other"))).build()).join())
          .hasMessageContaining("an embedded store (--data)");
      assertThatThrownBy(() -> GridNode.prepare(second).join())
          .hasMessageContaining("an embedded store (--data)");
      HazelcastTestSupport.assertTrueEventually(() -> assertThat(
          only.hazelcast().getCluster().getMembers()).as("the refused members left").hasSize(1));
    } finally {
      only.close();
    }
  }
}
