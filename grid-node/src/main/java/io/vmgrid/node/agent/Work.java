package io.vmgrid.node.agent;

import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.node.inventory.Mirrors;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.Lookup;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One request of an agent's group on its way through evaluation, commit and record, with what it
 * learned on the way (the server chosen, servers that refused it, its attempts and times), and the
 * answer it completes.
 */
final class Work {
  /** A request queued at an agent: the router's hints, when it was queued, and its answer. */
  record Job(GridRequest request, RoutingHints hints, long enqueuedNanos,
      CompletableFuture<AgentOutcome> done) {}

  final Job job;
  final VmRequest request;
  final HostedVm vm;
  final Set<String> excluded = new HashSet<>();
  final long startNanos;
  AgentEngine.@Nullable Choice choice;
  /** The VMs to evict on {@link #choice} in the same commit (a preemption); empty otherwise. */
  List<String> victims = List.of();
  /** The member-wide claim for {@link #choice} while its commit is being decided. */
  InFlight.@Nullable Claim claim;
  @Nullable Lookup firstLookup;
  int attempts;
  int refused;
  String lastRefusal = "";
  boolean added;
  /** The host's departure count when this request's first commit was sent; -1 before. */
  long departuresAtFirstCommit = -1;
  long evaluateNanos;
  long commitNanos;

  /** {@code job}, taken up at {@code startNanos} (monotonic) and {@code placedAtMillis} (wall). */
  Work(Job job, long startNanos, long placedAtMillis) {
    this.job = job;
    GridRequest r = job.request();
    this.request = Mirrors.request(r);
    this.vm = new HostedVm(r.vmId(), r.tenantId(), r.cores(), r.memoryMb(), r.requestId(),
        r.priority(), placedAtMillis, r.availabilitySet(), r.antiAffinityGroup());
    this.startNanos = startNanos;
  }

  /** The server chosen for it (every request being committed has one). */
  AgentEngine.Choice choice() {
    AgentEngine.Choice c = choice;
    if (c == null) {
      throw new IllegalStateException("no server chosen for " + vm.vmId());
    }
    return c;
  }

  /** Completes its answer, as agent {@code agentId} gives it. */
  void finish(String agentId, AgentOutcome.Status status, String serverId, String clusterId,
      Reason reason, String message) {
    Lookup lookup = firstLookup == null ? Lookup.MISS : firstLookup;
    job.done().complete(new AgentOutcome(status, serverId, clusterId, reason, message, agentId,
        attempts, refused, lookup, startNanos - job.enqueuedNanos(), evaluateNanos, commitNanos));
  }

  /** Adds the time from {@code t0} to {@code now}, shared evenly, to each request's commit time. */
  static void share(List<Work> works, long t0, long now) {
    long each = (now - t0) / works.size();
    for (Work w : works) {
      w.commitNanos += each;
    }
  }
}
