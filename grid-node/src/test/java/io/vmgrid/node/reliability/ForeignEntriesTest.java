package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.CapacityHeadroom;
import io.vmgrid.client.api.Explanation;
import io.vmgrid.client.api.InventorySummary;
import io.vmgrid.client.api.VmFilter;
import io.vmgrid.client.api.VmStatus;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.TestGrid;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.recovery.Reconciler;
import io.vmgrid.node.routing.IndicatorBoard;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Another application's entries in the grid's maps (plain strings, numbers, JSON, a Compact record
 * of another schema, keys that are not strings) break no member, no client command and no join:
 * every reader skips and counts them, and leaves them in place.
 */
class ForeignEntriesTest {
  private static final int SERVERS = 12;

  @Test
  void foreignEntriesInEveryMapBreakNoMemberCommandOrJoin() {
    try (TestGrid grid = TestGrid.start(2, 3, 2, Fixtures.agentClusterConfig(), "kamino-request")
        .load(Fixtures.servers(SERVERS, 16, 65_536))) {
      AllocationClient client = grid.client();
      Set<String> placed = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        assertThat(client.allocateAndWait(Fixtures.vm("before-" + i, 2, 4_096)))
            .isInstanceOf(AllocationOutcome.Placed.class);
        placed.add("before-" + i);
      }

      int written = writeForeign(grid.plainClient());
      // a vmgrid server state under a key that is not a string: the right value, a foreign key
      grid.clientInstance().getMap(MapNames.SERVERS)
          .set(9, ServerState.empty("srv-under-int", "c0", 16, 65_536));
      written++;
      assertThat(written).as("foreign entries written").isGreaterThanOrEqualTo(7 * 7);

      // the merge repair sweep reads both halves of the store in full: nothing to repair
      assertThat(grid.node(0).reconciler().sweep(Reconciler.Mode.MERGE)).isZero();

      // a new member joins: its view, agents, indicators and board load the maps in full
      GridNode joined = grid.addMember(Fixtures.agentClusterConfig(), 2);
      HazelcastTestSupport.assertTrueEventually(() -> {
        assertThat(joined.knownServers()).isEqualTo(SERVERS);
        assertThat(joined.agents().localAgents()).isNotEmpty();
      });

      for (int i = 0; i < 24; i++) {
        String vm = "after-" + i;
        if (client.allocateAndWait(Fixtures.vm(vm, 2, 4_096)) instanceof AllocationOutcome.Placed) {
          placed.add(vm);
        }
      }
      assertThat(placed).as("placed before and after").hasSizeGreaterThanOrEqualTo(6 + 20);
      for (String vm : List.of("before-0", "before-1", "after-0", "after-1")) {
        assertThat(client.releaseAndWait(vm).vmId()).isEqualTo(vm);
        placed.remove(vm);
      }
      assertThat(client.release("foreign-placements-0").handle((r, e) -> e))
          .as("a release of a foreign entry's id: no VM").succeedsWithin(java.time.Duration.ofSeconds(60))
          .isNotNull();
      assertThat(Fixtures.assertInvariants(grid.member(0)).keySet()).isEqualTo(placed);

      // the client's reads and queries answer, and say only what is vmgrid's
      InventorySummary inventory = client.inventory().join();
      assertThat(inventory.servers()).isEqualTo(SERVERS);
      assertThat(inventory.vms()).isEqualTo(placed.size());
      List<VmStatus> vms = client.vms(VmFilter.any()).join();
      assertThat(vms).extracting(VmStatus::vmId).containsExactlyInAnyOrderElementsOf(placed);
      assertThat(client.placedBy(List.of(vms.get(0).requestId(), "nobody")).join()).hasSize(1);
      assertThat(client.status("foreign-placements-0").join()).isEmpty();
      assertThat(client.server("foreign-servers-0").join()).isEmpty();
      assertThat(client.server("srv-000").join()).isPresent();
      assertThat(client.clusters().join()).isNotEmpty();
      CapacityHeadroom headroom = client.capacity(Fixtures.vm("shape", 2, 4_096)).join();
      assertThat(headroom.total()).isPositive();
      Explanation why = client.explain(Fixtures.vm("shape", 2, 4_096)).join();
      assertThat(why.servers()).isEqualTo(SERVERS);

      // skipped and counted, never deleted
      ForeignEntries onClient = ForeignEntries.of(grid.clientInstance());
      assertThat(onClient.count(MapNames.SERVERS)).isPositive();
      assertThat(onClient.count(MapNames.PLACEMENTS)).isPositive();
      for (String map : List.of(MapNames.SERVERS, MapNames.PLACEMENTS,
          AgentHost.AGENT_INDICATORS, IndicatorBoard.TOPIC, AgentHost.AGENT_CACHE)) {
        long counted = grid.nodes().stream()
            .mapToLong(n -> ForeignEntries.of(n.hazelcast()).count(map)).sum();
        assertThat(counted).as("foreign entries counted in %s", map).isPositive();
      }
      assertThat(ForeignEntries.of(joined.hazelcast()).count(MapNames.SERVERS))
          .as("the new member's view skipped them").isGreaterThanOrEqualTo(7);
      assertThat(joined.metrics().scrape())
          .containsPattern("vmgrid_foreign_entries_total\\{map=\"servers\",?\\} [1-9]");
      assertThat(grid.member(0).getMap(MapNames.SERVERS).size()).isEqualTo(SERVERS + 8);
    }
  }

  /**
   * Writes, through a client that is not vmgrid's, five foreign values under string keys and two
   * under keys that are not strings into each of the grid's maps, and into {@code agent-cache} a
   * string in every partition (where each agent reads its records); returns the entries written.
   */
  private static int writeForeign(HazelcastInstance plain) {
    List<Object> values = List.of("plain text", 42,
        "{\"serverId\":\"srv-000\",\"state\":\"HEALTHY\",\"cores\":4}",
        new HazelcastJsonValue("{\"serverId\":\"srv-000\",\"tenantId\":\"t1\",\"state\":\"HEALTHY\"}"),
        GenericRecordBuilder.compact("acme.Thing").setString("serverId", "srv-000")
            .setInt32("cores", 4).build());
    int written = 0;
    for (String name : GridNode.MAPS) {
      IMap<Object, Object> map = plain.getMap(name);
      for (int i = 0; i < values.size(); i++) {
        map.set("foreign-" + name + "-" + i, values.get(i));
        written++;
      }
      map.set(7, "seven");
      map.set(8L, 8L);
      written += 2;
    }
    // the routers' indicators travel on a topic: foreign messages there are skipped too
    com.hazelcast.topic.ITopic<Object> indicators = plain.getTopic(IndicatorBoard.TOPIC);
    for (Object v : values) {
      indicators.publish(v);
      written++;
    }
    IMap<Object, Object> cache = plain.getMap(AgentHost.AGENT_CACHE);
    int partitions = plain.getPartitionService().getPartitions().size();
    Set<Integer> covered = new HashSet<>();
    List<String> keys = new ArrayList<>();
    for (int n = 0; covered.size() < partitions && n < 100_000; n++) {
      String key = "foreign-record-" + n;
      if (covered.add(plain.getPartitionService().getPartition(key).getPartitionId())) {
        keys.add(key);
      }
    }
    for (String key : keys) {
      cache.set(key, "not a request");
      written++;
    }
    return written;
  }
}
