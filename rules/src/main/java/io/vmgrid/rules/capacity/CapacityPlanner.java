package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Capacity analysis of an inventory under a rule set: headroom per template, what-if analysis,
 * fragmentation reports and consolidation plans (Protean's capacity-crunch tools, {@code
 * ../shared/PAPERS.md} §1). Everything is computed by the real {@link RuleEngine} on private copies
 * ({@link Inventory#copy()}); the inventory passed in is only read, never changed.
 *
 * <p>Thread-safety: a planner holds no mutable state and may be shared, but the inventory passed in
 * must not be written while a call reads it (copy it under the owner's lock, or call on the owner's
 * thread). The results are deterministic: no randomness, no clock (the engine always takes its best
 * candidate). Semantics and costs: {@code docs/capacity.md}.
 */
public final class CapacityPlanner {
  private final RuleSet ruleSet;
  private final CapacitySettings settings;
  private final RuleSet moveRules;
  private final HeadroomCounter counter;
  private final WhatIfAnalysis whatIfAnalysis;
  private final MoveChecker checker;
  private final Consolidator consolidator;

  /**
   * Creates a planner.
   *
   * @param ruleSet the rules placements must satisfy (the agents' rule set)
   * @param settings bounds
   */
  public CapacityPlanner(RuleSet ruleSet, CapacitySettings settings) {
    this.ruleSet = ruleSet;
    this.settings = settings;
    this.moveRules = settings.sameClusterMoves() ? withoutUtilizationLimits(ruleSet) : ruleSet;
    this.counter = new HeadroomCounter(settings);
    this.whatIfAnalysis = new WhatIfAnalysis(ruleSet, counter);
    this.checker = new MoveChecker(moveRules, settings.sameClusterMoves());
    this.consolidator = new Consolidator(ruleSet, moveRules, settings, checker);
  }

  /** The rule set. */
  public RuleSet ruleSet() {
    return ruleSet;
  }

  /** The settings. */
  public CapacitySettings settings() {
    return settings;
  }

  // ---------------------------------------------------------------- headroom

  /** Headroom of every VM type in {@code inventory}'s catalog ({@link Templates#fromCatalog}). */
  public HeadroomReport headroom(Inventory inventory) {
    return headroom(inventory, Templates.fromCatalog(inventory));
  }

  /**
   * Headroom of each template, computed independently: for each, on a fresh copy of the inventory,
   * the engine places copies of the template one by one on its best candidate until none is left
   * (or {@link CapacitySettings#maxCopiesPerTemplate()}). The count per cluster is where the copies
   * landed.
   *
   * @throws ValidationException naming {@code templates[i]} for a template that could fit without
   *     bound, or a duplicate template id
   */
  public HeadroomReport headroom(Inventory inventory, List<VmRequest> templates) {
    return counter.report(inventory, ruleSet, templates, inventory.journal().revision());
  }

  /** Headroom of one template (see {@link #headroom(Inventory, List)}). */
  public Headroom headroom(Inventory inventory, VmRequest template) {
    Templates.check(inventory, List.of(template));
    return counter.count(inventory.copy(Simulations.JOURNAL), ruleSet, template);
  }

  // ---------------------------------------------------------------- what-if

  /**
   * Evaluates {@code changes} without touching {@code inventory}: headroom of {@code templates} now
   * and with the changes, and the packing statistics of the changed state. Rule-set changes apply
   * first, in order, then added servers, then drains.
   *
   * @throws ValidationException naming the field of a change that does not fit the inventory (an
   *     unknown server or machine type, a rule set without a utilization limit to change)
   */
  public WhatIfReport whatIf(Inventory inventory, List<WhatIf> changes, List<VmRequest> templates) {
    return whatIfAnalysis.run(inventory, changes, templates);
  }

  // ---------------------------------------------------------------- fragmentation

  /**
   * Which free capacity the {@code templates} in demand can use, server by server, under this rule
   * set's server-level validators (see {@link FragmentationReport}). Reads {@code inventory} only.
   */
  public FragmentationReport fragmentation(Inventory inventory, List<VmRequest> templates) {
    return UsableCores.fragmentation(inventory, ruleSet, templates);
  }

  // ---------------------------------------------------------------- consolidation

  /**
   * A consolidation plan: tries to empty lightly used servers (fewest used cores first, at most
   * {@link CapacitySettings#maxSourceServers()}), moving each of their VMs (largest first) to the
   * engine's best valid target that is not empty, not the source and not a server emptied earlier;
   * a server's moves are kept only if all of its VMs found a target and the usable free cores of the
   * servers involved grew (see {@link #fragmentation}), else they are undone. Moves stay on the
   * source's machine type (so the VM's size holds) and, by default, in its cluster. Reads {@code
   * inventory} only; the moves are simulated in order on a copy.
   */
  public ConsolidationPlan consolidate(Inventory inventory, List<VmRequest> templates) {
    return consolidator.plan(inventory, templates);
  }

  /**
   * Checks {@code move} against {@code inventory}'s current state, as it would be committed: the VM
   * is on the source; the target is another server (in the same cluster unless the settings allow
   * otherwise) with room for it; and the target passes every validator of the rule set (except the
   * cluster utilization limit for moves within a cluster) for a request of the VM's size, tenant,
   * priority, availability set and anti-affinity group, restricted to the source's machine type,
   * evaluated with the VM still on its source (conservative: place first, then release). Reads only.
   */
  public MoveCheck check(Inventory inventory, Move move) {
    return checker.check(inventory, move);
  }

  /**
   * Applies {@code move} to {@code inventory} as two journaled changes, release from the source then
   * place on the target (an inventory cannot hold one VM twice). For simulations on copies and
   * tests; the grid commits moves through its placement store.
   *
   * @throws ValidationException if the VM is not on the source server
   */
  public static void applyTo(Inventory inventory, Move move) {
    HostedVm vm = inventory.vm(move.vmId());
    if (vm == null || inventory.serverOf(move.vmId()) != inventory.indexOf(move.fromServerId())) {
      throw new ValidationException("vmId", "VM " + move.vmId() + " is not on server "
          + move.fromServerId());
    }
    inventory.apply(new InventoryChange.Release(move.fromServerId(), move.vmId()));
    inventory.apply(new InventoryChange.Place(move.toServerId(), vm));
  }

  private static RuleSet withoutUtilizationLimits(RuleSet rules) {
    Set<String> limits = new HashSet<>(rules.clusterUtilizationLimitRules());
    if (limits.isEmpty()) {
      return rules;
    }
    List<RuleSet.Entry<ValidatorRule>> kept = rules.validators().stream()
        .filter(e -> !limits.contains(e.rule().name())).toList();
    return new RuleSet(rules.source(), rules.combination(), kept, rules.preferences());
  }
}
