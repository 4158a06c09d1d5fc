package io.vmgrid.scheduler.sim.cli;

import io.vmgrid.rules.ruleset.RuleRegistry;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.scheduler.estimate.EstimatorDefaults;
import io.vmgrid.scheduler.estimate.LatencyEstimator;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import io.vmgrid.scheduler.sim.AzureSampleReader;
import io.vmgrid.scheduler.sim.ModelClassifier;
import io.vmgrid.scheduler.sim.RequestStream;
import io.vmgrid.scheduler.sim.SimRunner;
import io.vmgrid.scheduler.sim.SimSettings;
import io.vmgrid.scheduler.sim.SyntheticSettings;
import io.vmgrid.scheduler.sim.SyntheticWorkload;
import io.vmgrid.scheduler.sim.TraceReader;
import io.vmgrid.scheduler.sim.TraceRecord;
import io.vmgrid.scheduler.sim.Workloads;
import io.vmgrid.scheduler.sim.engine.EngineModeSettings;
import io.vmgrid.scheduler.sim.engine.EngineWorkload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code sim} and {@code sim sweep}: workload, seed, policies, cache, mode, and
 * how a prepared workload is run in the selected mode.
 */
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

  @Option(names = "--servers", paramLabel = "N",
      description = "Engine mode: servers of the generated inventory (default: ${DEFAULT-VALUE})")
  int servers = EngineModeSettings.DEFAULT_SERVERS;

  @Option(names = "--rules", paramLabel = "SET", description = "Engine mode: the rule set, "
      + "'default' (the rules module's), 'type-level' (default without tenant-dependent rules) or a "
      + "rule-set FILE (default: ${DEFAULT-VALUE})")
  String rules = "default";

  @Option(names = "--plots", paramLabel = "DIR", description = "Write PNG plots into DIR")
  @Nullable String plots;

  /** The resource of the {@code type-level} rule set. */
  static final String TYPE_LEVEL_RULES = "/io/vmgrid/scheduler/sim/type-level-rules.yaml";

  RuleSet ruleSet() throws IOException {
    return switch (rules) {
      case "default" -> RuleSet.defaults();
      case "type-level" -> {
        try (InputStream in = SimOptions.class.getResourceAsStream(TYPE_LEVEL_RULES)) {
          if (in == null) {
            throw new IllegalStateException("missing resource " + TYPE_LEVEL_RULES);
          }
          yield RuleSet.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
              "type-level-rules.yaml", RuleRegistry.builtin());
        }
      }
      default -> {
        Path file = Workloads.resolve(rules);
        if (!Files.isRegularFile(file)) {
          throw new IllegalArgumentException("--rules: expected default, type-level or a rule-set "
              + "file; no such file: " + file);
        }
        yield RuleSet.load(file, RuleRegistry.builtin());
      }
    };
  }

  /** A workload read once, ready for any number of runs. */
  record Prepared(TraceReader reader, List<TraceRecord> records, @Nullable EngineWorkload engine,
      EngineModeSettings engineSettings) {

    /** The rule names the estimator is keyed by in this mode. */
    List<String> ruleNames() {
      return engine != null ? engine.ruleNames() : ModelClassifier.ruleNames();
    }

    /** What the estimator assumes before its first measurements in this mode. */
    EstimatorDefaults estimatorDefaults(SimSettings settings) {
      return engine != null ? engineSettings.estimatorDefaults() : settings.estimatorDefaults();
    }
  }

  /** Reads the workload; in engine mode also converts it to rules-module requests. */
  Prepared prepare() throws IOException {
    TraceReader reader = workload();
    List<TraceRecord> records = reader.read();
    EngineModeSettings es = EngineModeSettings.DEFAULTS.withServers(servers);
    EngineWorkload engine = null;
    if (mode.equals("engine")) {
      Path file = reader instanceof AzureSampleReader ? Workloads.resolve(trace) : null;
      engine = EngineWorkload.create(records, reader.initial(), ruleSet(), es, file, seed);
    }
    return new Prepared(reader, records, engine, es);
  }

  /** Runs {@code policyList} on the prepared workload in the selected mode. */
  SimRunner.Outcome run(Prepared p, SimSettings settings, List<String> policyList, double loadFactor,
      @Nullable LatencyEstimator estimator) {
    if (p.engine() != null) {
      return SimRunner.runEngine(p.engine(), p.reader().description(), settings,
          p.engineSettings(), policyList, rate, loadFactor, estimator);
    }
    RequestStream s = RequestStream.of(p.reader().description(), p.records(),
        new ModelClassifier(seed), rate, loadFactor);
    return SimRunner.runModel(s, settings, policyList, rate, loadFactor, estimator);
  }

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
    if (servers < 1) {
      throw new IllegalArgumentException("--servers must be at least 1, was " + servers);
    }
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("--rate must be a positive number, was " + rate);
    }
    if (cacheBytes <= 0) {
      throw new IllegalArgumentException("--cache-bytes must be positive, was " + cacheBytes);
    }
  }
}
