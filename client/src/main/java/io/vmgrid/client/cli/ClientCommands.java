package io.vmgrid.client.cli;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.Explanation;
import io.vmgrid.client.api.VmStatus;
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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The client commands of {@code vmgrid}, registered by the launcher ({@link #all()}), with {@code
 * status} and {@code explain}; the others live beside them by theme. Exit codes: 0 done, 1 error,
 * 2 bad usage, 3 the grid said no (rejected, unknown VM or server).
 */
public final class ClientCommands {
  private ClientCommands() {}

  /** The command classes, for registration as subcommands of the launcher. */
  public static List<Class<?>> all() {
    return List.of(PlacementCommands.Allocate.class, PlacementCommands.Release.class,
        Status.class, InspectCommands.Vm.class, InspectCommands.Server.class,
        InspectCommands.Members.class, InspectCommands.Evictions.class, Explain.class,
        CapacityCommands.Capacity.class, CapacityCommands.WhatIf.class,
        CapacityCommands.Fragmentation.class, CapacityCommands.Consolidate.class,
        InventoryCommands.class, Replay.class);
  }

  /** Unwraps a future's exception so callers see the grid's own exception type. */
  static RuntimeException unwrap(CompletionException e) {
    return e.getCause() instanceof RuntimeException re ? re : e;
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
        json.put("preemptServerId", x.preemptServerId());
        json.put("wouldEvict", x.wouldEvict());
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
        if (!x.wouldEvict().isEmpty()) {
          text.append(String.format(Locale.ROOT, "preemption: would place it on %s, evicting %d"
              + " lower-priority VM(s): %s%n", x.preemptServerId(), x.wouldEvict().size(),
              String.join(", ", x.wouldEvict())));
        }
        Output.print(spec.commandLine().getOut(), connection.json, json, text.toString().stripTrailing());
        return 0;
      } catch (java.util.concurrent.CompletionException e) {
        throw unwrap(e);
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
}
