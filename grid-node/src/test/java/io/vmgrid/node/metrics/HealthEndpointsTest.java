package io.vmgrid.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The probes' endpoints of a real member over HTTP: the startup signal ({@code /health/ready}) only
 * once the member has joined, and liveness lost when its Hazelcast instance stops under it.
 */
class HealthEndpointsTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private int status(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET()
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void liveUntilTheHazelcastInstanceStopsReadyOnlyOnceJoined() throws Exception {
    GridNodeConfig config = GridNodeConfig.builder().clusterName("health-" + UUID.randomUUID())
        .port(5891).workers(1).metricsPort(0).build();
    GridNode.Starting starting = GridNode.prepare(config);
    int port = starting.endpoints().port();
    assertThat(status(port, "/health/live")).as("live while starting").isEqualTo(200);
    assertThat(status(port, "/health/ready")).as("not ready before joining").isEqualTo(503);

    GridNode node = starting.join();
    try {
      assertThat(status(port, "/health/ready")).isEqualTo(200);
      assertThat(status(port, "/health/live")).isEqualTo(200);
      HazelcastTestSupport.assertTrueEventually(
          () -> assertThat(status(port, "/health/safe")).isEqualTo(200), 30);

      // The instance stops without the node being closed (as an out-of-memory stop or a
      // cluster-wide shutdown would): the process still serves HTTP but no longer runs a member.
      node.hazelcast().getLifecycleService().terminate();

      assertThat(status(port, "/health/live")).as("liveness of a member whose instance stopped")
          .isEqualTo(503);
      assertThat(status(port, "/health/ready")).isEqualTo(503);
      assertThat(status(port, "/health/safe")).isEqualTo(503);
    } finally {
      node.close();
    }
  }
}
