package io.vmgrid.node.reliability;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.RoutingMode;
import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.client.impl.connection.ClientConnection;
import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.ClientSettings;
import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * Real {@code vmgrid node} JVMs, each in its own Linux network namespace on one bridge, for the
 * process-level chaos tests: this JVM sits on the bridge too (address {@code .254}) and reaches every
 * member, so each side of a split still reaches its clients. Faults are real: blackhole routes
 * between namespaces ({@link #cut}), SIGKILL ({@link #kill}), SIGSTOP/SIGCONT ({@link #pause},
 * {@link #resume}). Members detect a split within seconds (heartbeat timeout 8 s) and merge 5 s
 * after a heal; each serves {@code /health/*} on its address, port {@link #HTTP_PORT}.
 *
 * <p>Needs {@code ip netns} (root, or CAP_NET_ADMIN and CAP_SYS_ADMIN): {@link #requireNetns}
 * fails the test where it is not permitted, unless skipping is allowed explicitly
 * ({@code -Dvmgrid.chaos.allowSkip=true} or {@code VMGRID_CHAOS_ALLOW_SKIP=true}), so a missing
 * privilege never turns a suite green silently.
 */
final class NetnsCluster implements AutoCloseable {
  /** System property that lets the netns tests skip where namespaces are not permitted. */
  static final String ALLOW_SKIP_PROPERTY = "vmgrid.chaos.allowSkip";
  /** Environment variable with the same effect as {@link #ALLOW_SKIP_PROPERTY}. */
  static final String ALLOW_SKIP_ENV = "VMGRID_CHAOS_ALLOW_SKIP";
  /** Hazelcast's port on every member. */
  static final int PORT = 5701;
  /** The port of every member's metrics and health endpoints. */
  static final int HTTP_PORT = 9090;

  /** A blackhole route in member {@code from}'s namespace to member {@code to}. */
  private record Route(int from, int to) {}

  private final String id = Integer.toHexString(new Random().nextInt(0x10000) | 0x10000)
      .substring(1);
  private final String bridge = "vgb" + id;
  private final int size;
  private final int quorum;
  private final String cluster;
  private final String subnet;
  private final Path logs;
  private final List<String> namespaces = new ArrayList<>();
  private final @Nullable Process[] members;
  private final Set<Route> blackholes = new LinkedHashSet<>();
  private final List<HazelcastInstance> clients = new CopyOnWriteArrayList<>();

  /**
   * Builds the network for {@code size} members of a cluster with placement quorum
   * {@code quorum}, on a subnet drawn from {@code random}; logs go under
   * {@code target/chaos-logs/<name>-<time>}. Starts no member.
   */
  NetnsCluster(String name, int size, int quorum, Random random)
      throws IOException, InterruptedException {
    this.size = size;
    this.quorum = quorum;
    this.members = new Process[size];
    this.cluster = name + "-" + id + "-" + System.currentTimeMillis();
    this.subnet = "10." + (200 + random.nextInt(50)) + "." + random.nextInt(250);
    this.logs = Path.of("target", "chaos-logs", name + "-" + System.currentTimeMillis());
    Files.createDirectories(logs);
    try {
      buildNetwork();
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Returns if this machine lets the test create network namespaces. Otherwise prints why and
   * fails {@code test}, or aborts it (JUnit: skipped) where skipping is allowed explicitly.
   */
  static void requireNetns(String test) {
    String probe = "vgprobe" + ProcessHandle.current().pid();
    String why;
    try {
      run("ip", "netns", "add", probe);
      run("ip", "netns", "del", probe);
      return;
    } catch (IOException e) {
      why = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      why = "interrupted";
    }
    boolean allowSkip = Boolean.getBoolean(ALLOW_SKIP_PROPERTY)
        || "true".equals(System.getenv(ALLOW_SKIP_ENV));
    String message = test + ": network namespaces are not permitted here (" + why + "); the"
        + " test needs `ip netns` (root, or CAP_NET_ADMIN and CAP_SYS_ADMIN).";
    System.out.println(message + (allowSkip ? " Skipped: " + ALLOW_SKIP_PROPERTY + " is set."
        : ""));
    if (allowSkip) {
      Assumptions.abort(message);
    }
    throw new AssertionError(message + " To skip instead of failing, set -D"
        + ALLOW_SKIP_PROPERTY + "=true or " + ALLOW_SKIP_ENV + "=true.");
  }

  /** Runs a command; returns its output, or throws with the command, exit code and output. */
  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
    }
    return out;
  }

  private static void runQuietly(String... cmd) {
    try {
      run(cmd);
    } catch (IOException e) {
      // cleaning up what may not exist
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A bridge in this namespace (this JVM's address .254) and one namespace per member. */
  private void buildNetwork() throws IOException, InterruptedException {
    run("ip", "link", "add", bridge, "type", "bridge");
    run("ip", "addr", "add", subnet + ".254/24", "dev", bridge);
    run("ip", "link", "set", bridge, "up");
    for (int i = 0; i < size; i++) {
      String ns = "vgn" + id + i;
      run("ip", "netns", "add", ns);
      namespaces.add(ns);
      String host = "vgh" + id + i;
      String peer = "vgp" + id + i;
      run("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
      run("ip", "link", "set", host, "master", bridge);
      run("ip", "link", "set", host, "up");
      run("ip", "link", "set", peer, "netns", ns);
      run("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", peer);
      run("ip", "-n", ns, "link", "set", peer, "up");
      run("ip", "-n", ns, "link", "set", "lo", "up");
    }
  }

  /** Members in the cluster. */
  int size() {
    return size;
  }

  /** The cluster's name. */
  String cluster() {
    return cluster;
  }

  /** The folder of the members' logs ({@code m<i>.log}, appended to across restarts). */
  Path logs() {
    return logs;
  }

  /** Member {@code i}'s address. */
  String address(int i) {
    return subnet + "." + (i + 1);
  }

  /** The member whose address is {@code host}, or -1. */
  int memberAt(String host) {
    for (int i = 0; i < size; i++) {
      if (address(i).equals(host)) {
        return i;
      }
    }
    return -1;
  }

  /** Starts member {@code i} in its namespace (again, after a kill), logging to {@code m<i>.log}. */
  Process start(int i) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespaces.get(i),
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "-Dhazelcast.phone.home.enabled=false",
        // detect the split in seconds, not the default minute, and merge soon after the heal
        "-Dhazelcast.heartbeat.interval.seconds=1", "-Dhazelcast.max.no.heartbeat.seconds=8",
        "-Dhazelcast.merge.first.run.delay.seconds=5", "-Dhazelcast.merge.next.run.delay.seconds=5",
        "-cp", System.getProperty("java.class.path"),
        "io.vmgrid.node.cli.VmgridMain", "node", "--cluster-name", cluster,
        "--bind", address(i), "--port", String.valueOf(PORT),
        "--metrics-port", String.valueOf(HTTP_PORT), "--workers", "2",
        "--quorum", String.valueOf(quorum),
        "--scheduler", System.getProperty("vmgrid.test.scheduler", "kamino-request")));
    for (int m = 0; m < size; m++) {
      cmd.add("--member");
      cmd.add(address(m) + ":" + PORT);
    }
    File log = logs.resolve("m" + i + ".log").toFile();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    members[i] = p;
    return p;
  }

  /** Starts every member. */
  void startAll() throws IOException {
    for (int i = 0; i < size; i++) {
      start(i);
    }
  }

  /** Whether member {@code i}'s process runs (a paused one does). */
  boolean alive(int i) {
    Process p = members[i];
    return p != null && p.isAlive();
  }

  /** SIGKILLs member {@code i} and waits for it to end. */
  void kill(int i) throws InterruptedException {
    Process p = members[i];
    if (p != null) {
      p.destroyForcibly().waitFor();
    }
  }

  /** Stops member {@code i} with SIGSTOP: it keeps its sockets and answers nothing. */
  void pause(int i) throws IOException, InterruptedException {
    run("kill", "-STOP", String.valueOf(Objects.requireNonNull(members[i]).pid()));
  }

  /** Lets a paused member {@code i} run again (SIGCONT). */
  void resume(int i) throws IOException, InterruptedException {
    run("kill", "-CONT", String.valueOf(Objects.requireNonNull(members[i]).pid()));
  }

  /**
   * Cuts every member of {@code side} off from every member of {@code other}, both ways, with
   * blackhole routes; both keep reaching this JVM and the members on their own side.
   */
  void cut(Collection<Integer> side, Collection<Integer> other)
      throws IOException, InterruptedException {
    for (int a : side) {
      for (int b : other) {
        blackhole(a, b);
        blackhole(b, a);
      }
    }
  }

  private void blackhole(int from, int to) throws IOException, InterruptedException {
    if (blackholes.add(new Route(from, to))) {
      run("ip", "-n", namespaces.get(from), "route", "add", "blackhole", address(to) + "/32");
    }
  }

  /** Removes every blackhole route: all members reach each other again. */
  void healAll() throws IOException, InterruptedException {
    for (Route route : List.copyOf(blackholes)) {
      run("ip", "-n", namespaces.get(route.from()), "route", "del", "blackhole",
          address(route.to()) + "/32");
      blackholes.remove(route);
    }
  }

  /**
   * A client that talks to member {@code i} only (single-member routing), so it stays on that
   * member's side of a split; it waits up to 180 s for the member.
   */
  HazelcastInstance clientOf(int i) {
    return client(List.of(address(i) + ":" + PORT), true);
  }

  /** A client through every member (smart routing), for reading the grid once it is whole. */
  HazelcastInstance clientOfAll() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      all.add(address(i) + ":" + PORT);
    }
    return client(all, false);
  }

  private HazelcastInstance client(List<String> addresses, boolean singleMember) {
    ClientConfig config = AllocationClient.clientConfig(new ClientSettings(cluster, addresses,
        Duration.ofSeconds(20)));
    if (singleMember) {
      config.getNetworkConfig().getClusterRoutingConfig()
          .setRoutingMode(RoutingMode.SINGLE_MEMBER);
    }
    config.getConnectionStrategyConfig().getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(180_000);
    HazelcastInstance hz = HazelcastClient.newHazelcastClient(config);
    clients.add(hz);
    return hz;
  }

  /** The members {@code client} holds connections to, by index (-1 for an unknown address). */
  List<Integer> connectedTo(HazelcastInstance client) {
    List<Integer> out = new ArrayList<>();
    if (client instanceof HazelcastClientProxy proxy) {
      for (ClientConnection c : proxy.client.getConnectionManager().getActiveConnections()) {
        if (c.getRemoteAddress() != null) {
          out.add(memberAt(c.getRemoteAddress().getHost()));
        }
      }
    }
    return out;
  }

  /** Whether member {@code i} answers {@code /health/safe} with 200 within a few seconds. */
  boolean safe(int i) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + address(i) + ":"
          + HTTP_PORT + "/health/safe").toURL().openConnection();
      c.setConnectTimeout(2_000);
      c.setReadTimeout(3_000);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  /** Prints up to {@code limit} lines per member log that contain one of {@code words}. */
  void printLogLines(List<String> words, int limit) throws IOException {
    File[] files = logs.toFile().listFiles();
    if (files == null) {
      return;
    }
    for (File f : files) {
      if (!f.getName().endsWith(".log")) {
        continue;
      }
      Files.readAllLines(f.toPath()).stream()
          .filter(l -> words.stream().anyMatch(l::contains))
          .limit(limit)
          .forEach(l -> System.out.println(f.getName() + ": " + l));
    }
  }

  /** Shuts the clients down, SIGKILLs every member, removes the namespaces and the bridge. */
  @Override
  public void close() {
    for (HazelcastInstance hz : clients) {
      try {
        hz.shutdown();
      } catch (RuntimeException e) {
        // already down
      }
    }
    for (Process p : members) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
    for (Process p : members) {
      if (p != null) {
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    for (String ns : namespaces) {
      runQuietly("ip", "netns", "del", ns);
    }
    runQuietly("ip", "link", "del", bridge);
  }
}
