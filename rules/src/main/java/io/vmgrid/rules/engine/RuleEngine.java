package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Protean's rule engine for one agent: evaluates a rule set over an inventory (cluster validators,
 * then server validators on surviving clusters, intersection, preference ordering) and picks a
 * server, the best one or one at random among the top N0 when recent commits conflicted.
 *
 * <p>{@link #evaluate} always computes from scratch; {@link #newCache} gives the agent's two-level
 * cache, which must return the same candidates. Not thread-safe: one engine per agent, used by one
 * thread at a time, while the inventory is not being changed.
 */
public final class RuleEngine {
  private final Inventory inventory;
  private final RuleSet ruleSet;
  private final EngineSettings settings;
  private final RandomGenerator random;
  private final Ticker ticker;
  private final RequestClassifier classifier;
  private final Evaluator evaluator;
  private final ConflictTracker conflicts;
  private final Overlay overlay;
  private final Preemptor preemptor;
  private final List<Rule> rules;
  private final List<Rule> cachedRules;

  /**
   * Creates an engine.
   *
   * @param inventory the inventory (mirror) to evaluate against
   * @param ruleSet the rules
   * @param settings tuning
   * @param random randomness for top-N0 picks (seeded for reproducible runs)
   * @param ticker the clock for the conflict window and cache ages
   */
  public RuleEngine(
      Inventory inventory,
      RuleSet ruleSet,
      EngineSettings settings,
      RandomGenerator random,
      Ticker ticker) {
    this.inventory = inventory;
    this.ruleSet = ruleSet;
    this.settings = settings;
    this.random = random;
    this.ticker = ticker;
    this.classifier = new RequestClassifier(ruleSet);
    this.evaluator = new Evaluator(inventory, ruleSet, settings);
    this.conflicts = new ConflictTracker(settings, ticker);
    this.rules = ruleSet.rules();
    this.cachedRules = classifier.cachedRules();
    this.overlay = new Overlay(inventory, ruleSet, classifier.overlayRules(), evaluator.ranker(),
        settings);
    this.preemptor = new Preemptor(inventory, ruleSet);
  }

  /** The inventory. */
  public Inventory inventory() {
    return inventory;
  }

  /** The rule set. */
  public RuleSet ruleSet() {
    return ruleSet;
  }

  /** The settings. */
  public EngineSettings settings() {
    return settings;
  }

  /** The classifier for this engine's rule set. */
  public RequestClassifier classifier() {
    return classifier;
  }

  /** A new, empty cache for this engine's agent. */
  public AgentCache newCache(CacheSettings cacheSettings) {
    return new AgentCache(this, evaluator, overlay, cacheSettings, ticker);
  }

  /** Evaluates {@code request} from scratch, every rule at once, without any cache or overlay. */
  public Candidates evaluate(VmRequest request) {
    EvalContext ctx = new EvalContext(inventory, request);
    TypeEntry e = evaluator.build(classifier.typeKey(request), ctx, freshResults(ctx, request));
    return evaluator.candidates(e);
  }

  private RuleResult[] freshResults(EvalContext ctx, VmRequest request) {
    List<RuleKey> keys = classifier.allRuleKeys(request);
    RuleResult[] out = new RuleResult[rules.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = new RuleResult(rules.get(i), keys.get(i), ctx);
    }
    return out;
  }

  /** The rules a cache holds results of ({@link RequestClassifier#cachedRules()}). */
  List<Rule> cachedRules() {
    return cachedRules;
  }

  /**
   * Picks a server: the best candidate when no recent commit conflicted, otherwise one drawn
   * uniformly from the top {@link #currentN0()}. Empty if there is no candidate.
   */
  public Optional<Decision> choose(Candidates candidates) {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    int n0 = Math.min(currentN0(), candidates.size());
    int rank = n0 == 1 ? 0 : random.nextInt(n0);
    int s = candidates.server(rank);
    return Optional.of(new Decision(s, inventory.serverId(s), rank, n0));
  }

  /**
   * The rare path, for a request no server fits: the server where evicting the fewest VMs of lower
   * priority makes the request pass every validator, those VMs chosen by the rule set's victim rules
   * ({@link RuleSet#victims()}), as a {@link Decision} whose {@link Decision#victims()} are to be
   * evicted in the same commit as the placement. Empty if the rule set's preemption is off, the
   * request outranks no VM, or no eviction of at most {@code maxVictims} VMs on one server makes it
   * fit (or the search budget ran out first).
   *
   * <p>Computed from scratch on a private copy of the inventory, never from or into the cache: call
   * it only after the candidates came back empty ({@link AgentCache#decideOrPreempt} does). The
   * inventory itself is only read, so the cache's entries and the journal are untouched.
   */
  public Optional<Decision> preempt(VmRequest request) {
    return preempt(request, s -> true);
  }

  /**
   * As {@link #preempt(VmRequest)}, among the servers (by index) {@code allowed} accepts only: a
   * caller keeps it off servers it has commits in flight to, or prefers servers it holds.
   */
  public Optional<Decision> preempt(VmRequest request, java.util.function.IntPredicate allowed) {
    Preemptor.Eviction e = preemptor.find(request, allowed);
    if (e == null) {
      return Optional.empty();
    }
    List<String> ids = e.victims().stream().map(io.vmgrid.rules.api.HostedVm::id).toList();
    return Optional.of(new Decision(e.server(), inventory.serverId(e.server()), 0, 1, ids));
  }

  /** Counters of this engine's preemption searches. */
  public PreemptionStats preemptionStats() {
    return preemptor.stats();
  }

  /** Reports that a commit of this agent's choice was rejected by the placement store. */
  public void reportConflict() {
    conflicts.record(true);
  }

  /** Reports that a commit of this agent's choice succeeded. */
  public void reportCommit() {
    conflicts.record(false);
  }

  /** The current top-N0 pick size, from the conflict rate over the window. */
  public int currentN0() {
    return conflicts.n0();
  }

  /**
   * Explains {@code request}: per validator the servers it fails and removes, and the top
   * candidates' raw preference scores; when no server passes, the server and VMs a preemption would
   * evict ({@link #preempt}). Computed from scratch over all servers; not for the hot path.
   */
  public Explanation explain(VmRequest request) {
    EvalContext ctx = new EvalContext(inventory, request);
    int n = inventory.size();
    boolean[] alive = new boolean[n];
    java.util.Arrays.fill(alive, true);
    List<Explanation.ValidatorCount> counts = new ArrayList<>();
    for (RuleSet.Entry<ValidatorRule> entry : ruleSet.validators()) {
      ValidatorRule v = entry.rule();
      int failed = 0;
      int removed = 0;
      String sample = null;
      for (int s = 0; s < n; s++) {
        int unit = v.level() == Level.CLUSTER ? inventory.cluster(s) : s;
        if (!v.passes(ctx, unit)) {
          failed++;
          if (alive[s]) {
            alive[s] = false;
            removed++;
            if (sample == null) {
              sample = inventory.serverId(s) + ": " + v.reason(ctx, unit);
            }
          }
        }
      }
      counts.add(new Explanation.ValidatorCount(v.name(), v.level(), failed, removed, sample));
    }
    Candidates c = evaluate(request);
    List<Explanation.ScoredCandidate> top = new ArrayList<>();
    for (int rank = 0; rank < Math.min(10, c.size()); rank++) {
      int s = c.server(rank);
      Map<String, Double> scores = new LinkedHashMap<>();
      for (RuleSet.Entry<PreferenceRule> p : ruleSet.preferences()) {
        PreferenceRule rule = p.rule();
        scores.put(rule.name(),
            rule.score(ctx, rule.level() == Level.CLUSTER ? inventory.cluster(s) : s));
      }
      top.add(new Explanation.ScoredCandidate(rank, inventory.serverId(s), c.key(rank), scores));
    }
    if (!c.isEmpty()) {
      return new Explanation(request.id(), n, counts, c.passing(), top);
    }
    Optional<Decision> p = preempt(request);
    return new Explanation(request.id(), n, counts, c.passing(), top,
        p.map(Decision::serverId).orElse(null), p.map(Decision::victims).orElse(List.of()));
  }
}
