package io.vmgrid.client.cli;

import static io.vmgrid.client.cli.ClientCommands.unwrap;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.Released;
import io.vmgrid.client.api.UnknownVmException;
import io.vmgrid.client.api.VmFilter;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.api.VmStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vmgrid allocate} and {@code vmgrid release}: one VM from flags, or many from a file in one
 * JVM and one connection (a batch), each request answered on its own line.
 */
final class PlacementCommands {
  private PlacementCommands() {}

  /** Most requests of a batch on their way at once. */
  static final int IN_FLIGHT = 64;

  /** {@code vmgrid allocate}. */
  @Command(name = "allocate", mixinStandardHelpOptions = true,
      customSynopsis = {"vmgrid allocate --vm-id ID --tenant T --cores N --memory-mb M [OPTIONS]",
          "   or: vmgrid allocate -f REQUESTS.jsonl [OPTIONS]"},
      description = {"Place one VM, or each VM of a file (one JSON object per line:"
          + " {\"vmId\":\"vm-1\",\"tenant\":\"t\",\"cores\":4,\"memoryMb\":16384}, optionally"
          + " requestId, priority, availabilitySet, antiAffinityGroup, cluster). A file is checked"
          + " whole first: any bad line and nothing is sent.",
          "A request id names one request: repeating it unchanged returns the original outcome;"
              + " reusing it for another VM or with other parameters is refused.",
          "Exit 0 every VM placed, 3 one or more rejected or failed."})
  static final class Allocate implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Option(names = {"-f", "--file"}, paramLabel = "REQUESTS.jsonl",
        description = "Allocate every request of this file (- for standard input).")
    @Nullable Path file;

    @Option(names = "--vm-id", paramLabel = "ID", description = "The VM's id.")
    String vmId = "";

    @Option(names = "--tenant", paramLabel = "T", description = "The VM's owner.")
    String tenant = "";

    @Option(names = "--cores", paramLabel = "N", description = "Cores demanded.")
    @Nullable Integer cores;

    @Option(names = "--memory-mb", paramLabel = "M", description = "Memory demanded, MiB.")
    @Nullable Long memoryMb;

    @Option(names = "--priority", description = "REGULAR or LOW (default REGULAR).")
    @Nullable Priority priority;

    @Option(names = "--request-id", paramLabel = "ID",
        description = "Request id, to retry idempotently (default: random).")
    String requestId = "";

    @Option(names = "--availability-set", paramLabel = "SET",
        description = "Availability set: its VMs are spread over fault and update domains.")
    String availabilitySet = "";

    @Option(names = "--anti-affinity-group", paramLabel = "GROUP",
        description = "Anti-affinity group: no two of its VMs on one server.")
    String antiAffinityGroup = "";

    @Option(names = "--cluster", paramLabel = "CLUSTER", description = "Place only in this cluster.")
    String cluster = "";

    @Override
    public Integer call() throws Exception {
      RequestsFile.Batch batch = requests();
      try (AllocationClient client = connection.connect()) {
        List<AllocationOutcome> outcomes = allocate(client, batch);
        PrintWriter out = spec.commandLine().getOut();
        if (file == null) {
          Output.print(out, connection.json, json(outcomes.get(0)), text(outcomes.get(0)));
        } else {
          int placed = 0;
          int rejected = 0;
          List<Map<String, Object>> results = new ArrayList<>();
          StringBuilder text = new StringBuilder();
          for (AllocationOutcome o : outcomes) {
            placed += o instanceof AllocationOutcome.Placed ? 1 : 0;
            rejected += o instanceof AllocationOutcome.Rejected ? 1 : 0;
            results.add(json(o));
            text.append(text(o)).append(System.lineSeparator());
          }
          int failed = outcomes.size() - placed - rejected;
          text.append(String.format(Locale.ROOT, "%,d requests from %s: %,d placed, %,d rejected,"
              + " %,d failed", outcomes.size(), file, placed, rejected, failed));
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("requests", outcomes.size());
          json.put("placed", placed);
          json.put("rejected", rejected);
          json.put("failed", failed);
          json.put("results", results);
          Output.print(out, connection.json, json, text.toString());
        }
        return outcomes.stream().allMatch(o -> o instanceof AllocationOutcome.Placed) ? 0
            : Output.NOT_DONE;
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }

    /** The request the flags describe, or the file's requests; a bad value names its flag. */
    private RequestsFile.Batch requests() throws java.io.IOException {
      if (file != null) {
        for (String flag : List.of("--vm-id", "--tenant", "--cores", "--memory-mb",
            "--request-id", "--priority", "--availability-set", "--anti-affinity-group",
            "--cluster")) {
          if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
            throw new InvalidRequestException(flag, flag + ": give the VM either by flags or in"
                + " the file of -f, not both");
          }
        }
        return RequestsFile.requests(file, "-f");
      }
      List<String> missing = new ArrayList<>();
      if (vmId.isEmpty()) {
        missing.add("--vm-id");
      }
      if (tenant.isEmpty()) {
        missing.add("--tenant");
      }
      if (cores == null) {
        missing.add("--cores");
      }
      if (memoryMb == null) {
        missing.add("--memory-mb");
      }
      if (!missing.isEmpty()) {
        throw new InvalidRequestException(missing.get(0), String.join(", ", missing)
            + (missing.size() == 1 ? ": is" : ": are") + " required (or -f FILE for a batch)");
      }
      VmRequest.Builder b = VmRequest.builder().vmId(vmId).tenantId(tenant)
          .cores(cores == null ? 0 : cores).memoryMb(memoryMb == null ? 0 : memoryMb)
          .priority(priority == null ? Priority.REGULAR : priority)
          .availabilitySet(availabilitySet).antiAffinityGroup(antiAffinityGroup)
          .clusterPin(cluster);
      if (!requestId.isEmpty()) {
        b.requestId(requestId);
      }
      VmRequest request = Flags.naming(Flags.REQUEST, b::build);
      return new RequestsFile.Batch(List.of(request),
          requestId.isEmpty() ? Set.of() : Set.of(requestId));
    }
  }

  /**
   * Allocates the batch's requests, at most {@link #IN_FLIGHT} at once, and returns their outcomes
   * in order. A request whose chosen id placed another VM already is refused here ({@link
   * Reason#REQUEST_ID_REUSED}) without being sent; the grid refuses one reused for the same VM with
   * other parameters.
   */
  static List<AllocationOutcome> allocate(AllocationClient client, RequestsFile.Batch batch) {
    Map<String, VmStatus> earlier = client.placedBy(batch.chosenIds()).join();
    Semaphore window = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<AllocationOutcome>> pending = new ArrayList<>();
    for (VmRequest r : batch.requests()) {
      VmStatus before = earlier.get(r.requestId());
      if (before != null && !before.vmId().equals(r.vmId())) {
        pending.add(CompletableFuture.completedFuture(new AllocationOutcome.Rejected(
            r.requestId(), r.vmId(), Reason.REQUEST_ID_REUSED, "requestId: '" + r.requestId()
                + "' already placed VM " + before.vmId() + " (on " + before.serverId() + "); a"
                + " request id names one request: repeat it unchanged, or use a new id",
            Duration.ZERO)));
        continue;
      }
      window.acquireUninterruptibly();
      pending.add(client.allocate(r).whenComplete((o, e) -> window.release()));
    }
    return pending.stream().map(CompletableFuture::join).toList();
  }

  static Map<String, Object> json(AllocationOutcome o) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("requestId", o.requestId());
    json.put("vmId", o.vmId());
    json.put("latencyMs", o.latency().toNanos() / 1e6);
    if (o instanceof AllocationOutcome.Placed p) {
      json.put("outcome", "placed");
      json.put("serverId", p.serverId());
      json.put("clusterId", p.clusterId());
      json.put("agentId", p.agentId());
      json.put("attempts", p.attempts());
      json.put("repeat", p.attempts() == 0);
    } else if (o instanceof AllocationOutcome.Rejected r) {
      json.put("outcome", "rejected");
      json.put("reason", r.reason());
      json.put("message", r.message());
    } else if (o instanceof AllocationOutcome.Failed f) {
      json.put("outcome", "failed");
      json.put("reason", f.reason());
      json.put("message", f.message());
    }
    return json;
  }

  static String text(AllocationOutcome o) {
    if (o instanceof AllocationOutcome.Placed p) {
      return String.format(Locale.ROOT, "placed %s on %s in cluster %s by %s (%.1f ms%s)",
          p.vmId(), p.serverId(), p.clusterId(), p.agentId().isEmpty() ? "an agent" : p.agentId(),
          p.latency().toNanos() / 1e6, p.attempts() == 0 ? "; request " + p.requestId()
              + " was placed before: this is its original placement" : "");
    }
    if (o instanceof AllocationOutcome.Rejected r) {
      return "rejected " + r.vmId() + ": " + r.reason() + ": " + r.message();
    }
    AllocationOutcome.Failed f = (AllocationOutcome.Failed) o;
    return "failed " + f.vmId() + ": " + f.reason() + ": " + f.message();
  }

  /** {@code vmgrid release}. */
  @Command(name = "release", mixinStandardHelpOptions = true,
      customSynopsis = {"vmgrid release VM_ID... [OPTIONS]",
          "   or: vmgrid release -f VM_IDS.txt [OPTIONS]",
          "   or: vmgrid release --run-id RUN [OPTIONS]"},
      description = {"Release VMs and return their capacity: the ones named, those of a file (one"
          + " VM id per line, or a JSON object with vmId), or every VM a replay with this run id"
          + " placed.", "Exit 0 every VM released, 3 one or more unknown."})
  static final class Release implements Callable<Integer> {
    @Mixin Connection connection;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "VM_ID", arity = "0..*", description = "The VMs to release.")
    List<String> vmIds = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "VM_IDS.txt",
        description = "Release every VM of this file (- for standard input).")
    @Nullable Path file;

    @Option(names = "--run-id", paramLabel = "RUN",
        description = "Release every VM 'vmgrid replay --run-id RUN' placed (VM ids RUN-...,"
            + " request ids RUN-r...).")
    @Nullable String runId;

    @Override
    public Integer call() throws Exception {
      int sources = (vmIds.isEmpty() ? 0 : 1) + (file == null ? 0 : 1) + (runId == null ? 0 : 1);
      if (sources != 1) {
        throw new InvalidRequestException("VM_ID", (sources == 0 ? "name the VMs to release"
            : "name the VMs one way only") + ": VM_ID..., -f FILE or --run-id RUN");
      }
      List<String> ids = file != null ? RequestsFile.vmIds(file, "-f") : vmIds;
      for (String id : ids) {
        String problem = io.vmgrid.client.wire.Checks.idProblem("VM_ID", id);
        if (problem != null) {
          throw new InvalidRequestException("VM_ID", problem);
        }
      }
      try (AllocationClient client = connection.connect()) {
        if (runId != null) {
          String run = runId;
          VmFilter filter = Flags.naming(Map.of("vmIdPrefix", "--run-id",
              "requestIdPrefix", "--run-id"),
              () -> VmFilter.any().vmIdPrefix(run + "-").requestIdPrefix(run + "-r"));
          ids = client.vms(filter).join().stream().map(VmStatus::vmId).toList();
        }
        return release(client, List.copyOf(new LinkedHashSet<>(ids)));
      } catch (CompletionException e) {
        throw unwrap(e);
      }
    }

    private int release(AllocationClient client, List<String> ids) {
      Semaphore window = new Semaphore(IN_FLIGHT);
      List<CompletableFuture<@Nullable Object>> pending = new ArrayList<>();
      for (String id : ids) {
        window.acquireUninterruptibly();
        pending.add(client.release(id).<@Nullable Object>handle((r, e) -> {
          window.release();
          return r != null ? r : e instanceof CompletionException c && c.getCause() != null
              ? c.getCause() : e;
        }));
      }
      List<Map<String, Object>> results = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      int released = 0;
      int unknown = 0;
      for (int i = 0; i < ids.size(); i++) {
        Object r = pending.get(i).join();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vmId", ids.get(i));
        if (r instanceof Released ok) {
          released++;
          m.put("outcome", "released");
          m.put("serverId", ok.serverId());
          text.append("released ").append(ids.get(i)).append(" from ").append(ok.serverId());
        } else if (r instanceof UnknownVmException missing) {
          unknown++;
          m.put("outcome", "unknown");
          m.put("message", String.valueOf(missing.getMessage()));
          text.append(missing.getMessage());
        } else {
          m.put("outcome", "failed");
          m.put("message", String.valueOf(r));
          text.append("failed to release ").append(ids.get(i)).append(": ")
              .append(r instanceof Throwable t ? t.getMessage() : String.valueOf(r));
        }
        text.append(System.lineSeparator());
        results.add(m);
      }
      int failed = ids.size() - released - unknown;
      Map<String, Object> json;
      if (ids.size() == 1 && file == null && runId == null) {
        json = results.get(0);
      } else {
        text.append(String.format(Locale.ROOT, "%,d released, %,d unknown, %,d failed%s",
            released, unknown, failed, runId == null ? "" : " (run " + runId + ")"));
        json = new LinkedHashMap<>();
        json.put("released", released);
        json.put("unknown", unknown);
        json.put("failed", failed);
        json.put("results", results);
      }
      Output.print(spec.commandLine().getOut(), connection.json, json, text.toString().strip());
      return failed > 0 ? 1 : unknown > 0 ? Output.NOT_DONE : 0;
    }
  }
}
