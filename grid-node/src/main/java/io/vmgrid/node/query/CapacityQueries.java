package io.vmgrid.node.query;

import io.vmgrid.node.inventory.Mirrors;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmgrid.client.wire.GridRequest;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The capacity queries a member answers (headroom, what-if, fragmentation, consolidation plans) over
 * a copy of its inventory mirror, with the grid's rule set, as the JSON the client reads. Parses and
 * validates the query's {@link GridRequest#arguments()}: every problem is a {@link
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

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ARGUMENTS = Set.of("inDemand", "changes", "maxServers");

  private final RuleSet ruleSet;
  private final RuleRegistry registry;

  CapacityQueries(RuleSet ruleSet, RuleRegistry registry) {
    this.ruleSet = ruleSet;
    this.registry = registry;
  }

  /** Headroom per template. */
  String capacity(GridRequest request, Inventory copy) {
    JsonNode args = arguments(request);
    List<Template> templates = templates(request, args, copy);
    Inventory evicted = withoutLowPriority(copy);
    HeadroomReport report = planner(ruleSet).headroom(copy, requests(templates));
    HeadroomReport evicting = evicted == null || !ruleSet.preemption().enabled() ? report
        : planner(ruleSet).headroom(evicted, requests(templates));
    Map<String, Object> out = new LinkedHashMap<>();
    if (templates.size() == 1 && !inDemand(request)) { // the single-request answer older clients read
      out.putAll(headroomJson(report.templates().get(0)));
    }
    List<Map<String, Object>> list = new ArrayList<>();
    for (int i = 0; i < templates.size(); i++) {
      Map<String, Object> t = templates.get(i).json();
      t.put("headroom", headroomJson(report.templates().get(i)));
      // a low-priority VM evicts nothing: its headroom is the same either way
      t.put("headroomWithEvictions", headroomJson((evicts(templates.get(i)) ? evicting : report)
          .templates().get(i)));
      list.add(t);
    }
    out.put("templates", list);
    out.put("density", report.packing().density());
    return json(out);
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
  String whatIf(GridRequest request, Inventory copy) {
    JsonNode args = arguments(request);
    List<WhatIf> changes = changes(args.path("changes"), copy);
    List<Template> templates = templates(request, args, copy);
    Inventory evicted = withoutLowPriority(copy);
    WhatIfReport report = planner(ruleSet).whatIf(copy, changes, requests(templates));
    WhatIfReport evicting = evicted == null || !ruleSet.preemption().enabled() ? report
        : planner(ruleSet).whatIf(evicted, changes, requests(templates));
    List<Map<String, Object>> list = new ArrayList<>();
    for (int i = 0; i < templates.size(); i++) {
      Map<String, Object> t = templates.get(i).json();
      t.put("headroom", headroomJson(report.before().templates().get(i)));
      t.put("after", headroomJson(report.after().templates().get(i)));
      WhatIfReport e = evicts(templates.get(i)) ? evicting : report;
      t.put("headroomWithEvictions", headroomJson(e.before().templates().get(i)));
      t.put("afterWithEvictions", headroomJson(e.after().templates().get(i)));
      list.add(t);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("templates", list);
    out.put("densityBefore", report.before().packing().density());
    out.put("densityAfter", report.after().packing().density());
    out.put("evacuated", report.evacuated());
    out.put("evacuationFailures", report.evacuationFailures());
    out.put("notes", report.notes());
    return json(out);
  }

  /** Stranded free capacity for the templates. */
  String fragmentation(GridRequest request, Inventory copy) {
    JsonNode args = arguments(request);
    int maxServers = intArgument(args, "maxServers", DEFAULT_MAX_SERVERS, 0, 100_000);
    List<Template> templates = templates(request, args, copy);
    FragmentationReport f = planner(ruleSet).fragmentation(copy, requests(templates));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("templates", templates.stream().map(Template::json).toList());
    out.put("freeCores", f.freeCores());
    out.put("usableCores", f.usableCores());
    out.put("strandedCores", f.strandedCores());
    out.put("strandedFraction", f.strandedFraction());
    out.put("strandedServers", f.stranded().size());
    out.put("strandedServerCores", f.strandedServerCores());
    List<Map<String, Object>> servers = new ArrayList<>();
    for (StrandedServer s : f.stranded().subList(0, Math.min(maxServers, f.stranded().size()))) {
      servers.add(Map.of("serverId", s.serverId(), "clusterId", s.clusterId(),
          "freeCores", s.free().cores(), "freeMemoryMb", s.free().memory()));
    }
    out.put("stranded", servers);
    return json(out);
  }

  /** A consolidation plan for the templates (the VM types in demand). */
  String consolidation(GridRequest request, Inventory copy) {
    JsonNode args = arguments(request);
    List<Template> templates = templates(request, args, copy);
    ConsolidationPlan plan = planner(ruleSet).consolidate(copy, requests(templates));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("templates", templates.stream().map(Template::json).toList());
    List<Map<String, Object>> moves = new ArrayList<>();
    for (Move m : plan.moves()) {
      moves.add(Map.of("vmId", m.vmId(), "from", m.fromServerId(), "to", m.toServerId(),
          "cores", m.demand().cores(), "memory", m.demand().memory()));
    }
    out.put("moves", moves);
    out.put("emptiedServers", plan.emptiedServers());
    out.put("usableCoresGained", plan.usableCoresGained());
    out.put("strandedCoresBefore", plan.before().strandedCores());
    out.put("strandedCoresAfter", plan.after().strandedCores());
    out.put("densityBefore", plan.packingBefore().density());
    out.put("densityAfter", plan.packingAfter().density());
    return json(out);
  }

  private static CapacityPlanner planner(RuleSet rules) {
    return new CapacityPlanner(rules, CapacitySettings.defaults());
  }

  /** A template and what the answer says about it. */
  private record Template(VmRequest request, long placedNow) {
    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", request.id());
      m.put("cores", request.demand().cores());
      m.put("memoryMb", request.demand().memory());
      m.put("lowPriority", request.priority() == Priority.LOW);
      m.put("placedNow", placedNow);
      return m;
    }
  }

  private static List<VmRequest> requests(List<Template> templates) {
    return templates.stream().map(Template::request).toList();
  }

  private static boolean inDemand(GridRequest r) {
    return r.cores() == 0 && r.memoryMb() == 0;
  }

  /** The request's shape, or the most common shapes among the VMs placed in {@code copy}. */
  private static List<Template> templates(GridRequest request, JsonNode args, Inventory copy) {
    if (!inDemand(request)) {
      if (args.has("inDemand")) {
        throw new ValidationException("arguments.inDemand",
            "give either a shape (cores and memoryMb) or inDemand, not both");
      }
      return List.of(new Template(Mirrors.request(request), 0));
    }
    int k = intArgument(args, "inDemand", DEFAULT_IN_DEMAND, 1, 100);
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
  private List<WhatIf> changes(JsonNode list, Inventory copy) {
    if (!list.isArray() || list.isEmpty()) {
      throw new ValidationException("changes", "name at least one change");
    }
    List<WhatIf> out = new ArrayList<>();
    Set<String> added = new LinkedHashSet<>(); // clusters servers are added to (drainable by id)
    for (int i = 0; i < list.size(); i++) {
      String at = "changes[" + i + "]";
      JsonNode c = list.get(i);
      String kind = c.path("kind").asText("");
      try {
        switch (kind) {
          case "limit-change" -> {
            known(c, Set.of("kind", "delta"));
            out.add(new WhatIf.ChangeUtilizationLimit(number(c, "delta")));
          }
          case "limit" -> {
            known(c, Set.of("kind", "limit", "lowPriorityLimit"));
            double limit = number(c, "limit");
            out.add(new WhatIf.SetUtilizationLimit(limit,
                c.has("lowPriorityLimit") ? number(c, "lowPriorityLimit") : limit));
          }
          case "drain" -> out.add(drain(c, copy, added));
          case "add-servers" -> {
            WhatIf.AddServers a = addServers(c, copy);
            added.add(a.cluster());
            out.add(a);
          }
          case "rule-set" -> out.add(ruleSet(c));
          default -> throw new ValidationException("kind", "must be limit-change, limit, drain,"
              + " add-servers or rule-set, was '" + kind + "'");
        }
      } catch (ValidationException e) {
        throw new ValidationException(at + "." + e.field(),
            String.valueOf(e.getMessage()).substring(e.field().length() + 2));
      }
    }
    return out;
  }

  /** A {@code drain} change: its servers exist, or are added by an earlier change. */
  private static WhatIf.Drain drain(JsonNode c, Inventory copy, Set<String> added) {
    known(c, Set.of("kind", "serverIds", "evacuate"));
    JsonNode ids = c.path("serverIds");
    if (!ids.isArray() || ids.isEmpty()) {
      throw new ValidationException("serverIds", "must name at least one server");
    }
    Set<String> servers = new LinkedHashSet<>();
    for (JsonNode id : ids) {
      String s = id.asText("");
      if (copy.indexOf(s) < 0 && added.stream().noneMatch(a -> s.startsWith(a + "-whatif-"))) {
        throw new ValidationException("serverIds", "unknown server " + s);
      }
      servers.add(s);
    }
    return new WhatIf.Drain(servers, Health.MAINTENANCE, c.path("evacuate").asBoolean(false));
  }

  /** An {@code add-servers} change: a known machine type (or none), a whole count. */
  private static WhatIf.AddServers addServers(JsonNode c, Inventory copy) {
    known(c, Set.of("kind", "cluster", "machineType", "count"));
    String type = c.path("machineType").asText("");
    if (!type.isEmpty() && copy.machineTypeIndexOf(type) < 0) {
      throw new ValidationException("machineType", "unknown machine type " + type
          + " (known: " + String.join(", ",
              copy.machineTypes().stream().map(MachineType::id).toList()) + ")");
    }
    if (!c.path("count").canConvertToInt()) {
      throw new ValidationException("count", "must be a whole number");
    }
    return new WhatIf.AddServers(c.path("cluster").asText(""), type, c.path("count").asInt());
  }

  /** A {@code rule-set} change: the text parses with this member's rule registry. */
  private WhatIf.UseRuleSet ruleSet(JsonNode c) {
    known(c, Set.of("kind", "text", "source"));
    String source = c.path("source").asText("rule set");
    try {
      return new WhatIf.UseRuleSet(RuleSet.parse(c.path("text").asText(""), source, registry));
    } catch (RuleSetException e) {
      throw new ValidationException("text", String.join("; ", e.problems()));
    }
  }

  private static void known(JsonNode change, Set<String> fields) {
    for (Iterator<String> it = change.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw new ValidationException(f, "unknown field (known: " + String.join(", ",
            fields.stream().sorted().toList()) + ")");
      }
    }
  }

  private static double number(JsonNode change, String field) {
    JsonNode n = change.path(field);
    if (!n.isNumber()) {
      throw new ValidationException(field, "must be a number");
    }
    return n.asDouble();
  }

  private static int intArgument(JsonNode args, String field, int dflt, int min, int max) {
    JsonNode n = args.path(field);
    if (n.isMissingNode()) {
      return dflt;
    }
    if (!n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
      throw new ValidationException("arguments." + field,
          "must be a whole number in [" + min + ", " + max + "], was " + n);
    }
    return n.asInt();
  }

  private static JsonNode arguments(GridRequest request) {
    if (request.arguments().isEmpty()) {
      return JSON.createObjectNode();
    }
    JsonNode args;
    try {
      args = JSON.readTree(request.arguments());
    } catch (JsonProcessingException e) {
      throw new ValidationException("arguments", "not valid JSON: " + e.getOriginalMessage());
    }
    if (args == null || !args.isObject()) {
      throw new ValidationException("arguments", "must be a JSON object");
    }
    for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ARGUMENTS.contains(f)) {
        throw new ValidationException("arguments." + f, "unknown argument (known: changes,"
            + " inDemand, maxServers)");
      }
    }
    return args;
  }

  private static Map<String, Object> headroomJson(Headroom h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("total", h.total());
    m.put("perCluster", h.perCluster());
    m.put("capped", h.capped());
    m.put("densityWhenFull", h.whenFull().density());
    return m;
  }

  /** {@code value} as a JSON document (the form every query answer travels in). */
  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
