package io.vmgrid.bench.e2e;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Grid members as separate {@code vmgrid node} processes on loopback: started one after the other
 * (the first alone, the rest joining it), each with its own metrics port and a log file; stopped
 * with SIGTERM (a graceful leave) and killed if that takes too long.
 */
final class LocalCluster implements AutoCloseable {
  /** Flags Hazelcast wants on Java 17+ (the same as the {@code vmgrid} launcher's). */
  static final List<String> HZ_FLAGS = List.of("--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private static final Pattern MEMBER_LINE =
      Pattern.compile("vmgrid node: member (\\S+) of cluster");
  private static final Pattern REASON =
      Pattern.compile("(?i)unknown option|error|exception|invalid|must be|refused");
  private static final Pattern METRICS_LINE =
      Pattern.compile("vmgrid node: metrics at (http://\\S+)/metrics");

  /**
   * One member process.
   *
   * @param process the process
   * @param log its combined stdout and stderr
   * @param address its Hazelcast address, host:port
   * @param metricsBase its HTTP base URL (no trailing slash)
   */
  record Member(Process process, Path log, String address, String metricsBase) {}

  /**
   * How to start members.
   *
   * @param nodeJar the grid-node fat jar
   * @param heap the {@code -Xmx} value of each member
   * @param agents allocation agents per member ({@code --workers})
   * @param scheduler the {@code --scheduler} value, or null to pass none
   * @param extraArgs further {@code vmgrid node} arguments
   * @param jvmArgs further options of each member's JVM (before {@code -jar})
   * @param logDir where member logs go
   */
  record Spec(Path nodeJar, String heap, int agents, @Nullable String scheduler,
      List<String> extraArgs, List<String> jvmArgs, Path logDir) {}

  private final String clusterName;
  private final List<Member> members = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  /** Set by {@link #close()}; no member starts afterwards. Guarded by {@code processes}. */
  private boolean closed;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LocalCluster(String clusterName) {
    this.clusterName = clusterName;
  }

  /** The cluster name. */
  String clusterName() {
    return clusterName;
  }

  /** The members, in start order. */
  List<Member> members() {
    return List.copyOf(members);
  }

  /**
   * A cluster with no members yet: hand it to a shutdown hook first, then {@link #start}, so that an
   * interrupt while members start still stops them.
   */
  static LocalCluster named(String clusterName) {
    return new LocalCluster(clusterName);
  }

  /**
   * Starts {@code count} members of this cluster and waits until each has joined and says it is
   * ready with {@code count} members. On failure, stops what it started and throws.
   */
  void start(int count, Spec spec, Duration timeout, PrintWriter out)
      throws IOException, InterruptedException {
    try {
      Files.createDirectories(spec.logDir());
      long deadline = System.nanoTime() + timeout.toNanos();
      Process first = launch(0, spec, null);
      Member seed = awaitStarted(0, first, spec, deadline);
      List<Process> rest = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        rest.add(launch(i, spec, seed.address()));
      }
      for (int i = 1; i < count; i++) {
        awaitStarted(i, rest.get(i - 1), spec, deadline);
      }
      for (Member m : members) {
        awaitReady(m, count, deadline);
      }
      out.printf("  cluster %s: %d members (%s); logs in %s%n", clusterName, count,
          String.join(", ", members.stream().map(Member::address).toList()), spec.logDir());
      out.flush();
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private Process launch(int index, Spec spec, @Nullable String join) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(HZ_FLAGS);
    cmd.add("-Xmx" + spec.heap());
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-Dhazelcast.phone.home.enabled=false");
    cmd.addAll(spec.jvmArgs());
    cmd.add("-jar");
    cmd.add(spec.nodeJar().toString());
    cmd.add("node");
    cmd.addAll(List.of("--cluster-name", clusterName, "--bind", "127.0.0.1",
        "--port", Integer.toString(freePort()), "--metrics-port", Integer.toString(freePort()),
        "--workers", Integer.toString(spec.agents())));
    if (join != null) {
      cmd.addAll(List.of("--member", join));
    }
    if (spec.scheduler() != null) {
      cmd.addAll(List.of("--scheduler", spec.scheduler()));
    }
    cmd.addAll(spec.extraArgs());
    Path log = spec.logDir().resolve(clusterName + "-member-" + index + ".log");
    synchronized (processes) {
      if (closed) {
        throw new IllegalStateException("cluster " + clusterName + " is stopping");
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      processes.add(p);
      return p;
    }
  }

  private Member awaitStarted(int index, Process p, Spec spec, long deadline)
      throws IOException, InterruptedException {
    Path log = spec.logDir().resolve(clusterName + "-member-" + index + ".log");
    while (true) {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      Matcher member = MEMBER_LINE.matcher(text);
      Matcher metrics = METRICS_LINE.matcher(text);
      if (member.find() && metrics.find()) {
        Member m = new Member(p, log, member.group(1), metrics.group(1));
        members.add(m);
        return m;
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("member " + index + " exited with code " + p.exitValue()
            + " before it started: " + tail(text) + " (log " + log + ")");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("member " + index + " did not start in time (log " + log + ")");
      }
      Thread.sleep(200);
    }
  }

  private void awaitReady(Member m, int count, long deadline) throws InterruptedException {
    while (true) {
      try {
        if (get(m.metricsBase() + "/health/ready").statusCode() == 200) {
          var samples = PromText.parse(get(m.metricsBase() + "/metrics").body());
          if (GridMetrics.value(samples, "vmgrid_cluster_members", 0) == count
              && GridMetrics.value(samples, "vmgrid_cluster_safe", 0) == 1) {
            return;
          }
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (!m.process().isAlive()) {
        throw new IllegalStateException("member " + m.address() + " exited with code "
            + m.process().exitValue() + " (log " + m.log() + ")");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("member " + m.address() + " did not see " + count
            + " members and a safe cluster in time (log " + m.log() + ")");
      }
      Thread.sleep(250);
    }
  }

  /** The parsed {@code /metrics} of every member, in start order. */
  List<List<PromText.Sample>> scrape() throws IOException, InterruptedException {
    List<List<PromText.Sample>> out = new ArrayList<>();
    for (Member m : members) {
      HttpResponse<String> r = get(m.metricsBase() + "/metrics");
      if (r.statusCode() != 200) {
        throw new IOException("GET " + m.metricsBase() + "/metrics: HTTP " + r.statusCode());
      }
      out.add(PromText.parse(r.body()));
    }
    return out;
  }

  /** Fails if a member process has exited. */
  void checkAlive() {
    for (Member m : members) {
      if (!m.process().isAlive()) {
        throw new IllegalStateException("member " + m.address() + " exited with code "
            + m.process().exitValue() + " (log " + m.log() + ")");
      }
    }
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET()
        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /**
   * Stops every member: SIGTERM to all (a graceful leave), then a forced kill of any still running
   * after {@value #STOP_GRACE_SECONDS} seconds. Safe to call more than once and from a shutdown hook.
   */
  @Override
  public void close() {
    List<Process> all;
    synchronized (processes) {
      closed = true;
      all = List.copyOf(processes);
    }
    for (Process p : all) {
      p.destroy();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS);
    for (Process p : all) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    for (Process p : all) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Seconds members get to leave gracefully. */
  static final long STOP_GRACE_SECONDS = 20;

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** The first line that looks like the reason (an error, unknown option...), else the last three. */
  static String tail(String text) {
    String[] lines = text.strip().split("\n", -1);
    for (String line : lines) {
      if (REASON.matcher(line).find()) {
        return line.strip();
      }
    }
    int from = Math.max(0, lines.length - 3);
    return String.join(" | ", java.util.Arrays.asList(lines).subList(from, lines.length)).strip();
  }
}
