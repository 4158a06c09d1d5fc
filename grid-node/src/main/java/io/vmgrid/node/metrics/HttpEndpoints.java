package io.vmgrid.node.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The member's small HTTP server: {@code GET /metrics} (Prometheus text format),
 * {@code /health/live} (the process runs a member, or is starting or leaving: 503 once it stopped or
 * its Hazelcast instance stopped), {@code /health/ready} (joined and loaded: a startup probe's
 * signal) and {@code /health/safe} (running, and every partition's backups in sync: losing this or
 * any member now loses nothing), each 200 or 503 with a short body. Anything
 * else is 404. It binds to the given address only; two daemon threads serve it.
 */
public final class HttpEndpoints implements AutoCloseable {
  /** Default port of {@code vmgrid node --metrics-port}. */
  public static final int DEFAULT_PORT = 9401;

  private final HttpServer server;
  private final ExecutorService executor;

  private HttpEndpoints(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving on {@code host:port} ({@code port} 0 picks a free one).
   *
   * @param metrics the exposition text, computed per scrape
   */
  public static HttpEndpoints start(String host, int port, Supplier<String> metrics, HealthState health) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("metrics-port: cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.createContext("/health/live", ex -> {
      boolean live = health.live();
      respond(ex, live ? 200 : 503, "text/plain; charset=utf-8", live ? "live\n"
          : health.phase() == HealthState.Phase.RUNNING ? "hazelcast instance stopped\n" : "stopped\n");
    });
    server.createContext("/health/ready", ex -> {
      boolean ready = health.ready();
      respond(ex, ready ? 200 : 503, "text/plain; charset=utf-8",
          ready ? "ready\n" : health.phase().name().toLowerCase(java.util.Locale.ROOT) + "\n");
    });
    server.createContext("/health/safe", ex -> {
      boolean safe = health.safe();
      respond(ex, safe ? 200 : 503, "text/plain; charset=utf-8", safe ? "safe\n" : "not safe\n");
    });
    server.createContext("/", ex -> respond(ex, 404, "text/plain; charset=utf-8",
        "not found: try /metrics, /health/live, /health/ready, /health/safe\n"));
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "vmgrid-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    return new HttpEndpoints(server, executor);
  }

  /** The port actually bound. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The URL of the metrics endpoint. */
  public String metricsUrl() {
    return "http://" + server.getAddress().getHostString() + ":" + port() + "/metrics";
  }

  private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      if ("HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(status, -1);
        return;
      }
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
