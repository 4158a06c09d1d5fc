package io.vmgrid.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A real member under a small workload, its endpoints scraped over HTTP. */
class MetricsEndpointTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET()
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readinessFollowsTheLifeCycleAndMetricsCountEveryRequest() throws Exception {
    GridNodeConfig config = GridNodeConfig.builder().clusterName("metrics-" + UUID.randomUUID())
        .port(5881).workers(2).metricsPort(0).scheduler("kamino-request").build();
    GridNode.Starting starting = GridNode.prepare(config);
    int port = starting.endpoints().port();

    assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> notYet = get(port, "/health/ready");
    assertThat(notYet.statusCode()).isEqualTo(503);
    assertThat(notYet.body()).contains("starting");
    assertThat(get(port, "/health/safe").statusCode()).as("not safe before joining").isEqualTo(503);

    GridNode node = starting.join();
    try {
      assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);
      HazelcastTestSupport.assertTrueEventually( // a lone member: nothing to back up
          () -> assertThat(get(port, "/health/safe").statusCode()).isEqualTo(200), 30);
      node.loadInventory(Fixtures.servers(4, 8, 65_536));

      int placed = 0;
      int rejected = 0;
      try (AllocationClient client = AllocationClient.connect(new ClientSettings(config.clusterName(),
          List.of(node.clientAddress()), Duration.ofSeconds(30)))) {
        for (int i = 0; i < 40; i++) {
          AllocationOutcome o = client.allocateAndWait(VmRequest.builder().vmId("m-" + i).tenantId("t")
              .cores(1 + i % 3).memoryMb(1_024).build());
          if (o instanceof AllocationOutcome.Placed) {
            placed++;
          } else {
            rejected++;
          }
        }
        client.releaseAndWait("m-0");
      }
      int allocations = placed + rejected;
      int vmsLeft = placed - 1;
      int placedCount = placed;

      System.gc(); // gauges must not depend on objects only Micrometer's weak references hold
      HazelcastTestSupport.assertTrueEventually(() -> {
        HttpResponse<String> scrape = get(port, "/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
            t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        List<PrometheusText.Sample> s = PrometheusText.parse(scrape.body());

        assertThat(PrometheusText.sum(s, "vmgrid_allocation_latency_seconds_count", Map.of("policy", "kamino-request")))
            .isEqualTo(allocations);
        // each went through the scheduler job: classified and routed once
        assertThat(PrometheusText.sum(s, "vmgrid_stage_latency_seconds_count",
            Map.of("stage", "select"))).isEqualTo(allocations);
        assertThat(PrometheusText.sum(s, "vmgrid_scheduler_indicator_age_seconds_count", Map.of()))
            .isEqualTo(allocations);
        assertThat(PrometheusText.sum(s, "vmgrid_scheduler_estimate_error_seconds_count", Map.of()))
            .isEqualTo(allocations);
        assertThat(PrometheusText.sum(s, "vmgrid_requests_total", Map.of("op", "allocate")))
            .isEqualTo(allocations);
        // every allocation an agent evaluated was one cache lookup: hit, partial hit or miss
        assertThat(PrometheusText.sum(s, "vmgrid_cache_lookups_total", Map.of()))
            .isEqualTo(allocations);
        assertThat(PrometheusText.sum(s, "vmgrid_agent_queue_length", Map.of())).isZero();
        assertThat(PrometheusText.sum(s, "vmgrid_agent_queue_time_seconds", Map.of())).isZero();
        assertThat(s).anySatisfy(x -> assertThat(x.name()).isEqualTo("vmgrid_agent_queue_time_seconds"));
        assertThat(PrometheusText.sum(s, "vmgrid_mirror_lag_changes", Map.of())).isZero();
        assertThat(PrometheusText.sum(s, "vmgrid_mirror_servers", Map.of())).isEqualTo(4);
        assertThat(PrometheusText.sum(s, "vmgrid_requests_total", Map.of("op", "allocate", "outcome", "placed")))
            .isEqualTo(placedCount);
        assertThat(PrometheusText.sum(s, "vmgrid_requests_total", Map.of("op", "release", "outcome", "released")))
            .isEqualTo(1);
        assertThat(PrometheusText.sum(s, "vmgrid_stage_latency_seconds_count", Map.of("stage", "route")))
            .as("every allocation routed once, the release not").isEqualTo(allocations);
        // Hazelcast's own counters of the work: at least the commit and the record per placement
        assertThat(PrometheusText.sum(s, "vmgrid_grid_invocations_total", Map.of()))
            .isGreaterThanOrEqualTo(2 * placedCount);
        assertThat(PrometheusText.sum(s, "vmgrid_grid_operations_total", Map.of()))
            .isGreaterThanOrEqualTo(2 * placedCount);
        assertThat(PrometheusText.sum(s, "vmgrid_inventory_vms", Map.of())).isEqualTo(vmsLeft);
        assertThat(PrometheusText.sum(s, "vmgrid_inventory_servers", Map.of("health", "healthy"))).isEqualTo(4);
        assertThat(PrometheusText.sum(s, "vmgrid_inventory_cores", Map.of("state", "total"))).isEqualTo(32);
        assertThat(PrometheusText.sum(s, "vmgrid_cluster_members", Map.of())).isEqualTo(1);
        assertThat(PrometheusText.sum(s, "vmgrid_inventory_cluster_cores",
            Map.of("cluster", "c0", "state", "total"))).isEqualTo(32);
        // the recovery counters exist from the start, at 0 here
        assertThat(s).anySatisfy(x -> assertThat(x.name()).isEqualTo("vmgrid_partitions_lost_total"));
        assertThat(PrometheusText.sum(s, "vmgrid_partitions_lost_total", Map.of())).isZero();
        assertThat(PrometheusText.sum(s, "vmgrid_partition_loss_repairing", Map.of())).isZero();
        assertThat(s).anySatisfy(x -> assertThat(x.name()).isEqualTo("vmgrid_reconcile_passes_total"));
        // the member's CPU split by thread group: the agents and Hazelcast's partition threads
        // did the allocations above
        assertThat(PrometheusText.sum(s, "vmgrid_thread_cpu_seconds_total", Map.of("group", "agent")))
            .isPositive();
        assertThat(PrometheusText.sum(s, "vmgrid_thread_cpu_seconds_total",
            Map.of("group", "partition-operation"))).isPositive();
        assertThat(s).anySatisfy(x -> assertThat(x.name()).startsWith("jvm_memory_used_bytes"));
      }, 30);
      assertThat(get(port, "/nope").statusCode()).isEqualTo(404);
      assertDashboardQueriesExistingMetrics(get(port, "/metrics").body());
    } finally {
      node.close();
    }
    assertThatThrownBy(() -> get(port, "/health/ready")).isInstanceOf(IOException.class);
  }

  /** Every metric the Grafana dashboard queries is one the member exposes. */
  private static void assertDashboardQueriesExistingMetrics(String exposition) throws IOException {
    String dashboard = java.nio.file.Files.readString(
        Fixtures.repositoryRoot().resolve("helm/vmgrid/dashboards/vmgrid.json"));
    java.util.Set<String> exposed = new java.util.HashSet<>();
    for (PrometheusText.Sample sample : PrometheusText.parse(exposition)) {
      exposed.add(sample.name());
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\b((?:vmgrid|jvm)_[a-z_]+)").matcher(dashboard);
    int queried = 0;
    while (m.find()) {
      queried++;
      assertThat(exposed).as("dashboard queries %s", m.group(1)).contains(m.group(1));
    }
    assertThat(queried).isGreaterThan(10);
  }

  @Test
  void parserRejectsMalformedExposition() {
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE a counter\na_total{x=1} 3\n"))
        .hasMessageContaining("bad labels");
    assertThatThrownBy(() -> PrometheusText.parse("b 1\n")).hasMessageContaining("untyped family");
    assertThat(PrometheusText.parse("# TYPE a gauge\na{x=\"1\",y=\"q\\\"\"} 2.5\n"))
        .containsExactly(new PrometheusText.Sample("a", Map.of("x", "1", "y", "q\\\""), 2.5));
  }
}
