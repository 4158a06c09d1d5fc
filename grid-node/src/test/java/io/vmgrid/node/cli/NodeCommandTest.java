package io.vmgrid.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.HazelcastTestSupport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code vmgrid node} run in this JVM: what its process does when its member stops on its own. */
class NodeCommandTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void aMemberThatStopsOnItsOwnEndsTheCommandWithOneAndIsNoLongerLive() throws Exception {
    String cluster = "lost-" + UUID.randomUUID();
    int metricsPort = freePort();
    int port = freePort();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> VmgridMain.execute(
        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        "node", "--cluster-name", cluster, "--port", Integer.toString(port),
        "--metrics-port", Integer.toString(metricsPort), "--workers", "1", "--scheduler", "direct"));
    HazelcastTestSupport.assertTrueEventually(
        () -> assertThat(status(metricsPort, "/health/ready")).isEqualTo(200), 120);
    assertThat(status(metricsPort, "/health/live")).isEqualTo(200);

    HazelcastInstance member = Hazelcast.getAllHazelcastInstances().stream()
        .filter(h -> h.getConfig().getClusterName().equals(cluster)).findFirst().orElseThrow();
    member.getLifecycleService().terminate(); // as Hazelcast's out-of-memory handler would

    assertThat(exit.get(60, TimeUnit.SECONDS)).as("exit code; stderr: %s", err).isEqualTo(1);
    assertThat(status(metricsPort, "/health/live")).as("liveness after the member stopped").isNotEqualTo(200);
  }

  /** The status code of {@code GET path}, or -1 if nothing answers. */
  private int status(int port, String path) throws InterruptedException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
