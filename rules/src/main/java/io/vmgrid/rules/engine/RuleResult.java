package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.ChangeJournal;
import io.vmgrid.rules.api.ChangeKind;
import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.JournalRecord;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.Scope;
import io.vmgrid.rules.api.ValidatorRule;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One rule's result for one rule key: a pass bit (validators) or a quantized score (preferences) per
 * server or per cluster, valid as of {@link #revision}. Server-level results are computed lazily,
 * cluster by cluster, for the clusters some request needed.
 */
final class RuleResult {
  static final int SCALE = 65_535;

  final Rule rule;
  final RuleKey key;
  final EvalContext ctx;
  final boolean validator;
  final boolean serverLevel;
  private final @Nullable ValidatorRule validatorRule;
  private final @Nullable PreferenceRule preferenceRule;
  private final int affectedMask;
  final Scope scope;
  private final boolean filtersRecords;
  private final boolean cacheable;
  private final Inventory inventory;
  final long[] bits;
  final char[] scores;
  private final boolean[] evaluated;
  long revision;
  int pins;
  long lastUsed;
  final long bytes;

  RuleResult(Rule rule, RuleKey key, EvalContext ctx) {
    this.rule = rule;
    this.key = key;
    this.ctx = ctx;
    this.inventory = ctx.inventory();
    this.validator = rule instanceof ValidatorRule;
    this.validatorRule = validator ? (ValidatorRule) rule : null;
    this.preferenceRule = validator ? null : (PreferenceRule) rule;
    this.serverLevel = rule.level() == Level.SERVER;
    int mask = 0;
    for (ChangeKind k : rule.affectedBy()) {
      mask |= k.bit();
    }
    this.affectedMask = mask;
    this.scope = rule.scope();
    this.cacheable = rule.cacheable();
    this.filtersRecords = overridesIsAffectedBy(rule);
    int units = serverLevel ? inventory.size() : inventory.clusterCount();
    this.bits = validator ? new long[(units + 63) >>> 6] : new long[0];
    this.scores = validator ? new char[0] : new char[units];
    this.evaluated = new boolean[serverLevel ? inventory.clusterCount() : 0];
    this.bytes = 96 + 8L * bits.length + 2L * scores.length + evaluated.length
        + 2L * (key.rule().length() + key.traits().length());
    reset();
  }

  /** Whether the rule's class overrides {@link Rule#isAffectedBy} (if not, it is always true). */
  private static boolean overridesIsAffectedBy(Rule rule) {
    try {
      return !rule.getClass()
          .getMethod("isAffectedBy", JournalRecord.class, io.vmgrid.rules.api.VmRequest.class)
          .getDeclaringClass().isInterface();
    } catch (NoSuchMethodException e) {
      return true;
    }
  }

  /** Forgets everything and, for cluster-level rules, recomputes every cluster. */
  private void reset() {
    revision = inventory.journal().revision();
    if (serverLevel) {
      Arrays.fill(evaluated, false);
    } else {
      for (int c = 0; c < inventory.clusterCount(); c++) {
        evaluate(c);
      }
    }
  }

  /** Makes sure the servers of cluster {@code c} are evaluated (server-level results). */
  void ensureCluster(int c) {
    if (serverLevel && !evaluated[c]) {
      int from = inventory.clusterStart(c);
      int end = inventory.clusterEnd(c);
      if (validatorRule != null) {
        validatorRule.evaluate(ctx, from, end, bits);
      } else if (preferenceRule != null) {
        PreferenceRule p = preferenceRule;
        double[] raw = new double[end - from];
        p.score(ctx, from, end, raw);
        double min = p.minScore();
        double max = p.maxScore();
        for (int s = from; s < end; s++) {
          scores[s] = quantize(raw[s - from], min, max);
        }
      }
      evaluated[c] = true;
    }
  }

  boolean pass(int unit) {
    return (bits[unit >>> 6] & (1L << unit)) != 0;
  }

  int score(int unit) {
    return scores[unit];
  }

  private void evaluate(int unit) {
    if (validatorRule != null) {
      if (validatorRule.passes(ctx, unit)) {
        bits[unit >>> 6] |= 1L << unit;
      } else {
        bits[unit >>> 6] &= ~(1L << unit);
      }
    } else if (preferenceRule != null) {
      PreferenceRule p = preferenceRule;
      scores[unit] = quantize(p.score(ctx, unit), p.minScore(), p.maxScore());
    }
  }

  static char quantize(double raw, double min, double max) {
    if (!(max > min)) {
      return 0;
    }
    double t = (raw - min) / (max - min);
    if (!(t > 0)) {
      return 0;
    }
    return t >= 1 ? (char) SCALE : (char) Math.round(t * SCALE);
  }

  /**
   * Brings the result up to the journal's revision by re-evaluating the units the newer changes
   * touch; recomputes from scratch if the journal no longer reaches back (or the rule is not
   * cacheable).
   *
   * @return false if it had to recompute from scratch
   */
  /** Whether the journal still reaches back to this result's revision (and it may be cached). */
  boolean replayable() {
    return cacheable && inventory.journal().canReplayFrom(revision);
  }

  boolean refresh() {
    ChangeJournal journal = inventory.journal();
    if (revision == journal.revision()) {
      return true;
    }
    if (!cacheable || !journal.canReplayFrom(revision)
        || journal.revision() - revision > Evaluator.replayLimit(inventory)) {
      reset();
      return false;
    }
    if (affectedMask != 0) {
      journal.replay(revision, this::apply);
    }
    revision = journal.revision();
    return true;
  }

  /** Whether {@code rec} can change this rule's result. */
  boolean affected(JournalRecord rec) {
    return (rec.kinds() & affectedMask) != 0
        && (!filtersRecords || rule.isAffectedBy(rec, ctx.request()));
  }

  private void apply(JournalRecord rec) {
    if (affected(rec)) {
      applyAffected(rec);
    }
  }

  /** Re-evaluates what {@code rec} (known to affect this rule) can have changed. */
  void applyAffected(JournalRecord rec) {
    int s = rec.server();
    if (!serverLevel) {
      evaluate(inventory.cluster(s));
      return;
    }
    if (scope == Scope.SELF) {
      if (evaluated[inventory.cluster(s)]) {
        evaluate(s);
      }
      return;
    }
    int[] members = scope == Scope.FAULT_DOMAIN
        ? inventory.faultDomainMembers(inventory.faultDomain(s))
        : inventory.updateDomainMembers(inventory.updateDomain(s));
    for (int m : members) {
      if (evaluated[inventory.cluster(m)]) {
        evaluate(m);
      }
    }
  }
}
