package io.vmgrid.scheduler.estimate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmgrid.scheduler.api.LatencyEstimates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Kamino's background latency estimator: running averages of measured top-hit, rule-hit and
 * rule-miss times, globally and per rule, with configured defaults before the first measurement.
 *
 * <p>A rule's estimate is its own running average once it has one, else the global average of that
 * kind, else the default. Rules are identified by their index in the rule catalogue given at
 * construction. State can be saved to and loaded from a JSON file, so a restarted scheduler starts
 * from what it learned. Mutable and not thread-safe.
 */
public final class LatencyEstimator implements LatencyEstimates {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** {@link #memory()} of an estimator whose means are cumulative. */
  public static final long CUMULATIVE = Long.MAX_VALUE;

  private final List<String> rules;
  private final EstimatorDefaults defaults;
  private final long memory;
  private final RunningMean topHit;
  private final RunningMean ruleHit;
  private final RunningMean ruleMiss;
  private final RunningMean commit;
  private final RunningMean[] perRuleHit;
  private final RunningMean[] perRuleMiss;

  /** An estimator with no measurements for the rules named in {@code ruleCatalogue}. */
  public LatencyEstimator(List<String> ruleCatalogue, EstimatorDefaults defaults) {
    this(ruleCatalogue, defaults, CUMULATIVE);
  }

  /**
   * An estimator whose means stand for about the latest {@code memory} measurements each (older
   * ones fade), or for all of them with {@link #CUMULATIVE}. Where the times measured change with
   * the load (on the grid they include the commit's wait), a cumulative mean keeps a burst's
   * times long after it ended.
   */
  public LatencyEstimator(List<String> ruleCatalogue, EstimatorDefaults defaults, long memory) {
    this.rules = List.copyOf(ruleCatalogue);
    this.defaults = defaults;
    this.memory = memory;
    this.topHit = new RunningMean(memory);
    this.ruleHit = new RunningMean(memory);
    this.ruleMiss = new RunningMean(memory);
    this.commit = new RunningMean(memory);
    this.perRuleHit = new RunningMean[rules.size()];
    this.perRuleMiss = new RunningMean[rules.size()];
    for (int i = 0; i < rules.size(); i++) {
      perRuleHit[i] = new RunningMean(memory);
      perRuleMiss[i] = new RunningMean(memory);
    }
  }

  /** How many of the latest measurements a mean stands for ({@link #CUMULATIVE}: all). */
  public long memory() {
    return memory;
  }

  /** An independent copy with the same catalogue, defaults, memory and measurements. */
  public LatencyEstimator copy() {
    LatencyEstimator c = new LatencyEstimator(rules, defaults, memory);
    c.topHit.copyFrom(topHit);
    c.ruleHit.copyFrom(ruleHit);
    c.ruleMiss.copyFrom(ruleMiss);
    c.commit.copyFrom(commit);
    for (int i = 0; i < rules.size(); i++) {
      c.perRuleHit[i].copyFrom(perRuleHit[i]);
      c.perRuleMiss[i].copyFrom(perRuleMiss[i]);
    }
    return c;
  }

  /**
   * Adds {@code other}'s measurements to this estimator's (each mean becomes the mean over both),
   * rule by rule name; rules {@code other} has that this catalogue lacks are ignored.
   */
  public void merge(LatencyEstimator other) {
    topHit.merge(other.topHit);
    ruleHit.merge(other.ruleHit);
    ruleMiss.merge(other.ruleMiss);
    commit.merge(other.commit);
    for (int i = 0; i < other.rules.size(); i++) {
      int mine = rules.indexOf(other.rules.get(i));
      if (mine >= 0) {
        perRuleHit[mine].merge(other.perRuleHit[i]);
        perRuleMiss[mine].merge(other.perRuleMiss[i]);
      }
    }
  }

  /** Whether nothing has been measured. */
  public boolean isEmpty() {
    return topHit.count() == 0 && ruleHit.count() == 0 && ruleMiss.count() == 0;
  }

  /** The rule catalogue: rule id {@code i} is {@code ruleCatalogue().get(i)}. */
  public List<String> ruleCatalogue() {
    return rules;
  }

  /** Records a measured top-level hit. */
  public void recordTopHit(long nanos) {
    topHit.add(nanos);
  }

  /** Records a measured evaluation of rule {@code ruleId} served from its cached result. */
  public void recordRuleHit(int ruleId, long nanos) {
    ruleHit.add(nanos);
    perRuleHit[ruleId].add(nanos);
  }

  /** Records a measured evaluation of rule {@code ruleId} from scratch. */
  public void recordRuleMiss(int ruleId, long nanos) {
    ruleMiss.add(nanos);
    perRuleMiss[ruleId].add(nanos);
  }

  /** Records the time a request spent after its evaluation (its share of a commit). */
  public void recordCommit(long nanos) {
    commit.add(nanos);
  }

  @Override
  public long commitNanos() {
    return commit.orElse(0);
  }

  @Override
  public long topHitNanos() {
    return topHit.orElse(defaults.topHitNanos());
  }

  @Override
  public long ruleHitNanos(int ruleId) {
    RunningMean m = perRuleHit[ruleId];
    return m.count() > 0 ? m.orElse(0) : ruleHit.orElse(defaults.ruleHitNanos());
  }

  @Override
  public long ruleMissNanos(int ruleId) {
    RunningMean m = perRuleMiss[ruleId];
    return m.count() > 0 ? m.orElse(0) : ruleMiss.orElse(defaults.ruleMissNanos());
  }

  /** Number of top-hit, rule-hit and rule-miss measurements so far. */
  public long[] counts() {
    return new long[] {topHit.count(), ruleHit.count(), ruleMiss.count()};
  }

  /** The measurements as JSON text (what {@link #save} writes), e.g. to keep them in the grid. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(state());
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the estimator as JSON", e);
    }
  }

  /**
   * Reads JSON written by {@link #toJson} (see {@link #load} for how rules are matched).
   *
   * @throws IOException if the text is not a saved estimator
   */
  public static LatencyEstimator fromJson(
      String json, List<String> ruleCatalogue, EstimatorDefaults defaults) throws IOException {
    return fromJson(json, ruleCatalogue, defaults, CUMULATIVE);
  }

  /** Reads JSON written by {@link #toJson} into an estimator with {@code memory}. */
  public static LatencyEstimator fromJson(String json, List<String> ruleCatalogue,
      EstimatorDefaults defaults, long memory) throws IOException {
    return of(JSON.readValue(json, State.class), ruleCatalogue, defaults, memory);
  }

  private State state() {
    Map<String, State.PerRule> per = new LinkedHashMap<>();
    for (int i = 0; i < rules.size(); i++) {
      per.put(rules.get(i), new State.PerRule(mean(perRuleHit[i]), mean(perRuleMiss[i])));
    }
    return new State(1, mean(topHit), mean(ruleHit), mean(ruleMiss), per, mean(commit));
  }

  /** Writes the measurements to {@code file} as JSON. */
  public void save(Path file) throws IOException {
    Map<String, State.PerRule> per = new LinkedHashMap<>();
    for (int i = 0; i < rules.size(); i++) {
      per.put(rules.get(i), new State.PerRule(mean(perRuleHit[i]), mean(perRuleMiss[i])));
    }
    State s = new State(1, mean(topHit), mean(ruleHit), mean(ruleMiss), per, mean(commit));
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), s);
  }

  /**
   * Loads an estimator saved by {@link #save}; rules in the file that are not in the catalogue are
   * ignored, and catalogue rules missing from the file start without measurements.
   *
   * @throws IOException if the file cannot be read or is not a saved estimator
   */
  public static LatencyEstimator load(
      Path file, List<String> ruleCatalogue, EstimatorDefaults defaults) throws IOException {
    State s;
    try {
      s = JSON.readValue(file.toFile(), State.class);
    } catch (IOException e) {
      throw new IOException("cannot read latency estimator file " + file + ": " + e.getMessage(), e);
    }
    return of(s, ruleCatalogue, defaults, CUMULATIVE);
  }

  private static LatencyEstimator of(
      State s, List<String> ruleCatalogue, EstimatorDefaults defaults, long memory) {
    LatencyEstimator est = new LatencyEstimator(ruleCatalogue, defaults, memory);
    apply(s.topHit(), est.topHit);
    apply(s.ruleHit(), est.ruleHit);
    apply(s.ruleMiss(), est.ruleMiss);
    apply(s.commit(), est.commit);
    Map<String, State.PerRule> per = s.rules() == null ? Map.of() : s.rules();
    for (int i = 0; i < est.rules.size(); i++) {
      State.PerRule p = per.get(est.rules.get(i));
      if (p != null) {
        apply(p.hit(), est.perRuleHit[i]);
        apply(p.miss(), est.perRuleMiss[i]);
      }
    }
    return est;
  }

  private static void apply(State.@Nullable Mean m, RunningMean target) {
    if (m != null) {
      target.set(m.count(), m.meanNanos());
    }
  }

  private static State.Mean mean(RunningMean m) {
    return new State.Mean(m.count(), m.mean());
  }

  /** The persisted form. */
  record State(
      int version,
      State.@Nullable Mean topHit,
      State.@Nullable Mean ruleHit,
      State.@Nullable Mean ruleMiss,
      @Nullable Map<String, PerRule> rules,
      State.@Nullable Mean commit) {

    record Mean(long count, double meanNanos) {}

    record PerRule(@Nullable Mean hit, @Nullable Mean miss) {}
  }
}
