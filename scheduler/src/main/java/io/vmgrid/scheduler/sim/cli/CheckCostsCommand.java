package io.vmgrid.scheduler.sim.cli;

import io.vmgrid.scheduler.sim.engine.CostCheck;
import io.vmgrid.scheduler.sim.engine.EngineCosts;
import io.vmgrid.scheduler.sim.engine.EngineWorkload;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vmgrid sim check-costs}: engine mode's counted costs against wall-clock time on the same
 * lookups (medians per kind), to see how far the counted prices are from this machine.
 */
@Command(name = "check-costs", mixinStandardHelpOptions = true, sortOptions = false,
    version = "vmgrid sim 0.1.0",
    description = "Time real cache lookups of the workload and compare with engine mode's counted cost.")
public final class CheckCostsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin SimOptions options;

  @Option(names = "--requests", paramLabel = "N",
      description = "Requests replayed per pass (default: ${DEFAULT-VALUE})")
  int requests = 20_000;

  @Option(names = "--agents", description = "Agent caches (default: ${DEFAULT-VALUE})")
  int agents = 4;

  @Override
  public Integer call() throws IOException {
    options.mode = "engine";
    options.validate();
    if (agents <= 0 || requests <= 0) {
      throw new IllegalArgumentException("--agents and --requests must be at least 1");
    }
    SimOptions.Prepared p = options.prepare();
    EngineWorkload workload = p.engine();
    if (workload == null) {
      throw new IllegalStateException("engine workload missing");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "check-costs: %s, %,d servers, seed %d, %,d requests x 2 passes%n",
        p.reader().description(), options.servers, options.seed, requests);
    List<CostCheck.Row> rows = CostCheck.run(workload, EngineCosts.DEFAULTS, requests, agents,
        options.cacheBytes, options.seed, System::nanoTime);
    out.printf(Locale.ROOT, "%-28s %8s %14s %14s %10s%n", "lookup", "count", "measured us",
        "counted us", "records");
    for (CostCheck.Row r : rows) {
      out.printf(Locale.ROOT, "%-28s %8d %14.1f %14.1f %10d%n", r.kind(), r.lookups(),
          r.measuredMicros(), r.countedMicros(), r.medianRecords());
    }
    out.flush();
    return 0;
  }
}
