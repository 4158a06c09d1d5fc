package io.vmgrid.node.commit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Commits what agents decided: the VMs of a group in one {@link PlaceVmProcessor} call per server,
 * then their records in one {@link RecordPlacementProcessor} call per VM. The calls of a group are
 * sent together ({@code submitToKey}) and awaited together, so a group of k requests costs about
 * one round trip, not k. Each call completes only after the primary and its synchronous backups
 * have applied it, which is what makes an acknowledged placement survive its primary's crash; one
 * whose backups do not confirm in time fails with {@code IndeterminateOperationStateException}
 * (members run with {@code hazelcast.invocation.fail.on.indeterminate.operation.state}, see
 * {@code GridNode.applyGridConfig}) instead of completing with the primary's answer alone.
 *
 * <p>Not {@code executeOnKeys}: Hazelcast runs it as one partition-iterating operation per member
 * whose response does not wait for the inner operations' synchronous backups (its javadoc says so:
 * "will not wait for their completion"). An agent that acknowledged a placement on that answer
 * could lose it when the server's primary died a moment later; {@code AgentClusterTest}'s member
 * crash under load found exactly that. Quorum loss surfaces as Hazelcast's
 * {@code SplitBrainProtectionException} in an attempt's error.
 */
public final class Committer {

  private static final Logger LOG = Logger.getLogger(Committer.class.getName());

  private final HazelcastInstance hz;
  private final NodeClock clock;
  /**
   * Longest the commits or records of one group whose backups did not confirm in time are tried
   * again before they are answered in doubt ({@link Timing#CONFIRM_WAIT}).
   */
  private final long confirmWaitNanos;
  private final IMap<String, ServerState> servers;
  private final IMap<String, Placement> placements;
  private final Consumer<ServerState> ownWrites;

  /**
   * A committer over {@code hz}'s placement store; {@code ownWrites} receives every server state
   * its commits produced, and the current state of a server that refused one (to apply them to
   * this member's view at once).
   */
  public Committer(HazelcastInstance hz, Consumer<ServerState> ownWrites) {
    this.hz = hz;
    this.clock = NodeClock.of(hz);
    this.confirmWaitNanos = NodeTimings.of(hz).nanos(Timing.CONFIRM_WAIT);
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.ownWrites = ownWrites;
  }

  /**
   * One VM to place on one server.
   *
   * @param serverId the server
   * @param vm the VM
   * @param victims ids of the lower-priority VMs on the server to evict in the same step (a
   *     preemption); empty otherwise
   */
  public record Planned(String serverId, HostedVm vm, List<String> victims) {
    /** Copies the victims. */
    public Planned {
      victims = List.copyOf(victims);
    }

    /** A placement that evicts nothing. */
    public Planned(String serverId, HostedVm vm) {
      this(serverId, vm, List.of());
    }
  }

  /**
   * What one call did for one item: its result, or the error of the call that carried it (then it
   * may or may not have taken effect).
   *
   * @param <R> the result type
   * @param result the result when the call returned
   * @param error the call's error when it did not
   */
  public record Attempt<R>(@Nullable R result, @Nullable RuntimeException error) {
    /** The result; only when {@link #error} is null. */
    public R value() {
      if (result == null) {
        throw new IllegalStateException("no result", error);
      }
      return result;
    }
  }

  /** Places the planned VMs; one attempt per planned VM, in the order given. */
  public List<Attempt<CommitResult>> place(List<Planned> planned) {
    Map<String, List<HostedVm>> byServer = new LinkedHashMap<>();
    Map<String, List<String>> victims = new HashMap<>();
    for (Planned p : planned) {
      byServer.computeIfAbsent(p.serverId(), k -> new ArrayList<>()).add(p.vm());
      if (!p.victims().isEmpty()) {
        victims.put(p.vm().vmId(), p.victims());
      }
    }
    Map<String, Supplier<CompletableFuture<CommitResults>>> calls = new LinkedHashMap<>();
    byServer.forEach((server, vms) -> calls.put(server, () -> servers.submitToKey(server,
        new PlaceVmProcessor(Map.of(server, vms), victims)).toCompletableFuture()));
    Map<String, Attempt<CommitResults>> done = await(calls);
    for (Attempt<CommitResults> a : done.values()) {
      ServerState state = a.result() == null ? null : a.result().state();
      if (state != null) {
        ownWrites.accept(state);
      }
    }
    Map<String, ServerState> confirmed = new HashMap<>();
    long deadline = clock.nanoTime() + confirmWaitNanos;
    done.forEach((server, a) -> {
      if (a.error() != null && Rerun.backupsMissed(a.error())) {
        List<HostedVm> mine = java.util.Objects.requireNonNull(byServer.get(server));
        ServerState s = confirmed(servers, server, deadline, state -> mine.stream().anyMatch(vm -> {
          HostedVm here = state.find(vm.vmId());
          return here != null && PlaceVmProcessor.sameRequest(here, vm);
        }));
        if (s != null) {
          confirmed.put(server, s);
          ownWrites.accept(s);
        }
        LOG.info(() -> "the commit to " + server + " ran but its backups were late; "
            + (s == null ? "not confirmed" : "read back and confirmed on every replica"));
      }
    });
    Map<String, Integer> next = new HashMap<>();
    List<Attempt<CommitResult>> out = new ArrayList<>(planned.size());
    for (Planned p : planned) {
      int i = next.merge(p.serverId(), 1, Integer::sum) - 1;
      Attempt<CommitResults> a = java.util.Objects.requireNonNull(done.get(p.serverId()));
      if (a.error() != null) {
        ServerState s = confirmed.get(p.serverId());
        HostedVm here = s == null ? null : s.find(p.vm().vmId());
        if (s != null && here != null && PlaceVmProcessor.sameRequest(here, p.vm())) {
          out.add(new Attempt<>(new CommitResult(CommitResult.Status.PLACED, "confirmed on every"
              + " replica after its backups were late", s.revision()), null));
        } else {
          out.add(new Attempt<>(null, a.error()));
        }
        continue;
      }
      CommitResults r = a.value();
      out.add(new Attempt<>(i >= r.results().size()
          ? new CommitResult(CommitResult.Status.UNKNOWN_SERVER, "no server " + p.serverId(), 0)
          : r.results().get(i), null));
    }
    return out;
  }

  /**
   * Records the placements (first record of a VM id wins); one attempt per record, in order. Two
   * records of one VM id (two copies of a request in one group) go one after the other, so the
   * second learns the first.
   */
  public List<Attempt<RecordResult>> record(List<Placement> records) {
    List<Attempt<RecordResult>> out = new ArrayList<>(Collections.nCopies(records.size(), null));
    List<Integer> left = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      left.add(i);
    }
    while (!left.isEmpty()) {
      Map<String, Integer> round = new LinkedHashMap<>();
      List<Integer> later = new ArrayList<>();
      for (int i : left) {
        if (round.putIfAbsent(records.get(i).vmId(), i) != null) {
          later.add(i);
        }
      }
      Map<String, Supplier<CompletableFuture<RecordResult>>> calls = new LinkedHashMap<>();
      round.forEach((vm, i) -> calls.put(vm, () -> placements.submitToKey(vm,
          new RecordPlacementProcessor(List.of(records.get(i)))).toCompletableFuture()));
      long deadline = clock.nanoTime() + confirmWaitNanos;
      await(calls).forEach((vm, a) -> {
        int i = java.util.Objects.requireNonNull(round.get(vm));
        out.set(i, a.error() != null && Rerun.backupsMissed(a.error())
            ? confirmRecord(records.get(i), a, deadline) : a);
      });
      left = later;
    }
    return out;
  }

  /** Removes {@code vmId} from {@code serverId} (a commit that lost its record). */
  public CommitResult release(String serverId, String vmId) {
    return Rerun.ifPrimaryLeft(() -> servers.executeOnKey(serverId, new ReleaseVmProcessor(vmId)));
  }

  /** The record written, if it stands ({@link #confirmed}); else the failed attempt. */
  private Attempt<RecordResult> confirmRecord(Placement mine, Attempt<RecordResult> failed,
      long deadline) {
    Placement there = confirmed(placements, mine.vmId(), deadline, p ->
        p.requestId().equals(mine.requestId()) && p.serverId().equals(mine.serverId()));
    return there != null
        ? new Attempt<>(new RecordResult(RecordResult.Status.SAME_REQUEST, there), null) : failed;
  }

  /**
   * Settles a write that ran on its primary but whose backups did not confirm in time: reads
   * {@code key}'s value and, if it holds the write ({@code ours}), writes it again as it is
   * ({@code replace(key, v, v)} sends the value itself to the backups) until that write confirms,
   * or {@code deadlineNanos} passes, or this side lacks the quorum. Returns the value once every
   * replica holds it; null if it does not hold the write, or could not be confirmed. What the
   * primary held may have been its copy alone (its backups cut off by a split, or on a member that
   * crashed); once the second write confirmed, every current replica holds it. Tried every 200 ms:
   * a crashed backup's member is dropped after the heartbeat timeout, and the write confirms then.
   */
  private <V> @Nullable V confirmed(IMap<String, V> map, String key, long deadlineNanos,
      java.util.function.Predicate<V> ours) {
    while (Quorum.present(hz)) {
      try {
        V value = map.get(key);
        if (value == null || !ours.test(value)) {
          return null;
        }
        if (map.replace(key, value, value)) {
          return value;
        }
      } catch (RuntimeException e) {
        // late again: tried once more below, until the deadline
      }
      if (clock.nanoTime() >= deadlineNanos) {
        return null;
      }
      try {
        clock.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  /**
   * Sends every call and waits for them all; each key's result or error. A call that failed because
   * its primary left after running it is sent again ({@link Rerun}): the processors are idempotent.
   */
  private static <R> Map<String, Attempt<R>> await(
      Map<String, Supplier<CompletableFuture<R>>> calls) {
    Map<String, Attempt<R>> out = new LinkedHashMap<>();
    Map<String, Supplier<CompletableFuture<R>>> left = calls;
    for (int attempt = 1; !left.isEmpty(); attempt++) {
      Map<String, CompletableFuture<R>> sent = new LinkedHashMap<>();
      left.forEach((key, call) -> sent.put(key, call.get()));
      Map<String, Supplier<CompletableFuture<R>>> again = new LinkedHashMap<>();
      for (Map.Entry<String, Attempt<R>> e : awaitAll(sent).entrySet()) {
        RuntimeException error = e.getValue().error();
        if (error != null && attempt < Rerun.ATTEMPTS && Rerun.primaryLeft(error)) {
          again.put(e.getKey(), left.get(e.getKey()));
        } else {
          out.put(e.getKey(), e.getValue());
        }
      }
      left = again;
    }
    Map<String, Attempt<R>> ordered = new LinkedHashMap<>();
    calls.keySet().forEach(key -> ordered.put(key, out.get(key)));
    return ordered;
  }

  private static <R> Map<String, Attempt<R>> awaitAll(Map<String, CompletableFuture<R>> calls) {
    Map<String, Attempt<R>> out = new LinkedHashMap<>();
    boolean interrupted = false;
    for (Map.Entry<String, CompletableFuture<R>> e : calls.entrySet()) {
      while (true) {
        try {
          out.put(e.getKey(), new Attempt<>(e.getValue().get(), null));
          break;
        } catch (InterruptedException ie) {
          interrupted = true; // the calls are under way: their outcome is still what counts
        } catch (ExecutionException | CompletionException ex) {
          out.put(e.getKey(), new Attempt<>(null, unwrap(ex)));
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  private static RuntimeException unwrap(Exception ex) {
    Throwable cause = ex.getCause() == null ? ex : ex.getCause();
    return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
  }
}
