package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.ChangeKind;
import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VictimRule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.Preemption;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Finds the least disruptive eviction for a request that no server fits: the fewest VMs of lower
 * priority, on one server, whose eviction makes the request pass every validator there; among the
 * sets of that size (on any server) the one the rule set's victim rules rank best, then the server
 * its preferences rank best after the eviction, then the lowest server index.
 *
 * <p>Exact within the budget: sizes are tried from 1 up to {@link Preemption#maxVictims()}, each size
 * over every server, so the size returned is the smallest any server needs, and no victim of the
 * returned set can be spared (a smaller set would have been found first). Subsets that cannot free
 * enough of every resource are pruned before any trial (a placement must fit physically, whatever
 * the rules); the others are tried by evicting them on a private copy of the inventory and evaluating
 * the validators that evictions can change (those affected by usage or hosted VMs) at that server.
 * Validators that evictions cannot change are evaluated once on the live inventory. The search
 * assumes that evicting VMs never makes a validator fail (true of every built-in validator).
 *
 * <p>The live inventory is only read; the copy is taken per search (O(servers + VMs), the price of
 * the rare path) and dropped. Not thread-safe: one per engine.
 */
final class Preemptor {
  private static final Resource[] RESOURCES = Resource.values();

  private final Inventory inventory;
  private final Preemption settings;
  private final ValidatorRule[] fixed;
  private final ValidatorRule[] movable;
  private final VictimRule[] victimRules;
  private final PreferenceRule[] preferences;
  private final double[] weights;
  private final boolean lexicographic;
  private long searches;
  private long found;
  private long cutShort;
  private long trials;

  /**
   * An eviction: the server, the victims (in the order the search met them), and whether the search
   * was cut short by its budget.
   */
  record Eviction(int server, List<HostedVm> victims, boolean cutShort) {}

  /**
   * One server worth searching: its evictable VMs, largest first, what it lacks per resource, and
   * per resource the largest use among the VMs from each index on (the pruning bound).
   */
  private static final class Site {
    final int server;
    final List<HostedVm> vms;
    final long[] need;
    final long[][] suffixMax;

    Site(int server, List<HostedVm> vms, long[] need, long[][] suffixMax) {
      this.server = server;
      this.vms = vms;
      this.need = need;
      this.suffixMax = suffixMax;
    }
  }

  /** A set that makes the request fit, with its victim-rule costs and preference scores. */
  private static final class Found {
    final int server;
    final List<HostedVm> victims;
    final double[] cost;
    final double[] prefs;

    Found(int server, List<HostedVm> victims, double[] cost, double[] prefs) {
      this.server = server;
      this.victims = victims;
      this.cost = cost;
      this.prefs = prefs;
    }
  }

  Preemptor(Inventory inventory, RuleSet ruleSet) {
    this.inventory = inventory;
    this.settings = ruleSet.preemption();
    List<ValidatorRule> f = new ArrayList<>();
    List<ValidatorRule> m = new ArrayList<>();
    for (RuleSet.Entry<ValidatorRule> e : ruleSet.validators()) {
      ValidatorRule v = e.rule();
      boolean changes = v.affectedBy().contains(ChangeKind.USAGE)
          || v.affectedBy().contains(ChangeKind.HOSTED_VMS);
      (changes ? m : f).add(v);
    }
    this.fixed = f.toArray(new ValidatorRule[0]);
    this.movable = m.toArray(new ValidatorRule[0]);
    this.victimRules = ruleSet.victims().stream().map(RuleSet.Entry::rule)
        .toArray(VictimRule[]::new);
    this.preferences = ruleSet.preferences().stream().map(RuleSet.Entry::rule)
        .toArray(PreferenceRule[]::new);
    this.weights = ruleSet.preferences().stream().mapToDouble(RuleSet.Entry::weight).toArray();
    this.lexicographic = ruleSet.combination() == RuleSet.Combination.LEXICOGRAPHIC;
  }

  PreemptionStats stats() {
    return new PreemptionStats(searches, found, cutShort, trials);
  }

  /** The eviction for {@code request}, or null if preemption is off or nothing fits. */
  @Nullable Eviction find(VmRequest request) {
    return find(request, s -> true);
  }

  /**
   * The eviction for {@code request} on one of the servers {@code allowed} accepts (by index), or
   * null if preemption is off or nothing fits there.
   */
  @Nullable Eviction find(VmRequest request, java.util.function.IntPredicate allowed) {
    if (!settings.enabled() || !request.priority().outranksAny()) {
      return null;
    }
    searches++;
    Search search = new Search(request, allowed);
    Eviction e = search.run();
    if (search.budget < 0) {
      cutShort++;
    }
    if (e != null) {
      found++;
    }
    return e;
  }

  /** One request's search. */
  private final class Search {
    private final VmRequest request;
    private final EvalContext live;
    private @Nullable Inventory scratch;
    private @Nullable EvalContext trialCtx;
    private long budget = settings.searchBudget();
    private final java.util.function.IntPredicate allowed;

    Search(VmRequest request, java.util.function.IntPredicate allowed) {
      this.request = request;
      this.live = new EvalContext(inventory, request);
      this.allowed = allowed;
    }

    @Nullable Eviction run() {
      List<Site> sites = new ArrayList<>();
      int widest = 0;
      for (int s = 0; s < inventory.size() && budget >= 0; s++) {
        Site site = allowed.test(s) ? site(s) : null;
        if (site != null) {
          sites.add(site);
          widest = Math.max(widest, site.vms.size());
        }
      }
      int cap = Math.min(settings.maxVictims(), widest);
      for (int m = 1; m <= cap && budget >= 0; m++) {
        List<Found> out = new ArrayList<>();
        int[] chosen = new int[m];
        for (Site site : sites) {
          if (site.vms.size() >= m) {
            enumerate(site, m, 0, 0, chosen, new long[RESOURCES.length], out);
          }
          if (budget < 0) {
            break;
          }
        }
        if (!out.isEmpty()) {
          Found best = out.get(0);
          for (Found f : out) {
            if (better(f, best)) {
              best = f;
            }
          }
          return new Eviction(best.server, best.victims, budget < 0);
        }
      }
      return null;
    }

    /**
     * Server {@code s} as a site, or null if no eviction there can help: nothing evictable, a
     * validator that evictions cannot change fails, all its evictable VMs do not free enough of
     * some resource, or evicting all of them still fails a validator.
     */
    private @Nullable Site site(int s) {
      if (inventory.vmCount(s) == 0) {
        return null;
      }
      List<HostedVm> vms = new ArrayList<>();
      for (HostedVm vm : inventory.vmsOn(s)) {
        if (request.priority().outranks(vm.priority())) {
          vms.add(vm);
        }
      }
      if (vms.isEmpty()) {
        return null;
      }
      for (ValidatorRule v : fixed) {
        if (!v.passes(live, unit(v, s))) {
          return null;
        }
      }
      long[] need = new long[RESOURCES.length];
      long[] all = new long[RESOURCES.length];
      for (Resource r : RESOURCES) {
        need[r.index()] = live.demandOn(r, s) - inventory.free(r, s);
      }
      for (HostedVm vm : vms) {
        add(all, vm, 1);
      }
      if (!covers(all, need)) {
        return null;
      }
      // largest first (by share of the server), newest first among equals: good sets come early
      vms.sort(Comparator.comparingDouble((HostedVm vm) -> -share(vm, s))
          .thenComparingLong(vm -> -inventory.placementOrder(vm.id())));
      if (!trial(s, vms, null)) {
        return null;
      }
      long[][] suffixMax = new long[RESOURCES.length][vms.size() + 1];
      for (int i = vms.size() - 1; i >= 0; i--) {
        for (Resource r : RESOURCES) {
          suffixMax[r.index()][i] =
              Math.max(suffixMax[r.index()][i + 1], vms.get(i).used().get(r));
        }
      }
      return new Site(s, vms, need, suffixMax);
    }

    private double share(HostedVm vm, int s) {
      double sum = 0;
      for (Resource r : RESOURCES) {
        long cap = inventory.capacity(r, s);
        sum += cap == 0 ? 0 : vm.used().get(r) / (double) cap;
      }
      return sum;
    }

    /** Every {@code m}-subset of the site's VMs that frees enough is tried; fits go to out. */
    private void enumerate(Site site, int m, int start, int k, int[] chosen, long[] sum,
        List<Found> out) {
      if (k == m) {
        if (!covers(sum, site.need)) {
          return;
        }
        List<HostedVm> victims = new ArrayList<>(m);
        for (int i : chosen) {
          victims.add(site.vms.get(i));
        }
        double[] prefs = new double[lexicographic ? preferences.length : 1];
        if (trial(site.server, victims, prefs)) {
          out.add(new Found(site.server, victims, cost(site.server, victims), prefs));
        }
        return;
      }
      int left = m - k - 1;
      for (int i = start; i <= site.vms.size() - (m - k); i++) {
        if (--budget < 0) {
          return;
        }
        HostedVm vm = site.vms.get(i);
        add(sum, vm, 1);
        boolean reachable = true;
        for (Resource r : RESOURCES) {
          int x = r.index();
          if (sum[x] + left * site.suffixMax[x][i + 1] < site.need[x]) {
            reachable = false;
            break;
          }
        }
        if (reachable) {
          chosen[k] = i;
          enumerate(site, m, i + 1, k + 1, chosen, sum, out);
        }
        add(sum, vm, -1);
        if (budget < 0) {
          return;
        }
      }
    }

    /**
     * Evicts {@code victims} from server {@code s} on the private copy, evaluates the validators
     * evictions can change there (and, if {@code prefs} is given and they pass, the preferences),
     * and puts the victims back. Counts one step of the budget.
     */
    private boolean trial(int s, List<HostedVm> victims, double @Nullable [] prefs) {
      budget--;
      trials++;
      Inventory x = scratch;
      EvalContext ctx = trialCtx;
      if (x == null || ctx == null) {
        x = inventory.copy(64);
        ctx = new EvalContext(x, request);
        scratch = x;
        trialCtx = ctx;
      }
      String id = x.serverId(s);
      for (HostedVm vm : victims) {
        x.apply(new InventoryChange.Release(id, vm.id()));
      }
      boolean ok = true;
      for (ValidatorRule v : movable) {
        if (!v.passes(ctx, unit(v, s))) {
          ok = false;
          break;
        }
      }
      if (ok && prefs != null) {
        score(ctx, s, prefs);
      }
      for (HostedVm vm : victims) {
        x.apply(new InventoryChange.Place(id, vm));
      }
      return ok;
    }

    /** The preferences at server {@code s} (higher is better): by priority, or weighted. */
    private void score(EvalContext ctx, int s, double[] out) {
      double sum = 0;
      for (int i = 0; i < preferences.length; i++) {
        PreferenceRule p = preferences[i];
        double raw = p.score(ctx, p.level() == Level.CLUSTER ? inventory.cluster(s) : s);
        double span = p.maxScore() - p.minScore();
        double norm = span <= 0 ? 0 : Math.max(0, Math.min(1, (raw - p.minScore()) / span));
        if (lexicographic) {
          out[i] = Math.signum(weights[i]) * norm;
        } else {
          sum += weights[i] * norm;
        }
      }
      if (!lexicographic) {
        out[0] = sum;
      }
    }

    private double[] cost(int s, List<HostedVm> victims) {
      double[] c = new double[victimRules.length];
      for (int i = 0; i < c.length; i++) {
        c[i] = victimRules[i].cost(live, s, victims);
      }
      return c;
    }
  }

  /** Whether {@code a} beats {@code b}: lower victim costs, then higher preferences, then index. */
  private static boolean better(Found a, Found b) {
    for (int i = 0; i < a.cost.length; i++) {
      int c = Double.compare(a.cost[i], b.cost[i]);
      if (c != 0) {
        return c < 0;
      }
    }
    for (int i = 0; i < a.prefs.length; i++) {
      int c = Double.compare(a.prefs[i], b.prefs[i]);
      if (c != 0) {
        return c > 0;
      }
    }
    return a.server < b.server;
  }

  private int unit(ValidatorRule v, int s) {
    return v.level() == Level.CLUSTER ? inventory.cluster(s) : s;
  }

  private static void add(long[] sum, HostedVm vm, int sign) {
    for (Resource r : RESOURCES) {
      sum[r.index()] += sign * vm.used().get(r);
    }
  }

  private static boolean covers(long[] freed, long[] need) {
    for (int i = 0; i < need.length; i++) {
      if (freed[i] < need[i]) {
        return false;
      }
    }
    return true;
  }
}
