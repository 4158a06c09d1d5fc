package io.vmgrid.client.api;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.GridResults;
import io.vmgrid.client.wire.GridTask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Gets requests to members and their results back: one {@link GridTask} invocation per request, or
 * per batch when load rises.
 *
 * <p><b>Lanes.</b> Allocations go through one lane per member. A lane keeps at most
 * {@link #TASKS_PER_MEMBER} tasks outstanding; allocations arriving while it is full wait in the
 * lane and leave together, up to {@link #MAX_BATCH} in one task, as soon as a task returns. At low
 * load every allocation travels alone and at once; under load the invocations per allocation fall.
 *
 * <p><b>Which member.</b> An allocation goes to the member whose agent placed the last request
 * with the same traits (tenant, shape, priority, constraints: a superset of any rule set's request
 * type), where its agents' caches are warm, unless that member's lane holds clearly more than the
 * least loaded one; otherwise to the least loaded lane. The member then picks the agent (Kamino),
 * forwarding to another member only when the estimate says it is worth the hop.
 *
 * <p><b>Retries.</b> A task cut off by a member's departure, or answered {@code UNAVAILABLE}, may or
 * may not have been carried out: its requests are sent again, with the same request ids, to another
 * member, until the request's timeout. The grid answers a repeated request id with the original
 * placement, so a retry never places twice.
 */
final class Transport implements AutoCloseable {
  /** Allocation tasks a lane keeps outstanding before allocations wait and batch. */
  static final int TASKS_PER_MEMBER = 4;
  /** Most requests in one task. */
  static final int MAX_BATCH = 64;
  /** Requests a hinted member may hold beyond the least loaded one and still get the request. */
  static final int AFFINITY_SLACK = 4;
  /** Trait hints remembered (least recently used go first). */
  static final int AFFINITY_ENTRIES = 20_000;
  static final long RETRY_DELAY_MILLIS = 100;

  private final HazelcastInstance hazelcast;
  private final IExecutorService intake;
  private final IExecutorService queries;
  private final Map<UUID, Lane> lanes = new ConcurrentHashMap<>();
  private final Map<Long, UUID> affinity = Collections.synchronizedMap(
      new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, UUID> eldest) {
          return size() > AFFINITY_ENTRIES;
        }
      });
  private final AtomicLong rotation = new AtomicLong();
  private final LongSupplier nanoClock;
  private final UUID membershipListener;
  private volatile boolean closed;

  /** One request on its way: its future completes with the member's result. */
  private record Pending(GridRequest request, CompletableFuture<GridResult> future,
      long deadlineNanos, java.util.concurrent.atomic.AtomicBoolean cutOff) {
    Pending(GridRequest request, CompletableFuture<GridResult> future, long deadlineNanos) {
      this(request, future, deadlineNanos, new java.util.concurrent.atomic.AtomicBoolean());
    }
  }

  Transport(HazelcastInstance hazelcast, LongSupplier nanoClock) {
    this.hazelcast = hazelcast;
    this.nanoClock = nanoClock;
    this.intake = hazelcast.getExecutorService(GridTask.INTAKE_EXECUTOR);
    this.queries = hazelcast.getExecutorService(GridTask.QUERY_EXECUTOR);
    this.membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        Lane gone = lanes.remove(event.getMember().getUuid());
        if (gone != null) {
          gone.evacuate();
        }
      }
    });
  }

  /**
   * Sends {@code request} and completes the returned future with its result; it completes
   * exceptionally only on errors that are not the grid's answer (the client closed, an unexpected
   * failure). The caller applies the timeout.
   */
  CompletableFuture<GridResult> send(GridRequest request, long timeoutNanos) {
    Pending p = new Pending(request, new CompletableFuture<>(), nanoClock.getAsLong() + timeoutNanos);
    dispatch(p, null);
    return p.future();
  }

  private void dispatch(Pending p, @Nullable UUID avoid) {
    if (closed) {
      p.future().completeExceptionally(new GridOperationException(Reason.CLOSED, "client closed"));
      return;
    }
    GridRequest.Op op = p.request().op();
    try {
      if (op == GridRequest.Op.ALLOCATE) {
        Lane lane = laneFor(p.request(), avoid);
        lane.offer(p);
        lane.pump();
      } else if (op == GridRequest.Op.RELEASE) {
        // to the owner of the VM's placement record (the member reads and removes it locally),
        // as a task for that member rather than for the key: Hazelcast retries a key-owner task
        // on the partition's next owner by itself when the first leaves, after the first may
        // have released the VM, and that retry's answer ("no quorum", "no such VM") would reach
        // this client as if nothing had run (a nemesis run: 4 VMs released by a first attempt
        // whose retry answered NO_QUORUM). Sent to a member, a departure fails the task here, and
        // the retry below is marked cut off
        Member owner = hazelcast.getPartitionService().getPartition(p.request().vmId()).getOwner();
        if (owner == null || owner.getUuid().equals(avoid)) {
          owner = leastLoaded(avoid).member;
        }
        intake.submitToMember(task(p), owner, callback(List.of(p), owner.getUuid(), null));
      } else {
        Member member = leastLoaded(avoid).member;
        IExecutorService executor = op != null && op.isQuery() ? queries : intake;
        executor.submitToMember(task(p), member, callback(List.of(p), member.getUuid(), null));
      }
    } catch (RuntimeException e) {
      retryOrFail(List.of(p), avoid, e);
    }
  }

  private static GridTask task(Pending p) {
    return new GridTask(List.of(p.request()));
  }

  /** The callback of one task's invocation: completes or retries its batch. */
  private ExecutionCallback<GridResults> callback(List<Pending> batch, @Nullable UUID member,
      @Nullable Lane lane) {
    return new ExecutionCallback<>() {
      @Override
      public void onResponse(GridResults results) {
        done(results, null);
      }

      @Override
      public void onFailure(Throwable t) {
        done(null, t);
      }

      private void done(@Nullable GridResults results, @Nullable Throwable error) {
        if (lane != null) {
          lane.finished(batch.size());
        }
        answered(batch, results, error, member);
        if (lane != null) {
          lane.pump();
        }
      }
    };
  }

  /** Completes the batch's futures from {@code results}; retries what was not carried out. */
  private void answered(List<Pending> batch, @Nullable GridResults results,
      @Nullable Throwable error, @Nullable UUID member) {
    if (error != null || results == null) {
      retryOrFail(batch, member, error == null ? new IllegalStateException("no results") : error);
      return;
    }
    List<Pending> again = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      GridResult r = i < results.results().size() ? results.results().get(i) : null;
      if (r == null || r.reason() == Reason.UNAVAILABLE) {
        again.add(p);
        continue;
      }
      if (p.cutOff().get() && p.request().op() == GridRequest.Op.RELEASE
          && r.status() != GridResult.Status.RELEASED && r.reason() != Reason.IN_DOUBT) {
        // an earlier attempt was cut off by a member's departure and may have released the VM
        // itself: "no such VM" now cannot tell that from a VM that never was, and a refusal (no
        // quorum on this side now) says nothing of the earlier attempt (nemesis runs: a release
        // answered UNKNOWN_VM, one answered NO_QUORUM after 17 s, both of VMs it had released)
        p.future().complete(GridResult.refused(p.request(), GridResult.Status.FAILED,
            Reason.IN_DOUBT, r.reason() == Reason.UNKNOWN_VM ? "vmId: '" + p.request().vmId()
                + "' is not allocated now; an earlier attempt of this release, cut off by a"
                + " member's departure, may have released it" : "an earlier attempt of this"
                + " release, cut off by a member's departure, may have released it; this attempt: "
                + r.reason() + " (" + r.message() + ")"));
        continue;
      }
      if (p.cutOff().get() && p.request().op() == GridRequest.Op.ALLOCATE
          && !certainAfterCutOff(r)) {
        // an earlier attempt was cut off by a member's departure and may have placed the VM where
        // this attempt cannot see it (across a split: a nemesis run answered NO_QUORUM for VMs
        // placed by the first attempt); only a placement, or a refusal that holds whatever the
        // first attempt did, is certain
        p.future().complete(GridResult.refused(p.request(), GridResult.Status.FAILED,
            Reason.IN_DOUBT, "an earlier attempt of this allocation, cut off by a member's"
                + " departure, may have placed it; this attempt: " + r.reason() + " ("
                + r.message() + "); ask again with the same requestId to learn the outcome"));
        continue;
      }
      if (r.status() == GridResult.Status.PLACED && !r.memberId().isEmpty()) {
        try {
          affinity.put(traitKey(p.request()), UUID.fromString(r.memberId()));
        } catch (IllegalArgumentException ignored) {
          // not a member UUID: no hint
        }
      }
      p.future().complete(r);
    }
    if (!again.isEmpty()) {
      GridResult first = results.results().isEmpty() ? null : results.results().get(0);
      retryOrFail(again, member, new GridOperationException(Reason.UNAVAILABLE,
          first == null ? "no result" : first.message()));
    }
  }

  /**
   * Sends requests again elsewhere after a short delay when the failure leaves them possibly
   * undone (a member left, was not ready, timed out); fails them otherwise. A request past its
   * deadline is left to its timeout.
   */
  private void retryOrFail(List<Pending> batch, @Nullable UUID failed, Throwable error) {
    boolean retryable = retryable(error);
    for (Pending p : batch) {
      if (p.future().isDone()) {
        continue;
      }
      if (!retryable || closed) {
        p.future().completeExceptionally(error);
      } else if (nanoClock.getAsLong() < p.deadlineNanos()) {
        if (mayHaveRun(error)) {
          p.cutOff().set(true); // the attempt may have been carried out
        }
        CompletableFuture.delayedExecutor(RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS)
            .execute(() -> dispatch(p, failed));
      }
    }
  }

  /**
   * Whether {@code r}, the answer to a repeated allocation, holds whatever an earlier attempt did:
   * a placement (the grid answers a repeat from the first placement's record), an answer already
   * in doubt, or a refusal of the request itself.
   */
  static boolean certainAfterCutOff(GridResult r) {
    return r.status() == GridResult.Status.PLACED || r.reason() == Reason.IN_DOUBT
        || r.reason() == Reason.REQUEST_ID_REUSED || r.reason() == Reason.VM_ID_IN_USE
        || r.reason() == Reason.INVALID_INPUT;
  }

  /**
   * Whether a retryable {@code error} leaves the attempt possibly carried out: not when the member
   * answered {@code UNAVAILABLE} (nothing done).
   */
  static boolean mayHaveRun(Throwable error) {
    // only UNAVAILABLE proves nothing ran: TargetNotMemberException, for one, also ends an
    // invocation that Hazelcast retried after its first send reached the member (a long nemesis
    // run lost 8 acknowledged VMs whose cut-off release, retried, was answered UNKNOWN_VM when
    // this also excluded it and RejectedExecutionException)
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof GridOperationException g && g.reason() == Reason.UNAVAILABLE) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code error} leaves the request possibly not carried out, so a retry is right. */
  static boolean retryable(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof TargetDisconnectedException || t instanceof MemberLeftException
          || t instanceof TargetNotMemberException || t instanceof OperationTimeoutException
          || t instanceof RejectedExecutionException
          || (t instanceof GridOperationException g && g.reason() == Reason.UNAVAILABLE)) {
        return true;
      }
      if (t instanceof HazelcastInstanceNotActiveException) {
        return false; // this client is shutting down
      }
    }
    return false;
  }

  /** The lane for an allocation: the hinted member's unless it is clearly busier. */
  private Lane laneFor(GridRequest r, @Nullable UUID avoid) {
    Lane least = leastLoaded(avoid);
    UUID hinted = affinity.get(traitKey(r));
    if (hinted != null && !hinted.equals(avoid)) {
      Lane h = lanes.get(hinted);
      if (h != null && h.load() <= least.load() + AFFINITY_SLACK) {
        return h;
      }
    }
    return least;
  }

  /** The lane of a current member with the fewest requests on their way ({@code avoid} last). */
  private Lane leastLoaded(@Nullable UUID avoid) {
    List<Member> members = new ArrayList<>(hazelcast.getCluster().getMembers());
    if (members.isEmpty()) {
      throw new GridOperationException(Reason.UNAVAILABLE, "no member in the cluster");
    }
    int start = (int) Math.floorMod(rotation.getAndIncrement(), (long) members.size());
    Lane best = null;
    Lane avoided = null;
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get((start + i) % members.size());
      Lane lane = lanes.computeIfAbsent(m.getUuid(), k -> new Lane(m));
      if (m.getUuid().equals(avoid)) {
        avoided = lane;
      } else if (best == null || lane.load() < best.load()) {
        best = lane;
      }
    }
    return Objects.requireNonNull(best != null ? best : avoided);
  }

  /** A hash of every trait a rule may look at: requests with equal traits are of one type. */
  static long traitKey(GridRequest r) {
    long h = 0x9E3779B97F4A7C15L;
    for (Object part : new Object[] {r.tenantId(), r.cores(), r.memoryMb(), r.priority(),
        r.availabilitySet(), r.antiAffinityGroup(), r.clusterPin()}) {
      h = (h ^ part.hashCode()) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return h;
  }

  /** Requests on their way, per member address (for diagnostics). */
  Map<String, Integer> loads() {
    Map<String, Integer> out = new HashMap<>();
    lanes.values().forEach(l -> out.put(l.member.getAddress().toString(), l.load()));
    return out;
  }

  @Override
  public void close() {
    closed = true;
    try {
      hazelcast.getCluster().removeMembershipListener(membershipListener);
    } catch (RuntimeException ignored) {
      // the instance may already be shut down
    }
    GridOperationException error = new GridOperationException(Reason.CLOSED, "client closed");
    for (Lane lane : lanes.values()) {
      for (Pending p : lane.drainWaiting()) {
        p.future().completeExceptionally(error);
      }
    }
  }

  /** One member's allocations: waiting ones and the count of tasks outstanding. */
  private final class Lane {
    private final Member member;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int outstandingTasks;
    private volatile int load;

    Lane(Member member) {
      this.member = member;
    }

    int load() {
      return load;
    }

    synchronized void offer(Pending p) {
      waiting.add(p);
      load++;
    }

    /** Sends waiting allocations while the lane has room for another task. */
    void pump() {
      while (true) {
        List<Pending> batch;
        synchronized (this) {
          if (outstandingTasks >= TASKS_PER_MEMBER || waiting.isEmpty()) {
            return;
          }
          batch = new ArrayList<>(Math.min(MAX_BATCH, waiting.size()));
          while (batch.size() < MAX_BATCH && !waiting.isEmpty()) {
            batch.add(waiting.poll());
          }
          outstandingTasks++;
        }
        List<GridRequest> requests = new ArrayList<>(batch.size());
        batch.forEach(p -> requests.add(p.request()));
        try {
          intake.submitToMember(new GridTask(requests), member,
              callback(batch, member.getUuid(), this));
        } catch (RuntimeException e) {
          finished(batch.size());
          retryOrFail(batch, member.getUuid(), e);
        }
      }
    }

    private synchronized void finished(int requests) {
      outstandingTasks--;
      load -= requests;
    }

    synchronized List<Pending> drainWaiting() {
      List<Pending> out = new ArrayList<>(waiting);
      load -= waiting.size();
      waiting.clear();
      return out;
    }

    /** The member left: its waiting allocations go elsewhere. */
    void evacuate() {
      for (Pending p : drainWaiting()) {
        dispatch(p, member.getUuid());
      }
    }
  }
}
