package io.vmgrid.node.query;

import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.node.inventory.InventoryMirror;
import io.vmgrid.node.inventory.Mirrors;
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
import io.vmgrid.rules.engine.Ticker;
import io.vmgrid.rules.ruleset.RuleRegistry;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The read-only questions a member answers from its inventory mirror: why a request would go where
 * it would ({@code explain}), and the capacity queries (headroom, what-if, fragmentation,
 * consolidation), as the JSON the client reads; and whether a move keeps the rules. Each answer is
 * computed from scratch on the mirror as it is once it has caught up with the servers map (the
 * capacity queries on a copy), never on the allocation path. Thread-safe.
 */
public final class Queries {
  /** Longest wait for the mirror to apply pending changes before answering. */
  private static final long MIRROR_WAIT_MILLIS = 5_000;

  private final InventoryMirror mirror;
  private final RuleSet ruleSet;
  private final CapacityQueries capacity;

  /** Queries over {@code mirror} with {@code ruleSet}. */
  public Queries(InventoryMirror mirror, RuleSet ruleSet) {
    this.mirror = mirror;
    this.ruleSet = ruleSet;
    this.capacity = new CapacityQueries(ruleSet, RuleRegistry.builtin());
  }

  /**
   * The answer to query {@code request} (its op is a query), as JSON.
   *
   * @throws io.vmgrid.rules.api.ValidationException naming the argument a query cannot use
   */
  public String answer(GridRequest request) {
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

  /** The rule engine's explanation of {@code request} against the mirror, as JSON. */
  private String explain(GridRequest request) {
    mirror.awaitCaughtUp(MIRROR_WAIT_MILLIS); // answer from the inventory as it is now
    VmRequest r = Mirrors.request(request);
    Explanation x = mirror.read(inv -> new RuleEngine(inv, ruleSet, EngineSettings.defaults(),
        new SplittableRandom(1), Ticker.system()).explain(r));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("servers", x.servers());
    out.put("passing", x.passing());
    List<Map<String, Object>> validators = new ArrayList<>();
    for (Explanation.ValidatorCount v : x.validators()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rule", v.rule());
      m.put("level", v.level().name());
      m.put("failed", v.failed());
      m.put("removed", v.removed());
      m.put("sampleReason", v.sampleReason() == null ? "" : v.sampleReason());
      validators.add(m);
    }
    out.put("validators", validators);
    List<Map<String, Object>> top = new ArrayList<>();
    for (Explanation.ScoredCandidate c : x.top()) {
      top.add(Map.of("rank", c.rank(), "serverId", c.serverId(), "scores", c.rawScores()));
    }
    out.put("top", top);
    out.put("preemptServerId", x.preemptServerId() == null ? "" : x.preemptServerId());
    out.put("wouldEvict", x.wouldEvict());
    return CapacityQueries.json(out);
  }

  /**
   * Each cluster's servers (all, and those that take new VMs), cores and memory (all and used),
   * and the rule set's utilization limit for regular VMs (1 without one), as JSON.
   */
  private String clusters() {
    mirror.awaitCaughtUp(MIRROR_WAIT_MILLIS);
    double limit = ruleSet.clusterUtilizationLimit().orElse(1.0);
    List<Map<String, Object>> clusters = mirror.read(inv -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (int c = 0; c < inv.clusterCount(); c++) {
        int placeable = 0;
        for (int i = inv.clusterStart(c); i < inv.clusterEnd(c); i++) {
          placeable += inv.health(i).outOfService() ? 0 : 1;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clusterId", inv.clusterId(c));
        m.put("servers", inv.clusterEnd(c) - inv.clusterStart(c));
        m.put("placeableServers", placeable);
        m.put("cores", inv.clusterCapacity(Resource.CORES, c));
        m.put("usedCores", inv.clusterUsed(Resource.CORES, c));
        m.put("memoryMb", inv.clusterCapacity(Resource.MEMORY, c));
        m.put("usedMemoryMb", inv.clusterUsed(Resource.MEMORY, c));
        m.put("limit", limit);
        out.add(m);
      }
      return out;
    });
    return CapacityQueries.json(Map.of("clusters", clusters));
  }

  /** A copy of the mirror once it has caught up with the servers map (the state as it is now). */
  private Inventory mirrorCopy() {
    mirror.awaitCaughtUp(MIRROR_WAIT_MILLIS);
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
