package io.vmgrid.client.cli;

import static io.vmgrid.client.cli.ClientCommands.unwrap;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.ClusterUsage;
import io.vmgrid.client.api.InventoryFile;
import io.vmgrid.client.api.InventoryLoad;
import io.vmgrid.client.api.InventorySummary;
import io.vmgrid.client.api.ServerInfo;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.api.UnknownServerException;
import io.vmgrid.client.wire.ServerHealth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vmgrid inventory}: load, show, drain and generate. */
@Command(name = "inventory", mixinStandardHelpOptions = true,
    description = "Operate on the server inventory.",
    subcommands = {InventoryCommands.Load.class, InventoryCommands.Show.class,
        InventoryCommands.Drain.class, InventoryGenerate.class})
final class InventoryCommands implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "Missing subcommand: load, show, drain or generate");
  }

  /** {@code vmgrid inventory load FILE}. */
  @Command(name = "load", mixinStandardHelpOptions = true,
      description = "Add the servers of a CSV (" + InventoryFile.CSV_HEADER + ") or JSON file;"
          + " servers already present keep their state. Exit 3 if a server already present differs"
          + " from the file (it is left as it is, and listed).")
  static final class Load implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "Inventory file (.csv or .json).")
    Path file = Path.of("");

    @Override
    public Integer call() throws Exception {
      List<ServerSpec> servers = InventoryFile.read(file);
      try (AllocationClient client = connection.connect()) {
        InventoryLoad load = client.loadInventoryReport(servers).join();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("file", file.toString());
        json.put("servers", servers.size());
        json.put("added", load.added());
        json.put("alreadyPresent", load.unchanged() + load.differing().size());
        json.put("differing", load.differing());
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "loaded %s: %d servers added, %d already present", file, load.added(),
            load.unchanged() + load.differing().size()));
        if (!load.differing().isEmpty()) {
          text.append(String.format(Locale.ROOT, "; %d of them differ from the file and were not"
              + " changed:", load.differing().size()));
          load.differing().stream().limit(20)
              .forEach(d -> text.append(System.lineSeparator()).append("  ").append(d));
          if (load.differing().size() > 20) {
            text.append(System.lineSeparator()).append("  ... and ")
                .append(load.differing().size() - 20).append(" more (--json lists all)");
          }
        }
        Output.print(spec.commandLine().getOut(), connection.json, json, text.toString());
        return load.differing().isEmpty() ? 0 : Output.NOT_DONE;
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }
  }

  /** {@code vmgrid inventory show}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Inventory totals, and per cluster: servers, cores used, utilization against"
          + " the rule set's cluster utilization limit, and the cores regular VMs may still take"
          + " before it.")
  static final class Show implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try (AllocationClient client = connection.connect()) {
        CompletableFuture<List<ClusterUsage>> perCluster = client.clusters();
        InventorySummary s = client.inventory().join();
        List<ClusterUsage> clusters = perCluster.join();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("servers", s.servers());
        json.put("byHealth", s.byHealth());
        json.put("totalCores", s.totalCores());
        json.put("usedCores", s.usedCores());
        json.put("vms", s.vms());
        json.put("emptyServers", s.emptyServers());
        json.put("packingDensity", s.packingDensityPercent() / 100.0);
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "servers   %d %s%ncores     %,d of %,d in use%nvms       %d%n"
                + "packing   %.1f%% of cores used on non-empty servers; %d empty servers",
            s.servers(), s.byHealth(), s.usedCores(), s.totalCores(), s.vms(),
            s.packingDensityPercent(), s.emptyServers()));
        if (!clusters.isEmpty()) {
          text.append(String.format(Locale.ROOT, "%n%n%-14s %8s %9s %21s %7s %6s %14s",
              "CLUSTER", "SERVERS", "IN USE", "CORES USED", "UTIL", "LIMIT", "HEADROOM"));
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (ClusterUsage c : clusters) {
          text.append(String.format(Locale.ROOT, "%n%-14s %8d %9d %21s %6.1f%% %5.0f%% %8s cores",
              c.clusterId(), c.servers(), c.placeableServers(),
              String.format(Locale.ROOT, "%,d / %,d", c.usedCores(), c.cores()),
              100 * c.utilization(), 100 * c.limit(),
              String.format(Locale.ROOT, "%,d", c.headroomCores())));
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("clusterId", c.clusterId());
          m.put("servers", c.servers());
          m.put("placeableServers", c.placeableServers());
          m.put("cores", c.cores());
          m.put("usedCores", c.usedCores());
          m.put("memoryMb", c.memoryMb());
          m.put("usedMemoryMb", c.usedMemoryMb());
          m.put("utilization", c.utilization());
          m.put("limit", c.limit());
          m.put("headroomCores", c.headroomCores());
          list.add(m);
        }
        if (!clusters.isEmpty()) {
          text.append(String.format(Locale.ROOT, "%n(IN USE: servers that take new VMs;"
              + " HEADROOM: cores regular VMs may still take before the cluster's limit)"));
        }
        json.put("clusters", list);
        Output.print(spec.commandLine().getOut(), connection.json, json, text.toString());
        return 0;
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }
  }

  /** {@code vmgrid inventory drain SERVER...}. */
  @Command(name = "drain", mixinStandardHelpOptions = true,
      description = "Put servers into MAINTENANCE (no new VMs; hosted VMs stay). --undo returns them"
          + " to service. Every server is looked up first: if one is unknown, none is drained and"
          + " the exit code is 3.")
  static final class Drain implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Option(names = "--undo", description = "Set the servers HEALTHY again.")
    boolean undo;

    @Parameters(paramLabel = "SERVER_ID", arity = "1..*", description = "Servers to drain.")
    List<String> serverIds = new ArrayList<>();

    @Override
    public Integer call() {
      ServerHealth target = undo ? ServerHealth.HEALTHY : ServerHealth.MAINTENANCE;
      List<String> ids = List.copyOf(new LinkedHashSet<>(serverIds));
      Map<String, Object> json = new LinkedHashMap<>();
      StringBuilder text = new StringBuilder();
      try (AllocationClient client = connection.connect()) {
        List<String> unknown = new ArrayList<>();
        List<CompletableFuture<Optional<ServerInfo>>> lookups = new ArrayList<>();
        for (String id : ids) {
          lookups.add(Flags.naming(Map.of("serverId", "SERVER_ID"), () -> client.server(id)));
        }
        for (int i = 0; i < ids.size(); i++) {
          if (lookups.get(i).join().isEmpty()) {
            unknown.add(ids.get(i));
          }
        }
        if (!unknown.isEmpty()) {
          json.put("unknown", unknown);
          json.put("changed", List.of());
          Output.print(spec.commandLine().getOut(), connection.json, json, String.format(
              Locale.ROOT, "no server %s in the inventory; nothing %s", String.join(", ", unknown),
              undo ? "returned to service" : "drained"));
          return Output.NOT_DONE;
        }
        List<String> changed = new ArrayList<>();
        for (String id : ids) {
          try {
            ServerHealth before = client.setHealth(id, target).join();
            changed.add(id);
            json.put(id, Map.of("before", before.name(), "after", target.name()));
            text.append(id).append(": ").append(before).append(" -> ").append(target)
                .append(System.lineSeparator());
          } catch (CompletionException e) {
            // removed since the lookup, or the grid failed: say what was done and what was not
            RuntimeException cause = unwrap(e);
            List<String> left = ids.subList(ids.indexOf(id) + 1, ids.size());
            json.put(id, Map.of("error", String.valueOf(cause.getMessage())));
            json.put("notAttempted", left);
            text.append(id).append(": ").append(cause.getMessage()).append(System.lineSeparator())
                .append(changed.isEmpty() ? "nothing changed" : "changed before the failure: "
                    + String.join(", ", changed))
                .append(left.isEmpty() ? "" : "; not attempted: " + String.join(", ", left));
            Output.print(spec.commandLine().getOut(), connection.json, json, text.toString());
            return cause instanceof UnknownServerException ? Output.NOT_DONE : 1;
          }
        }
      }
      Output.print(spec.commandLine().getOut(), connection.json, json, text.toString().strip());
      return 0;
    }
  }
}
