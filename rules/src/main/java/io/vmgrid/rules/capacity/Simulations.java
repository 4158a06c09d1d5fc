package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.engine.Ticker;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * What the planner's simulations share: deterministic engines (seed 0, a frozen clock) and their
 * settings, the journal size of private inventory copies, and how a hosted VM is asked to move.
 */
final class Simulations {
  /** Headroom needs only the best candidate; never randomize (no conflicts are ever reported). */
  static final EngineSettings BEST_ONLY = new EngineSettings(64, 1, 1, 1, 1_000_000_000L);
  /** Moves need a few ranked candidates to skip the source and emptied servers. */
  static final EngineSettings RANKED = new EngineSettings(128, 32, 1, 1, 1_000_000_000L);
  static final CacheSettings UNBOUNDED = new CacheSettings(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
  static final Ticker FROZEN = () -> 0L;
  /** Journal records kept by the planner's private inventory copies. */
  static final int JOURNAL = 1024;

  private Simulations() {}

  /** A deterministic engine over {@code sim}: seed 0, the frozen clock. */
  static RuleEngine engine(Inventory sim, RuleSet rules, EngineSettings settings) {
    return new RuleEngine(sim, rules, settings, new SplittableRandom(0), FROZEN);
  }

  /** A request for hosted {@code vm} on server {@code src}, or null if it uses nothing. */
  static @Nullable VmRequest moveRequest(Inventory inv, HostedVm vm, int src, boolean sameCluster) {
    Resources d = vm.used();
    if (d.cores() == 0 && d.memory() == 0 && d.ssd() == 0) {
      return null;
    }
    String machineType = inv.machineTypes().get(inv.machineType(src)).id();
    Constraints c = new Constraints(Set.of(machineType), Set.of(), vm.availabilitySet(),
        vm.antiAffinityGroup(), sameCluster ? inv.clusterId(inv.cluster(src)) : null);
    return new VmRequest(vm.id(), null, d, vm.tenant(), vm.priority(), c);
  }

  /** {@code vms} in the order they are moved: most cores first, then most memory, then by id. */
  static List<HostedVm> largestFirst(List<HostedVm> vms) {
    List<HostedVm> sorted = new ArrayList<>(vms);
    sorted.sort(Comparator.comparingLong((HostedVm v) -> -v.used().cores())
        .thenComparingLong(v -> -v.used().memory()).thenComparing(HostedVm::id));
    return sorted;
  }
}
