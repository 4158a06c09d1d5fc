package io.vmgrid.node.query;

import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.query.CapacityAnswer;
import io.vmgrid.client.wire.query.ConsolidationAnswer;
import io.vmgrid.client.wire.query.FragmentationAnswer;
import io.vmgrid.client.wire.query.HeadroomCount;
import io.vmgrid.client.wire.query.QueryArguments;
import io.vmgrid.client.wire.query.TemplateShape;
import io.vmgrid.client.wire.query.WhatIfAnswer;
import io.vmgrid.client.wire.query.WhatIfStep;
import io.vmgrid.node.inventory.Mirrors;
import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.capacity.CapacityPlanner;
import io.vmgrid.rules.capacity.CapacitySettings;
import io.vmgrid.rules.capacity.ConsolidationPlan;
import io.vmgrid.rules.capacity.FragmentationReport;
import io.vmgrid.rules.capacity.Headroom;
import io.vmgrid.rules.capacity.HeadroomReport;
import io.vmgrid.rules.capacity.Move;
import io.vmgrid.rules.capacity.StrandedServer;
import io.vmgrid.rules.capacity.Templates;
import io.vmgrid.rules.capacity.WhatIf;
import io.vmgrid.rules.capacity.WhatIfReport;
import io.vmgrid.rules.ruleset.RuleRegistry;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.ruleset.RuleSetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The capacity queries a member answers (headroom, what-if, fragmentation, consolidation plans) over
 * a copy of its inventory mirror, with the grid's rule set, as the typed answers the client reads.
 * Validates the query's {@link GridRequest#arguments()}: every problem is a {@link
 * ValidationException} naming the field ({@code changes[1].serverIds: unknown server s9}), which the
 * member answers as invalid input.
 *
 * <p>A query without a shape ({@code cores} and {@code memoryMb} 0) is about the shapes most common
 * among the VMs placed now: the grid's requests carry demands, not VM type names, so those shapes are
 * its VM types in demand. Stateless; each call works on the copy it is given and never writes it.
 */
final class CapacityQueries {
  /** Shapes in demand reported when the query does not say. */
  static final int DEFAULT_IN_DEMAND = 10;
  /** Stranded servers listed when the query does not say. */
  static final int DEFAULT_MAX_SERVERS = 50;

  private final RuleSet ruleSet;
  private final RuleRegistry registry;

  CapacityQueries(RuleSet ruleSet, RuleRegistry registry) {
    this.ruleSet = ruleSet;
    this.registry = registry;
  }

  /** Headroom per template, without and with evictions of lower priority. */
  CapacityAnswer capacity(GridRequest request, Inventory copy) {
    QueryArguments args = arguments(request, false);
    List<Template> templates = templates(request, args, copy);
    Inventory evicted = withoutLowPriority(copy);
    HeadroomReport report = planner(ruleSet).headroom(copy, requests(templates));
    HeadroomReport evicting = evicted == null || !ruleSet.preemption().enabled() ? report
        : planner(ruleSet).headroom(evicted, requests(templates));
    List<CapacityAnswer.Entry> entries = new ArrayList<>();
    for (int i = 0; i < templates.size(); i++) {
      // a low-priority VM evicts nothing: its headroom is the same either way
      HeadroomReport e = evicts(templates.get(i)) ? evicting : report;
      entries.add(new CapacityAnswer.Entry(templates.get(i).shape(),
          count(report.templates().get(i)), count(e.templates().get(i))));
    }
    return new CapacityAnswer(entries, report.packing().density());
  }

  /** Whether a VM of {@code t} may evict others (regular, with the rule set's preemption on). */
  private boolean evicts(Template t) {
    return t.request().priority().outranksAny() && ruleSet.preemption().enabled();
  }

  /**
   * A copy of {@code inv} without its low-priority VMs (what every regular request could evict),
   * or null if it has none.
   */
  private static @org.jspecify.annotations.Nullable Inventory withoutLowPriority(Inventory inv) {
    Inventory out = null;
    for (int s = 0; s < inv.size(); s++) {
      for (HostedVm vm : inv.vmsOn(s)) {
        if (Priority.REGULAR.outranks(vm.priority())) {
          if (out == null) {
            out = inv.copy();
          }
          out.apply(new InventoryChange.Release(inv.serverId(s), vm.id()));
        }
      }
    }
    return out;
  }

  /** Headroom per template before and after the changes, and the density of the state. */
  WhatIfAnswer whatIf(GridRequest request, Inventory copy) {
    QueryArguments args = arguments(request, true);
    List<WhatIf> changes = changes(args.changes(), copy);
    List<Template> templates = templates(request, args, copy);
    Inventory evicted = withoutLowPriority(copy);
    WhatIfReport report = planner(ruleSet).whatIf(copy, changes, requests(templates));
    WhatIfReport evicting = evicted == null || !ruleSet.preemption().enabled() ? report
        : planner(ruleSet).whatIf(evicted, changes, requests(templates));
    List<WhatIfAnswer.Entry> entries = new ArrayList<>();
    for (int i = 0; i < templates.size(); i++) {
      WhatIfReport e = evicts(templates.get(i)) ? evicting : report;
      entries.add(new WhatIfAnswer.Entry(templates.get(i).shape(),
          count(report.before().templates().get(i)), count(e.before().templates().get(i)),
          count(report.after().templates().get(i)), count(e.after().templates().get(i))));
    }
    return new WhatIfAnswer(entries, report.before().packing().density(),
        report.after().packing().density(), report.evacuated(), report.evacuationFailures(),
        report.notes());
  }

  /** Stranded free capacity for the templates. */
  FragmentationAnswer fragmentation(GridRequest request, Inventory copy) {
    QueryArguments args = arguments(request, false);
    int maxServers = argument("maxServers", args.maxServers(), DEFAULT_MAX_SERVERS, 0, 100_000);
    List<Template> templates = templates(request, args, copy);
    FragmentationReport f = planner(ruleSet).fragmentation(copy, requests(templates));
    List<FragmentationAnswer.Stranded> servers = new ArrayList<>();
    for (StrandedServer s : f.stranded().subList(0, Math.min(maxServers, f.stranded().size()))) {
      servers.add(new FragmentationAnswer.Stranded(s.serverId(), s.clusterId(), s.free().cores(),
          s.free().memory()));
    }
    return new FragmentationAnswer(shapes(templates), f.freeCores(), f.usableCores(),
        f.stranded().size(), f.strandedServerCores(), servers);
  }

  /** A consolidation plan for the templates (the VM types in demand). */
  ConsolidationAnswer consolidation(GridRequest request, Inventory copy) {
    QueryArguments args = arguments(request, false);
    List<Template> templates = templates(request, args, copy);
    ConsolidationPlan plan = planner(ruleSet).consolidate(copy, requests(templates));
    List<ConsolidationAnswer.Move> moves = new ArrayList<>();
    for (Move m : plan.moves()) {
      moves.add(new ConsolidationAnswer.Move(m.vmId(), m.fromServerId(), m.toServerId(),
          m.demand().cores(), m.demand().memory()));
    }
    return new ConsolidationAnswer(shapes(templates), moves, List.copyOf(plan.emptiedServers()),
        plan.usableCoresGained(), plan.before().strandedCores(), plan.after().strandedCores(),
        plan.packingBefore().density(), plan.packingAfter().density());
  }

  private static CapacityPlanner planner(RuleSet rules) {
    return new CapacityPlanner(rules, CapacitySettings.defaults());
  }

  /** A template and what the answer says about it. */
  private record Template(VmRequest request, long placedNow) {
    TemplateShape shape() {
      return new TemplateShape(request.id(), request.demand().cores(), request.demand().memory(),
          request.priority() == Priority.LOW, placedNow);
    }
  }

  private static List<VmRequest> requests(List<Template> templates) {
    return templates.stream().map(Template::request).toList();
  }

  private static List<TemplateShape> shapes(List<Template> templates) {
    return templates.stream().map(Template::shape).toList();
  }

  private static boolean inDemand(GridRequest r) {
    return r.cores() == 0 && r.memoryMb() == 0;
  }

  /** The request's shape, or the most common shapes among the VMs placed in {@code copy}. */
  private static List<Template> templates(GridRequest request, QueryArguments args,
      Inventory copy) {
    if (!inDemand(request)) {
      if (args.inDemand() != QueryArguments.NOT_GIVEN) {
        throw new ValidationException("arguments.inDemand",
            "give either a shape (cores and memoryMb) or inDemand, not both");
      }
      return List.of(new Template(Mirrors.request(request), 0));
    }
    int k = argument("inDemand", args.inDemand(), DEFAULT_IN_DEMAND, 1, 100);
    record Shape(long cores, long memory, Priority priority) {}
    Map<Shape, long[]> counts = new LinkedHashMap<>();
    for (int i = 0; i < copy.size(); i++) {
      for (HostedVm vm : copy.vmsOn(i)) {
        counts.computeIfAbsent(new Shape(vm.used().cores(), vm.used().memory(), vm.priority()),
            s -> new long[1])[0]++;
      }
    }
    if (counts.isEmpty()) {
      throw new ValidationException("inDemand",
          "no VMs are placed, so no shape is in demand: ask about a shape (cores and memoryMb)");
    }
    List<Map.Entry<Shape, long[]>> sorted = new ArrayList<>(counts.entrySet());
    // most common first; ties by larger shape, then regular before low, so answers are deterministic
    sorted.sort((a, b) -> {
      int c = Long.compare(b.getValue()[0], a.getValue()[0]);
      if (c == 0) {
        c = Long.compare(b.getKey().cores(), a.getKey().cores());
      }
      if (c == 0) {
        c = Long.compare(b.getKey().memory(), a.getKey().memory());
      }
      return c != 0 ? c : a.getKey().priority().compareTo(b.getKey().priority());
    });
    List<Template> out = new ArrayList<>();
    for (Map.Entry<Shape, long[]> e : sorted.subList(0, Math.min(k, sorted.size()))) {
      Shape s = e.getKey();
      String id = String.format(Locale.ROOT, "%dc%dm", s.cores(), s.memory())
          + (s.priority() == Priority.LOW ? "-low" : "");
      out.add(new Template(new VmRequest(id, null, new Resources(s.cores(), s.memory(), 0),
          Templates.TENANT, s.priority(), Constraints.NONE), e.getValue()[0]));
    }
    return out;
  }

  /** The what-if changes, validated against {@code copy}; problems name {@code changes[i].field}. */
  private List<WhatIf> changes(List<WhatIfStep> steps, Inventory copy) {
    if (steps.isEmpty()) {
      throw new ValidationException("changes", "name at least one change");
    }
    List<WhatIf> out = new ArrayList<>();
    Set<String> added = new LinkedHashSet<>(); // clusters servers are added to (drainable by id)
    for (int i = 0; i < steps.size(); i++) {
      WhatIfStep c = steps.get(i);
      try {
        out.add(change(c, copy, added));
      } catch (ValidationException e) {
        throw new ValidationException("changes[" + i + "]." + e.field(),
            String.valueOf(e.getMessage()).substring(e.field().length() + 2));
      }
    }
    return out;
  }

  /** One what-if change, checked against {@code copy}; notes in {@code added} where servers go. */
  private WhatIf change(WhatIfStep c, Inventory copy, Set<String> added) {
    WhatIfStep.Kind kind = c.kind();
    if (kind == null) {
      throw new ValidationException("kind", "is not one this member knows (known: "
          + String.join(", ", java.util.Arrays.stream(WhatIfStep.Kind.values())
              .map(Enum::name).toList()) + ")");
    }
    return switch (kind) {
      case LIMIT_CHANGE -> new WhatIf.ChangeUtilizationLimit(number("delta", c.delta()));
      case LIMIT -> new WhatIf.SetUtilizationLimit(number("limit", c.limit()),
          number("lowPriorityLimit", c.lowPriorityLimit()));
      case DRAIN -> drain(c, copy, added);
      case ADD_SERVERS -> {
        WhatIf.AddServers a = addServers(c, copy);
        added.add(a.cluster());
        yield a;
      }
      case RULE_SET -> ruleSet(c);
    };
  }

  /** A drain: its servers exist, or are added by an earlier change. */
  private static WhatIf.Drain drain(WhatIfStep c, Inventory copy, Set<String> added) {
    if (c.serverIds().isEmpty()) {
      throw new ValidationException("serverIds", "must name at least one server");
    }
    Set<String> servers = new LinkedHashSet<>();
    for (String s : c.serverIds()) {
      if (copy.indexOf(s) < 0 && added.stream().noneMatch(a -> s.startsWith(a + "-whatif-"))) {
        throw new ValidationException("serverIds", "unknown server " + s);
      }
      servers.add(s);
    }
    return new WhatIf.Drain(servers, Health.MAINTENANCE, c.evacuate());
  }

  /** Servers to add: a known machine type (or none). */
  private static WhatIf.AddServers addServers(WhatIfStep c, Inventory copy) {
    String type = c.machineType();
    if (!type.isEmpty() && copy.machineTypeIndexOf(type) < 0) {
      throw new ValidationException("machineType", "unknown machine type " + type
          + " (known: " + String.join(", ",
              copy.machineTypes().stream().map(MachineType::id).toList()) + ")");
    }
    return new WhatIf.AddServers(c.cluster(), type, c.count());
  }

  /** Another rule set: the text parses with this member's rule registry. */
  private WhatIf.UseRuleSet ruleSet(WhatIfStep c) {
    String source = c.source().isEmpty() ? "rule set" : c.source();
    try {
      return new WhatIf.UseRuleSet(RuleSet.parse(c.text(), source, registry));
    } catch (RuleSetException e) {
      throw new ValidationException("text", String.join("; ", e.problems()));
    }
  }

  private static double number(String field, double value) {
    if (!Double.isFinite(value)) {
      throw new ValidationException(field, "must be a number, was " + value);
    }
    return value;
  }

  /** {@code value}, or {@code dflt} when not given; outside [min, max] it is invalid. */
  private static int argument(String field, int value, int dflt, int min, int max) {
    if (value == QueryArguments.NOT_GIVEN) {
      return dflt;
    }
    if (value < min || value > max) {
      throw new ValidationException("arguments." + field,
          "must be a whole number in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /**
   * The request's arguments (none given: the defaults); only a what-if ({@code takesChanges})
   * may carry changes.
   */
  private static QueryArguments arguments(GridRequest request, boolean takesChanges) {
    QueryArguments args = request.arguments();
    if (args == null) {
      return new QueryArguments();
    }
    if (!takesChanges && !args.changes().isEmpty()) {
      throw new ValidationException("arguments.changes", "only what-if takes changes");
    }
    return args;
  }

  private static HeadroomCount count(Headroom h) {
    return new HeadroomCount(h.total(), h.perCluster(), h.capped(), h.whenFull().density());
  }
}
