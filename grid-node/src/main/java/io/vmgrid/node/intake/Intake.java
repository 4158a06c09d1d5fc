package io.vmgrid.node.intake;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.GridEndpoint;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.GridResults;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.agent.AgentOutcome;
import io.vmgrid.node.agent.AgentUnavailableException;
import io.vmgrid.node.agent.RoutingHints;
import io.vmgrid.node.delivery.Delivery;
import io.vmgrid.node.inventory.InventoryMirror;
import io.vmgrid.node.inventory.ServerAudit;
import io.vmgrid.node.metrics.NodeMetrics;
import io.vmgrid.node.query.Queries;
import io.vmgrid.node.routing.Estimates;
import io.vmgrid.node.routing.Router;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import io.vmgrid.rules.api.ValidationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Where requests enter this member: the {@link GridEndpoint} every {@code GridTask} calls. It
 * validates each request once, answers a repeated allocation from the VM's record, routes the
 * others ({@link Router}) to an agent here or, one {@link ForwardTask} per member and batch, on
 * another member, carries out releases, moves and queries itself, and returns every answer in the
 * task's order once all are known.
 *
 * <p>Runs on the calling executor thread, which waits for the agents: a task holds one intake
 * thread for as long as its slowest request takes.
 */
public final class Intake implements GridEndpoint, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Intake.class.getName());

  private final HazelcastInstance hz;
  private final NodeClock clock;
  /**
   * Longest wait for an agent's outcome ({@link Timing#AGENT_WAIT}). Past it the request is
   * answered {@code IN_DOUBT}: its agent may still commit it, and a retry with the same request id
   * learns the outcome.
   */
  private final long agentWaitMillis;
  private final AgentHost agents;
  private final Router router;
  private final @Nullable Estimates estimates;
  private final InventoryMirror mirror;
  private final Queries queries;
  private final Releases releases;
  private final Delivery delivery;
  private final NodeMetrics metrics;
  private final IMap<String, Placement> placements;
  private final IExecutorService forwards;
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong answeredFromRecord = new AtomicLong();
  private volatile boolean serving = true;

  /** An intake over this member's agents; {@link #open()} makes it the member's endpoint. */
  public Intake(HazelcastInstance hz, AgentHost agents, Router router,
      @Nullable Estimates estimates, Queries queries, NodeMetrics metrics) {
    this.hz = hz;
    this.agents = agents;
    this.router = router;
    this.estimates = estimates;
    this.mirror = agents.mirror();
    this.queries = queries;
    this.metrics = metrics;
    this.clock = NodeClock.of(hz);
    this.agentWaitMillis = NodeTimings.of(hz).millis(Timing.AGENT_WAIT);
    this.delivery = new Delivery(metrics, hz.getCluster().getLocalMember().getUuid().toString(),
        clock);
    this.releases = new Releases(hz, queries, delivery);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.forwards = hz.getExecutorService(ForwardTask.EXECUTOR);
  }

  /** Starts serving: tasks arriving from now on reach this intake. */
  public void open() {
    hz.getUserContext().put(CONTEXT_KEY, this);
  }

  /** Allocations sent to another member's agent so far. */
  public long forwarded() {
    return forwarded.get();
  }

  /** Allocations answered from an existing placement record (retries) so far. */
  public long answeredFromRecord() {
    return answeredFromRecord.get();
  }

  @Override
  public GridResults handle(List<GridRequest> requests) {
    long arrived = clock.nanoTime();
    if (!serving) {
      return GridResults.unavailable(requests, "member " + hz.getCluster().getLocalMember()
          + " is leaving the cluster: nothing was done");
    }
    List<CompletableFuture<GridResult>> answers = new ArrayList<>(requests.size());
    Map<String, List<Pending>> remote = new LinkedHashMap<>();
    for (GridRequest r : requests) {
      CompletableFuture<GridResult> answer = new CompletableFuture<>();
      answers.add(answer);
      try {
        accept(r, arrived, answer, remote);
      } catch (RuntimeException e) {
        answer.complete(failure(r, e, arrived));
      }
    }
    remote.forEach((member, batch) -> forward(member, batch, arrived));
    List<GridResult> out = new ArrayList<>(answers.size());
    long deadline = arrived + TimeUnit.MILLISECONDS.toNanos(agentWaitMillis);
    for (int i = 0; i < answers.size(); i++) {
      GridResult result = await(requests.get(i), answers.get(i), deadline, arrived);
      delivery.delivered(requests.get(i), result, arrived);
      out.add(result);
    }
    return new GridResults(out);
  }

  /** An allocation on its way to a remote agent, with the slot its answer goes into. */
  private record Pending(ForwardTask.Forwarded item, CompletableFuture<GridResult> answer) {}

  private void accept(GridRequest r, long arrived, CompletableFuture<GridResult> answer,
      Map<String, List<Pending>> remote) {
    String problem = r.problem();
    GridRequest.Op op = r.op();
    if (problem != null || op == null) {
      answer.complete(delivery.result(r, GridResult.Status.FAILED, Reason.INVALID_INPUT,
          problem == null ? "op: is required" : problem, "", arrived));
    } else if (op == GridRequest.Op.ALLOCATE) {
      allocate(r, arrived, answer, remote);
    } else if (op == GridRequest.Op.RELEASE) {
      answer.complete(releases.release(r, arrived));
    } else if (op == GridRequest.Op.MOVE) {
      GridResult moved = releases.move(r, arrived);
      ServerAudit.moved(r.vmId(), r.targetServerId(), moved.status() + " " + moved.reason() + " ("
          + moved.message() + ")");
      answer.complete(moved);
    } else {
      var typed = queries.answer(r); // first: the result's processing time includes it
      answer.complete(delivery.result(r, GridResult.Status.ANSWERED, Reason.NONE, "", "", arrived)
          .withAnswer(typed));
    }
  }

  private void allocate(GridRequest r, long arrived, CompletableFuture<GridResult> answer,
      Map<String, List<Pending>> remote) {
    GridResult known = placedBefore(r, arrived);
    if (known != null) {
      answer.complete(known);
      return;
    }
    long t0 = clock.nanoTime();
    Router.Route route = router.route(r);
    metrics.stage(NodeMetrics.Stage.ROUTE, clock.nanoTime() - t0);
    if (route.local()) {
      runLocally(r, route.agentId(), route.hints(), route.ruleIds(), arrived, answer);
    } else {
      remote.computeIfAbsent(route.member(), k -> new ArrayList<>()).add(new Pending(
          new ForwardTask.Forwarded(r, route.agentId(), route.hints().typeKey(),
              route.hints().ruleKeys(), route.ruleIds(), route.hints().estimateNanos()), answer));
    }
  }

  /**
   * The original answer to a repeated allocation: the VM is on a server per this member's mirror
   * and its record names this request (placed, by the agent that placed it), this request id with
   * other parameters (refused) or another request (the id is taken). Null when the
   * mirror does not know the VM, or knows it without a record yet: the agent's record decides.
   */
  private @Nullable GridResult placedBefore(GridRequest r, long arrived) {
    String server = mirror.read(inv -> {
      int i = inv.serverOf(r.vmId());
      return i < 0 ? null : inv.serverId(i);
    });
    if (server == null) {
      return null;
    }
    Placement p = ForeignEntries.of(hz).value(MapNames.PLACEMENTS, r.vmId(),
        ((IMap<?, ?>) placements).get(r.vmId()), Placement.class);
    if (p == null) {
      return null;
    }
    answeredFromRecord.incrementAndGet();
    if (!p.requestId().equals(r.requestId())) {
      return delivery.result(r, GridResult.Status.REJECTED, Reason.VM_ID_IN_USE, "vmId: '"
          + r.vmId() + "' is already taken by request " + p.requestId(), "", arrived);
    }
    String reused = p.reusedBy(r);
    if (reused != null) {
      return delivery.result(r, GridResult.Status.REJECTED, Reason.REQUEST_ID_REUSED, reused, "",
          arrived);
    }
    return delivery.placedBefore(r, p, clusterOf(p.serverId()), arrived);
  }

  private String clusterOf(String serverId) {
    return mirror.read(inv -> {
      int i = inv.indexOf(serverId);
      return i < 0 ? "" : inv.clusterId(inv.cluster(i));
    });
  }

  /** Hands {@code r} to local agent {@code agentId}; its answer completes {@code answer}. */
  private void runLocally(GridRequest r, String agentId, RoutingHints hints, int[] ruleIds,
      long arrived, CompletableFuture<GridResult> answer) {
    var unused = agents.submit(agentId, r, hints).whenComplete((out, error) -> {
      if (error != null) {
        answer.complete(failure(r, error, arrived));
        return;
      }
      learn(out, hints, ruleIds);
      answer.complete(delivery.allocated(r, out, arrived));
    });
  }

  /** Feeds the estimates with what the agent measured, and the estimate's error to the metrics. */
  private void learn(AgentOutcome out, RoutingHints hints, int[] ruleIds) {
    Estimates e = estimates;
    if (e != null && out.status() != AgentOutcome.Status.FAILED) {
      metrics.estimateError(hints.estimateNanos() - out.processingNanos());
      e.learn(out, ruleIds);
    }
  }

  /**
   * Sends a batch to another member's agents. If that member is gone or does not serve, the
   * requests may or may not have been carried out there: they are handed to a local agent, which
   * answers them once (a copy that was placed there already is found by its record).
   */
  private void forward(String memberUuid, List<Pending> batch, long arrived) {
    Member target = null;
    for (Member m : hz.getCluster().getMembers()) {
      if (m.getUuid().toString().equals(memberUuid)) {
        target = m;
      }
    }
    if (target == null) {
      batch.forEach(p -> runHere(p, arrived, null));
      return;
    }
    List<ForwardTask.Forwarded> items = new ArrayList<>(batch.size());
    batch.forEach(p -> items.add(p.item()));
    forwarded.addAndGet(batch.size());
    metrics.forwarded(batch.size());
    long sent = clock.nanoTime();
    String where = target.getAddress().toString();
    forwards.submitToMember(new ForwardTask(items), target, new ExecutionCallback<>() {
      @Override
      public void onResponse(GridResults results) {
        long rtt = clock.nanoTime() - sent;
        metrics.stage(NodeMetrics.Stage.FORWARD, rtt);
        for (int i = 0; i < batch.size(); i++) {
          GridResult r = i < results.results().size() ? results.results().get(i) : null;
          if (r == null || r.reason() == Reason.UNAVAILABLE) {
            runHere(batch.get(i), arrived, null);
          } else {
            router.forwarded(rtt, TimeUnit.MICROSECONDS.toNanos(r.processingMicros()));
            batch.get(i).answer().complete(r);
          }
        }
      }

      @Override
      public void onFailure(Throwable t) {
        LOG.fine(() -> "forwarding " + batch.size() + " allocations to " + memberUuid
            + " failed (" + t + "); handling them here");
        // whatever the error, the task may have run there (Hazelcast ends an invocation it
        // retried after the first send with TargetNotMemberException too)
        batch.forEach(p -> runHere(p, arrived, where));
      }
    });
  }

  /**
   * Runs a request meant for another member's agent here. {@code sentTo} names that member when
   * the request was sent there and no answer came back: it may have been placed there, and a
   * split can hide that placement from this side (its record too). Then only a placement made
   * here, or the record of one made there, is certain; any other local answer (a quorum refusal,
   * no capacity) is {@code IN_DOUBT}.
   * A nemesis run answered {@code NO_QUORUM} for a request forwarded across a split that had been
   * placed on the other side.
   */
  private void runHere(Pending p, long arrived, @Nullable String sentTo) {
    ForwardTask.Forwarded f = p.item();
    // the agent named runs elsewhere: the host hands it to the least loaded local agent
    if (sentTo == null) {
      runLocally(f.request(), f.agentId(), hints(f), f.ruleIds(), arrived, p.answer());
      return;
    }
    GridRequest request = f.request();
    CompletableFuture<GridResult> local = new CompletableFuture<>();
    runLocally(request, f.agentId(), hints(f), f.ruleIds(), arrived, local);
    var unused = local.thenAccept(r -> {
      if (certain(r)) {
        p.answer().complete(r);
        return;
      }
      // placed there and recorded (the member died, this side sees its backups): that placement
      try {
        foreignTolerant().getAsync(request.vmId()).whenComplete((value, error) -> {
          try {
            Placement record = error != null ? null : ForeignEntries.of(hz).value(
                MapNames.PLACEMENTS, request.vmId(), value, Placement.class);
            if (record == null) {
              p.answer().complete(inDoubtAfterForward(request, sentTo, r, arrived));
            } else if (!record.requestId().equals(request.requestId())) {
              p.answer().complete(delivery.result(request, GridResult.Status.REJECTED,
                  Reason.VM_ID_IN_USE, "vmId: '" + request.vmId() + "' is already taken by"
                      + " request " + record.requestId(), "", arrived));
            } else {
              p.answer().complete(delivery.placedBefore(request, record,
                  clusterOf(record.serverId()), arrived));
            }
          } catch (RuntimeException e) {
            p.answer().complete(inDoubtAfterForward(request, sentTo, r, arrived));
          }
        });
      } catch (RuntimeException e) { // the member is stopping
        p.answer().complete(inDoubtAfterForward(request, sentTo, r, arrived));
      }
    });
  }

  private GridResult inDoubtAfterForward(GridRequest request, String sentTo, GridResult here,
      long arrived) {
    return delivery.result(request, GridResult.Status.FAILED, Reason.IN_DOUBT, "the request was"
        + " sent to member " + sentTo + ", which left before answering, and may have been placed"
        + " there; here: " + here.reason() + " (" + here.message() + "); ask again with the same"
        + " requestId to learn the outcome", "", arrived);
  }

  @SuppressWarnings("unchecked") // values are checked by ForeignEntries: a foreign one is skipped
  private IMap<String, Object> foreignTolerant() {
    return (IMap<String, Object>) (IMap<?, ?>) placements;
  }

  /** Whether a local answer holds whatever a lost forward of the same request did. */
  private static boolean certain(GridResult r) {
    return r.status() == GridResult.Status.PLACED || r.reason() == Reason.IN_DOUBT
        || r.reason() == Reason.REQUEST_ID_REUSED || r.reason() == Reason.VM_ID_IN_USE
        || r.reason() == Reason.INVALID_INPUT;
  }

  private static RoutingHints hints(ForwardTask.Forwarded f) {
    return new RoutingHints(f.typeKey(), f.ruleKeys(), f.estimateNanos());
  }

  /** The target side of a {@link ForwardTask}: runs the items on the agents named, in order. */
  GridResults runForwarded(List<ForwardTask.Forwarded> items) {
    long arrived = clock.nanoTime();
    List<GridRequest> requests = new ArrayList<>(items.size());
    items.forEach(f -> requests.add(f.request()));
    if (!serving) {
      return GridResults.unavailable(requests, "member " + hz.getCluster().getLocalMember()
          + " is leaving the cluster: nothing was done");
    }
    List<CompletableFuture<GridResult>> answers = new ArrayList<>(items.size());
    for (ForwardTask.Forwarded f : items) {
      CompletableFuture<GridResult> answer = new CompletableFuture<>();
      answers.add(answer);
      runLocally(f.request(), f.agentId(), hints(f), f.ruleIds(), arrived, answer);
    }
    long deadline = arrived + TimeUnit.MILLISECONDS.toNanos(agentWaitMillis);
    List<GridResult> out = new ArrayList<>(items.size());
    for (int i = 0; i < answers.size(); i++) {
      out.add(await(requests.get(i), answers.get(i), deadline, arrived));
    }
    return new GridResults(out);
  }

  private GridResult await(GridRequest r, CompletableFuture<GridResult> answer, long deadline,
      long arrived) {
    try {
      return answer.get(Math.max(1, deadline - clock.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return delivery.result(r, GridResult.Status.FAILED, Reason.IN_DOUBT, "no outcome within "
          + agentWaitMillis + " ms; the agent may still place it: ask again with the same"
          + " requestId to learn the outcome", "", arrived);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (answer.isDone() && !answer.isCompletedExceptionally()) {
        return answer.join();
      }
      // not UNAVAILABLE ("nothing was done"): the agent has the request and may have committed it;
      // a client would retry it as new elsewhere, across a split where this placement is not seen
      return delivery.result(r, GridResult.Status.FAILED, Reason.IN_DOUBT, "the member is stopping"
          + " and stopped waiting for the agent, which may have placed it: ask again with the same"
          + " requestId to learn the outcome", "", arrived);
    } catch (ExecutionException e) {
      return failure(r, e.getCause() == null ? e : e.getCause(), arrived);
    }
  }

  /** The answer to a request that failed with {@code error}. */
  private GridResult failure(GridRequest r, Throwable error, long arrived) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SplitBrainProtectionException) {
        // the agents refuse before they commit when this side lacks the quorum (NO_QUORUM, nothing
        // done); a refusal that arrives here came while the request ran, and Hazelcast may have
        // run a step on the other side's replica before the split was noticed (a nemesis run
        // answered NO_QUORUM here and found the VM placed after the heal)
        return delivery.result(r, GridResult.Status.FAILED, Reason.IN_DOUBT, "the placement quorum"
            + " was lost while the request ran (a network split?); it may or may not have taken"
            + " effect: ask again with the same requestId once the split heals", "", arrived);
      }
      if (t instanceof IndeterminateOperationStateException) {
        // a write ran on its primary, but its backups did not confirm (cut off by a split) or the
        // primary left before it answered: it may stand or vanish with that side's copy
        return delivery.result(r, GridResult.Status.FAILED, Reason.IN_DOUBT, "a step of the"
            + " request ran, but not every copy of the data confirmed it (a member unreachable or"
            + " leaving); it may or may not have taken effect: ask again with the same requestId",
            "", arrived);
      }
      if (t instanceof AgentUnavailableException) {
        return delivery.result(r, GridResult.Status.FAILED, Reason.UNAVAILABLE,
            String.valueOf(t.getMessage()) + ": nothing was done", "", arrived);
      }
      if (t instanceof ValidationException) { // a query's arguments do not fit this grid
        return delivery.result(r, GridResult.Status.FAILED, Reason.INVALID_INPUT,
            String.valueOf(t.getMessage()), "", arrived);
      }
    }
    LOG.log(Level.WARNING, "request " + r.requestId() + " failed", error);
    return delivery.result(r, GridResult.Status.FAILED, Reason.INTERNAL, error.toString(), "",
        arrived);
  }

  /**
   * While {@code condition} holds, a release that finds no record answers {@code UNAVAILABLE}
   * instead of {@code UNKNOWN_VM}: partitions were lost or out of this side's reach, and their
   * records may still come back (a merge, a repair). A CI nemesis run answered {@code UNKNOWN_VM}
   * just as a heal began, for three VMs whose records the merge then brought back.
   */
  public void recordsIncompleteWhile(java.util.function.BooleanSupplier condition) {
    releases.recordsIncompleteWhile(condition);
  }

  /** Stops taking requests (they are answered {@code UNAVAILABLE}, so clients go elsewhere). */
  @Override
  public void close() {
    serving = false;
    try {
      hz.getUserContext().remove(CONTEXT_KEY, this);
    } catch (RuntimeException ignored) {
      // the member may already be stopped
    }
  }
}
