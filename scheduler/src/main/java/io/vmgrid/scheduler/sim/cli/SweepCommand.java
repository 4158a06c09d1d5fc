package io.vmgrid.scheduler.sim.cli;

import io.vmgrid.scheduler.sim.PolicyResult;
import io.vmgrid.scheduler.sim.SimReport;
import io.vmgrid.scheduler.sim.SimSettings;
import io.vmgrid.scheduler.sim.plot.Plots;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vmgrid sim sweep}: the same comparison over several load factors (at a fixed agent count)
 * and over several agent counts (at load factor 1, with a fixed total cache budget split evenly).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
    version = "vmgrid sim 0.1.0",
    description = "Vary the load factor and the agent count; print tables, write JSON and plots.")
public final class SweepCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin SimOptions options;

  @Option(names = "--load-factors", split = ",", paramLabel = "EPS",
      description = "Load factors at --agents agents (default: ${DEFAULT-VALUE})")
  double[] loadFactors = {1.0, 0.8, 0.67, 0.5, 0.4, 0.33};

  @Option(names = "--agents", description = "Agents for the load-factor sweep (default: ${DEFAULT-VALUE})")
  int agents = 4;

  @Option(names = "--agent-counts", split = ",", paramLabel = "N",
      description = "Agent counts at load factor 1 (default: ${DEFAULT-VALUE})")
  int[] agentCounts = {2, 4, 8, 16};

  @Option(names = "--json", paramLabel = "OUT", description = "Write both sweeps' reports to OUT")
  @Nullable Path json;

  /** Both sweeps, as written to JSON. */
  record SweepReport(List<SimReport> byLoadFactor, List<SimReport> byAgentCount) {}

  @Override
  public Integer call() throws IOException {
    validate();
    List<String> policies = options.policyNames();
    PrintWriter out = spec.commandLine().getOut();
    SimOptions.Prepared prepared = options.prepare();
    long totalCache = options.cacheBytes * agents;
    long t0 = System.nanoTime();
    long simulated = 0;

    List<SimReport> byLoad = new ArrayList<>();
    for (double eps : loadFactors) {
      SimSettings settings = SimSettings.defaults(options.seed).withAgents(agents)
          .withCacheBytes(options.cacheBytes);
      SimReport r = options.run(prepared, settings, policies, eps, null).report();
      SimCommand.printTable(out, r);
      out.println();
      byLoad.add(r);
      simulated += (long) r.requests() * policies.size();
    }
    List<SimReport> byAgents = new ArrayList<>();
    for (int n : agentCounts) {
      SimSettings settings = SimSettings.defaults(options.seed).withAgents(n)
          .withCacheBytes(Math.max(1, totalCache / n));
      SimReport r = options.run(prepared, settings, policies, 1.0, null).report();
      SimCommand.printTable(out, r);
      out.println();
      byAgents.add(r);
      simulated += (long) r.requests() * policies.size();
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    out.printf(Locale.ROOT, "simulated %,d requests in %.2f s: %,.0f requests/s%n", simulated, wall,
        wall > 0 ? simulated / wall : 0);
    if (json != null) {
      SimCommand.writeJson(json, new SweepReport(byLoad, byAgents));
      out.println("wrote " + json);
    }
    if (options.plots != null) {
      Path dir = Path.of(options.plots);
      writePlots(dir, byLoad, byAgents);
      out.println("wrote plots to " + dir);
    }
    out.flush();
    return 0;
  }

  /** Checks the options, throwing {@link IllegalArgumentException} naming the first bad one. */
  private void validate() {
    options.validate();
    for (double eps : loadFactors) {
      SimCommand.checkLoadFactor(eps);
    }
    if (agents <= 0) {
      throw new IllegalArgumentException("--agents must be at least 1, was " + agents);
    }
    for (int n : agentCounts) {
      if (n <= 0) {
        throw new IllegalArgumentException("--agent-counts must all be at least 1, was " + n);
      }
    }
  }

  /** Writes the mean and P90 latency plots of both sweeps into {@code dir}. */
  private void writePlots(Path dir, List<SimReport> byLoad, List<SimReport> byAgents)
      throws IOException {
    double[] x = loadFactors.clone();
    double[] xa = new double[agentCounts.length];
    for (int i = 0; i < agentCounts.length; i++) {
      xa[i] = agentCounts[i];
    }
    String what = byLoad.get(0).workload();
    Plots.sweep("Mean latency vs load factor (" + agents + " agents, " + what + ")",
        "load factor (inter-arrival multiplier; lower = more load)", "mean latency (ms)", x,
        series(byLoad, true), dir.resolve("sweep-load-mean.png"));
    Plots.sweep("P90 latency vs load factor (" + agents + " agents, " + what + ")",
        "load factor (inter-arrival multiplier; lower = more load)", "P90 latency (ms)", x,
        series(byLoad, false), dir.resolve("sweep-load-p90.png"));
    Plots.sweep("Mean latency vs agents (fixed total cache, " + what + ")", "agents",
        "mean latency (ms)", xa, series(byAgents, true), dir.resolve("sweep-agents-mean.png"));
    Plots.sweep("P90 latency vs agents (fixed total cache, " + what + ")", "agents",
        "P90 latency (ms)", xa, series(byAgents, false), dir.resolve("sweep-agents-p90.png"));
  }

  private static Map<String, double[]> series(List<SimReport> reports, boolean mean) {
    Map<String, double[]> m = new LinkedHashMap<>();
    for (int i = 0; i < reports.size(); i++) {
      for (PolicyResult p : reports.get(i).policies()) {
        m.computeIfAbsent(p.name(), k -> new double[reports.size()])[i] = mean ? p.meanMs() : p.p90Ms();
      }
    }
    return m;
  }
}
