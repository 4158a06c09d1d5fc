package io.vmgrid.bench.e2e;

import io.vmgrid.bench.ReportOptions;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import io.vmgrid.scheduler.sim.Workloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The flags of {@code bench e2e}, mixed into {@link E2eBenchCommand}: the cluster's shape, the
 * workload and its rates, warming up and settling, and where things go. {@link #problem()} checks
 * them all once, before anything starts, and names the flag at fault.
 */
final class E2eOptions {
  /** The policy that runs the pre-scheduler direct path. */
  static final String DIRECT = "direct";

  private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[kKmMgG]?");
  private static final String DEFAULT_NODE_JAR = "grid-node/target/vmgrid-node.jar";

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

  @Mixin ReportOptions report = new ReportOptions();


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
          + " JIT compilers and GC (the 'jvm' CPU group) stay below " + E2eRun.SETTLED_JVM_CORES
          + " cores summed over the members for a " + E2eRun.SETTLE_WINDOW_MILLIS / 1000 + " s"
          + " window: the compiled steady state a long-running member reaches. The wait and the"
          + " level reached are reported. 0 = do not settle (default ${DEFAULT-VALUE}).")
  int settleSeconds;

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

  /** The first problem with the flags, naming the flag, or null if they are fine. */
  @Nullable String problem() {
    String problem = workloadProblem();
    if (problem == null) {
      problem = clusterProblem();
    }
    if (problem == null) {
      problem = fileProblem();
    }
    return problem;
  }

  /** The first problem with the cluster's size, the policies, the workload or its rates. */
  private @Nullable String workloadProblem() {
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
    return null;
  }

  /** The first problem with how the members run, the client's timeout or the waits. */
  private @Nullable String clusterProblem() {
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
    return null;
  }

  /** The problem with the files named: the JSON's folder, the node jar. */
  private @Nullable String fileProblem() {
    String report = this.report.problem();
    if (report != null) {
      return report;
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

  /** The warm-up's rate: {@code --warmup-rate}, or {@code --rate} when that is -1. */
  double effectiveWarmupRate() {
    return warmupRate < 0 ? rate : warmupRate;
  }
}
