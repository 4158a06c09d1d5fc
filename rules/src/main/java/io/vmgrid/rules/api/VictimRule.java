package io.vmgrid.rules.api;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A rule that orders eviction victims: the raw cost of evicting a set of lower-priority VMs from one
 * server so that a request fits there, lower is less disruptive.
 *
 * <p>When no server passes the validators for a request, the engine looks for the fewest VMs of
 * lower priority whose eviction from one server would make the request pass every validator there
 * (never more VMs than needed: that part is the engine's guarantee, not a rule's). Among the sets of
 * that size, on any server, it compares the victim rules' costs in priority order,
 * lexicographically; so a rule set decides which VMs go (the default: least capacity, then the
 * newest). Victim rules never decide whether a server fits (the validators do), and their results
 * are never cached: preemption is the engine's rare path, computed from scratch.
 */
public non-sealed interface VictimRule extends Rule {

  /**
   * The raw cost of evicting {@code victims} (at least one, all on {@code server}, each of lower
   * priority than the context's request) to place the request on {@code server}; lower is better.
   * The context's inventory is the one before the eviction.
   */
  double cost(EvalContext ctx, int server, List<HostedVm> victims);

  /** Victim rules are evaluated per server. */
  @Override
  default Level level() {
    return Level.SERVER;
  }

  /** No request trait by default: the victims, not the request, decide the cost. */
  @Override
  default Set<Trait> traits() {
    return EnumSet.noneOf(Trait.class);
  }

  /** A server's VMs and usage decide what can be evicted there. */
  @Override
  default Set<ChangeKind> affectedBy() {
    return EnumSet.of(ChangeKind.USAGE, ChangeKind.HOSTED_VMS);
  }

  /** Never cached: preemption is computed from scratch on the rare path. */
  @Override
  default boolean cacheable() {
    return false;
  }
}
