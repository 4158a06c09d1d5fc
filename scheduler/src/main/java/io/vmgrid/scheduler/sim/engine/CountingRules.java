package io.vmgrid.scheduler.sim.engine;

import io.vmgrid.rules.api.ChangeKind;
import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.JournalRecord;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.Scope;
import io.vmgrid.rules.api.Trait;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.Verdict;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A rule set whose rules count their work: every server or cluster a rule evaluates (one by one or in
 * bulk) adds one unit to that rule's counter. The engine's results are unchanged; the counts are what
 * engine mode charges for rule evaluation, so service times are deterministic. Rule {@code i} is the
 * {@code i}-th of {@link RuleSet#rules()} (validators first), the order of the classifier's rule keys.
 */
final class CountingRules {
  private final RuleSet ruleSet;
  private final long[] units;

  /** Wraps every rule of {@code base}, keeping priorities, weights and order. */
  CountingRules(RuleSet base) {
    List<Rule> order = base.rules();
    this.units = new long[order.size()];
    List<RuleSet.Entry<ValidatorRule>> v = new ArrayList<>();
    for (RuleSet.Entry<ValidatorRule> e : base.validators()) {
      v.add(new RuleSet.Entry<>(new Validator(e.rule(), order.indexOf(e.rule())), e.priority(),
          e.weight()));
    }
    List<RuleSet.Entry<PreferenceRule>> p = new ArrayList<>();
    for (RuleSet.Entry<PreferenceRule> e : base.preferences()) {
      p.add(new RuleSet.Entry<>(new Preference(e.rule(), order.indexOf(e.rule())), e.priority(),
          e.weight()));
    }
    this.ruleSet = new RuleSet(base.source() + " (counted)", base.combination(), v, p);
    List<String> before = order.stream().map(Rule::name).toList();
    List<String> after = ruleSet.rules().stream().map(Rule::name).toList();
    if (!before.equals(after)) {
      throw new IllegalStateException("rule order changed by wrapping: " + before + " vs " + after);
    }
  }

  /** The counting rule set. */
  RuleSet ruleSet() {
    return ruleSet;
  }

  /** Units evaluated by rule {@code i} since it was created. */
  long units(int i) {
    return units[i];
  }

  /** Number of rules. */
  int size() {
    return units.length;
  }

  /** Delegates everything but counts units. */
  private final class Validator implements ValidatorRule {
    private final ValidatorRule rule;
    private final int index;

    Validator(ValidatorRule rule, int index) {
      this.rule = rule;
      this.index = index;
    }

    @Override public String name() {
      return rule.name();
    }

    @Override public Level level() {
      return rule.level();
    }

    @Override public Set<Trait> traits() {
      return rule.traits();
    }

    @Override public Set<ChangeKind> affectedBy() {
      return rule.affectedBy();
    }

    @Override public Scope scope() {
      return rule.scope();
    }

    @Override public boolean isAffectedBy(JournalRecord record, VmRequest request) {
      return rule.isAffectedBy(record, request);
    }

    @Override public boolean cacheable() {
      return rule.cacheable();
    }

    @Override public boolean passesEverywhere(EvalContext ctx) {
      return rule.passesEverywhere(ctx);
    }

    @Override public boolean passes(EvalContext ctx, int i) {
      units[index]++;
      return rule.passes(ctx, i);
    }

    @Override public void evaluate(EvalContext ctx, int from, int to, long[] bits) {
      units[index] += to - from;
      rule.evaluate(ctx, from, to, bits);
    }

    @Override public String reason(EvalContext ctx, int i) {
      return rule.reason(ctx, i);
    }

    @Override public Verdict verdict(EvalContext ctx, int i) {
      return rule.verdict(ctx, i);
    }
  }

  /** Delegates everything but counts units. */
  private final class Preference implements PreferenceRule {
    private final PreferenceRule rule;
    private final int index;

    Preference(PreferenceRule rule, int index) {
      this.rule = rule;
      this.index = index;
    }

    @Override public String name() {
      return rule.name();
    }

    @Override public Level level() {
      return rule.level();
    }

    @Override public Set<Trait> traits() {
      return rule.traits();
    }

    @Override public Set<ChangeKind> affectedBy() {
      return rule.affectedBy();
    }

    @Override public Scope scope() {
      return rule.scope();
    }

    @Override public boolean isAffectedBy(JournalRecord record, VmRequest request) {
      return rule.isAffectedBy(record, request);
    }

    @Override public boolean cacheable() {
      return rule.cacheable();
    }

    @Override public double score(EvalContext ctx, int i) {
      units[index]++;
      return rule.score(ctx, i);
    }

    @Override public void score(EvalContext ctx, int from, int to, double[] out) {
      units[index] += to - from;
      rule.score(ctx, from, to, out);
    }

    @Override public double minScore() {
      return rule.minScore();
    }

    @Override public double maxScore() {
      return rule.maxScore();
    }
  }
}
