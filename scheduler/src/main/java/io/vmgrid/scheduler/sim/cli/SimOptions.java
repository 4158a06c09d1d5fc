package io.vmgrid.scheduler.sim.cli;

import io.vmgrid.scheduler.policy.PolicyRegistry;
import io.vmgrid.scheduler.sim.AzureSampleReader;
import io.vmgrid.scheduler.sim.SimSettings;
import io.vmgrid.scheduler.sim.SyntheticSettings;
import io.vmgrid.scheduler.sim.SyntheticWorkload;
import io.vmgrid.scheduler.sim.TraceReader;
import io.vmgrid.scheduler.sim.Workloads;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Options shared by {@code sim} and {@code sim sweep}: workload, seed, policies, cache, mode. */
final class SimOptions {

  @Option(names = "--trace", paramLabel = "FILE",
      description = "Azure packing sample CSV (default: ${DEFAULT-VALUE}, relative to the repo root)")
  String trace = Workloads.DEFAULT_TRACE;

  @Option(names = "--synthetic", paramLabel = "N",
      description = "Use the seeded synthetic generator with N requests instead of --trace")
  int synthetic;

  @Option(names = "--policies", paramLabel = "LIST", description =
      "Comma-separated policies or 'all' (default: ${DEFAULT-VALUE}); known: "
          + "kamino-request, kamino-rule, shared-queue, random, round-robin, hash-ws, jsq, "
          + "power-of-two, bounded-hash")
  String policies = "all";

  @Option(names = "--seed", description = "Seed of everything random (default: ${DEFAULT-VALUE})")
  long seed = 42;

  @Option(names = "--rate", paramLabel = "PER_SEC",
      description = "Target mean arrival rate in requests/s before the load factor (default: ${DEFAULT-VALUE})")
  double rate = 400;

  @Option(names = "--cache-bytes", paramLabel = "BYTES",
      description = "Cache budget per agent in bytes (default: ${DEFAULT-VALUE})")
  long cacheBytes = SimSettings.DEFAULT_CACHE_BYTES;

  @Option(names = "--mode", paramLabel = "MODE",
      description = "Cost mode: model or engine (default: ${DEFAULT-VALUE})")
  String mode = "model";

  @Option(names = "--plots", paramLabel = "DIR", description = "Write PNG plots into DIR")
  @Nullable String plots;

  List<String> policyNames() {
    return PolicyRegistry.parse(policies);
  }

  TraceReader workload() {
    if (synthetic < 0) {
      throw new IllegalArgumentException("--synthetic must be positive, was " + synthetic);
    }
    return synthetic > 0
        ? new SyntheticWorkload(SyntheticSettings.DEFAULTS.withRequests(synthetic), seed)
        : new AzureSampleReader(Workloads.resolve(trace));
  }

  void validate() {
    if (!mode.equals("model") && !mode.equals("engine")) {
      throw new IllegalArgumentException("unknown mode '" + mode + "'; known modes: model, engine");
    }
    if (mode.equals("engine")) {
      throw new IllegalArgumentException("engine mode is not available yet: it needs the rules "
          + "module's engine behind the simulator's AgentBackend seam; run with --mode model");
    }
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("--rate must be a positive number, was " + rate);
    }
    if (cacheBytes <= 0) {
      throw new IllegalArgumentException("--cache-bytes must be positive, was " + cacheBytes);
    }
  }
}
