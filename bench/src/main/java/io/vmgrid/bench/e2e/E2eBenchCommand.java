package io.vmgrid.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.InventorySummary;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import io.vmgrid.scheduler.sim.Workloads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vmgrid bench e2e}: the whole path as deployed, per scheduling policy. For each policy in
 * turn, a fresh cluster of {@code --members} {@code vmgrid node} processes on loopback (the policy
 * passed as {@code --scheduler}), {@code --servers} generated servers loaded through the client
 * library, then {@code --limit} allocations replayed from this process at {@code --rate} per second,
 * open loop (issued on schedule whatever the completions; {@code --rate 0}: as fast as a window of
 * {@code --in-flight} outstanding requests allows). Every policy sees the same requests and the same
 * inventory.
 *
 * <p>Reported per policy: client-observed latency (allocate call to outcome), throughput, outcomes,
 * top-level cache hit ratio, conflicts per allocation and the mean time per member-side stage (both
 * scraped from every member's {@code /metrics}), and packing density from the client's inventory
 * summary (allocated cores / cores of non-empty servers).
 */
@Command(
    name = "e2e",
    mixinStandardHelpOptions = true,
    description = "End to end: member processes, a client replaying a trace at a fixed rate, one"
        + " fresh cluster per scheduling policy; latency, throughput, cache hits, conflicts,"
        + " packing and per-stage times.")
public final class E2eBenchCommand implements Callable<Integer> {
  /** The policy that runs the pre-scheduler direct path. */
  static final String DIRECT = "direct";

  /** Keeps the configured logger alive: java.util.logging holds loggers only weakly. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[kKmMgG]?");
  private static final String DEFAULT_NODE_JAR = "grid-node/target/vmgrid-node.jar";

  @Spec CommandSpec spec;

  @Option(names = "--rounds", defaultValue = "1", paramLabel = "N",
      description = "Run the policies N times, in the given order in rounds 1, 3, ... and in"
          + " reverse order in rounds 2, 4, ..., and compare them over all rounds: the order"
          + " effect on this machine (the second cluster of a run sees a hotter machine and a warm"
          + " client) can be larger than a policy's (default ${DEFAULT-VALUE}; use 2 or 4 when"
          + " comparing).")
  int rounds = 1;

  @Option(names = "--members", defaultValue = "3",
      description = "Member processes per cluster (default ${DEFAULT-VALUE}).")
  int members;

  @Option(names = "--servers", defaultValue = "2000",
      description = "Servers in the generated inventory (default ${DEFAULT-VALUE}).")
  int servers;

  @Option(names = "--policy", defaultValue = DIRECT, paramLabel = "P[,P2...]",
      description = "Scheduling policies, comma-separated, each on its own fresh cluster: direct"
          + " (the pre-scheduler path) or a policy name such as kamino-request, round-robin"
          + " (default ${DEFAULT-VALUE}).")
  String policy = DIRECT;

  @Option(names = "--rate", defaultValue = "200",
      description = "Allocations issued per second, open loop; 0 = as fast as --in-flight allows"
          + " (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--limit", defaultValue = "2000",
      description = "Allocations per policy (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--trace", defaultValue = Workloads.DEFAULT_TRACE, paramLabel = "FILE",
      description = "Azure packing sample CSV, or 'synthetic' (default ${DEFAULT-VALUE}; if its"
          + " folder does not exist, a seeded synthetic workload is used and the output says so).")
  String trace = Workloads.DEFAULT_TRACE;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of the inventory and of a synthetic workload (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", paramLabel = "OUT", description = "Write the results as JSON to this file.")
  @Nullable Path json;

  @Option(names = "--warmup", defaultValue = "3000", paramLabel = "N",
      description = "Warm-up allocations per policy before the measured ones (the trace's next"
          + " requests after the measured ones: other VMs, other types), released again and left"
          + " out of every figure; then the members settle (--settle-s) (default ${DEFAULT-VALUE}).")
  int warmup = 3000;

  @Option(names = "--warmup-rate", defaultValue = "0", paramLabel = "R",
      description = "Rate of the warm-up allocations: per second, 0 = as fast as --in-flight allows,"
          + " -1 = the same as --rate (default ${DEFAULT-VALUE}). A member's JIT compilers keep a"
          + " core busy for the first several thousand allocations; warm up past that.")
  double warmupRate;

  @Option(names = "--settle-s", defaultValue = "180", paramLabel = "S",
      description = "Before each measured replay, keep the members busy at the measured --rate (the"
          + " warm-up's requests again, each released once placed) for up to S seconds, until their"
          + " JIT compilers and GC (the 'jvm' CPU group) stay below " + SETTLED_JVM_CORES + " cores"
          + " summed over the members for a " + SETTLE_WINDOW_MILLIS / 1000 + " s window: the"
          + " compiled steady state a long-running member reaches. The wait and the level reached"
          + " are reported. 0 = do not settle (default ${DEFAULT-VALUE}).")
  int settleSeconds;

  /**
   * The members' 'jvm' CPU (JIT, GC) in cores, summed, below which they count as settled while
   * they carry the measured rate.
   */
  static final double SETTLED_JVM_CORES = 0.1;

  @Option(names = "--in-flight", defaultValue = "256",
      description = "With --rate 0: most outstanding requests (default ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(names = "--agents", defaultValue = "4",
      description = "Allocation agents per member, the node's --workers (default ${DEFAULT-VALUE}).")
  int agents;

  @Option(names = "--member-heap", defaultValue = "2g",
      description = "-Xmx of each member process (default ${DEFAULT-VALUE}).")
  String memberHeap = "2g";

  @Option(names = "--node-jar", defaultValue = DEFAULT_NODE_JAR, paramLabel = "JAR",
      description = "The grid-node fat jar (default ${DEFAULT-VALUE}); copied once per run so a"
          + " rebuild during the run does not mix binaries.")
  String nodeJar = DEFAULT_NODE_JAR;

  @Option(names = "--node-arg", paramLabel = "ARG",
      description = "A further argument for every 'vmgrid node' (repeatable).")
  List<String> nodeArgs = new ArrayList<>();

  @Option(names = "--member-jvm-arg", paramLabel = "OPTION",
      description = "A further JVM option for every member process, e.g."
          + " --member-jvm-arg=-XX:TieredStopAtLevel=1 (repeatable; must start with '-').")
  List<String> memberJvmArgs = new ArrayList<>();

  @Option(names = "--scheduler-flag", defaultValue = "auto",
      description = "Pass --scheduler to the nodes: auto (if the node jar has the flag; without it"
          + " only 'direct' runs, with no flag), always, never (default ${DEFAULT-VALUE}).")
  String schedulerFlag = "auto";

  @Option(names = "--timeout-ms", defaultValue = "30000",
      description = "Client request timeout (default ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Option(names = "--start-timeout-s", defaultValue = "180",
      description = "Most seconds to start a cluster and load its inventory (default ${DEFAULT-VALUE}).")
  int startTimeoutSeconds;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where member logs go (default: a new folder under the temp folder).")
  @Nullable Path workDir;

  private final AtomicReference<@Nullable LocalCluster> running = new AtomicReference<>();

  /** The first problem with the flags, naming the flag, or null if they are fine. */
  @Nullable String problem() {
    if (rounds < 1 || rounds > 20) {
      return "--rounds: must be in 1..20 (was " + rounds + ")";
    }
    if (members < 1 || members > 16) {
      return "--members: must be in 1..16 (was " + members + ")";
    }
    if (servers < 1) {
      return "--servers: must be >= 1 (was " + servers + ")";
    }
    String policies = policiesProblem(policy);
    if (policies != null) {
      return policies;
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      return "--rate: must be a number >= 0 (0 = as fast as possible), was " + rate;
    }
    if (limit < 1) {
      return "--limit: must be >= 1 (was " + limit + ")";
    }
    if (warmup < 0) {
      return "--warmup: must be >= 0 (was " + warmup + ")";
    }
    if (!(warmupRate >= 0 || warmupRate == -1) || Double.isInfinite(warmupRate)) {
      return "--warmup-rate: must be a number >= 0, or -1 for the same as --rate (was "
          + warmupRate + ")";
    }
    if (trace.isBlank()) {
      return "--trace: must name a file or 'synthetic'";
    }
    if (inFlight < 1) {
      return "--in-flight: must be >= 1 (was " + inFlight + ")";
    }
    if (agents < 1) {
      return "--agents: must be >= 1 (was " + agents + ")";
    }
    if (!HEAP.matcher(memberHeap).matches()) {
      return "--member-heap: '" + memberHeap + "' is not a JVM heap size such as 2g or 512m";
    }
    for (String option : memberJvmArgs) {
      if (!option.startsWith("-") || option.isBlank() || option.equals("-jar")
          || option.startsWith("-Xmx")) {
        return "--member-jvm-arg: '" + option + "' is not a JVM option for the members (an option"
            + " starts with '-'; the heap is --member-heap, the jar --node-jar)";
      }
    }
    if (!List.of("auto", "always", "never").contains(schedulerFlag)) {
      return "--scheduler-flag: must be auto, always or never (was '" + schedulerFlag + "')";
    }
    if (timeoutMs < 1) {
      return "--timeout-ms: must be >= 1 (was " + timeoutMs + ")";
    }
    if (settleSeconds < 0 || settleSeconds > 3_600) {
      return "--settle-s: must be in 0..3600 (was " + settleSeconds + ")";
    }
    if (startTimeoutSeconds < 1) {
      return "--start-timeout-s: must be >= 1 (was " + startTimeoutSeconds + ")";
    }
    if (json != null) {
      Path parent = json.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        return "--json: folder " + parent + " does not exist";
      }
    }
    if (!Files.isRegularFile(Workloads.resolve(nodeJar))) {
      return "--node-jar: " + Workloads.resolve(nodeJar) + " is not a file (build grid-node:"
          + " ./mvnw -pl grid-node -am package -DskipTests)";
    }
    return null;
  }

  /** The problem with a {@code --policy} value, or null. */
  static @Nullable String policiesProblem(String value) {
    List<String> seen = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      String name = part.strip();
      if (name.isEmpty()) {
        return "--policy: empty policy name in '" + value + "'";
      }
      if (!name.equals(DIRECT) && !PolicyRegistry.names().contains(name)) {
        return "--policy: unknown policy '" + name + "' (known: " + DIRECT + ", "
            + String.join(", ", PolicyRegistry.names()) + ")";
      }
      if (seen.contains(name)) {
        return "--policy: '" + name + "' is listed twice";
      }
      seen.add(name);
    }
    return null;
  }

  /** The {@code --policy} names in order. */
  List<String> policies() {
    List<String> out = new ArrayList<>();
    for (String part : policy.split(",", -1)) {
      out.add(part.strip());
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    String problem = problem();
    if (problem != null) {
      throw new ParameterException(spec.commandLine(), problem);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "jdk");
    }
    HAZELCAST_LOG.setLevel(Level.WARNING);
    Path jarSource = Workloads.resolve(nodeJar);
    boolean nodeHasFlag = switch (schedulerFlag) {
      case "always" -> true;
      case "never" -> false;
      default -> nodeHasSchedulerFlag(jarSource);
    };
    List<String> policies = policies();
    if (!nodeHasFlag) {
      for (String p : policies) {
        if (!p.equals(DIRECT)) {
          throw new ParameterException(spec.commandLine(), "--policy: " + p + " needs the node's"
              + " --scheduler flag, which " + jarSource + " does not have (only 'direct' runs"
              + " without it; or pass --scheduler-flag always)");
        }
      }
    }
    Path tracePath = Workloads.resolve(trace);
    E2eWorkload workload = E2eWorkload.load(trace, tracePath, servers, limit, warmup, seed);
    Path dir = workDir != null ? workDir
        : Files.createTempDirectory("vmgrid-e2e-");
    Files.createDirectories(dir);
    Path jar = dir.resolve("vmgrid-node.jar");
    Instant jarModified = Files.getLastModifiedTime(jarSource).toInstant();
    Files.copy(jarSource, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    out.printf(Locale.ROOT, "bench e2e: %d member processes x %d agents (-Xmx%s each), %,d servers,"
        + " %,d allocations per policy at %s, policies %s%n", members, agents, memberHeap, servers,
        workload.requests().size(), rate == 0 ? "full speed (" + inFlight + " in flight)"
            : fmt(rate) + "/s open loop", String.join(",", policies));
    out.printf(Locale.ROOT, "  workload: %s%s%n", workload.description(),
        warmup > 0 ? "; " + warmup + " warm-up allocations per policy first" : "");
    out.printf(Locale.ROOT, "  seed %d; node jar %s of %s (%s)%n", seed, jarSource, jarModified,
        nodeHasFlag ? "policy passed as --scheduler" : "no --scheduler flag: the direct path");
    if (workload.synthetic()) {
      out.println("  NOTE: synthetic workload, not the Azure trace");
    }
    List<String> ownJvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
    String jitWarning = jitWarning(memberJvmArgs, ownJvmArgs);
    if (jitWarning != null) {
      out.println("  WARNING: " + jitWarning);
    }
    out.flush();

    Thread hook = new Thread(() -> {
      LocalCluster c = running.get();
      if (c != null) {
        c.close();
      }
    }, "vmgrid-e2e-stop-members");
    Runtime.getRuntime().addShutdownHook(hook);
    List<Map<String, Object>> results = new ArrayList<>();
    String runId = UUID.randomUUID().toString().substring(0, 8);
    try {
      for (int round = 1; round <= rounds; round++) {
        List<String> order = new ArrayList<>(policies);
        if (round % 2 == 0) {
          java.util.Collections.reverse(order);
        }
        for (String p : order) {
          out.printf(Locale.ROOT, "%npolicy %s%s%n", p,
              rounds > 1 ? " (round " + round + " of " + rounds + ")" : "");
          out.flush();
          Map<String, Object> r;
          try {
            r = runPolicy(p, nodeHasFlag ? p : null, workload, jar, dir, runId, out);
          } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            out.printf(Locale.ROOT, "  FAILED: %s%n", message);
            r = new LinkedHashMap<>();
            r.put("name", p);
            r.put("error", message);
          }
          if (rounds > 1) {
            r.put("round", round);
          }
          results.add(r);
        }
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down already: the hook runs
      }
      Files.deleteIfExists(jar);
    }

    printTable(results, out);
    List<Map<String, Object>> comparison = rounds > 1 ? compare(results, policies) : List.of();
    printComparison(comparison, out);
    if (json != null) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("benchmark", "e2e");
      doc.put("date", Instant.now().toString());
      doc.put("machineCores", Runtime.getRuntime().availableProcessors());
      doc.put("members", members);
      doc.put("agentsPerMember", agents);
      doc.put("memberHeap", memberHeap);
      doc.put("servers", servers);
      doc.put("rate", rate);
      if (rate == 0) {
        doc.put("inFlight", inFlight);
      }
      doc.put("limit", limit);
      doc.put("warmup", warmup);
      doc.put("warmupRate", effectiveWarmupRate());
      doc.put("requests", workload.requests().size());
      doc.put("seed", seed);
      doc.put("workload", workload.description());
      doc.put("synthetic", workload.synthetic());
      doc.put("schedulerFlag", nodeHasFlag);
      doc.put("nodeJar", jarSource.toString());
      doc.put("nodeJarModified", jarModified.toString());
      doc.put("rounds", rounds);
      doc.put("memberJvmArgs", List.copyOf(memberJvmArgs));
      doc.put("clientC1Only", c1Only(ownJvmArgs));
      doc.put("policies", results);
      if (!comparison.isEmpty()) {
        doc.put("comparison", comparison);
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
      out.printf(Locale.ROOT, "%nwrote %s%n", json);
    }
    out.flush();
    return results.stream().anyMatch(r -> r.containsKey("error")) ? 1 : 0;
  }

  /** Whether these JVM options limit the JIT to C1 (the last {@code TieredStopAtLevel} wins). */
  static boolean c1Only(List<String> jvmArgs) {
    boolean c1 = false;
    for (String a : jvmArgs) {
      if (a.startsWith("-XX:TieredStopAtLevel=")) {
        c1 = !a.endsWith("=4") && !a.endsWith("=0");
      }
    }
    return c1;
  }

  /**
   * A warning when the members run C1 only but this JVM (the client) does not: then the first
   * policy's measured replay pays for this JVM's C2 compiling, and only that policy (docs, run Z').
   */
  static @Nullable String jitWarning(List<String> memberJvmArgs, List<String> ownJvmArgs) {
    if (!c1Only(memberJvmArgs) || c1Only(ownJvmArgs)) {
      return null;
    }
    return "the members run C1 only, but this JVM (the client) runs the default JIT: the first"
        + " policy's replay pays for its C2 compiling. Compare policies with the client on C1 too:"
        + " VMGRID_JAVA_OPTS=-XX:TieredStopAtLevel=1 ./vmgrid bench e2e ...";
  }

  private Map<String, Object> runPolicy(String name, @Nullable String scheduler,
      E2eWorkload workload, Path jar, Path dir, String runId, PrintWriter out) throws Exception {
    String clusterName = "vmgrid-e2e-" + runId + "-" + name;
    LocalCluster.Spec clusterSpec = new LocalCluster.Spec(jar, memberHeap, agents, scheduler,
        List.copyOf(nodeArgs), List.copyOf(memberJvmArgs), dir);
    Duration startTimeout = Duration.ofSeconds(startTimeoutSeconds);
    long startNanos = System.nanoTime();
    double loadBefore = loadAverage();
    try (LocalCluster cluster = LocalCluster.named(clusterName)) {
      running.set(cluster);
      cluster.start(members, clusterSpec, startTimeout, out);
      out.printf(Locale.ROOT, "  started in %.1f s%n", (System.nanoTime() - startNanos) / 1e9);
      List<String> addresses = cluster.members().stream().map(LocalCluster.Member::address).toList();
      try (AllocationClient client = AllocationClient.connect(
          new ClientSettings(clusterName, addresses, Duration.ofMillis(timeoutMs)))) {
        long loadStart = System.nanoTime();
        int added = client.loadInventory(workload.servers()).get(startTimeoutSeconds, TimeUnit.SECONDS);
        awaitMirrors(cluster, workload.servers().size(), loadStart + startTimeout.toNanos());
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        out.printf(Locale.ROOT, "  loaded %,d servers in %.1f s (every member's mirror caught up)%n",
            added, loadSeconds);
        out.flush();
        if (warmup > 0) {
          Replay warm = replay(client, workload.warmup(), effectiveWarmupRate());
          int released = release(client, warm.placedVmIds());
          cluster.checkAlive();
          Thread.sleep(1_000);
          out.printf(Locale.ROOT, "  warm-up: %d allocations (%d placed, p50 %.2f ms, p99 %.2f ms),"
              + " %d released; not counted below%n", warm.latency().count(), warm.placed(),
              warm.latency().p50Ms(), warm.latency().p99Ms(), released);
          out.flush();
        }
        @Nullable Settled settled = settle(cluster, client, workload.warmup(), out);
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
        Replay replay = replay(client, workload.requests(), rate);
        long clientCpu = clientCpuNanos() - clientCpuStart;
        cluster.checkAlive();
        Thread.sleep(1_000); // let the members record the last deliveries before the scrape
        List<List<PromText.Sample>> after = cluster.scrape();
        double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
        GridMetrics metrics = GridMetrics.of(deltas(baseline, after));
        InventorySummary inventory = client.inventory().get(60, TimeUnit.SECONDS);
        Map<String, Object> r = report(name, replay, metrics, inventory);
        if (!metrics.cpuSeconds().isEmpty()) {
          r.put("memberCpuCores", round(metrics.cpuSecondsTotal() / windowSeconds));
        }
        if (quiet.invocations() >= 0 && replay.latency().count() > 0) {
          double background = quiet.invocations() / quietSeconds;
          r.put("idleInvocationsPerSecond", round(background));
          r.put("invocationsPerAllocationNet", round(Math.max(0, metrics.invocations()
              - background * windowSeconds) / replay.latency().count()));
        }
        if (!quiet.cpuSeconds().isEmpty() && replay.latency().count() > 0) {
          // the quiet cluster's CPU, by thread group, and what the replay cost beyond it
          r.put("idleMemberCpuCores", round4(quiet.cpuSecondsTotal() / quietSeconds));
          Map<String, Double> idle = new LinkedHashMap<>();
          quiet.cpuSeconds().forEach((k, v) -> idle.put(k, round4(v / quietSeconds)));
          r.put("idleCpuCores", idle);
          r.put("memberCpuMsPerAllocationNet", round(Math.max(0, 1000 * (metrics.cpuSecondsTotal()
              - quiet.cpuSecondsTotal() / quietSeconds * windowSeconds))
              / replay.latency().count()));
        }
        if (settled != null) {
          r.put("settleSeconds", round(settled.seconds()));
          r.put("jvmCoresAtStart", round(settled.jvmCores()));
        }
        if (clientCpu >= 0 && replay.latency().count() > 0) {
          r.put("clientCpuMsPerAllocation", round(clientCpu / 1e6 / replay.latency().count()));
        }
        r.put("warmup", warmup);
        r.put("loadAverageBefore", round(loadBefore));
        r.put("loadAverageAfter", round(loadAverage()));
        r.put("loadSeconds", round(loadSeconds));
        r.put("cluster", clusterName);
        out.printf(Locale.ROOT, "  %d placed, %d rejected, %d failed in %.1f s; mean %.2f ms, p50 %.2f,"
            + " p99 %.2f ms; %.1f alloc/s%n", replay.placed(), replay.rejected(), replay.failed(),
            replay.seconds(), replay.latency().meanMs(), replay.latency().p50Ms(),
            replay.latency().p99Ms(), replay.throughput());
        if (r.get("memberCpuMsPerAllocation") instanceof Double cpu) {
          out.printf(Locale.ROOT, "  CPU per allocation: members %.2f ms (%s net of the quiet"
              + " cluster's %s cores; %s cores busy over the replay), client %s ms%n", cpu,
              r.getOrDefault("memberCpuMsPerAllocationNet", "?"),
              r.getOrDefault("idleMemberCpuCores", "?"), r.get("memberCpuCores"),
              r.getOrDefault("clientCpuMsPerAllocation", "?"));
          if (r.get("idleCpuCores") != null) {
            out.printf(Locale.ROOT, "  quiet cluster, cores by thread group: %s%n",
                r.get("idleCpuCores"));
          }
        }
        if (r.get("invocationsPerAllocation") instanceof Double inv) {
          out.printf(Locale.ROOT, "  grid work per allocation: %.2f invocations (%s net of the quiet"
              + " cluster's %s/s), %s operations, %s events (Hazelcast's counters, summed over"
              + " members)%n", inv, r.get("invocationsPerAllocationNet"),
              r.get("idleInvocationsPerSecond"), r.get("operationsPerAllocation"),
              r.get("eventsPerAllocation"));
        }
        Map<String, Double> beliefs = kaminoBeliefs(after);
        if (!beliefs.isEmpty()) {
          r.put("kaminoBeliefsMs", beliefs);
          out.printf(Locale.ROOT, "  Kamino's estimates at the end (mean over members): evaluating a"
              + " top-level hit %.3f ms, every rule %.3f ms, every rule's cached result %.3f ms;"
              + " commit %.3f ms; hop to another member %.3f ms%n", beliefs.get("topHit"),
              beliefs.get("everyRuleMiss"), beliefs.get("everyRuleHit"), beliefs.get("commit"),
              beliefs.get("hop"));
        }
        out.printf(Locale.ROOT, "  machine load average (1 min) %.1f before the cluster started, %.1f"
            + " after the replay (%d cores)%n", loadBefore, loadAverage(),
            Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "  stopping members...%n");
        out.flush();
        return r;
      }
    } finally {
      running.set(null);
    }
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
  private @Nullable Settled settle(LocalCluster cluster, AllocationClient client,
      List<VmRequest> pool, PrintWriter out) throws IOException, InterruptedException {
    if (settleSeconds == 0 || pool.isEmpty()) {
      return null;
    }
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(settleSeconds);
    double last = jvmCpuSeconds(cluster.scrape());
    if (last < 0) {
      return null;
    }
    long lastAt = System.nanoTime();
    double cores;
    int round = 0;
    AtomicLong outstanding = new AtomicLong();
    double windowRate = rate > 0 ? rate : 200;
    int perWindow = (int) Math.max(1, Math.round(windowRate * SETTLE_WINDOW_MILLIS / 1000.0));
    while (true) {
      round++;
      long windowStart = System.nanoTime();
      for (int i = 0; i < perWindow; i++) {
        long due = windowStart + Math.round(i * 1e9 / windowRate);
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        VmRequest r = pool.get((round * perWindow + i) % pool.size());
        VmRequest again = VmRequest.builder().requestId("settle-" + round + "-" + i)
            .vmId("settle-" + round + "-" + i + "-" + r.vmId()).tenantId(r.tenantId())
            .cores(r.cores()).memoryMb(r.memoryMb()).priority(r.priority()).build();
        outstanding.incrementAndGet();
        var unused = client.allocate(again).thenCompose(o -> o instanceof AllocationOutcome.Placed
            ? client.release(o.vmId()).handle((x, e) -> null)
            : CompletableFuture.completedFuture(null))
            .whenComplete((x, e) -> outstanding.decrementAndGet());
      }
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
        fmt(windowRate), cores);
    out.flush();
    return new Settled(waited, cores);
  }

  /** How long {@link #settle} waited, and the members' 'jvm' cores in its last window. */
  private record Settled(double seconds, double jvmCores) {}

  private static final long SETTLE_WINDOW_MILLIS = 3_000;
  /** The quiet window before each replay that measures the cluster's background work. */
  private static final long QUIET_WINDOW_MILLIS = 5_000;

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

  /**
   * What a replay observed.
   *
   * @param latency client-observed latency of every allocation
   * @param placed placed outcomes
   * @param rejected rejected outcomes
   * @param failed failed outcomes (timeouts, errors)
   * @param seconds first issue to last outcome
   * @param maxIssueLagMs how late the issuer was at worst against the schedule
   * @param reasons outcome reasons of rejected and failed requests, counted
   * @param placedVmIds the VMs placed
   */
  record Replay(LatencySummary latency, int placed, int rejected, int failed, double seconds,
      double maxIssueLagMs, Map<String, Integer> reasons, List<String> placedVmIds) {
    double throughput() {
      return seconds <= 0 ? 0 : latency.count() / seconds;
    }
  }

  /** The warm-up's rate: {@code --warmup-rate}, or {@code --rate} when that is -1. */
  private double effectiveWarmupRate() {
    return warmupRate < 0 ? rate : warmupRate;
  }

  private Replay replay(AllocationClient client, List<VmRequest> requests, double rate)
      throws InterruptedException {
    int n = requests.size();
    long[] latency = new long[n];
    String[] outcome = new String[n];
    CountDownLatch done = new CountDownLatch(n);
    AtomicLong lastDone = new AtomicLong();
    @Nullable Semaphore window = rate == 0 ? new Semaphore(inFlight) : null;
    double intervalNanos = rate == 0 ? 0 : 1e9 / rate;
    long maxLag = 0;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (rate > 0) {
        long due = start + Math.round(i * intervalNanos);
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        maxLag = Math.max(maxLag, System.nanoTime() - due);
      } else if (window != null) {
        window.acquire();
      }
      int index = i;
      long t0 = System.nanoTime();
      var unused = client.allocate(requests.get(i)).whenComplete((o, x) -> {
        long now = System.nanoTime();
        try {
          latency[index] = now - t0;
          outcome[index] = x != null ? "FAILED:" + x.getClass().getSimpleName()
              : o instanceof AllocationOutcome.Placed ? "PLACED"
              : o instanceof AllocationOutcome.Rejected rej ? "REJECTED:" + rej.reason()
              : o instanceof AllocationOutcome.Failed f ? "FAILED:" + f.reason()
              : "FAILED:UNKNOWN";
          lastDone.accumulateAndGet(now, Math::max);
        } finally {
          if (window != null) {
            window.release();
          }
          done.countDown();
        }
      });
    }
    if (!done.await(timeoutMs + 120_000, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(done.getCount() + " allocations never completed");
    }
    int placed = 0;
    int rejected = 0;
    int failed = 0;
    Map<String, Integer> reasons = new TreeMap<>();
    List<String> placedVmIds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String o = outcome[i];
      if (o.equals("PLACED")) {
        placed++;
        placedVmIds.add(requests.get(i).vmId());
        continue;
      }
      if (o.startsWith("REJECTED")) {
        rejected++;
      } else {
        failed++;
      }
      reasons.merge(o, 1, Integer::sum);
    }
    return new Replay(LatencySummary.ofNanos(latency), placed, rejected, failed,
        (lastDone.get() - start) / 1e9, maxLag / 1e6, reasons, placedVmIds);
  }

  /** Releases {@code vmIds}, at most {@code --in-flight} at a time; returns how many were released. */
  private int release(AllocationClient client, List<String> vmIds) throws InterruptedException {
    Semaphore window = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(vmIds.size());
    AtomicLong released = new AtomicLong();
    for (String id : vmIds) {
      window.acquire();
      var unused = client.release(id).whenComplete((r, x) -> {
        if (x == null) {
          released.incrementAndGet();
        }
        window.release();
        done.countDown();
      });
    }
    if (!done.await(timeoutMs + 60_000, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(done.getCount() + " warm-up releases never completed");
    }
    return (int) released.get();
  }

  /** One policy's report, in the JSON's field order. */
  static Map<String, Object> report(String name, Replay replay, GridMetrics metrics,
      InventorySummary inventory) {
    Map<String, Object> r = new LinkedHashMap<>();
    LatencySummary l = replay.latency();
    r.put("name", name);
    r.put("meanMs", round(l.meanMs()));
    r.put("p50Ms", round(l.p50Ms()));
    r.put("p90Ms", round(l.p90Ms()));
    r.put("p99Ms", round(l.p99Ms()));
    r.put("maxMs", round(l.maxMs()));
    r.put("throughputPerSec", round(replay.throughput()));
    r.put("topHitRatio", round4(metrics.topHitRatio()));
    r.put("conflictRate", round4(metrics.conflictRate()));
    r.put("packingDensity", round4(inventory.packingDensityPercent() / 100));
    r.put("placed", replay.placed());
    r.put("rejected", replay.rejected());
    r.put("failed", replay.failed());
    r.put("requests", l.count());
    r.put("seconds", round(replay.seconds()));
    r.put("maxIssueLagMs", round(replay.maxIssueLagMs()));
    r.put("reasons", replay.reasons());
    r.put("conflicts", metrics.conflicts());
    r.put("forwardedRatio", l.count() == 0 ? 0 : round4(metrics.forwarded() / (double) l.count()));
    r.put("allocationsAnswered", metrics.allocations());
    Map<String, Long> lookups = new LinkedHashMap<>();
    lookups.put("topHit", metrics.topHits());
    lookups.put("partialHit", metrics.partialHits());
    lookups.put("miss", metrics.misses());
    r.put("cacheLookups", lookups);
    Map<String, Double> stages = new LinkedHashMap<>();
    metrics.stagesMs().forEach((k, v) -> stages.put(k, round4(v)));
    r.put("stagesMs", stages);
    r.put("stageCounts", metrics.stageCounts());
    if (metrics.invocations() >= 0 && l.count() > 0) {
      r.put("invocationsPerAllocation", round(metrics.invocations() / (double) l.count()));
      r.put("operationsPerAllocation", round(metrics.operations() / (double) l.count()));
      r.put("eventsPerAllocation", round(metrics.events() / (double) l.count()));
    }
    if (!metrics.cpuSeconds().isEmpty() && l.count() > 0) {
      r.put("memberCpuMsPerAllocation", round(1000 * metrics.cpuSecondsTotal() / l.count()));
      Map<String, Double> cpu = new LinkedHashMap<>();
      metrics.cpuSeconds().forEach((k, v) -> cpu.put(k, round4(1000 * v / l.count())));
      r.put("cpuMsPerAllocation", cpu);
    }
    r.put("emptyServers", inventory.emptyServers());
    r.put("vms", inventory.vms());
    return r;
  }

  /**
   * Per policy over all rounds: its mean latency in each round, the mean of those, and the
   * geometric mean over the rounds of its mean latency divided by the first policy's in the same
   * round ({@code ratioToFirst}; 0.8 = 20% below). Rounds where either failed are left out.
   */
  static List<Map<String, Object>> compare(List<Map<String, Object>> results, List<String> policies) {
    Map<Integer, Map<String, Double>> byRound = new java.util.TreeMap<>();
    for (Map<String, Object> r : results) {
      if (r.get("meanMs") instanceof Number mean && r.get("round") instanceof Number round) {
        byRound.computeIfAbsent(round.intValue(), k -> new LinkedHashMap<>())
            .put(String.valueOf(r.get("name")), mean.doubleValue());
      }
    }
    String first = policies.get(0);
    List<Map<String, Object>> out = new ArrayList<>();
    for (String p : policies) {
      List<Double> means = new ArrayList<>();
      double logSum = 0;
      int pairs = 0;
      for (Map<String, Double> round : byRound.values()) {
        Double mine = round.get(p);
        if (mine == null) {
          continue;
        }
        means.add(mine);
        Double base = round.get(first);
        if (base != null && base > 0 && mine > 0) {
          logSum += Math.log(mine / base);
          pairs++;
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", p);
      m.put("meanMsByRound", means);
      m.put("meanMsOverRounds", means.isEmpty() ? null
          : round(means.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
      m.put("ratioToFirst", pairs == 0 ? null : round4(Math.exp(logSum / pairs)));
      m.put("roundsCompared", pairs);
      out.add(m);
    }
    return out;
  }

  private static void printComparison(List<Map<String, Object>> comparison, PrintWriter out) {
    if (comparison.isEmpty()) {
      return;
    }
    out.printf(Locale.ROOT, "%nover both orders: %-15s %12s %12s  %s%n", "policy", "mean ms",
        "vs first", "mean ms per round");
    for (Map<String, Object> m : comparison) {
      out.printf(Locale.ROOT, "                  %-15s %12s %12s  %s%n", m.get("name"),
          m.get("meanMsOverRounds"), m.get("ratioToFirst"), m.get("meanMsByRound"));
    }
  }

  /** Prints one row per policy and a row of stage means per policy. */
  static void printTable(List<Map<String, Object>> results, PrintWriter out) {
    out.printf(Locale.ROOT, "%n%-15s %6s %6s %6s %8s %8s %8s %8s %9s %7s %8s %8s%n", "policy",
        "placed", "rej", "failed", "mean ms", "p50 ms", "p90 ms", "p99 ms", "alloc/s", "topHit",
        "conflict", "packing");
    for (Map<String, Object> r : results) {
      if (r.containsKey("error")) {
        out.printf(Locale.ROOT, "%-15s FAILED: %s%n", r.get("name"), r.get("error"));
        continue;
      }
      out.printf(Locale.ROOT, "%-15s %6s %6s %6s %8s %8s %8s %8s %9s %7s %8s %8s%n", r.get("name"),
          r.get("placed"), r.get("rejected"), r.get("failed"), r.get("meanMs"), r.get("p50Ms"),
          r.get("p90Ms"), r.get("p99Ms"), r.get("throughputPerSec"), r.get("topHitRatio"),
          r.get("conflictRate"), r.get("packingDensity"));
    }
    List<String> stages = columns(results, "stagesMs", GridMetrics.STAGE_ORDER);
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%n%-15s", "stage mean ms"));
    for (String s : stages) {
      header.append(String.format(Locale.ROOT, " %11s", s));
    }
    out.println(header);
    for (Map<String, Object> r : results) {
      if (!(r.get("stagesMs") instanceof Map<?, ?> m)) {
        continue;
      }
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-15s", r.get("name")));
      for (String s : stages) {
        Object v = m.get(s);
        row.append(String.format(Locale.ROOT, " %11s", v == null ? "-" : fmt((Double) v)));
      }
      out.println(row);
    }
    printCpu(results, out);
  }

  /** Members' CPU per allocation by thread group (ms), where the members export it. */
  private static void printCpu(List<Map<String, Object>> results, PrintWriter out) {
    if (results.stream().noneMatch(r -> r.get("cpuMsPerAllocation") instanceof Map<?, ?>)) {
      return;
    }
    List<String> groups = columns(results, "cpuMsPerAllocation", GridMetrics.CPU_GROUP_ORDER);
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%n%-15s %8s %8s",
        "cpu ms/alloc", "members", "client"));
    for (String g : groups) {
      header.append(String.format(Locale.ROOT, " %9s", abbreviate(g)));
    }
    out.println(header);
    for (Map<String, Object> r : results) {
      if (!(r.get("cpuMsPerAllocation") instanceof Map<?, ?> m)) {
        continue;
      }
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-15s %8s %8s",
          r.get("name"), r.get("memberCpuMsPerAllocation"),
          r.getOrDefault("clientCpuMsPerAllocation", "-")));
      for (String g : groups) {
        Object v = m.get(g);
        row.append(String.format(Locale.ROOT, " %9s", v == null ? "-" : fmt((Double) v)));
      }
      out.println(row);
    }
  }

  /** {@code order}, then the other keys the results' {@code key} maps hold, in first-seen order. */
  private static List<String> columns(List<Map<String, Object>> results, String key,
      List<String> order) {
    List<String> out = new ArrayList<>(order);
    for (Map<String, Object> r : results) {
      if (r.get(key) instanceof Map<?, ?> m) {
        for (Object k : m.keySet()) {
          if (!out.contains(String.valueOf(k))) {
            out.add(String.valueOf(k));
          }
        }
      }
    }
    return out;
  }

  /** A thread group's name cut to a table column. */
  private static String abbreviate(String group) {
    return switch (group) {
      case "partition-operation" -> "partition";
      case "generic-operation" -> "generic";
      default -> group.length() > 9 ? group.substring(0, 9) : group;
    };
  }

  /** This process's CPU time in nanoseconds, or -1 where the platform does not tell. */
  private static long clientCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
  }

  /** The machine's 1-minute load average (negative where the platform has none). */
  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** Whether {@code vmgrid node --help} of this jar lists a {@code --scheduler} flag. */
  private static boolean nodeHasSchedulerFlag(Path jar) throws IOException, InterruptedException {
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

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.3f", v);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double round4(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  /**
   * What routing believed at the end, from the members' {@code vmgrid_estimate_seconds} and
   * {@code vmgrid_router_hop_seconds} gauges, in milliseconds, averaged over members: evaluating a
   * top-level hit, every rule (the sum over rules), every rule's cached result, the commit share
   * added to each, and the hop.
   * Empty if the members do not export them (direct policy, older node jars).
   */
  static Map<String, Double> kaminoBeliefs(List<List<PromText.Sample>> members) {
    double top = 0;
    double commit = 0;
    double miss = 0;
    double hit = 0;
    double hop = 0;
    int n = 0;
    for (List<PromText.Sample> m : members) {
      boolean any = false;
      for (PromText.Sample x : m) {
        if (!Double.isFinite(x.value())) {
          continue;
        }
        if (x.name().equals("vmgrid_estimate_seconds")) {
          any = true;
          switch (x.label("kind")) {
            case "top_hit" -> top += x.value();
            case "commit" -> commit += x.value();
            case "rule_miss" -> miss += x.value();
            case "rule_hit" -> hit += x.value();
            default -> { }
          }
        } else if (x.name().equals("vmgrid_router_hop_seconds")) {
          hop += x.value();
        }
      }
      if (any) {
        n++;
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    if (n > 0) {
      out.put("topHit", round4(1000 * top / n));
      out.put("everyRuleMiss", round4(1000 * miss / n));
      out.put("everyRuleHit", round4(1000 * hit / n));
      out.put("commit", round4(1000 * commit / n));
      out.put("hop", round4(1000 * hop / n));
    }
    return out;
  }

}
