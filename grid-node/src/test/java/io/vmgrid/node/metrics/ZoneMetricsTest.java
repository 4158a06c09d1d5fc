package io.vmgrid.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.TestGrid;
import io.vmgrid.node.inventory.ServerAudit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Metrics a sum over members gets right: the zone's inventory gauges come from the oldest member
 * only (and from the next one once it leaves), per-cluster gauges add up to the inventory, and an
 * agent's series leave with the agent when its partition moves to a new member. Operator actions
 * leave one audit line each.
 */
class ZoneMetricsTest {
  private TestGrid grid;

  @AfterEach
  void tearDown() {
    if (grid != null) {
      grid.close();
    }
  }

  private static List<PrometheusText.Sample> scrape(GridNode node) {
    return PrometheusText.parse(node.metrics().scrape());
  }

  private static double sumOverMembers(List<GridNode> nodes, String name, Map<String, String> tags) {
    return nodes.stream().mapToDouble(n -> PrometheusText.sum(scrape(n), name, tags)).sum();
  }

  @Test
  void zoneGaugesOnceAgentSeriesMoveAndOperatorActionsAreAudited() throws Exception {
    List<String> audit = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        synchronized (audit) {
          audit.add(r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger auditLogger = Logger.getLogger(ServerAudit.LOGGER);
    auditLogger.addHandler(capture);
    try {
      grid = TestGrid.start(2, 3, 4, Fixtures.agentClusterConfig());
      AllocationClient client = grid.client();
      List<ServerSpec> inventory = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        inventory.add(new ServerSpec("s-" + i, i < 8 ? "c0" : "c1", 16, 65_536));
      }
      assertThat(client.loadInventory(inventory).join()).isEqualTo(12);
      int placed = 0;
      for (int i = 0; i < 40; i++) {
        if (client.allocateAndWait(VmRequest.builder().vmId("v-" + i).tenantId("t").cores(2)
            .memoryMb(1_024).build()) instanceof AllocationOutcome.Placed) {
          placed++;
        }
      }
      assertThat(placed).isPositive();
      int vms = placed;
      List<GridNode> two = grid.nodes();
      HazelcastTestSupport.assertTrueEventually(() -> {
        assertThat(sumOverMembers(two, "vmgrid_inventory_vms", Map.of())).isEqualTo(vms);
        assertThat(sumOverMembers(two, "vmgrid_inventory_cores", Map.of("state", "total")))
            .isEqualTo(12 * 16);
        assertThat(sumOverMembers(two, "vmgrid_inventory_cluster_cores",
            Map.of("cluster", "c0", "state", "total"))).isEqualTo(8 * 16);
        assertThat(sumOverMembers(two, "vmgrid_inventory_cluster_cores",
            Map.of("state", "allocated"))).isEqualTo(2 * vms);
        for (GridNode n : two) { // what its own mirror holds, every member exports
          assertThat(PrometheusText.sum(scrape(n), "vmgrid_mirror_servers", Map.of()))
              .isEqualTo(12);
        }
      }, 30);
      assertThat(scrape(grid.node(1))).as("a younger member exports no zone gauges")
          .noneMatch(s -> s.name().startsWith("vmgrid_inventory_"));
      // the default rule set limits regular VMs to a share of each cluster's cores
      List<PrometheusText.Sample> oldest = scrape(grid.node(0));
      double c1Cores = PrometheusText.sum(oldest, "vmgrid_inventory_cluster_cores",
          Map.of("cluster", "c1", "state", "total"));
      double c1Used = PrometheusText.sum(oldest, "vmgrid_inventory_cluster_cores",
          Map.of("cluster", "c1", "state", "allocated"));
      double headroom = PrometheusText.sum(oldest, "vmgrid_inventory_cluster_headroom_cores",
          Map.of("cluster", "c1"));
      assertThat(headroom).isLessThan(c1Cores - c1Used + 1e-9).isGreaterThanOrEqualTo(0);

      // agents move to a third member: each agent's series on exactly one member
      grid.addMember(Fixtures.agentClusterConfig(), 4);
      List<GridNode> three = grid.nodes();
      HazelcastTestSupport.assertTrueEventually(() -> {
        Map<String, Integer> exporters = new HashMap<>();
        for (GridNode n : three) {
          Set<String> agents = new HashSet<>();
          for (PrometheusText.Sample s : scrape(n)) {
            if (s.labels().containsKey("agent") && (s.name().startsWith("vmgrid_agent_")
                || s.name().startsWith("vmgrid_cache_lookups"))) {
              agents.add(s.labels().get("agent"));
            }
          }
          agents.forEach(a -> exporters.merge(a, 1, Integer::sum));
        }
        assertThat(exporters).as("agents exported").hasSize(12);
        assertThat(exporters.values()).as("agents exported by two members: %s", exporters)
            .allMatch(c -> c == 1);
        assertThat(scrape(three.get(2))).as("the new member took agents")
            .anyMatch(s -> s.name().equals("vmgrid_agent_queue_length"));
      }, 60);

      // operator actions: a drain, a server added
      client.setHealth("s-3", ServerHealth.MAINTENANCE).join();
      client.loadInventory(List.of(new ServerSpec("s-new", "c1", 16, 65_536))).join();
      HazelcastTestSupport.assertTrueEventually(() -> {
        synchronized (audit) {
          assertThat(audit).as("audit lines").contains(
              "audit: server s-3 health HEALTHY -> MAINTENANCE (" + vmsOn(grid, "s-3") + " VMs on it)")
              .contains("audit: 1 servers added (s-new)");
          assertThat(audit).filteredOn(l -> l.startsWith("audit: server s-3 health")).hasSize(1);
          // the load of 12 and the one added: batched per second, one line per batch
          assertThat(audit.stream().filter(l -> l.matches("audit: \\d+ servers added .*"))
              .mapToInt(l -> Integer.parseInt(l.substring(7, l.indexOf(' ', 7)))).sum())
              .isEqualTo(13);
        }
      }, 10);

      // the oldest leaves: the next one exports the zone gauges
      grid.node(0).close();
      List<GridNode> left = List.of(grid.node(1), grid.node(2));
      HazelcastTestSupport.assertTrueEventually(() -> assertThat(
          sumOverMembers(left, "vmgrid_inventory_servers", Map.of())).isEqualTo(13), 30);
    } finally {
      auditLogger.removeHandler(capture);
    }
  }

  private static int vmsOn(TestGrid grid, String serverId) {
    Object s = grid.member(1).getMap(io.vmgrid.client.wire.MapNames.SERVERS).get(serverId);
    return ((io.vmgrid.client.wire.ServerState) s).vms().size();
  }
}
