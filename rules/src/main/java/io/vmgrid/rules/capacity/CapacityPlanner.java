package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ServerSpec;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.Candidates;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.engine.Ticker;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

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
  /** Headroom needs only the best candidate; never randomize (no conflicts are ever reported). */
  private static final EngineSettings BEST_ONLY = new EngineSettings(64, 1, 1, 1, 1_000_000_000L);
  /** Moves need a few ranked candidates to skip the source and emptied servers. */
  private static final EngineSettings RANKED = new EngineSettings(128, 32, 1, 1, 1_000_000_000L);
  private static final CacheSettings UNBOUNDED =
      new CacheSettings(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
  private static final Ticker FROZEN = () -> 0L;
  private static final int JOURNAL = 1024;

  private final RuleSet ruleSet;
  private final CapacitySettings settings;
  private final RuleSet moveRules;

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
    return report(inventory, ruleSet, templates, inventory.journal().revision());
  }

  /** Headroom of one template (see {@link #headroom(Inventory, List)}). */
  public Headroom headroom(Inventory inventory, VmRequest template) {
    checkTemplates(inventory, List.of(template));
    return count(inventory.copy(JOURNAL), ruleSet, template);
  }

  private HeadroomReport report(
      Inventory inventory, RuleSet rules, List<VmRequest> templates, long revision) {
    checkTemplates(inventory, templates);
    List<Headroom> out = new ArrayList<>(templates.size());
    Inventory scratch = inventory.copy(JOURNAL);
    for (VmRequest t : templates) {
      out.add(count(scratch, rules, t));
    }
    return new HeadroomReport(rules.source(), revision, PackingStats.of(inventory), out);
  }

  /**
   * Counts {@code template}'s headroom on {@code sim}, a private copy, and leaves {@code sim} in the
   * state it found it (the copies placed are released again, newest first), so that one copy serves
   * every template of a report: cheaper than a copy per template when headrooms are small.
   */
  private Headroom count(Inventory sim, RuleSet rules, VmRequest template) {
    RuleEngine engine = new RuleEngine(sim, rules, BEST_ONLY, new SplittableRandom(0), FROZEN);
    AgentCache cache = engine.newCache(UNBOUNDED);
    EvalContext ctx = new EvalContext(sim, template);
    Constraints c = template.constraints();
    long[] perCluster = new long[sim.clusterCount()];
    long n = 0;
    boolean capped = false;
    String prefix = "~" + template.id() + "#";
    List<String> placedIds = new ArrayList<>();
    List<String> placedOn = new ArrayList<>();
    boolean sized = false;
    for (int m = 0; m < sim.machineTypes().size(); m++) {
      sized |= ctx.sizedFor(m);
    }
    while (sized) {
      Candidates candidates = cache.candidates(template);
      if (candidates.isEmpty()) {
        break;
      }
      int s = candidates.server(0);
      Resources demand = ctx.demandOn(s);
      if (!sim.fits(s, demand)) {
        break; // a rule set without fit rules: the placement store would reject this placement
      }
      if (n >= settings.maxCopiesPerTemplate()) {
        capped = true;
        break;
      }
      String id = prefix + n;
      while (sim.serverOf(id) >= 0) {
        id = id + "'";
      }
      sim.apply(new InventoryChange.Place(sim.serverId(s), new HostedVm(id, template.tenant(),
          demand, template.priority(), c.availabilitySet(), c.antiAffinityGroup())));
      placedIds.add(id);
      placedOn.add(sim.serverId(s));
      perCluster[sim.cluster(s)]++;
      n++;
    }
    Map<String, Long> byCluster = new LinkedHashMap<>();
    for (int k = 0; k < perCluster.length; k++) {
      byCluster.put(sim.clusterId(k), perCluster[k]);
    }
    PackingStats whenFull = PackingStats.of(sim);
    for (int k = placedIds.size() - 1; k >= 0; k--) {
      sim.apply(new InventoryChange.Release(placedOn.get(k), placedIds.get(k)));
    }
    return new Headroom(template, n, byCluster, capped, whenFull);
  }

  private static void checkTemplates(Inventory inventory, List<VmRequest> templates) {
    Set<String> ids = new HashSet<>();
    for (int k = 0; k < templates.size(); k++) {
      VmRequest t = templates.get(k);
      String field = "templates[" + k + "]";
      if (!ids.add(t.id())) {
        throw new ValidationException(field + ".id", "duplicate template id " + t.id());
      }
      String type = t.vmType();
      Resources d = t.demand();
      if (type != null && !inventory.vmTypes().knows(type)
          && d.cores() == 0 && d.memory() == 0 && d.ssd() == 0) {
        throw new ValidationException(field + ".vmType", "unknown VM type " + type
            + " and no explicit demand: headroom would be unbounded");
      }
    }
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
    long revision = inventory.journal().revision();
    HeadroomReport before = report(inventory, ruleSet, templates, revision);
    RuleSet rules = ruleSet;
    List<String> notes = new ArrayList<>();
    for (WhatIf change : changes) {
      if (change instanceof WhatIf.ChangeUtilizationLimit d) {
        String was = limitText(rules);
        rules = rules.withClusterUtilizationLimitChangedBy(d.delta());
        notes.add("cluster utilization limit " + was + " -> " + limitText(rules));
      } else if (change instanceof WhatIf.SetUtilizationLimit l) {
        String was = limitText(rules);
        rules = rules.withClusterUtilizationLimit(l.limit(), l.lowPriorityLimit());
        notes.add("cluster utilization limit " + was + " -> " + limitText(rules));
      } else if (change instanceof WhatIf.UseRuleSet u) {
        rules = u.ruleSet();
        notes.add("rule set " + u.ruleSet().source());
      }
    }
    Inventory sim = inventory.copy(JOURNAL);
    for (WhatIf change : changes) {
      if (change instanceof WhatIf.AddServers a) {
        boolean fresh = sim.clusterIndexOf(a.cluster()) < 0;
        sim = withServers(sim, a);
        notes.add("added " + a.count() + " servers of machine type " + a.machineType()
            + (fresh ? " as a new cluster " + a.cluster() + " (no cluster of that name exists)"
                : " to cluster " + a.cluster()));
      }
    }
    int evacuated = 0;
    int failures = 0;
    for (WhatIf change : changes) {
      if (change instanceof WhatIf.Drain d) {
        int[] result = drain(sim, rules, d);
        evacuated += result[0];
        failures += result[1];
        notes.add("drained " + d.serverIds().size() + " servers to " + d.health()
            + (d.evacuate() ? ": " + result[0] + " VMs moved, " + result[1] + " found no server"
                : " (VMs stay)"));
      }
    }
    HeadroomReport after = report(sim, rules, templates, revision);
    return new WhatIfReport(changes, before, after, evacuated, failures, notes);
  }

  private static String limitText(RuleSet rules) {
    return rules.clusterUtilizationLimit().isPresent()
        ? String.format(Locale.ROOT, "%.3f", rules.clusterUtilizationLimit().getAsDouble())
        : "none";
  }

  /** Rebuilds {@code src}'s topology with the added servers and replays its state onto it. */
  private static Inventory withServers(Inventory src, WhatIf.AddServers add) {
    if (src.machineTypeIndexOf(add.machineType()) < 0) {
      throw new ValidationException("machineType", "unknown machine type " + add.machineType()
          + " (known: " + String.join(", ",
              src.machineTypes().stream().map(MachineType::id).toList()) + ")");
    }
    Inventory.Builder b = Inventory.builder().vmTypes(src.vmTypes())
        .journalCapacity(src.journal().capacity());
    src.machineTypes().forEach(b::machineType);
    for (int i = 0; i < src.size(); i++) {
      b.server(src.serverSpec(i));
    }
    int c = src.clusterIndexOf(add.cluster());
    int faultDomains = 1;
    int updateDomains = 1;
    int perRack = 40;
    if (c >= 0) {
      Set<Integer> racks = new HashSet<>();
      for (int i = src.clusterStart(c); i < src.clusterEnd(c); i++) {
        faultDomains = Math.max(faultDomains, src.localFaultDomain(i) + 1);
        updateDomains = Math.max(updateDomains, src.localUpdateDomain(i) + 1);
        racks.add(src.rack(i));
      }
      int servers = src.clusterEnd(c) - src.clusterStart(c);
      perRack = Math.max(1, (servers + racks.size() - 1) / Math.max(1, racks.size()));
    }
    String rackPrefix = "whatif" + src.size() + "-r";
    int k = 0;
    for (int added = 0; added < add.count(); k++) {
      String id = add.cluster() + "-whatif-" + k;
      if (src.indexOf(id) >= 0) {
        continue;
      }
      int rack = added / perRack;
      b.server(new ServerSpec(id, add.cluster(), rackPrefix + rack, rack % faultDomains,
          (added % perRack) % updateDomains, add.machineType()));
      added++;
    }
    Inventory out = b.build();
    for (int i = 0; i < src.size(); i++) {
      String id = src.serverId(i);
      for (HostedVm vm : src.vmsOn(i)) {
        out.apply(new InventoryChange.Place(id, vm));
      }
      if (src.health(i) != Health.HEALTHY) {
        out.apply(new InventoryChange.SetHealth(id, src.health(i)));
      }
    }
    return out;
  }

  /** Drains on {@code sim}; returns {evacuated, failures}. */
  private static int[] drain(Inventory sim, RuleSet rules, WhatIf.Drain d) {
    Set<Integer> drained = new HashSet<>();
    for (String id : new TreeSet<>(d.serverIds())) {
      int i = sim.indexOf(id);
      if (i < 0) {
        throw new ValidationException("serverIds", "unknown server " + id);
      }
      drained.add(i);
      sim.apply(new InventoryChange.SetHealth(id, d.health()));
    }
    int[] result = new int[2];
    if (!d.evacuate()) {
      return result;
    }
    RuleEngine engine = new RuleEngine(sim, rules, RANKED, new SplittableRandom(0), FROZEN);
    for (String id : new TreeSet<>(d.serverIds())) {
      int src = sim.indexOf(id);
      for (HostedVm vm : largestFirst(sim.vmsOn(src))) {
        VmRequest req = moveRequest(sim, vm, src, false);
        int target = -1;
        if (req != null) {
          Candidates c = engine.evaluate(req);
          for (int rank = 0; rank < c.size() && target < 0; rank++) {
            int t = c.server(rank);
            if (!drained.contains(t) && sim.fits(t, vm.used())) {
              target = t;
            }
          }
        }
        sim.apply(new InventoryChange.Release(id, vm.id()));
        if (target >= 0) {
          sim.apply(new InventoryChange.Place(sim.serverId(target), vm));
          result[0]++;
        } else {
          result[1]++;
        }
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- fragmentation

  /**
   * Which free capacity the {@code templates} in demand can use, server by server, under this rule
   * set's server-level validators (see {@link FragmentationReport}). Reads {@code inventory} only.
   */
  public FragmentationReport fragmentation(Inventory inventory, List<VmRequest> templates) {
    checkTemplates(inventory, templates);
    Usable usable = new Usable(inventory, templates);
    long free = 0;
    long use = 0;
    long strandedCores = 0;
    List<Integer> stranded = new ArrayList<>();
    for (int i = 0; i < inventory.size(); i++) {
      if (inventory.health(i).outOfService()) {
        continue;
      }
      long f = inventory.free(Resource.CORES, i);
      long u = usable.on(i);
      free += f;
      use += u;
      if (f > 0 && u == 0) {
        stranded.add(i);
        strandedCores += f;
      }
    }
    stranded.sort(Comparator.comparingLong((Integer i) -> -inventory.free(Resource.CORES, i))
        .thenComparingInt(i -> i));
    List<StrandedServer> out = new ArrayList<>(stranded.size());
    for (int i : stranded) {
      out.add(new StrandedServer(inventory.serverId(i), inventory.clusterId(inventory.cluster(i)),
          new Resources(inventory.free(Resource.CORES, i), inventory.free(Resource.MEMORY, i),
              inventory.free(Resource.SSD, i))));
    }
    return new FragmentationReport(free, use, out, strandedCores);
  }

  /** Usable free cores per server: for the template using most, copies that fit × their cores. */
  private final class Usable {
    private final Inventory inv;
    private final List<EvalContext> contexts = new ArrayList<>();
    private final List<ValidatorRule> validators = new ArrayList<>();

    Usable(Inventory inv, List<VmRequest> templates) {
      this.inv = inv;
      for (VmRequest t : templates) {
        contexts.add(new EvalContext(inv, t));
      }
      for (RuleSet.Entry<ValidatorRule> e : ruleSet.validators()) {
        if (e.rule().level() == Level.SERVER) {
          validators.add(e.rule());
        }
      }
    }

    long on(int i) {
      if (inv.health(i).outOfService()) {
        return 0;
      }
      int m = inv.machineType(i);
      long freeCores = inv.free(Resource.CORES, i);
      long best = 0;
      for (EvalContext ctx : contexts) {
        if (!ctx.sizedFor(m)) {
          continue;
        }
        long copies = Long.MAX_VALUE;
        for (Resource r : Resource.values()) {
          long d = ctx.demand(r, m);
          if (d > 0) {
            copies = Math.min(copies, inv.free(r, i) / d);
          }
        }
        long cores = ctx.demand(Resource.CORES, m);
        if (copies == 0 || copies == Long.MAX_VALUE || cores == 0 || !passesAll(ctx, i)) {
          continue;
        }
        best = Math.max(best, Math.min(freeCores, copies * cores));
      }
      return best;
    }

    private boolean passesAll(EvalContext ctx, int i) {
      for (ValidatorRule v : validators) {
        if (!v.passes(ctx, i)) {
          return false;
        }
      }
      return true;
    }
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
    checkTemplates(inventory, templates);
    Inventory sim = inventory.copy(JOURNAL);
    FragmentationReport before = fragmentation(sim, templates);
    PackingStats packingBefore = PackingStats.of(sim);
    Usable usable = new Usable(sim, templates);
    long[] usableNow = new long[sim.size()];
    List<Integer> sources = new ArrayList<>();
    for (int i = 0; i < sim.size(); i++) {
      usableNow[i] = usable.on(i);
      if (sim.vmCount(i) > 0 && !sim.health(i).outOfService()) {
        sources.add(i);
      }
    }
    sources.sort(Comparator.comparingLong((Integer i) -> sim.used(Resource.CORES, i))
        .thenComparingInt(i -> i));
    RuleEngine engine = new RuleEngine(sim, moveRules, RANKED, new SplittableRandom(0), FROZEN);
    Set<Integer> emptied = new HashSet<>();
    Set<Integer> targets = new HashSet<>();
    List<Move> moves = new ArrayList<>();
    List<String> emptiedIds = new ArrayList<>();
    for (int src : sources.subList(0, Math.min(sources.size(), settings.maxSourceServers()))) {
      List<HostedVm> vms = largestFirst(sim.vmsOn(src));
      if (targets.contains(src) || vms.isEmpty()
          || moves.size() + vms.size() > settings.maxMoves()) {
        continue;
      }
      List<Move> local = new ArrayList<>();
      Map<Integer, Long> touched = new LinkedHashMap<>();
      touched.put(src, usableNow[src]);
      boolean ok = true;
      for (HostedVm vm : vms) {
        int t = target(sim, engine, vm, src, emptied);
        if (t < 0) {
          ok = false;
          break;
        }
        Move m = new Move(vm.id(), sim.serverId(src), sim.serverId(t), vm.used());
        applyTo(sim, m);
        touched.putIfAbsent(t, usableNow[t]);
        local.add(m);
      }
      long gain = 0;
      if (ok) {
        for (Map.Entry<Integer, Long> e : touched.entrySet()) {
          gain += usable.on(e.getKey()) - e.getValue();
        }
      }
      if (ok && gain > 0) {
        moves.addAll(local);
        emptied.add(src);
        emptiedIds.add(sim.serverId(src));
        for (int k : touched.keySet()) {
          usableNow[k] = usable.on(k);
          if (k != src) {
            targets.add(k);
          }
        }
      } else {
        for (int k = local.size() - 1; k >= 0; k--) {
          Move m = local.get(k);
          applyTo(sim, new Move(m.vmId(), m.toServerId(), m.fromServerId(), m.demand()));
        }
      }
    }
    return new ConsolidationPlan(moves, emptiedIds, before, fragmentation(sim, templates),
        packingBefore, PackingStats.of(sim));
  }

  private int target(Inventory sim, RuleEngine engine, HostedVm vm, int src, Set<Integer> emptied) {
    VmRequest req = moveRequest(sim, vm, src, settings.sameClusterMoves());
    if (req == null) {
      return -1;
    }
    Candidates c = engine.evaluate(req);
    for (int rank = 0; rank < c.size(); rank++) {
      int t = c.server(rank);
      if (t == src || emptied.contains(t) || sim.vmCount(t) == 0) {
        continue;
      }
      if (check(sim, new Move(vm.id(), sim.serverId(src), sim.serverId(t), vm.used())).valid()) {
        return t;
      }
    }
    return -1;
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
    List<String> problems = new ArrayList<>();
    int from = inventory.indexOf(move.fromServerId());
    int to = inventory.indexOf(move.toServerId());
    if (from < 0) {
      problems.add("fromServerId: unknown server " + move.fromServerId());
    }
    if (to < 0) {
      problems.add("toServerId: unknown server " + move.toServerId());
    }
    HostedVm vm = inventory.vm(move.vmId());
    if (vm == null) {
      problems.add("vmId: VM " + move.vmId() + " is not in the inventory");
    } else if (from >= 0 && inventory.serverOf(move.vmId()) != from) {
      problems.add("vmId: VM " + move.vmId() + " is on server "
          + inventory.serverId(inventory.serverOf(move.vmId())) + ", not " + move.fromServerId());
    }
    if (!problems.isEmpty() || vm == null) {
      return new MoveCheck(move, problems);
    }
    if (!vm.used().equals(move.demand())) {
      problems.add("demand: VM " + vm.id() + " uses " + vm.used() + ", the move says "
          + move.demand());
    }
    if (settings.sameClusterMoves() && inventory.cluster(from) != inventory.cluster(to)) {
      problems.add("toServerId: server " + move.toServerId() + " is in cluster "
          + inventory.clusterId(inventory.cluster(to)) + ", moves stay in cluster "
          + inventory.clusterId(inventory.cluster(from)));
    }
    if (!inventory.fits(to, vm.used())) {
      problems.add("capacity: server " + move.toServerId() + " has " + free(inventory, to)
          + " free, VM " + vm.id() + " needs " + vm.used());
    }
    VmRequest req = moveRequest(inventory, vm, from, settings.sameClusterMoves());
    if (req == null) {
      problems.add("demand: VM " + vm.id() + " uses nothing; there is nothing to move");
      return new MoveCheck(move, problems);
    }
    EvalContext ctx = new EvalContext(inventory, req);
    for (RuleSet.Entry<ValidatorRule> e : moveRules.validators()) {
      ValidatorRule v = e.rule();
      int unit = v.level() == Level.CLUSTER ? inventory.cluster(to) : to;
      if (!v.passes(ctx, unit)) {
        problems.add(v.name() + ": " + v.reason(ctx, unit));
      }
    }
    return new MoveCheck(move, problems);
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

  private static Resources free(Inventory inv, int i) {
    return new Resources(inv.free(Resource.CORES, i), inv.free(Resource.MEMORY, i),
        inv.free(Resource.SSD, i));
  }

  /** A request for hosted {@code vm} on server {@code src}, or null if it uses nothing. */
  private static @Nullable VmRequest moveRequest(
      Inventory inv, HostedVm vm, int src, boolean sameCluster) {
    Resources d = vm.used();
    if (d.cores() == 0 && d.memory() == 0 && d.ssd() == 0) {
      return null;
    }
    String machineType = inv.machineTypes().get(inv.machineType(src)).id();
    Constraints c = new Constraints(Set.of(machineType), Set.of(), vm.availabilitySet(),
        vm.antiAffinityGroup(), sameCluster ? inv.clusterId(inv.cluster(src)) : null);
    return new VmRequest(vm.id(), null, d, vm.tenant(), vm.priority(), c);
  }

  private static List<HostedVm> largestFirst(List<HostedVm> vms) {
    List<HostedVm> sorted = new ArrayList<>(vms);
    sorted.sort(Comparator.comparingLong((HostedVm v) -> -v.used().cores())
        .thenComparingLong(v -> -v.used().memory()).thenComparing(HostedVm::id));
    return sorted;
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
