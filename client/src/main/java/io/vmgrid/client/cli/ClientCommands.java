package io.vmgrid.client.cli;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.Explanation;
import io.vmgrid.client.api.InventoryFile;
import io.vmgrid.client.api.InventorySummary;
import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.Released;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.api.UnknownServerException;
import io.vmgrid.client.api.UnknownVmException;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.api.VmStatus;
import io.vmgrid.client.wire.ServerHealth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The client commands of {@code vmgrid}: allocate, release, status, inventory. Exit codes: 0 done,
 * 1 error, 2 bad usage, 3 the grid said no (rejected, unknown VM or server).
 */
public final class ClientCommands {
  private ClientCommands() {}

  /** The command classes, for registration as subcommands of the launcher. */
  public static List<Class<?>> all() {
    return List.of(Allocate.class, Release.class, Status.class, Explain.class,
        CapacityCommands.Capacity.class, CapacityCommands.WhatIf.class,
        CapacityCommands.Fragmentation.class, CapacityCommands.Consolidate.class, Inventory.class,
        Replay.class);
  }

  /** Unwraps a future's exception so callers see the grid's own exception type. */
  static RuntimeException unwrap(CompletionException e) {
    return e.getCause() instanceof RuntimeException re ? re : e;
  }

  /** {@code vmgrid allocate}. */
  @Command(name = "allocate", mixinStandardHelpOptions = true,
      description = "Place one VM. Exit 0 placed, 3 rejected or failed.")
  static final class Allocate implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Option(names = "--vm-id", required = true, description = "The VM's id.")
    String vmId = "";

    @Option(names = "--tenant", required = true, description = "The VM's owner.")
    String tenant = "";

    @Option(names = "--cores", required = true, description = "Cores demanded.")
    int cores;

    @Option(names = "--memory-mb", required = true, description = "Memory demanded, MiB.")
    long memoryMb;

    @Option(names = "--priority", defaultValue = "REGULAR",
        description = "REGULAR or LOW (default ${DEFAULT-VALUE}).")
    Priority priority = Priority.REGULAR;

    @Option(names = "--request-id", description = "Request id for idempotent retries (default: random).")
    String requestId = "";

    @Option(names = "--availability-set", defaultValue = "",
        description = "Availability set: its VMs are spread over fault and update domains.")
    String availabilitySet = "";

    @Option(names = "--anti-affinity-group", defaultValue = "",
        description = "Anti-affinity group: no two of its VMs on one server.")
    String antiAffinityGroup = "";

    @Option(names = "--cluster", defaultValue = "", description = "Place only in this cluster.")
    String cluster = "";

    @Override
    public Integer call() {
      VmRequest.Builder b = VmRequest.builder().vmId(vmId).tenantId(tenant).cores(cores)
          .memoryMb(memoryMb).priority(priority).availabilitySet(availabilitySet)
          .antiAffinityGroup(antiAffinityGroup).clusterPin(cluster);
      if (!requestId.isEmpty()) {
        b.requestId(requestId);
      }
      VmRequest request = b.build();
      try (AllocationClient client = connection.connect()) {
        AllocationOutcome o = client.allocateAndWait(request);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("requestId", o.requestId());
        json.put("vmId", o.vmId());
        json.put("latencyMs", o.latency().toNanos() / 1e6);
        String text;
        if (o instanceof AllocationOutcome.Placed p) {
          json.put("outcome", "placed");
          json.put("serverId", p.serverId());
          json.put("clusterId", p.clusterId());
          json.put("agentId", p.agentId());
          json.put("attempts", p.attempts());
          text = String.format(Locale.ROOT, "placed %s on %s in cluster %s by %s (%.1f ms)",
              p.vmId(), p.serverId(), p.clusterId(), p.agentId(), p.latency().toNanos() / 1e6);
        } else if (o instanceof AllocationOutcome.Rejected r) {
          json.put("outcome", "rejected");
          json.put("reason", r.reason());
          json.put("message", r.message());
          text = "rejected " + r.vmId() + ": " + r.reason() + ": " + r.message();
        } else {
          AllocationOutcome.Failed f = (AllocationOutcome.Failed) o;
          json.put("outcome", "failed");
          json.put("reason", f.reason());
          json.put("message", f.message());
          text = "failed " + f.vmId() + ": " + f.reason() + ": " + f.message();
        }
        Output.print(spec.commandLine().getOut(), connection.json, json, text);
        return o instanceof AllocationOutcome.Placed ? 0 : Output.NOT_DONE;
      }
    }
  }

  /** {@code vmgrid explain}. */
  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = "Why a VM like this would be placed where it would, or rejected: servers each"
          + " validator removes and the best candidates' scores. Places nothing.")
  static final class Explain implements Callable<Integer> {
    @Mixin Connection connection;
    @Mixin CapacityCommands.TemplateOptions request;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try (AllocationClient client = connection.connect()) {
        Explanation x = client.explain(request.toShape()).join();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("servers", x.servers());
        json.put("passing", x.passing());
        json.put("validators", x.validators());
        json.put("top", x.top());
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "%,d of %,d servers pass every validator%n", x.passing(), x.servers()));
        for (Explanation.Validator v : x.validators()) {
          text.append(String.format(Locale.ROOT, "  %-26s %-7s removed %,7d  (fails %,7d)%s%n",
              v.rule(), v.level().toLowerCase(Locale.ROOT), v.removed(), v.failed(),
              v.sampleReason().isEmpty() ? "" : "  e.g. " + v.sampleReason()));
        }
        for (Explanation.Candidate c : x.top()) {
          text.append(String.format(Locale.ROOT, "  #%d %s %s%n", c.rank() + 1, c.serverId(),
              c.scores()));
        }
        Output.print(spec.commandLine().getOut(), connection.json, json, text.toString().stripTrailing());
        return 0;
      } catch (java.util.concurrent.CompletionException e) {
        throw unwrap(e);
      }
    }
  }

  /** {@code vmgrid release}. */
  @Command(name = "release", mixinStandardHelpOptions = true,
      description = "Release a VM and return its capacity. Exit 0 released, 3 unknown VM.")
  static final class Release implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "VM_ID", description = "The VM to release.")
    String vmId = "";

    @Override
    public Integer call() {
      try (AllocationClient client = connection.connect()) {
        Released r = client.releaseAndWait(vmId);
        Output.print(spec.commandLine().getOut(), connection.json,
            Map.of("outcome", "released", "vmId", vmId, "serverId", r.serverId()),
            "released " + vmId + " from " + r.serverId());
        return 0;
      } catch (UnknownVmException e) {
        Output.print(spec.commandLine().getOut(), connection.json,
            Map.of("outcome", "unknown", "vmId", vmId, "message", String.valueOf(e.getMessage())),
            String.valueOf(e.getMessage()));
        return Output.NOT_DONE;
      }
    }
  }

  /** {@code vmgrid status}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Where a VM is. Exit 0 found, 3 unknown VM.")
  static final class Status implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "VM_ID", description = "The VM to look up.")
    String vmId = "";

    @Override
    public Integer call() {
      try (AllocationClient client = connection.connect()) {
        Optional<VmStatus> status = client.status(vmId).join();
        if (status.isEmpty()) {
          Output.print(spec.commandLine().getOut(), connection.json,
              Map.of("vmId", vmId, "state", "unknown"), "vmId: no VM '" + vmId + "' is allocated");
          return Output.NOT_DONE;
        }
        VmStatus s = status.get();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("vmId", s.vmId());
        json.put("state", "placed");
        json.put("serverId", s.serverId());
        json.put("tenantId", s.tenantId());
        json.put("cores", s.cores());
        json.put("memoryMb", s.memoryMb());
        json.put("requestId", s.requestId());
        String text = String.format(Locale.ROOT, "%s: placed on %s (%d cores, %d MiB, tenant %s)",
            s.vmId(), s.serverId(), s.cores(), s.memoryMb(), s.tenantId());
        Output.print(spec.commandLine().getOut(), connection.json, json, text);
        return 0;
      }
    }
  }

  /** {@code vmgrid inventory}: load, show, drain. */
  @Command(name = "inventory", mixinStandardHelpOptions = true,
      description = "Operate on the server inventory.",
      subcommands = {Inventory.Load.class, Inventory.Show.class, Inventory.Drain.class,
          InventoryGenerate.class})
  static final class Inventory implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Missing subcommand: load, show, drain or generate");
    }

    /** {@code vmgrid inventory load FILE}. */
    @Command(name = "load", mixinStandardHelpOptions = true,
        description = "Add the servers of a CSV (" + InventoryFile.CSV_HEADER + ") or JSON file;"
            + " servers already present keep their state.")
    static final class Load implements Callable<Integer> {
      @Mixin Connection connection;
      @Spec CommandSpec spec;

      @Parameters(paramLabel = "FILE", description = "Inventory file (.csv or .json).")
      Path file = Path.of("");

      @Override
      public Integer call() throws Exception {
        List<ServerSpec> servers = InventoryFile.read(file);
        try (AllocationClient client = connection.connect()) {
          int added = client.loadInventory(servers).join();
          Output.print(spec.commandLine().getOut(), connection.json,
              Map.of("file", file.toString(), "servers", servers.size(), "added", added,
                  "alreadyPresent", servers.size() - added),
              String.format(Locale.ROOT, "loaded %s: %d servers added, %d already present", file,
                  added, servers.size() - added));
          return 0;
        }
      }
    }

    /** {@code vmgrid inventory show}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Inventory totals.")
    static final class Show implements Callable<Integer> {
      @Mixin Connection connection;
      @Spec CommandSpec spec;

      @Override
      public Integer call() {
        try (AllocationClient client = connection.connect()) {
          InventorySummary s = client.inventory().join();
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("servers", s.servers());
          json.put("byHealth", s.byHealth());
          json.put("totalCores", s.totalCores());
          json.put("usedCores", s.usedCores());
          json.put("vms", s.vms());
          json.put("emptyServers", s.emptyServers());
          json.put("packingDensity", s.packingDensityPercent() / 100.0);
          String text = String.format(Locale.ROOT,
              "servers   %d %s%ncores     %,d of %,d in use%nvms       %d%n"
                  + "packing   %.1f%% of cores used on non-empty servers; %d empty servers",
              s.servers(), s.byHealth(), s.usedCores(), s.totalCores(), s.vms(),
              s.packingDensityPercent(), s.emptyServers());
          Output.print(spec.commandLine().getOut(), connection.json, json, text);
          return 0;
        }
      }
    }

    /** {@code vmgrid inventory drain SERVER...}. */
    @Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Put servers into MAINTENANCE (no new VMs; hosted VMs stay). --undo returns them"
            + " to service. Exit 3 if a server is unknown.")
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
        Map<String, Object> json = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder();
        int unknown = 0;
        try (AllocationClient client = connection.connect()) {
          for (String id : serverIds) {
            try {
              ServerHealth before = client.setHealth(id, target).join();
              json.put(id, Map.of("before", before.name(), "after", target.name()));
              text.append(id).append(": ").append(before).append(" -> ").append(target).append('\n');
            } catch (CompletionException e) {
              RuntimeException cause = unwrap(e);
              if (!(cause instanceof UnknownServerException)) {
                throw cause;
              }
              unknown++;
              json.put(id, Map.of("error", String.valueOf(cause.getMessage())));
              text.append(cause.getMessage()).append('\n');
            }
          }
        }
        Output.print(spec.commandLine().getOut(), connection.json, json, text.toString().strip());
        return unknown == 0 ? 0 : Output.NOT_DONE;
      }
    }
  }
}
