package io.vmgrid.bench.e2e;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.InventorySummary;
import io.vmgrid.client.api.VmRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The cluster runs of {@code bench e2e}: every round, every policy on a fresh {@link LocalCluster}
 * with a client in this process. Per policy: start the members, load the inventory until every
 * member's mirror has it, warm up, settle, measure the cluster's quiet background, replay the
 * measured requests, and scrape the members' counters before and after each window; what it
 * measured becomes a {@link PolicyReport}. A shutdown hook stops the running cluster's members if
 * this process is stopped.
 */
final class E2eRun {
  /**
   * The members' 'jvm' CPU (JIT, GC) in cores, summed, below which they count as settled while
   * they carry the measured rate.
   */
  static final double SETTLED_JVM_CORES = 0.1;

  /** The window over which settling measures the members' 'jvm' CPU. */
  static final long SETTLE_WINDOW_MILLIS = 3_000;

  /** The quiet window before each replay that measures the cluster's background work. */
  private static final long QUIET_WINDOW_MILLIS = 5_000;

  private final E2eOptions options;
  private final List<String> policies;
  private final E2eWorkload workload;
  private final Path jar;
  private final Path dir;
  private final boolean nodeHasFlag;
  private final PrintWriter out;
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final AtomicReference<@Nullable LocalCluster> running = new AtomicReference<>();

  /**
   * A run of {@code policies} over {@code workload} as {@code options} say, the members started
   * from {@code jar} with their logs in {@code dir}; {@code nodeHasFlag} whether the policy goes to
   * the nodes as {@code --scheduler}. Progress goes to {@code out}.
   */
  E2eRun(E2eOptions options, List<String> policies, E2eWorkload workload, Path jar, Path dir,
      boolean nodeHasFlag, PrintWriter out) {
    this.options = options;
    this.policies = List.copyOf(policies);
    this.workload = workload;
    this.jar = jar;
    this.dir = dir;
    this.nodeHasFlag = nodeHasFlag;
    this.out = out;
  }

  /**
   * Runs every round: the policies in the given order in odd rounds, reversed in even ones. A
   * policy whose run fails is reported as a {@link PolicyResult.Failure} and the run goes on.
   */
  List<PolicyResult> run() {
    Thread hook = new Thread(() -> {
      LocalCluster c = running.get();
      if (c != null) {
        c.close();
      }
    }, "vmgrid-e2e-stop-members");
    Runtime.getRuntime().addShutdownHook(hook);
    List<PolicyResult> results = new ArrayList<>();
    int rounds = options.rounds;
    try {
      for (int round = 1; round <= rounds; round++) {
        List<String> order = new ArrayList<>(policies);
        if (round % 2 == 0) {
          Collections.reverse(order);
        }
        for (String p : order) {
          out.printf(Locale.ROOT, "%npolicy %s%s%n", p,
              rounds > 1 ? " (round " + round + " of " + rounds + ")" : "");
          out.flush();
          results.add(runOrFail(p, rounds > 1 ? round : null));
        }
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down already: the hook runs
      }
    }
    return results;
  }

  /** The report of policy {@code name} in {@code round}, or why its run failed. */
  private PolicyResult runOrFail(String name, @Nullable Integer round) {
    try {
      return runPolicy(name, round);
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      out.printf(Locale.ROOT, "  FAILED: %s%n", message);
      return new PolicyResult.Failure(name, message, round);
    }
  }

  /** Runs policy {@code name} on a fresh cluster, stopped again before this returns. */
  private PolicyReport runPolicy(String name, @Nullable Integer round) throws Exception {
    String clusterName = "vmgrid-e2e-" + runId + "-" + name;
    LocalCluster.Spec clusterSpec = new LocalCluster.Spec(jar, options.memberHeap, options.agents,
        nodeHasFlag ? name : null, List.copyOf(options.nodeArgs),
        List.copyOf(options.memberJvmArgs), dir);
    Duration startTimeout = Duration.ofSeconds(options.startTimeoutSeconds);
    long startNanos = System.nanoTime();
    double loadAverageBefore = loadAverage();
    try (LocalCluster cluster = LocalCluster.named(clusterName)) {
      running.set(cluster);
      cluster.start(options.members, clusterSpec, startTimeout, out);
      out.printf(Locale.ROOT, "  started in %.1f s%n", (System.nanoTime() - startNanos) / 1e9);
      List<String> addresses = cluster.members().stream().map(LocalCluster.Member::address).toList();
      try (AllocationClient client = AllocationClient.connect(
          new ClientSettings(clusterName, addresses, Duration.ofMillis(options.timeoutMs)))) {
        Replayer replayer = new Replayer(client, options.inFlight, options.timeoutMs);
        double loadSeconds = loadInventory(cluster, client, startTimeout);
        if (options.warmup > 0) {
          warmUp(cluster, replayer);
        }
        Measurement.@Nullable Settled settled = settle(cluster, replayer, workload.warmup());
        Measurement m = measure(name, cluster, client, replayer, settled, loadAverageBefore,
            loadSeconds);
        PolicyReport report = PolicyReport.of(m, round);
        report.printSummary(m.replay(), out);
        out.printf(Locale.ROOT, "  machine load average (1 min) %.1f before the cluster started, %.1f"
            + " after the replay (%d cores)%n", loadAverageBefore, loadAverage(),
            Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "  stopping members...%n");
        out.flush();
        return report;
      }
    } finally {
      running.set(null);
    }
  }

  /** Loads the inventory and waits for every member's mirror; returns the seconds it took. */
  private double loadInventory(LocalCluster cluster, AllocationClient client,
      Duration startTimeout) throws Exception {
    long loadStart = System.nanoTime();
    int added = client.loadInventory(workload.servers())
        .get(options.startTimeoutSeconds, TimeUnit.SECONDS);
    awaitMirrors(cluster, workload.servers().size(), loadStart + startTimeout.toNanos());
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    out.printf(Locale.ROOT, "  loaded %,d servers in %.1f s (every member's mirror caught up)%n",
        added, loadSeconds);
    out.flush();
    return loadSeconds;
  }

  /** Replays the warm-up requests and releases what they placed; nothing of it is counted. */
  private void warmUp(LocalCluster cluster, Replayer replayer) throws InterruptedException {
    Replayer.Replay warm = replayer.replay(workload.warmup(), options.effectiveWarmupRate());
    int released = replayer.release(warm.placedVmIds());
    cluster.checkAlive();
    Thread.sleep(1_000);
    out.printf(Locale.ROOT, "  warm-up: %d allocations (%d placed, p50 %.2f ms, p99 %.2f ms),"
        + " %d released; not counted below%n", warm.latency().count(), warm.placed(),
        warm.latency().p50Ms(), warm.latency().p99Ms(), released);
    out.flush();
  }

  /**
   * Measures policy {@code name} on {@code cluster}: the quiet cluster's background over a quiet
   * window, then the measured replay, the members' counters read before and after each so that
   * the figures cover that window only, then the inventory.
   */
  private Measurement measure(String name, LocalCluster cluster, AllocationClient client,
      Replayer replayer, Measurement.@Nullable Settled settled, double loadAverageBefore,
      double loadSeconds) throws Exception {
    // the cluster's own background (Hazelcast's partition anti-entropy, heartbeats, the job)
    // over a quiet window, to tell it apart from what the allocations cost
    List<List<PromText.Sample>> quietStart = cluster.scrape();
    long quietNanos = System.nanoTime();
    Thread.sleep(QUIET_WINDOW_MILLIS);
    // counters are read before and after the replay: the figures cover the replay only
    List<List<PromText.Sample>> baseline = cluster.scrape();
    double quietSeconds = (System.nanoTime() - quietNanos) / 1e9;
    GridMetrics quiet = GridMetrics.of(deltas(quietStart, baseline));
    long windowStart = System.nanoTime();
    long clientCpuStart = clientCpuNanos();
    Replayer.Replay replay = replayer.replay(workload.requests(), options.rate);
    long clientCpuNanos = clientCpuNanos() - clientCpuStart;
    cluster.checkAlive();
    Thread.sleep(1_000); // let the members record the last deliveries before the scrape
    List<List<PromText.Sample>> endScrape = cluster.scrape();
    double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
    GridMetrics metrics = GridMetrics.of(deltas(baseline, endScrape));
    InventorySummary inventory = client.inventory().get(60, TimeUnit.SECONDS);
    return new Measurement(name, cluster.clusterName(), options.warmup, replay, metrics, quiet,
        quietSeconds, windowSeconds, clientCpuNanos, settled, inventory, endScrape,
        loadAverageBefore, loadAverage(), loadSeconds);
  }

  /**
   * Keeps the members busy at the measured rate (at most {@code --settle-s}) until their JIT
   * compilers and GC have gone quiet under that load: their 'jvm' CPU group, summed over members and
   * measured over {@value #SETTLE_WINDOW_MILLIS} ms windows, below {@link #SETTLED_JVM_CORES}
   * cores. On a small machine a member's C2 compiler keeps compiling for minutes, and it compiles
   * what the load runs: settling while idle (measured: 0.05 cores idle, then 0.7 cores of
   * compiling during the replay, 3 ms of each allocation's 9) measured the JIT, not the path. The
   * load is the warm-up's requests again under new ids, each released as soon as it is placed, so
   * the inventory the measured replay starts from is the same. Returns null without settling
   * (disabled, or members that do not export the CPU counters).
   */
  private Measurement.@Nullable Settled settle(LocalCluster cluster, Replayer replayer,
      List<VmRequest> pool) throws IOException, InterruptedException {
    if (options.settleSeconds == 0 || pool.isEmpty()) {
      return null;
    }
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(options.settleSeconds);
    double last = jvmCpuSeconds(cluster.scrape());
    if (last < 0) {
      return null;
    }
    long lastAt = System.nanoTime();
    double cores;
    int round = 0;
    AtomicLong outstanding = new AtomicLong();
    double windowRate = options.rate > 0 ? options.rate : 200;
    int perWindow = (int) Math.max(1, Math.round(windowRate * SETTLE_WINDOW_MILLIS / 1000.0));
    while (true) {
      round++;
      replayer.settleWindow(pool, round, perWindow, windowRate, outstanding);
      cluster.checkAlive();
      double now = jvmCpuSeconds(cluster.scrape());
      long nowAt = System.nanoTime();
      cores = (now - last) / ((nowAt - lastAt) / 1e9);
      last = now;
      lastAt = nowAt;
      if (cores < SETTLED_JVM_CORES || nowAt > deadline) {
        break;
      }
    }
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (outstanding.get() > 0 && System.nanoTime() < drainUntil) {
      Thread.sleep(50);
    }
    Thread.sleep(1_000);
    double waited = (System.nanoTime() - start) / 1e9;
    out.printf(Locale.ROOT, "  %s after %.0f s at %s/s (members' JIT and GC threads: %.2f cores)%n",
        cores < SETTLED_JVM_CORES ? "settled" : "NOT settled, measuring anyway,", waited,
        E2eReport.fmt(windowRate), cores);
    out.flush();
    return new Measurement.Settled(waited, cores);
  }

  /** Per member, the counters' growth from {@code before} to {@code after}. */
  private static List<List<PromText.Sample>> deltas(List<List<PromText.Sample>> before,
      List<List<PromText.Sample>> after) {
    List<List<PromText.Sample>> out = new ArrayList<>();
    for (int i = 0; i < after.size(); i++) {
      out.add(PromText.delta(before.get(i), after.get(i)));
    }
    return out;
  }

  /** The members' 'jvm' CPU seconds summed, or -1 if they do not export it. */
  private static double jvmCpuSeconds(List<List<PromText.Sample>> members) {
    Double v = GridMetrics.of(members).cpuSeconds().get("jvm");
    return v == null ? -1 : v;
  }

  /** Waits until every member's mirror holds {@code servers} servers with nothing pending. */
  private static void awaitMirrors(LocalCluster cluster, int servers, long deadline)
      throws IOException, InterruptedException {
    while (true) {
      boolean caughtUp = true;
      for (List<PromText.Sample> m : cluster.scrape()) {
        if (GridMetrics.total(m, "vmgrid_mirror_servers") < servers
            || GridMetrics.value(m, "vmgrid_mirror_lag_changes", 1) > 0) {
          caughtUp = false;
        }
      }
      if (caughtUp) {
        return;
      }
      cluster.checkAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the members' inventory mirrors did not reach " + servers
            + " servers in time");
      }
      Thread.sleep(250);
    }
  }

  /** This process's CPU time in nanoseconds, or -1 where the platform does not tell. */
  private static long clientCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
  }

  /** The machine's 1-minute load average (negative where the platform has none). */
  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** Whether {@code vmgrid node --help} of this jar lists a {@code --scheduler} flag. */
  static boolean nodeHasSchedulerFlag(Path jar) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(LocalCluster.HZ_FLAGS);
    cmd.addAll(List.of("-jar", jar.toString(), "node", "--help"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(buf);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(jar + " node --help did not finish");
    }
    return buf.toString(StandardCharsets.UTF_8).contains("--scheduler");
  }
}
