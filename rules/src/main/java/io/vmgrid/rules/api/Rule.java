package io.vmgrid.rules.api;

import java.util.Set;

/**
 * A placement rule: a {@link ValidatorRule} (hard constraint), a {@link PreferenceRule} (soft
 * ordering of servers) or a {@link VictimRule} (ordering of the VMs a request may evict). Rules are stateless; what their result depends on is declared, and that declaration is
 * both the rule's cache key ({@link #traits()}) and its invalidation ({@link #affectedBy()},
 * {@link #scope()}, {@link #isAffectedBy}).
 *
 * <p>{@code index} arguments are server indexes for {@link Level#SERVER} rules and cluster indexes for
 * {@link Level#CLUSTER} rules.
 */
public sealed interface Rule permits ValidatorRule, PreferenceRule, VictimRule {

  /** The rule's name, unique in its rule set; verdicts and explanations use it. */
  String name();

  /** Where the rule is evaluated. */
  Level level();

  /** The request traits the result depends on (its result for two requests equal in these is equal). */
  Set<Trait> traits();

  /** The inventory changes that can alter the result (empty: depends on static topology only). */
  Set<ChangeKind> affectedBy();

  /** Which results a change on one server can alter; {@link Scope#SELF} by default. */
  default Scope scope() {
    return Scope.SELF;
  }

  /**
   * Whether {@code record}, already known to carry one of {@link #affectedBy()}, can alter this rule's
   * result for requests like {@code request} (e.g. only changes of the request's own availability
   * set). Returning true is always safe.
   */
  default boolean isAffectedBy(JournalRecord record, VmRequest request) {
    return true;
  }

  /**
   * Whether results may be cached: false for a rule that cannot declare its dependencies, whose
   * entries are then recomputed on every use.
   */
  default boolean cacheable() {
    return true;
  }
}
