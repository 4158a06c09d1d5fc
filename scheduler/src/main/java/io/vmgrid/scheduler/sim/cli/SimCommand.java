package io.vmgrid.scheduler.sim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmgrid.rules.ruleset.RuleSetException;
import io.vmgrid.rules.trace.TraceFormatException;
import io.vmgrid.scheduler.estimate.LatencyEstimator;
import io.vmgrid.scheduler.sim.PolicyResult;
import io.vmgrid.scheduler.sim.SimReport;
import io.vmgrid.scheduler.sim.SimRunner;
import io.vmgrid.scheduler.sim.SimSettings;
import io.vmgrid.scheduler.sim.plot.Plots;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code vmgrid sim}: replays a trace through every selected routing policy on the identical request
 * stream and prints a comparison table; optionally writes JSON and plots.
 */
@Command(name = "sim", mixinStandardHelpOptions = true, sortOptions = false,
    version = "vmgrid sim 0.1.0",
    subcommands = {SweepCommand.class, CheckCostsCommand.class},
    description = "Kamino simulator: compare routing policies on one request stream.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:bad input or failed run", "2:invalid command line"})
public final class SimCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  @Mixin SimOptions options;

  @Option(names = "--agents", description = "Number of agents (default: ${DEFAULT-VALUE})")
  int agents = 4;

  @Option(names = "--load-factor", paramLabel = "EPS",
      description = "Multiplies inter-arrival times; 0.8 = 25%% more load (default: ${DEFAULT-VALUE})")
  double loadFactor = 1.0;

  @Option(names = "--json", paramLabel = "OUT", description = "Write the JSON report to OUT")
  @Nullable Path json;

  @Option(names = "--estimator", paramLabel = "FILE", description = "Latency estimator state: "
      + "every policy starts from FILE if it exists; afterwards the estimator learned by the first "
      + "policy run is saved to FILE")
  @Nullable Path estimatorFile;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The picocli command line with vmgrid's error handling (exit 1 on bad input). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new SimCommand());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("vmgrid sim: " + message(ex));
      cmd.getErr().flush();
      return 1;
    });
    return cl;
  }

  static String message(Exception ex) {
    if (ex instanceof NoSuchFileException nsf) {
      return "trace file not found: " + nsf.getFile();
    }
    if (ex instanceof TraceFormatException || ex instanceof IllegalArgumentException
        || ex instanceof RuleSetException) {
      return String.valueOf(ex.getMessage());
    }
    return ex.getClass().getSimpleName() + ": " + ex.getMessage();
  }

  @Override
  public Integer call() throws IOException {
    options.validate();
    if (agents <= 0) {
      throw new IllegalArgumentException("--agents must be at least 1, was " + agents);
    }
    checkLoadFactor(loadFactor);
    List<String> policies = options.policyNames();
    PrintWriter out = spec.commandLine().getOut();
    SimOptions.Prepared prepared = options.prepare();
    SimSettings settings =
        SimSettings.defaults(options.seed).withAgents(agents).withCacheBytes(options.cacheBytes);
    LatencyEstimator initial = estimatorFile != null && Files.exists(estimatorFile)
        ? LatencyEstimator.load(estimatorFile, prepared.ruleNames(),
            prepared.estimatorDefaults(settings))
        : null;
    long t0 = System.nanoTime();
    SimRunner.Outcome o = options.run(prepared, settings, policies, loadFactor, initial);
    double wall = (System.nanoTime() - t0) / 1e9;
    printTable(out, o.report());
    long simulated = (long) o.report().requests() * policies.size();
    out.printf(Locale.ROOT, "simulated %,d requests in %.2f s: %,.0f requests/s%n", simulated, wall,
        wall > 0 ? simulated / wall : 0);
    if (json != null) {
      writeJson(json, o.report());
      out.println("wrote " + json);
    }
    if (estimatorFile != null) {
      o.runs().get(0).estimator().save(estimatorFile);
      out.println((initial != null ? "loaded and saved " : "saved ") + "estimator " + estimatorFile);
    }
    if (options.plots != null) {
      Path png = Path.of(options.plots).resolve("latency-cdf.png");
      Plots.latencyCdf(o.runs(), String.format(Locale.ROOT, "Latency CDF: %d agents, load factor %s, %s",
          agents, loadFactor, o.report().workload()), png);
      out.println("wrote " + png);
    }
    out.flush();
    return 0;
  }

  static void checkLoadFactor(double eps) {
    if (!(eps > 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("--load-factor must be a positive number, was " + eps);
    }
  }

  static void writeJson(Path file, Object value) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), value);
  }

  /** Prints the run's parameters and one row per policy. */
  static void printTable(PrintWriter out, SimReport r) {
    out.printf(Locale.ROOT, "mode: %s   seed: %d   workload: %s%n", r.mode(), r.seed(), r.workload());
    SimReport.EngineInfo e = r.engine();
    if (e != null) {
      out.printf(Locale.ROOT, "engine: %,d servers (%s), rule set %s (%d rules), %,d VMs running at "
          + "start, journal %,d%n", e.servers(), e.machineTypes(), e.ruleSet(), e.rules(),
          e.initialVms(), e.journalCapacity());
    }
    out.printf(Locale.ROOT,
        "requests: %,d   request types: %d   agents: %d   rate: %s/s   load factor: %s   cache/agent: %,d B%n",
        r.requests(), r.requestTypes(), r.agents(), r.ratePerSec(), r.loadFactor(),
        r.cacheBytesPerAgent());
    out.printf(Locale.ROOT, "%-15s %9s %9s %9s %9s %8s %8s %10s %9s %8s %6s %7s %7s%n", "policy",
        "mean ms", "p50 ms", "p90 ms", "p99 ms", "top-hit", "rule-hit", "cache MiB", "thru/s",
        "svc ms", "util", "best", "pred");
    for (PolicyResult p : r.policies()) {
      out.printf(Locale.ROOT,
          "%-15s %9.3f %9.3f %9.3f %9.3f %7.1f%% %7.1f%% %10.2f %9.1f %8.4f %5.1f%% %7s %7s%n",
          p.name(), p.meanMs(), p.p50Ms(), p.p90Ms(), p.p99Ms(), 100 * p.topHitRatio(),
          100 * p.ruleHitRatio(), p.cacheBytesMean() / (1024.0 * 1024.0), p.throughputPerSec(),
          p.meanServiceMs(), 100 * p.utilization(), pct(p.bestAgentChosenRatio()),
          pct(p.eventPredictionAccuracy()));
    }
    for (PolicyResult p : r.policies()) {
      Long failed = p.placementFailures();
      if (failed != null && failed > 0) {
        out.printf(Locale.ROOT, "%s: %,d placements found no server%n", p.name(), failed);
      }
    }
  }

  private static String pct(@Nullable Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }
}
