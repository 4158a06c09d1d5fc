package io.vmgrid.node.query;

import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.query.ClustersAnswer;
import io.vmgrid.client.wire.query.ExplainAnswer;
import io.vmgrid.client.wire.query.QueryAnswer;
import io.vmgrid.node.inventory.InventoryMirror;
import io.vmgrid.node.inventory.Mirrors;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.capacity.CapacityPlanner;
import io.vmgrid.rules.capacity.CapacitySettings;
import io.vmgrid.rules.capacity.Move;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.Explanation;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.ruleset.RuleRegistry;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The read-only questions a member answers from its inventory mirror: why a request would go where
 * it would ({@code explain}), and the capacity queries (headroom, what-if, fragmentation,
 * consolidation), as the typed answers the client reads; and whether a move keeps the rules. Each answer is
 * computed from scratch on the mirror as it is once it has caught up with the servers map (the
 * capacity queries on a copy), never on the allocation path. Thread-safe.
 */
public final class Queries {
  private final InventoryMirror mirror;
  private final RuleSet ruleSet;
  private final CapacityQueries capacity;
  private final NodeClock clock;
  /** Longest wait for the mirror to apply pending changes before answering. */
  private final long mirrorWaitMillis;

  /**
   * Queries over {@code mirror} with {@code ruleSet}, timed by {@code clock}, waiting for the
   * mirror at most {@code timings}' {@link Timing#MIRROR_WAIT}.
   */
  public Queries(InventoryMirror mirror, RuleSet ruleSet, NodeClock clock, NodeTimings timings) {
    this.mirror = mirror;
    this.ruleSet = ruleSet;
    this.clock = clock;
    this.mirrorWaitMillis = timings.millis(Timing.MIRROR_WAIT);
    this.capacity = new CapacityQueries(ruleSet, RuleRegistry.builtin());
  }

  /**
   * The answer to query {@code request} (its op is a query).
   *
   * @throws io.vmgrid.rules.api.ValidationException naming the argument a query cannot use
   */
  public QueryAnswer answer(GridRequest request) {
    GridRequest.Op op = request.op();
    if (op == GridRequest.Op.EXPLAIN) {
      return explain(request);
    }
    if (op == GridRequest.Op.CLUSTERS) {
      return clusters();
    }
    Inventory copy = mirrorCopy();
    if (op == GridRequest.Op.CAPACITY) {
      return capacity.capacity(request, copy);
    }
    if (op == GridRequest.Op.WHAT_IF) {
      return capacity.whatIf(request, copy);
    }
    if (op == GridRequest.Op.FRAGMENTATION) {
      return capacity.fragmentation(request, copy);
    }
    if (op == GridRequest.Op.CONSOLIDATE) {
      return capacity.consolidation(request, copy);
    }
    throw new IllegalArgumentException("op: " + op + " is not a query");
  }

  /** The rule engine's explanation of {@code request} against the mirror. */
  private ExplainAnswer explain(GridRequest request) {
    mirror.awaitCaughtUp(mirrorWaitMillis); // answer from the inventory as it is now
    VmRequest r = Mirrors.request(request);
    Explanation x = mirror.read(inv -> new RuleEngine(inv, ruleSet, EngineSettings.defaults(),
        new SplittableRandom(1), clock).explain(r));
    List<ExplainAnswer.Validator> validators = new ArrayList<>();
    for (Explanation.ValidatorCount v : x.validators()) {
      String sample = v.sampleReason();
      validators.add(new ExplainAnswer.Validator(v.rule(), v.level().name(), v.failed(),
          v.removed(), sample == null ? "" : sample));
    }
    List<ExplainAnswer.Candidate> top = new ArrayList<>();
    for (Explanation.ScoredCandidate c : x.top()) {
      top.add(new ExplainAnswer.Candidate(c.rank(), c.serverId(), c.rawScores()));
    }
    String preempt = x.preemptServerId();
    return new ExplainAnswer(x.servers(), x.passing(), validators, top,
        preempt == null ? "" : preempt, x.wouldEvict());
  }

  /**
   * Each cluster's servers (all, and those that take new VMs), cores and memory (all and used),
   * and the rule set's utilization limit for regular VMs (1 without one).
   */
  private ClustersAnswer clusters() {
    mirror.awaitCaughtUp(mirrorWaitMillis);
    double limit = ruleSet.clusterUtilizationLimit().orElse(1.0);
    return new ClustersAnswer(mirror.read(inv -> {
      List<ClustersAnswer.Cluster> out = new ArrayList<>();
      for (int c = 0; c < inv.clusterCount(); c++) {
        int placeable = 0;
        for (int i = inv.clusterStart(c); i < inv.clusterEnd(c); i++) {
          placeable += inv.health(i).outOfService() ? 0 : 1;
        }
        int servers = inv.clusterEnd(c) - inv.clusterStart(c);
        out.add(new ClustersAnswer.Cluster(inv.clusterId(c), servers, placeable,
            inv.clusterCapacity(Resource.CORES, c), inv.clusterUsed(Resource.CORES, c),
            inv.clusterCapacity(Resource.MEMORY, c), inv.clusterUsed(Resource.MEMORY, c), limit));
      }
      return out;
    }));
  }

  /** A copy of the mirror once it has caught up with the servers map (the state as it is now). */
  private Inventory mirrorCopy() {
    mirror.awaitCaughtUp(mirrorWaitMillis);
    return mirror.read(Inventory::copy);
  }

  /**
   * The rules' objections to moving {@code vm} from {@code from} to {@code to} in the mirror
   * (empty if the move is valid).
   */
  public List<String> checkMove(HostedVm vm, String from, String to) {
    Move move = new Move(vm.vmId(), from, to, new Resources(vm.cores(), vm.memoryMb(), 0));
    CapacityPlanner planner = new CapacityPlanner(ruleSet, CapacitySettings.defaults());
    return mirror.read(inv -> planner.check(inv, move).problems());
  }
}
