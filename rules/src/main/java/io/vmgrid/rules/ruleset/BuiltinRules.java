package io.vmgrid.rules.ruleset;

import io.vmgrid.rules.api.ChangeKind;
import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.JournalRecord;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Scope;
import io.vmgrid.rules.api.Trait;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VictimRule;
import io.vmgrid.rules.api.VmRequest;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The built-in rules, registered under their kind names by {@link RuleRegistry#builtin()}.
 *
 * <p>Each rule repeats the bulk loop that {@link PreferenceRule#score(EvalContext, int, int, double[])}
 * (and the validator's bulk method) already has as a default, on purpose: in the default method the
 * per-server call is one call site shared by every rule class, which the JIT sees as megamorphic and
 * cannot inline; a copy in each record gives each rule its own monomorphic, inlinable call site. This
 * is part of what took a 100,000-server miss from 13 ms to about 6 ms (docs/benchmarks/rules.md).
 */
final class BuiltinRules {
  private BuiltinRules() {}

  static void registerAll(RuleRegistry r) {
    r.register("resource-fit", RuleRegistry.Kind.VALIDATOR, EnumSet.of(Level.SERVER),
        (name, level, args) -> new ResourceFit(name, args.resource("resource", Resource.CORES)));
    r.register("machine-type", RuleRegistry.Kind.VALIDATOR, EnumSet.of(Level.SERVER),
        (name, level, args) -> new MachineTypeCompatible(name));
    r.register("server-health", RuleRegistry.Kind.VALIDATOR, EnumSet.of(Level.SERVER),
        (name, level, args) -> new ServerHealth(name, args.bool("allowMaintenancePending", true)));
    r.register("cluster-utilization-limit", RuleRegistry.Kind.VALIDATOR, EnumSet.of(Level.CLUSTER),
        (name, level, args) -> new ClusterUtilizationLimit(
            name,
            args.resource("resource", Resource.CORES),
            args.number("limit", 0.85, 0, 1),
            args.number("lowPriorityLimit", 1.0, 0, 1)));
    r.register("fault-domain-spread", RuleRegistry.Kind.VALIDATOR, EnumSet.of(Level.SERVER),
        (name, level, args) ->
            new DomainSpread(name, true, args.integer("maxPerDomain", 2, 1, 1_000_000)));
    r.register("update-domain-spread", RuleRegistry.Kind.VALIDATOR, EnumSet.of(Level.SERVER),
        (name, level, args) ->
            new DomainSpread(name, false, args.integer("maxPerDomain", 2, 1, 1_000_000)));
    r.register("anti-affinity", RuleRegistry.Kind.VALIDATOR, EnumSet.of(Level.SERVER),
        (name, level, args) -> new AntiAffinity(name));
    r.register("cluster-pin", RuleRegistry.Kind.VALIDATOR, EnumSet.of(Level.CLUSTER),
        (name, level, args) -> new ClusterPin(name));
    r.register("best-fit", RuleRegistry.Kind.PREFERENCE, EnumSet.of(Level.SERVER),
        (name, level, args) -> new BestFit(name, args.resource("resource", Resource.CORES)));
    r.register("prefer-non-empty", RuleRegistry.Kind.PREFERENCE, EnumSet.of(Level.SERVER),
        (name, level, args) -> new PreferNonEmpty(name));
    r.register("prefer-tenant-cluster", RuleRegistry.Kind.PREFERENCE, EnumSet.of(Level.CLUSTER),
        (name, level, args) -> new PreferTenantCluster(name));
    r.register("avoid-maintenance", RuleRegistry.Kind.PREFERENCE, EnumSet.of(Level.SERVER),
        (name, level, args) -> new AvoidMaintenance(name));
    r.register("least-evicted-capacity", RuleRegistry.Kind.VICTIM, EnumSet.of(Level.SERVER),
        (name, level, args) ->
            new LeastEvictedCapacity(name, args.resource("resource", Resource.CORES)));
    r.register("victim-age", RuleRegistry.Kind.VICTIM, EnumSet.of(Level.SERVER),
        (name, level, args) -> new VictimAge(name, args.bool("newest", true)));
  }

  /**
   * The victim order of a rule set that names none: least cores evicted, then the newest VMs first
   * (the engine already evicts the fewest VMs that make the request fit).
   */
  static List<RuleSet.Entry<VictimRule>> defaultVictimRules() {
    return List.of(
        new RuleSet.Entry<>(new LeastEvictedCapacity("least-evicted-cores", Resource.CORES), 10, 1),
        new RuleSet.Entry<>(new VictimAge("newest-victims", true), 20, 1));
  }

  /** Evicting less of a resource is better: the victims' summed use of it. */
  record LeastEvictedCapacity(String name, Resource resource) implements VictimRule {
    @Override public double cost(EvalContext ctx, int server, List<HostedVm> victims) {
      long sum = 0;
      for (HostedVm v : victims) {
        sum += v.used().get(resource);
      }
      return sum;
    }
  }

  /**
   * Evicting the newest VMs is better (they have run least; {@code newest} false: the oldest). A
   * set is judged by its oldest member (newest) or its newest member (oldest), in the inventory's
   * placement order.
   */
  record VictimAge(String name, boolean newest) implements VictimRule {
    @Override public double cost(EvalContext ctx, int server, List<HostedVm> victims) {
      long oldest = Long.MAX_VALUE;
      long youngest = Long.MIN_VALUE;
      for (HostedVm v : victims) {
        long order = ctx.inventory().placementOrder(v.id());
        oldest = Math.min(oldest, order);
        youngest = Math.max(youngest, order);
      }
      return newest ? -(double) oldest : youngest;
    }
  }

  /** Free capacity of one resource covers the demand (sized for the server's machine type). */
  record ResourceFit(String name, Resource resource) implements ValidatorRule {
    @Override public Level level() {
      return Level.SERVER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.of(Trait.VM_TYPE, Trait.of(resource));
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.of(ChangeKind.USAGE);
    }

    @Override public boolean passes(EvalContext ctx, int i) {
      return ctx.demandOn(resource, i) <= ctx.inventory().free(resource, i);
    }

    @Override public void evaluate(EvalContext ctx, int from, int to, long[] bits) {
      for (int i = from; i < to; i++) {
        ValidatorRule.set(bits, i, passes(ctx, i));
      }
    }

    @Override public String reason(EvalContext ctx, int i) {
      return "needs " + ctx.demandOn(resource, i) + " " + resource.id() + ", "
          + ctx.inventory().free(resource, i) + " free";
    }
  }

  /** The machine type is allowed, offers the required features and can host the VM type. */
  record MachineTypeCompatible(String name) implements ValidatorRule {
    @Override public Level level() {
      return Level.SERVER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.of(Trait.VM_TYPE, Trait.MACHINE_TYPES, Trait.FEATURES);
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.noneOf(ChangeKind.class);
    }

    @Override public boolean passes(EvalContext ctx, int i) {
      int m = ctx.inventory().machineType(i);
      MachineType type = ctx.inventory().machineTypes().get(m);
      Set<String> allowed = ctx.request().constraints().machineTypes();
      return ctx.sizedFor(m)
          && (allowed.isEmpty() || allowed.contains(type.id()))
          && type.features().containsAll(ctx.request().constraints().features());
    }

    @Override public void evaluate(EvalContext ctx, int from, int to, long[] bits) {
      int types = ctx.inventory().machineTypes().size();
      boolean[] ok = new boolean[types];
      int[] example = new int[types];
      java.util.Arrays.fill(example, -1);
      for (int i = from; i < to; i++) {
        int m = ctx.inventory().machineType(i);
        if (example[m] < 0) {
          example[m] = i;
          ok[m] = passes(ctx, i);
        }
        ValidatorRule.set(bits, i, ok[m]);
      }
    }

    @Override public String reason(EvalContext ctx, int i) {
      MachineType type = ctx.inventory().machineTypes().get(ctx.inventory().machineType(i));
      return "machine type " + type.id() + " is not compatible";
    }
  }

  /** The server is not unhealthy (and, unless allowed, not pending maintenance). */
  record ServerHealth(String name, boolean allowMaintenancePending) implements ValidatorRule {
    @Override public Level level() {
      return Level.SERVER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.noneOf(Trait.class);
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.of(ChangeKind.HEALTH);
    }

    @Override public boolean passes(EvalContext ctx, int i) {
      Health h = ctx.inventory().health(i);
      return h == Health.HEALTHY || (h == Health.MAINTENANCE_PENDING && allowMaintenancePending);
    }

    @Override public void evaluate(EvalContext ctx, int from, int to, long[] bits) {
      for (int i = from; i < to; i++) {
        ValidatorRule.set(bits, i, passes(ctx, i));
      }
    }

    @Override public String reason(EvalContext ctx, int i) {
      Health h = ctx.inventory().health(i);
      return h == Health.UNHEALTHY ? "server is UNHEALTHY" : "server is in " + h;
    }
  }

  /** The cluster's utilization of a resource is below a limit (a higher one for low priority). */
  record ClusterUtilizationLimit(String name, Resource resource, double limit, double lowLimit)
      implements ValidatorRule {
    @Override public Level level() {
      return Level.CLUSTER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.of(Trait.PRIORITY);
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.of(ChangeKind.USAGE);
    }

    @Override public boolean passes(EvalContext ctx, int c) {
      Inventory inv = ctx.inventory();
      double l = ctx.request().priority() == Priority.LOW ? lowLimit : limit;
      return inv.clusterUsed(resource, c) < l * inv.clusterCapacity(resource, c);
    }

    @Override public String reason(EvalContext ctx, int c) {
      Inventory inv = ctx.inventory();
      return String.format(java.util.Locale.ROOT, "cluster %s %s utilization %.3f at limit",
          inv.clusterId(c), resource.id(),
          inv.clusterUsed(resource, c) / (double) Math.max(1, inv.clusterCapacity(resource, c)));
    }
  }

  /** At most {@code maxPerDomain} VMs of the request's availability set per fault or update domain. */
  record DomainSpread(String name, boolean faultDomains, int maxPerDomain) implements ValidatorRule {
    @Override public Level level() {
      return Level.SERVER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.of(Trait.AVAILABILITY_SET);
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.of(ChangeKind.HOSTED_VMS);
    }

    @Override public Scope scope() {
      return faultDomains ? Scope.FAULT_DOMAIN : Scope.UPDATE_DOMAIN;
    }

    @Override public boolean isAffectedBy(JournalRecord record, VmRequest request) {
      return record.availabilitySetIs(request.constraints().availabilitySet());
    }

    private int count(EvalContext ctx, String set, int i) {
      Inventory inv = ctx.inventory();
      return faultDomains
          ? inv.setCountInFaultDomain(set, inv.faultDomain(i))
          : inv.setCountInUpdateDomain(set, inv.updateDomain(i));
    }

    @Override public boolean passes(EvalContext ctx, int i) {
      String set = ctx.request().constraints().availabilitySet();
      return set == null || count(ctx, set, i) < maxPerDomain;
    }

    @Override public boolean passesEverywhere(EvalContext ctx) {
      String set = ctx.request().constraints().availabilitySet();
      return set == null || !ctx.inventory().availabilitySetInUse(set);
    }

    @Override public void evaluate(EvalContext ctx, int from, int to, long[] bits) {
      String set = ctx.request().constraints().availabilitySet();
      boolean unconstrained = set == null || !ctx.inventory().availabilitySetInUse(set);
      for (int i = from; i < to; i++) {
        ValidatorRule.set(bits, i, unconstrained || passes(ctx, i));
      }
    }

    @Override public String reason(EvalContext ctx, int i) {
      String set = Objects.requireNonNull(ctx.request().constraints().availabilitySet());
      return (faultDomains ? "fault" : "update") + " domain already holds " + count(ctx, set, i)
          + " VMs of availability set " + set;
    }
  }

  /** The server hosts no VM of the request's anti-affinity group. */
  record AntiAffinity(String name) implements ValidatorRule {
    @Override public Level level() {
      return Level.SERVER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.of(Trait.ANTI_AFFINITY_GROUP);
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.of(ChangeKind.HOSTED_VMS);
    }

    @Override public boolean isAffectedBy(JournalRecord record, VmRequest request) {
      return record.antiAffinityGroupIs(request.constraints().antiAffinityGroup());
    }

    @Override public boolean passes(EvalContext ctx, int i) {
      String group = ctx.request().constraints().antiAffinityGroup();
      return group == null || ctx.inventory().groupCountOnServer(group, i) == 0;
    }

    @Override public boolean passesEverywhere(EvalContext ctx) {
      String group = ctx.request().constraints().antiAffinityGroup();
      return group == null || !ctx.inventory().antiAffinityGroupInUse(group);
    }

    @Override public void evaluate(EvalContext ctx, int from, int to, long[] bits) {
      String group = ctx.request().constraints().antiAffinityGroup();
      boolean unconstrained = group == null || !ctx.inventory().antiAffinityGroupInUse(group);
      for (int i = from; i < to; i++) {
        ValidatorRule.set(bits, i, unconstrained || passes(ctx, i));
      }
    }

    @Override public String reason(EvalContext ctx, int i) {
      return "hosts a VM of anti-affinity group " + ctx.request().constraints().antiAffinityGroup();
    }
  }

  /** The cluster is the one the request is pinned to (any cluster if unpinned). */
  record ClusterPin(String name) implements ValidatorRule {
    @Override public Level level() {
      return Level.CLUSTER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.of(Trait.CLUSTER_PIN);
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.noneOf(ChangeKind.class);
    }

    @Override public boolean passesEverywhere(EvalContext ctx) {
      return ctx.request().constraints().clusterPin() == null;
    }

    @Override public boolean passes(EvalContext ctx, int c) {
      String pin = ctx.request().constraints().clusterPin();
      return pin == null || pin.equals(ctx.inventory().clusterId(c));
    }

    @Override public String reason(EvalContext ctx, int c) {
      return "request is pinned to cluster " + ctx.request().constraints().clusterPin();
    }
  }

  /** Packing: the server's utilization of a resource after placement (fuller is better). */
  record BestFit(String name, Resource resource) implements PreferenceRule {
    @Override public Level level() {
      return Level.SERVER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.of(Trait.VM_TYPE, Trait.of(resource));
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.of(ChangeKind.USAGE);
    }

    @Override public double score(EvalContext ctx, int i) {
      Inventory inv = ctx.inventory();
      long cap = inv.capacity(resource, i);
      return cap == 0 ? 0 : (inv.used(resource, i) + ctx.demandOn(resource, i)) / (double) cap;
    }

    @Override public void score(EvalContext ctx, int from, int to, double[] out) {
      for (int i = from; i < to; i++) {
        out[i - from] = score(ctx, i);
      }
    }
  }

  /** Servers that already host VMs score 1, empty ones 0 (keeps empty servers empty). */
  record PreferNonEmpty(String name) implements PreferenceRule {
    @Override public Level level() {
      return Level.SERVER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.noneOf(Trait.class);
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.of(ChangeKind.HOSTED_VMS);
    }

    @Override public double score(EvalContext ctx, int i) {
      return ctx.inventory().vmCount(i) > 0 ? 1 : 0;
    }

    @Override public void score(EvalContext ctx, int from, int to, double[] out) {
      for (int i = from; i < to; i++) {
        out[i - from] = score(ctx, i);
      }
    }
  }

  /** Clusters that already host VMs of the request's tenant score 1, others 0. */
  record PreferTenantCluster(String name) implements PreferenceRule {
    @Override public Level level() {
      return Level.CLUSTER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.of(Trait.TENANT);
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.of(ChangeKind.HOSTED_VMS);
    }

    @Override public boolean isAffectedBy(JournalRecord record, VmRequest request) {
      return record.tenantIs(request.tenant());
    }

    @Override public double score(EvalContext ctx, int c) {
      return ctx.inventory().tenantCountInCluster(ctx.request().tenant(), c) > 0 ? 1 : 0;
    }
  }

  /** Servers pending maintenance score 0, others 1. */
  record AvoidMaintenance(String name) implements PreferenceRule {
    @Override public Level level() {
      return Level.SERVER;
    }

    @Override public Set<Trait> traits() {
      return EnumSet.noneOf(Trait.class);
    }

    @Override public Set<ChangeKind> affectedBy() {
      return EnumSet.of(ChangeKind.HEALTH);
    }

    @Override public double score(EvalContext ctx, int i) {
      return ctx.inventory().health(i) == Health.MAINTENANCE_PENDING ? 0 : 1;
    }

    @Override public void score(EvalContext ctx, int from, int to, double[] out) {
      for (int i = from; i < to; i++) {
        out[i - from] = score(ctx, i);
      }
    }
  }
}
