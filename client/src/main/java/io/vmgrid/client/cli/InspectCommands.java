package io.vmgrid.client.cli;

import static io.vmgrid.client.cli.ClientCommands.unwrap;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.EvictedVm;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.MemberInfo;
import io.vmgrid.client.api.ServerInfo;
import io.vmgrid.client.api.UnknownServerException;
import io.vmgrid.client.api.VmFilter;
import io.vmgrid.client.api.VmStatus;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The commands an operator looks around with: {@code vm list}, {@code server show}, {@code
 * members} and {@code evictions}. They read the grid's maps and change nothing.
 */
final class InspectCommands {
  private InspectCommands() {}

  static Map<String, Object> vmJson(VmStatus v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("vmId", v.vmId());
    m.put("tenantId", v.tenantId());
    m.put("serverId", v.serverId());
    m.put("cores", v.cores());
    m.put("memoryMb", v.memoryMb());
    m.put("requestId", v.requestId());
    return m;
  }

  /** {@code vmgrid vm}: {@code list}. */
  @Command(name = "vm", mixinStandardHelpOptions = true, description = "Look at placed VMs.",
      subcommands = Vm.ListVms.class)
  static final class Vm implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      throw new ParameterException(spec.commandLine(), "Missing subcommand: list");
    }

    /** {@code vmgrid vm list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "The VMs placed now, by VM id: all of them, or a tenant's, or a server's."
            + " Exit 3 if --server names no server.")
    static final class ListVms implements Callable<Integer> {
      @Mixin Connection connection;
      @Spec CommandSpec spec;

      @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "",
          description = "Only this tenant's VMs.")
      String tenant = "";

      @Option(names = "--server", paramLabel = "SERVER_ID", defaultValue = "",
          description = "Only the VMs on this server.")
      String server = "";

      @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
          description = "List at most N VMs; the count is of all (default ${DEFAULT-VALUE}; 0: all).")
      int limit;

      @Override
      public Integer call() {
        if (limit < 0) {
          throw new InvalidRequestException("--limit", "--limit: must be >= 0 (was " + limit + ")");
        }
        try (AllocationClient client = connection.connect()) {
          if (!server.isEmpty()
              && Flags.naming(Map.of("serverId", "--server"), () -> client.server(server))
                  .join().isEmpty()) {
            throw new UnknownServerException(server);
          }
          List<VmStatus> vms = Flags.naming(Map.of("tenantId", "--tenant", "serverId", "--server"),
              () -> client.vms(VmFilter.any().tenant(tenant).server(server))).join();
          List<VmStatus> shown = limit == 0 || vms.size() <= limit ? vms : vms.subList(0, limit);
          StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
              "%-24s %-16s %-20s %6s %10s  %s%n", "VM", "TENANT", "SERVER", "CORES", "MiB",
              "REQUEST"));
          List<Map<String, Object>> list = new ArrayList<>();
          for (VmStatus v : shown) {
            list.add(vmJson(v));
            text.append(String.format(Locale.ROOT, "%-24s %-16s %-20s %6d %,10d  %s%n", v.vmId(),
                v.tenantId(), v.serverId(), v.cores(), v.memoryMb(), v.requestId()));
          }
          String scope = (tenant.isEmpty() ? "" : " of tenant " + tenant)
              + (server.isEmpty() ? "" : " on server " + server);
          text.append(String.format(Locale.ROOT, "%,d VM%s%s%s", vms.size(),
              vms.size() == 1 ? "" : "s", scope,
              shown.size() < vms.size() ? " (first " + shown.size() + " shown; --limit 0 lists"
                  + " all)" : ""));
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("count", vms.size());
          json.put("vms", list);
          Output.print(spec.commandLine().getOut(), connection.json, json, text.toString());
          return 0;
        } catch (CompletionException e) {
          throw unwrap(e);
        }
      }
    }
  }

  /** {@code vmgrid server}: {@code show}. */
  @Command(name = "server", mixinStandardHelpOptions = true, description = "Look at one server.",
      subcommands = Server.Show.class)
  static final class Server implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      throw new ParameterException(spec.commandLine(), "Missing subcommand: show");
    }

    /** {@code vmgrid server show ID}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
        description = "One server: its cluster, rack and domains, health, capacity, what is used"
            + " and free, and its VMs. Exit 3 if there is no such server.")
    static final class Show implements Callable<Integer> {
      @Mixin Connection connection;
      @Spec CommandSpec spec;

      @Parameters(paramLabel = "SERVER_ID", description = "The server to show.")
      String serverId = "";

      @Override
      public Integer call() {
        try (AllocationClient client = connection.connect()) {
          Optional<ServerInfo> found = Flags.naming(Map.of("serverId", "SERVER_ID"),
              () -> client.server(serverId)).join();
          if (found.isEmpty()) {
            throw new UnknownServerException(serverId);
          }
          ServerInfo s = found.get();
          StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
              "server    %s in cluster %s (rack %s, fault domain %d, update domain %d, machine"
                  + " type %s)%nhealth    %s%ncores     %,d of %,d used, %,d free%n"
                  + "memory    %,d of %,d MiB used, %,d MiB free%nvms       %d",
              s.serverId(), s.clusterId(), s.rack(), s.faultDomain(), s.updateDomain(),
              s.machineType(), s.health(), s.usedCores(), s.cores(), s.freeCores(),
              s.usedMemoryMb(), s.memoryMb(), s.freeMemoryMb(), s.vms().size()));
          List<Map<String, Object>> vms = new ArrayList<>();
          for (VmStatus v : s.vms()) {
            vms.add(vmJson(v));
            text.append(String.format(Locale.ROOT, "%n  %-24s tenant %-16s %4d cores %,10d MiB"
                + "  request %s", v.vmId(), v.tenantId(), v.cores(), v.memoryMb(), v.requestId()));
          }
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("serverId", s.serverId());
          json.put("clusterId", s.clusterId());
          json.put("machineType", s.machineType());
          json.put("rack", s.rack());
          json.put("faultDomain", s.faultDomain());
          json.put("updateDomain", s.updateDomain());
          json.put("health", s.health().name());
          json.put("cores", s.cores());
          json.put("usedCores", s.usedCores());
          json.put("freeCores", s.freeCores());
          json.put("memoryMb", s.memoryMb());
          json.put("usedMemoryMb", s.usedMemoryMb());
          json.put("freeMemoryMb", s.freeMemoryMb());
          json.put("revision", s.revision());
          json.put("vms", vms);
          Output.print(spec.commandLine().getOut(), connection.json, json, text.toString());
          return 0;
        } catch (CompletionException e) {
          throw unwrap(e);
        }
      }
    }
  }

  /** {@code vmgrid evictions}. */
  @Command(name = "evictions", mixinStandardHelpOptions = true,
      description = "The VMs the grid evicted, oldest first: low-priority VMs a regular request"
          + " preempted (PREEMPTED) and VMs a healed network split left over capacity"
          + " (OVER_CAPACITY_AFTER_MERGE). With --follow, then each new eviction as it happens,"
          + " until interrupted (--json: one JSON object per line).")
  static final class Evictions implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "",
        description = "Only this tenant's VMs.")
    String tenant = "";

    @Option(names = "--follow", description = "Keep printing evictions as they happen.")
    boolean follow;

    static final String FORMAT = "%-24s %-16s %-20s %-26s %6s  %-8s %s%n";

    static Map<String, Object> json(EvictedVm e) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("vmId", e.vmId());
      m.put("tenantId", e.tenantId());
      m.put("serverId", e.serverId());
      m.put("priority", e.priority());
      m.put("cores", e.cores());
      m.put("memoryMb", e.memoryMb());
      m.put("requestId", e.requestId());
      m.put("reason", e.reason());
      m.put("byRequestId", e.byRequestId());
      m.put("byVmId", e.byVmId());
      m.put("at", e.at().toString());
      return m;
    }

    static String line(EvictedVm e) {
      return String.format(Locale.ROOT, FORMAT, e.vmId(), e.tenantId(), e.serverId(), e.reason(),
          e.cores(), e.priority(), e.at() + (e.byRequestId().isEmpty() ? ""
              : " by " + e.byVmId() + " (request " + e.byRequestId() + ")"));
    }

    @Override
    public Integer call() throws InterruptedException {
      java.io.PrintWriter out = spec.commandLine().getOut();
      try (AllocationClient client = connection.connect()) {
        java.util.concurrent.BlockingQueue<EvictedVm> live =
            new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.UUID listener = follow ? client.addEvictionListener(live::add) : null;
        List<EvictedVm> past = Flags.naming(Map.of("tenantId", "--tenant"),
            () -> java.util.concurrent.CompletableFuture.completedFuture(client.evictions(tenant)))
            .join();
        java.util.Set<String> shown = new java.util.HashSet<>();
        if (follow && connection.json) {
          past.forEach(e -> Output.printLine(out, json(e)));
        } else {
          StringBuilder text = new StringBuilder(String.format(Locale.ROOT, FORMAT, "VM",
              "TENANT", "SERVER", "REASON", "CORES", "PRIORITY", "WHEN"));
          List<Map<String, Object>> list = new ArrayList<>();
          for (EvictedVm e : past) {
            list.add(json(e));
            text.append(line(e));
          }
          text.append(String.format(Locale.ROOT, "%,d eviction%s%s", past.size(),
              past.size() == 1 ? "" : "s", tenant.isEmpty() ? "" : " of tenant " + tenant));
          Map<String, Object> doc = new LinkedHashMap<>();
          doc.put("count", past.size());
          doc.put("evictions", list);
          Output.print(out, connection.json, doc, text.toString());
        }
        past.forEach(e -> shown.add(e.vmId() + "@" + e.serverId() + "#" + e.requestId()));
        if (listener == null) {
          return 0;
        }
        while (true) { // until interrupted (Ctrl-C ends the process)
          EvictedVm e = live.take();
          if ((!tenant.isEmpty() && !tenant.equals(e.tenantId()))
              || !shown.add(e.vmId() + "@" + e.serverId() + "#" + e.requestId())) {
            continue;
          }
          if (connection.json) {
            Output.printLine(out, json(e));
          } else {
            out.print(line(e));
            out.flush();
          }
        }
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }
  }

  /** {@code vmgrid members}. */
  @Command(name = "members", mixinStandardHelpOptions = true,
      description = "The cluster's members, oldest first, as the client sees them.")
  static final class Members implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try (AllocationClient client = connection.connect()) {
        List<MemberInfo> members = client.members();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-22s %-38s %-8s%n",
            "ADDRESS", "UUID", "VERSION"));
        List<Map<String, Object>> list = new ArrayList<>();
        for (MemberInfo m : members) {
          text.append(String.format(Locale.ROOT, "%-22s %-38s %-8s%s%n", m.address(), m.uuid(),
              m.version(), m.oldest() ? " oldest" : ""));
          Map<String, Object> j = new LinkedHashMap<>();
          j.put("address", m.address());
          j.put("uuid", m.uuid());
          j.put("version", m.version());
          j.put("oldest", m.oldest());
          list.add(j);
        }
        text.append(members.size()).append(members.size() == 1 ? " member" : " members");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("members", list);
        Output.print(spec.commandLine().getOut(), connection.json, json, text.toString());
        return 0;
      }
    }
  }
}
