package io.vmgrid.bench.e2e;

import io.vmgrid.scheduler.sim.Workloads;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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
 *
 * <p>This class checks the flags ({@link E2eOptions}), prepares the run and prints its header; the
 * clusters are run by {@link E2eRun}, and {@link E2eReport} prints the table and writes the JSON.
 */
@Command(
    name = "e2e",
    mixinStandardHelpOptions = true,
    description = "End to end: member processes, a client replaying a trace at a fixed rate, one"
        + " fresh cluster per scheduling policy; latency, throughput, cache hits, conflicts,"
        + " packing and per-stage times.")
public final class E2eBenchCommand implements Callable<Integer> {

  /** Keeps the configured logger alive: java.util.logging holds loggers only weakly. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  @Spec CommandSpec spec;

  @Mixin E2eOptions options = new E2eOptions();

  @Override
  public Integer call() throws Exception {
    String problem = options.problem();
    if (problem != null) {
      throw new ParameterException(spec.commandLine(), problem);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "jdk");
    }
    HAZELCAST_LOG.setLevel(Level.WARNING);
    Path jarSource = Workloads.resolve(options.nodeJar);
    List<String> policies = options.policies();
    boolean nodeHasFlag = nodeHasFlag(jarSource, policies);
    E2eWorkload workload = E2eWorkload.load(options.trace, Workloads.resolve(options.trace),
        options.servers, options.limit, options.warmup, options.report.seed());
    Path dir = options.workDir != null ? options.workDir
        : Files.createTempDirectory("vmgrid-e2e-");
    Files.createDirectories(dir);
    Path jar = dir.resolve("vmgrid-node.jar");
    Instant jarModified = Files.getLastModifiedTime(jarSource).toInstant();
    Files.copy(jarSource, jar, StandardCopyOption.REPLACE_EXISTING);

    List<String> ownJvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
    printHeader(workload, policies, jarSource, jarModified, nodeHasFlag, ownJvmArgs, out);
    List<PolicyResult> results;
    try {
      results = new E2eRun(options, policies, workload, jar, dir, nodeHasFlag, out).run();
    } finally {
      Files.deleteIfExists(jar);
    }

    E2eReport.printTable(results, out);
    List<E2eReport.Comparison> comparison =
        options.rounds > 1 ? E2eReport.compare(results, policies) : List.of();
    E2eReport.printComparison(comparison, out);
    if (options.report.write(E2eReport.of(options, workload, nodeHasFlag, jarSource, jarModified,
        c1Only(ownJvmArgs), results, comparison))) {
      out.printf(Locale.ROOT, "%nwrote %s%n", options.report.json());
    }
    out.flush();
    return results.stream().anyMatch(r -> r instanceof PolicyResult.Failure) ? 1 : 0;
  }

  /**
   * Whether the policy is passed to the nodes as {@code --scheduler} ({@code --scheduler-flag}, by
   * default whether {@code jarSource} has the flag); refuses {@code policies} other than direct
   * without it.
   */
  private boolean nodeHasFlag(Path jarSource, List<String> policies)
      throws IOException, InterruptedException {
    boolean nodeHasFlag = switch (options.schedulerFlag) {
      case "always" -> true;
      case "never" -> false;
      default -> E2eRun.nodeHasSchedulerFlag(jarSource);
    };
    if (!nodeHasFlag) {
      for (String p : policies) {
        if (!p.equals(E2eOptions.DIRECT)) {
          throw new ParameterException(spec.commandLine(), "--policy: " + p + " needs the node's"
              + " --scheduler flag, which " + jarSource + " does not have (only 'direct' runs"
              + " without it; or pass --scheduler-flag always)");
        }
      }
    }
    return nodeHasFlag;
  }

  /** Prints what the run is about to do, and a warning if the client's JIT skews the first policy. */
  private void printHeader(E2eWorkload workload, List<String> policies, Path jarSource,
      Instant jarModified, boolean nodeHasFlag, List<String> ownJvmArgs, PrintWriter out) {
    E2eOptions o = options;
    out.printf(Locale.ROOT, "bench e2e: %d member processes x %d agents (-Xmx%s each), %,d servers,"
        + " %,d allocations per policy at %s, policies %s%n", o.members, o.agents, o.memberHeap,
        o.servers, workload.requests().size(), o.rate == 0
            ? "full speed (" + o.inFlight + " in flight)" : E2eReport.fmt(o.rate) + "/s open loop",
        String.join(",", policies));
    out.printf(Locale.ROOT, "  workload: %s%s%n", workload.description(),
        o.warmup > 0 ? "; " + o.warmup + " warm-up allocations per policy first" : "");
    out.printf(Locale.ROOT, "  seed %d; node jar %s of %s (%s)%n", o.report.seed(), jarSource, jarModified,
        nodeHasFlag ? "policy passed as --scheduler" : "no --scheduler flag: the direct path");
    if (workload.synthetic()) {
      out.println("  NOTE: synthetic workload, not the Azure trace");
    }
    String jitWarning = jitWarning(o.memberJvmArgs, ownJvmArgs);
    if (jitWarning != null) {
      out.println("  WARNING: " + jitWarning);
    }
    out.flush();
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
}
