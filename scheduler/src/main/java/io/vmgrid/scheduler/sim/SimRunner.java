package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.estimate.LatencyEstimator;
import io.vmgrid.scheduler.sim.engine.EngineBackendFactory;
import io.vmgrid.scheduler.sim.engine.EngineModeSettings;
import io.vmgrid.scheduler.sim.engine.EngineWorkload;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Runs a set of policies on one workload: reads and classifies the trace once, then feeds the
 * identical request stream to every policy.
 */
public final class SimRunner {
  private SimRunner() {}

  /** The outcome of one invocation: the report and the runs (for plots). */
  public record Outcome(SimReport report, List<PolicyRun> runs) {

    /** Copies the list. */
    public Outcome {
      runs = List.copyOf(runs);
    }
  }

  /** Reads {@code workload} and builds the stream. */
  public static RequestStream stream(TraceReader workload, long seed, double rate, double loadFactor)
      throws IOException {
    List<TraceRecord> records = workload.read();
    return RequestStream.of(workload.description(), records, new ModelClassifier(seed), rate,
        loadFactor);
  }

  /**
   * Runs {@code policies} in model mode on {@code stream}.
   *
   * @param estimator the initial estimator (copied for each policy); null for a fresh one with the
   *     settings' defaults
   */
  public static Outcome runModel(RequestStream stream, SimSettings settings, List<String> policies,
      double rate, double loadFactor, @Nullable LatencyEstimator estimator) {
    ModelBackendFactory backends = new ModelBackendFactory(stream, settings.cost(),
        settings.cacheBytesPerAgent(), Math.round(settings.maxAgeSeconds() * 1e9), settings.seed());
    LatencyEstimator initial = estimator != null ? estimator
        : new LatencyEstimator(ModelClassifier.ruleNames(), settings.estimatorDefaults());
    Simulator sim = new Simulator(settings, backends, initial);
    List<PolicyRun> runs = sim.runAll(stream, policies);
    SimReport report = new SimReport(backends.mode(), settings.seed(), stream.description(),
        stream.size(), stream.typeCount(), settings.agents(), rate, loadFactor,
        settings.cacheBytesPerAgent(), runs.stream().map(PolicyRun::result).toList());
    return new Outcome(report, runs);
  }

  /**
   * Runs {@code policies} in engine mode: every agent a real rules engine and cache over a shared
   * inventory built by {@code workload}, requests classified by the rule module's classifier.
   *
   * @param estimator the initial estimator (copied for each policy), over the rule set's rule
   *     names; null for a fresh one that assumes the engine's own prices
   *     ({@link EngineModeSettings#estimatorDefaults()}) before its first measurements
   */
  public static Outcome runEngine(EngineWorkload workload, String description, SimSettings settings,
      EngineModeSettings engine, List<String> policies, double rate, double loadFactor,
      @Nullable LatencyEstimator estimator) {
    RequestStream stream = workload.stream(description, rate, loadFactor);
    EngineBackendFactory backends = new EngineBackendFactory(workload, stream, engine,
        settings.cacheBytesPerAgent(), Math.round(settings.maxAgeSeconds() * 1e9), settings.seed());
    LatencyEstimator initial = estimator != null ? estimator
        : new LatencyEstimator(workload.ruleNames(), engine.estimatorDefaults());
    Simulator sim = new Simulator(settings, backends, initial);
    List<PolicyRun> runs = sim.runAll(stream, policies);
    SimReport report = new SimReport(backends.mode(), settings.seed(), stream.description(),
        stream.size(), stream.typeCount(), settings.agents(), rate, loadFactor,
        settings.cacheBytesPerAgent(), runs.stream().map(PolicyRun::result).toList(),
        new SimReport.EngineInfo(engine.servers(), workload.machineTypesSource(),
            workload.ruleSet().source(), workload.ruleNames().size(), backends.initialPlaced(),
            engine.journalCapacity(), engine.costs()));
    return new Outcome(report, runs);
  }
}
