package io.vmgrid.node.reliability;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vmgrid node} JVMs on loopback for the process-level chaos tests: started from this test
 * JVM's class path, each logging to its own file under {@code target/chaos-logs/}, all killed with
 * SIGKILL by {@link #close()}.
 */
final class MemberProcesses implements AutoCloseable {
  private final List<Process> running = new ArrayList<>();
  final Path logs;

  MemberProcesses() throws IOException {
    logs = Path.of("target", "chaos-logs", Long.toString(System.currentTimeMillis()));
    Files.createDirectories(logs);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts member {@code name} of {@code cluster} on {@code port}, joining through {@code all},
   * with {@code extra} node flags.
   */
  Process start(String cluster, int port, int metricsPort, List<Integer> all, String name,
      List<String> extra) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "-Dhazelcast.phone.home.enabled=false",
        "-cp", System.getProperty("java.class.path"),
        "io.vmgrid.node.cli.VmgridMain", "node", "--cluster-name", cluster,
        "--port", String.valueOf(port), "--metrics-port", String.valueOf(metricsPort),
        "--workers", "2",
        "--scheduler", System.getProperty("vmgrid.test.scheduler", "kamino-request")));
    for (int p : all) {
      cmd.add("--member");
      cmd.add("127.0.0.1:" + p);
    }
    cmd.addAll(extra);
    File log = logs.resolve(name + ".log").toFile();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    running.add(p);
    return p;
  }

  /**
   * A Hazelcast client of {@code cluster} through the members on {@code ports}, waiting up to
   * 180 s for them (member JVMs starting on a busy 2-core machine can take longer than the
   * default 20 s).
   */
  static com.hazelcast.core.HazelcastInstance client(String cluster, List<Integer> ports) {
    io.vmgrid.client.api.ClientSettings settings = new io.vmgrid.client.api.ClientSettings(cluster,
        ports.stream().map(p -> "127.0.0.1:" + p).toList(), java.time.Duration.ofSeconds(20));
    com.hazelcast.client.config.ClientConfig config =
        io.vmgrid.client.api.AllocationClient.clientConfig(settings);
    config.getConnectionStrategyConfig().getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(180_000);
    return com.hazelcast.client.HazelcastClient.newHazelcastClient(config);
  }

  /** The HTTP status of a GET of {@code url}. */
  static int get(String url) throws IOException {
    java.net.HttpURLConnection c =
        (java.net.HttpURLConnection) java.net.URI.create(url).toURL().openConnection();
    c.setConnectTimeout(2_000);
    c.setReadTimeout(10_000);
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  /** SIGKILLs every member started and waits for each to end. */
  void killAll() throws InterruptedException {
    for (Process p : running) {
      p.destroyForcibly().waitFor();
    }
    running.clear();
  }

  /** Prints the lines of the members' logs that contain one of {@code words}. */
  void printLogLines(List<String> words) throws IOException {
    File[] files = logs.toFile().listFiles();
    if (files == null) {
      return;
    }
    for (File f : files) {
      Files.readAllLines(f.toPath()).stream()
          .filter(l -> words.stream().anyMatch(l::contains))
          .forEach(l -> System.out.println(f.getName() + ": " + l));
    }
  }

  @Override
  public void close() throws InterruptedException {
    killAll();
  }
}
