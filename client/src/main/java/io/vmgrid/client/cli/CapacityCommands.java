package io.vmgrid.client.cli;

import static io.vmgrid.client.cli.ClientCommands.unwrap;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.CapacityHeadroom;
import io.vmgrid.client.api.CapacityTemplates;
import io.vmgrid.client.api.ConsolidationProposal;
import io.vmgrid.client.api.FragmentationSummary;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.TemplateHeadroom;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.api.WhatIfChange;
import io.vmgrid.client.api.WhatIfOutcome;
import io.vmgrid.client.wire.Checks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The capacity commands of {@code vmgrid}: {@code capacity}, {@code what-if}, {@code fragmentation}
 * and {@code consolidate}. Each asks one member, which answers from a copy of its inventory with the
 * grid's rules; only {@code consolidate --apply} changes anything.
 */
final class CapacityCommands {
  private CapacityCommands() {}

  /** A shape id as the grid prints it: {@code 8c32768m}, {@code 8c32768m-low}. */
  private static final Pattern SHAPE = Pattern.compile("(\\d+)c(\\d+)m(-low)?");

  /**
   * What a capacity command is about: one VM's shape ({@code --cores}/{@code --memory-mb} or {@code
   * --type}) with optional constraints, or else the shapes most common among the VMs placed now.
   */
  static final class TemplateOptions {
    @Option(names = "--cores", description = "Cores of the VM to ask about.")
    @Nullable Integer cores;

    @Option(names = "--memory-mb", description = "Memory of the VM to ask about, MiB.")
    @Nullable Long memoryMb;

    @Option(names = "--type", description = "The VM type to ask about, by the shape id the grid"
        + " prints (e.g. 8c32768m, 2c4096m-low); instead of --cores/--memory-mb.")
    @Nullable String type;

    @Option(names = "--in-demand", defaultValue = "10", description = "Without a shape: how many of"
        + " the shapes most common among the VMs placed now to report (default ${DEFAULT-VALUE}).")
    int inDemand = 10;

    @Option(names = "--tenant", defaultValue = "capacity-probe",
        description = "The VM's owner (default ${DEFAULT-VALUE}, a tenant with no VMs).")
    String tenant = "capacity-probe";

    @Option(names = "--priority", description = "REGULAR or LOW (default REGULAR, or the --type's).")
    @Nullable Priority priority;

    @Option(names = "--availability-set", defaultValue = "", description = "Availability set.")
    String availabilitySet = "";

    @Option(names = "--anti-affinity-group", defaultValue = "", description = "Anti-affinity group.")
    String antiAffinityGroup = "";

    @Option(names = "--cluster", defaultValue = "", description = "Pin to this cluster.")
    String cluster = "";

    /** The templates these options name; a bad value is refused naming its option. */
    CapacityTemplates toTemplates() {
      Map<String, String> flags = new HashMap<>(Flags.REQUEST);
      flags.put("inDemand", "--in-demand");
      if (type != null) { // the shape came from --type
        flags.put("cores", "--type");
        flags.put("memoryMb", "--type");
      }
      return Flags.naming(flags, this::templates);
    }

    private CapacityTemplates templates() {
      long c;
      long m;
      Priority p = priority == null ? Priority.REGULAR : priority;
      String id;
      if (type != null) {
        if (cores != null || memoryMb != null) {
          throw new InvalidRequestException("--type", "--type: give either --type or --cores and"
              + " --memory-mb, not both");
        }
        Matcher x = SHAPE.matcher(type);
        if (!x.matches()) {
          throw new InvalidRequestException("--type", "--type: must be a shape id like 8c32768m or"
              + " 8c32768m-low (cores, c, memory in MiB, m), was '" + type + "'");
        }
        try {
          c = Long.parseLong(x.group(1));
          m = Long.parseLong(x.group(2));
        } catch (NumberFormatException e) {
          throw new InvalidRequestException("--type", "--type: cores and memory must fit a 64-bit"
              + " number, was '" + type + "'");
        }
        if (x.group(3) != null && priority == null) {
          p = Priority.LOW;
        }
        id = type;
      } else if (cores != null || memoryMb != null) {
        if (cores == null || memoryMb == null) {
          throw new InvalidRequestException(cores == null ? "--cores" : "--memory-mb",
              (cores == null ? "--cores" : "--memory-mb")
                  + ": give both --cores and --memory-mb (or --type)");
        }
        c = cores;
        m = memoryMb;
        id = String.format(Locale.ROOT, "%dc%dm", c, m) + (p == Priority.LOW ? "-low" : "");
      } else {
        if (priority != null || !availabilitySet.isEmpty() || !antiAffinityGroup.isEmpty()
            || !cluster.isEmpty()) {
          throw new InvalidRequestException("--cores", "--cores: constraints and --priority need a"
              + " shape (--cores and --memory-mb, or --type)");
        }
        return CapacityTemplates.inDemand(inDemand);
      }
      return CapacityTemplates.of(shape(c, m, p, id));
    }

    /** The one VM shape the options name (for queries that need one, such as explain). */
    VmRequest toShape() {
      VmRequest r = toTemplates().request();
      if (r == null) {
        throw new InvalidRequestException("--cores", "--cores: give a shape (--cores and"
            + " --memory-mb, or --type)");
      }
      return r;
    }

    private VmRequest shape(long c, long m, Priority p, String id) {
      @Nullable String problem = Checks.coresProblem(c);
      if (problem == null) {
        problem = Checks.memoryProblem(m);
      }
      if (problem != null) {
        throw new InvalidRequestException(problem.substring(0, problem.indexOf(':')), problem);
      }
      return VmRequest.builder().vmId(id).tenantId(tenant).cores((int) c)
          .memoryMb(m).priority(p).availabilitySet(availabilitySet)
          .antiAffinityGroup(antiAffinityGroup).clusterPin(cluster).build();
    }
  }

  static Map<String, Object> headroomJson(CapacityHeadroom h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("total", h.total());
    m.put("perCluster", h.perCluster());
    m.put("capped", h.capped());
    m.put("densityWhenFull", h.densityWhenFull());
    return m;
  }

  static Map<String, Object> templateJson(TemplateHeadroom t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.templateId());
    m.put("cores", t.cores());
    m.put("memoryMb", t.memoryMb());
    m.put("lowPriority", t.lowPriority());
    m.put("placedNow", t.placedNow());
    return m;
  }

  private static String clusters(Map<String, Long> perCluster) {
    return perCluster.entrySet().stream()
        .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue()))
        .collect(Collectors.joining(", "));
  }

  /** {@code vmgrid capacity}. */
  @Command(name = "capacity", mixinStandardHelpOptions = true,
      description = "How many more VMs fit right now under the grid's rules, per cluster and in"
          + " total: for one VM shape (--cores/--memory-mb or --type, with constraints), or for each"
          + " of the shapes most common among the VMs placed now. Counted by the rule engine on a"
          + " copy of a member's inventory; places nothing.")
  static final class Capacity implements Callable<Integer> {
    @Mixin Connection connection;
    @Mixin TemplateOptions templates;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      CapacityTemplates query = templates.toTemplates();
      try (AllocationClient client = connection.connect()) {
        List<TemplateHeadroom> result = Progress.await(client.capacity(query), "capacity",
            spec.commandLine().getErr());
        List<Map<String, Object>> list = new ArrayList<>();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "%-16s %11s %12s %15s %9s  %s%n", "type", "placed now", "more fit", "evicting low",
            "full at", "per cluster"));
        for (TemplateHeadroom t : result) {
          Map<String, Object> m = templateJson(t);
          m.put("headroom", headroomJson(t.headroom()));
          m.put("headroomWithEvictions", headroomJson(t.withEvictions()));
          list.add(m);
          text.append(String.format(Locale.ROOT, "%-16s %11s %12s %15s %8.1f%%  %s%n",
              t.templateId(),
              query.request() == null ? String.format(Locale.ROOT, "%,d", t.placedNow()) : "-",
              (t.headroom().capped() ? ">=" : "") + String.format(Locale.ROOT, "%,d",
                  t.headroom().total()),
              t.lowPriority() ? "-" : (t.withEvictions().capped() ? ">=" : "")
                  + String.format(Locale.ROOT, "%,d", t.withEvictions().total()),
              100 * t.headroom().densityWhenFull(), clusters(t.headroom().perCluster())));
        }
        text.append("(\"evicting low\": how many would fit if every low-priority VM were evicted,"
            + " an upper bound on what preemption can free; \"full at\": packing density once"
            + " \"more fit\" are placed)");
        Map<String, Object> json = new LinkedHashMap<>();
        if (query.request() != null) { // one shape: the flat form earlier versions printed too
          json.putAll(headroomJson(result.get(0).headroom()));
        }
        json.put("templates", list);
        Output.print(spec.commandLine().getOut(), connection.json, json, text.toString());
        return 0;
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }
  }

  /** {@code vmgrid what-if}. */
  @Command(name = "what-if", mixinStandardHelpOptions = true,
      description = "What a change would do before anyone makes it: headroom per VM type and packing"
          + " density, before and after raising or lowering the cluster utilization limits, draining"
          + " servers, adding servers of a machine type, or using another rule set. Computed on"
          + " copies of a member's inventory and rules; changes nothing. Changes apply in this"
          + " order: --rules, the limit, --add-servers, --drain.")
  static final class WhatIf implements Callable<Integer> {
    private static final Pattern ADD = Pattern.compile("([^:]+):([^:]+):(\\d+)");
    /** How a member names the change it could not apply: {@code changes[2].serverIds: }. */
    private static final Pattern CHANGE_FIELD = Pattern.compile("changes\\[(\\d+)\\]\\.\\w+: ");

    @Mixin Connection connection;
    @Mixin TemplateOptions templates;
    @Spec CommandSpec spec;

    @Option(names = "--rules", description = "Evaluate with this rule-set file instead of the grid's.")
    @Nullable Path rules;

    @Option(names = "--limit-change", description = "Move every cluster utilization limit by this"
        + " much (0.01: one point more; negative lowers).")
    @Nullable Double limitChange;

    @Option(names = "--limit", description = "Set the cluster utilization limit for regular VMs.")
    @Nullable Double limit;

    @Option(names = "--low-priority-limit",
        description = "With --limit: the limit for low-priority VMs (default: the same as --limit).")
    @Nullable Double lowPriorityLimit;

    @Option(names = "--add-servers", paramLabel = "CLUSTER:MACHINE_TYPE:COUNT",
        description = "Add COUNT servers of an existing machine type to CLUSTER (repeatable).")
    List<String> addServers = new ArrayList<>();

    @Option(names = "--drain", split = ",", paramLabel = "SERVER",
        description = "Take these servers out of service (repeatable or comma-separated).")
    List<String> drain = new ArrayList<>();

    @Option(names = "--evacuate",
        description = "With --drain: re-place the drained servers' VMs elsewhere through the rules.")
    boolean evacuate;

    /** The flag (with its value for --add-servers) behind each change of {@link #changes()}. */
    private final List<String> flags = new ArrayList<>();

    List<WhatIfChange> changes() {
      List<WhatIfChange> out = new ArrayList<>();
      flags.clear();
      if (rules != null) {
        out.add(ruleSetChange(rules));
        flags.add("--rules");
      }
      addLimitChanges(out);
      for (String a : addServers) {
        out.add(addServersChange(a));
        flags.add("--add-servers " + a);
      }
      if (!drain.isEmpty()) {
        out.add(Flags.naming(Map.of("serverIds", "--drain"),
            () -> new WhatIfChange.Drain(drain, evacuate)));
        flags.add("--drain");
      } else if (evacuate) {
        throw new InvalidRequestException("--evacuate", "--evacuate: needs --drain");
      }
      if (out.isEmpty()) {
        throw new InvalidRequestException("--limit", "no change named: give at least one of"
            + " --rules, --limit-change, --limit, --add-servers, --drain");
      }
      return out;
    }

    /** The {@code --rules} change: evaluate with the rule set in {@code file}. */
    private static WhatIfChange ruleSetChange(Path file) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new InvalidRequestException("--rules", "--rules: cannot read " + file + ": " + e);
      }
      return new WhatIfChange.UseRuleSet(text, file.getFileName().toString());
    }

    /** Adds the {@code --limit-change} or {@code --limit} change to {@code out}, if one is given. */
    private void addLimitChanges(List<WhatIfChange> out) {
      if (limitChange != null && limit != null) {
        throw new InvalidRequestException("--limit", "--limit: give either --limit or"
            + " --limit-change, not both");
      }
      if (lowPriorityLimit != null && limit == null) {
        throw new InvalidRequestException("--low-priority-limit",
            "--low-priority-limit: needs --limit");
      }
      if (limitChange != null) {
        double delta = limitChange;
        out.add(Flags.naming(Map.of("delta", "--limit-change"),
            () -> new WhatIfChange.ChangeUtilizationLimit(delta)));
        flags.add("--limit-change");
      }
      if (limit != null) {
        double l = limit;
        double low = lowPriorityLimit == null ? l : lowPriorityLimit;
        out.add(Flags.naming(Map.of("limit", "--limit", "lowPriorityLimit", "--low-priority-limit"),
            () -> new WhatIfChange.SetUtilizationLimit(l, low)));
        flags.add("--limit");
      }
    }

    /** The change that {@code --add-servers} value {@code a}, CLUSTER:MACHINE_TYPE:COUNT, asks for. */
    private static WhatIfChange addServersChange(String a) {
      Matcher m = ADD.matcher(a);
      if (!m.matches()) {
        throw new InvalidRequestException("--add-servers", "--add-servers: must be"
            + " CLUSTER:MACHINE_TYPE:COUNT, was '" + a + "'");
      }
      int count;
      try {
        count = Integer.parseInt(m.group(3));
      } catch (NumberFormatException e) {
        throw new InvalidRequestException("--add-servers", "--add-servers: COUNT too large in '"
            + a + "'");
      }
      try {
        return new WhatIfChange.AddServers(m.group(1), m.group(2), count);
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException("--add-servers", "--add-servers: '" + a + "': "
            + e.getMessage());
      }
    }

    /**
     * {@code e}, an answer naming the what-if change it could not apply ({@code changes[2].serverIds:
     * unknown server s9}), in the words of the option that asked for that change.
     */
    InvalidRequestException named(InvalidRequestException e) {
      Matcher m = CHANGE_FIELD.matcher(String.valueOf(e.getMessage()));
      if (!m.lookingAt()) {
        return e;
      }
      int i = Integer.parseInt(m.group(1));
      String flag = i < flags.size() ? flags.get(i) : "changes[" + i + "]";
      String message = String.valueOf(e.getMessage()).substring(m.end());
      int space = flag.indexOf(' ');
      return new InvalidRequestException(space < 0 ? flag : flag.substring(0, space),
          flag + ": " + message);
    }

    @Override
    public Integer call() {
      List<WhatIfChange> changes = changes();
      CapacityTemplates query = templates.toTemplates();
      try (AllocationClient client = connection.connect()) {
        WhatIfOutcome w;
        try {
          w = Progress.await(client.whatIf(query, changes), "what-if",
              spec.commandLine().getErr());
        } catch (CompletionException e) {
          throw unwrap(e) instanceof InvalidRequestException bad ? named(bad) : unwrap(e);
        }
        StringBuilder text = new StringBuilder();
        w.notes().forEach(n -> text.append(n).append(System.lineSeparator()));
        text.append(String.format(Locale.ROOT, "packing density now %.1f%% -> %.1f%%%s%n",
            100 * w.densityBefore(), 100 * w.densityAfter(), w.evacuated() + w.evacuationFailures()
                == 0 ? "" : String.format(Locale.ROOT, " (%d VMs evacuated, %d found no server)",
                    w.evacuated(), w.evacuationFailures())));
        text.append(String.format(Locale.ROOT, "%-16s %12s %12s %10s %20s%n", "type",
            "more fit now", "after", "change", "evicting low: after"));
        List<Map<String, Object>> list = new ArrayList<>();
        for (WhatIfOutcome.Delta d : w.templates()) {
          Map<String, Object> m = templateJson(d.template());
          m.put("headroom", headroomJson(d.template().headroom()));
          m.put("after", headroomJson(d.after()));
          m.put("headroomChange", d.headroomChange());
          m.put("headroomWithEvictions", headroomJson(d.template().withEvictions()));
          m.put("afterWithEvictions", headroomJson(d.afterWithEvictions()));
          m.put("perClusterChange", d.perClusterChange());
          list.add(m);
          text.append(String.format(Locale.ROOT, "%-16s %,12d %,12d %+,10d %20s%n",
              d.template().templateId(), d.template().headroom().total(), d.after().total(),
              d.headroomChange(), d.template().lowPriority() ? "-" : String.format(Locale.ROOT,
                  "%,d", d.afterWithEvictions().total())));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("templates", list);
        json.put("densityBefore", w.densityBefore());
        json.put("densityAfter", w.densityAfter());
        json.put("evacuated", w.evacuated());
        json.put("evacuationFailures", w.evacuationFailures());
        json.put("notes", w.notes());
        Output.print(spec.commandLine().getOut(), connection.json, json,
            text.toString().stripTrailing());
        return 0;
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }
  }

  /** {@code vmgrid fragmentation}. */
  @Command(name = "fragmentation", mixinStandardHelpOptions = true,
      description = "Where free capacity is stranded: servers whose free cores no VM type in demand"
          + " (or the given shape) can use, and how many free cores are usable at all. Cluster"
          + " utilization limits are policy, not fragmentation, and are not applied.")
  static final class Fragmentation implements Callable<Integer> {
    @Mixin Connection connection;
    @Mixin TemplateOptions templates;
    @Spec CommandSpec spec;

    @Option(names = "--servers", defaultValue = "20",
        description = "List at most this many stranded servers (default ${DEFAULT-VALUE}).")
    int servers;

    @Override
    public Integer call() {
      CapacityTemplates query = templates.toTemplates();
      int most = Flags.naming(Map.of("maxServers", "--servers"),
          () -> AllocationClient.checkedMaxServers(servers));
      try (AllocationClient client = connection.connect()) {
        FragmentationSummary f = Progress.await(client.fragmentation(query, most),
            "fragmentation", spec.commandLine().getErr());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("templates", f.templates());
        json.put("freeCores", f.freeCores());
        json.put("usableCores", f.usableCores());
        json.put("strandedCores", f.strandedCores());
        json.put("strandedFraction", f.strandedFraction());
        json.put("strandedServers", f.strandedServers());
        json.put("strandedServerCores", f.strandedServerCores());
        json.put("stranded", f.stranded());
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "for %s:%n%,d free cores, %,d usable, %,d stranded (%.1f%%); %,d servers with %,d free"
                + " cores none of it usable%n", String.join(", ", f.templates()), f.freeCores(),
            f.usableCores(), f.strandedCores(), 100 * f.strandedFraction(), f.strandedServers(),
            f.strandedServerCores()));
        for (FragmentationSummary.Server s : f.stranded()) {
          text.append(String.format(Locale.ROOT, "  %-20s %-10s %,6d cores %,10d MiB free%n",
              s.serverId(), s.clusterId(), s.freeCores(), s.freeMemoryMb()));
        }
        Output.print(spec.commandLine().getOut(), connection.json, json,
            text.toString().stripTrailing());
        return 0;
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }
  }

  /** {@code vmgrid consolidate}. */
  @Command(name = "consolidate", mixinStandardHelpOptions = true,
      description = "Propose migrations that free capacity for VMs like this, or for the shapes in"
          + " demand (computed on a copy of a member's inventory); with --apply, carry them out one"
          + " by one, each checked again against the live state (place on the target, then release"
          + " the source). Stopping between moves is safe.")
  static final class Consolidate implements Callable<Integer> {
    @Mixin Connection connection;
    @Mixin TemplateOptions templates;
    @Spec CommandSpec spec;

    @Option(names = "--apply", description = "Carry the moves out (default: only show the plan).")
    boolean apply;

    @Option(names = "--max-moves", defaultValue = "100",
        description = "Apply at most this many moves (default ${DEFAULT-VALUE}).")
    int maxMoves;

    @Override
    public Integer call() {
      if (maxMoves < 0) {
        throw new InvalidRequestException("--max-moves", "--max-moves: must be >= 0 (was " + maxMoves + ")");
      }
      CapacityTemplates query = templates.toTemplates();
      try (AllocationClient client = connection.connect()) {
        ConsolidationProposal plan = Progress.await(client.consolidationPlan(query),
            "consolidate", spec.commandLine().getErr());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("templates", plan.templates());
        json.put("moves", plan.moves());
        json.put("emptiedServers", plan.emptiedServers());
        json.put("usableCoresGained", plan.usableCoresGained());
        json.put("densityBefore", plan.densityBefore());
        json.put("densityAfter", plan.densityAfter());
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "for %s: %d moves would empty %d servers, gain %,d usable cores; density %.1f%% ->"
                + " %.1f%%%n", String.join(", ", plan.templates()), plan.moves().size(),
            plan.emptiedServers().size(), plan.usableCoresGained(), 100 * plan.densityBefore(),
            100 * plan.densityAfter()));
        plan.moves().forEach(m -> text.append(String.format(Locale.ROOT, "  %s: %s -> %s%n",
            m.vmId(), m.fromServerId(), m.toServerId())));
        int applied = 0;
        List<String> refused = new ArrayList<>();
        if (apply) {
          for (ConsolidationProposal.Move m : plan.moves()) {
            if (applied == maxMoves) {
              break;
            }
            try {
              client.move(m.vmId(), m.toServerId()).join();
              applied++;
            } catch (CompletionException e) {
              refused.add(m.vmId() + ": " + unwrap(e).getMessage());
            }
          }
          json.put("applied", applied);
          json.put("refused", refused);
          text.append(String.format(Locale.ROOT, "applied %d moves, %d refused%n", applied,
              refused.size()));
          refused.forEach(x -> text.append("  refused ").append(x).append(System.lineSeparator()));
        }
        Output.print(spec.commandLine().getOut(), connection.json, json, text.toString().stripTrailing());
        return refused.isEmpty() ? 0 : Output.NOT_DONE;
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }
  }
}
