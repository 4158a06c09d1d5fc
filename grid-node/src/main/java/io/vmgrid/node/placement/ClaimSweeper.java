package io.vmgrid.node.placement;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.query.Predicates;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.agent.AgentHost;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Resolves orphaned claims: a {@code PENDING} entry in {@code placements} that no request handler
 * holds any more. A claim is normally resolved by the handler that made it (confirmed {@code
 * PLACED}, or removed); it is orphaned when that handler could not finish: its member crashed
 * while the request's copy was answered elsewhere, its member lost the cluster while dropping it,
 * or a bug. An orphan would block its VM id forever.
 *
 * <p>The oldest member sweeps every {@link #PERIOD_MILLIS}. A claim is orphaned if it is unchanged
 * since the previous sweep and its owner (the member named in it) has left the cluster or says it
 * has no handler for that request in flight. An orphan is resolved by the servers' authoritative
 * state: if a server hosts the VM the claim is confirmed {@code PLACED} there (the capacity is in
 * use, so the record must say so), otherwise it is removed (compare-and-set, so a claim that changed
 * meanwhile is left alone). If the request is still waiting in {@code requests} it is handed to its
 * owner again, which answers from the resolved state.
 */
public final class ClaimSweeper implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ClaimSweeper.class.getName());
  /** Time between sweeps; an orphan is resolved between one and two periods after it appears. */
  public static final long PERIOD_MILLIS = 10_000;
  /** Orphans resolved per sweep, at most (each costs a scan of the servers). */
  static final int MAX_RESOLVED_PER_SWEEP = 64;

  private final HazelcastInstance hz;
  private final IMap<String, Placement> placements;
  private final IMap<String, ServerState> servers;
  private final IMap<String, GridRequest> requests;
  private final ScheduledExecutorService timer;
  private final AtomicLong resolved = new AtomicLong();
  /** Claims seen PENDING by the previous sweep (only the oldest member's matters). */
  private Map<String, Placement> previous = Map.of();

  /** Starts sweeping on {@code hz} (it acts only while its member is the oldest). */
  public ClaimSweeper(HazelcastInstance hz) {
    this.hz = hz;
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.servers = hz.getMap(MapNames.SERVERS);
    this.requests = hz.getMap(MapNames.REQUESTS);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vmgrid-claim-sweeper");
      t.setDaemon(true);
      return t;
    });
    var unused = timer.scheduleWithFixedDelay(this::sweepQuietly, PERIOD_MILLIS, PERIOD_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  /** Orphaned claims this member resolved so far. */
  public long resolved() {
    return resolved.get();
  }

  private void sweepQuietly() {
    try {
      if (hz.getLifecycleService().isRunning()
          && hz.getCluster().getMembers().iterator().next().localMember()) {
        sweep();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "claim sweep failed; it runs again", e);
    }
  }

  /**
   * One sweep (public for tests and operators; the timer calls it on the oldest member). Returns
   * the number of orphans resolved.
   */
  public synchronized int sweep() {
    Map<String, Placement> pending = new HashMap<>();
    for (Map.Entry<String, Placement> e
        : placements.entrySet(Predicates.equal("state", Placement.State.PENDING.name()))) {
      pending.put(e.getKey(), e.getValue());
    }
    List<Placement> stable = new ArrayList<>();
    for (Map.Entry<String, Placement> e : pending.entrySet()) {
      if (e.getValue().equals(previous.get(e.getKey()))) {
        stable.add(e.getValue());
      }
    }
    previous = pending;
    if (stable.isEmpty()) {
      return 0;
    }
    Map<String, Member> members = new HashMap<>();
    for (Member m : hz.getCluster().getMembers()) {
      members.put(m.getUuid().toString(), m);
    }
    Map<String, List<Placement>> byLiveOwner = new HashMap<>();
    List<Placement> orphans = new ArrayList<>();
    for (Placement p : stable) {
      String owner = RequestProcessor.memberOf(p.owner());
      if (members.containsKey(owner)) {
        byLiveOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(p);
      } else {
        orphans.add(p);
      }
    }
    IExecutorService executor = hz.getExecutorService(AgentHost.EXECUTOR);
    for (Map.Entry<String, List<Placement>> e : byLiveOwner.entrySet()) {
      List<String> ids = new ArrayList<>();
      e.getValue().forEach(p -> ids.add(p.requestId()));
      Set<String> busy;
      try {
        String answer = executor.submitToMember(new InFlightQuery(String.join("\n", ids)),
            members.get(e.getKey())).get(10, TimeUnit.SECONDS);
        busy = new HashSet<>(Arrays.asList(answer.split("\n", -1)));
      } catch (Exception ex) { // the owner is leaving or busy: ask again next sweep
        LOG.fine(() -> "could not ask " + e.getKey() + " about its claims: " + ex);
        continue;
      }
      for (Placement p : e.getValue()) {
        if (!busy.contains(p.requestId())) {
          orphans.add(p);
        }
      }
    }
    int done = 0;
    for (Placement p : orphans) {
      if (done >= MAX_RESOLVED_PER_SWEEP) {
        break;
      }
      if (resolve(p)) {
        done++;
      }
    }
    return done;
  }

  private boolean resolve(Placement claim) {
    String host = FindVmProcessor.hostOf(servers, claim.vmId());
    boolean changed;
    if (host != null) {
      // only the very claim seen orphaned: its handler may have confirmed it since the owner
      // answered (a CI run counted such a claim as resolved)
      changed = placements.replace(claim.vmId(), claim, claim.placedOn(host));
    } else {
      changed = placements.remove(claim.vmId(), claim);
    }
    if (!changed) {
      return false;
    }
    resolved.incrementAndGet();
    GridRequest waiting = requests.get(claim.requestId());
    if (waiting != null) {
      requests.set(claim.requestId(), waiting); // its owner handles it again, from the new state
    }
    LOG.warning(() -> "resolved the orphaned claim of " + claim.vmId() + " (request "
        + claim.requestId() + ", owner " + claim.owner() + "): "
        + (host == null ? "no server hosts it, claim dropped" : "confirmed on " + host)
        + (waiting == null ? "" : "; its request was handed back for an answer"));
    return true;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** Asks a member which of the given request ids it is handling right now. */
  static final class InFlightQuery
      implements Callable<String>, HazelcastInstanceAware {
    private final String requestIds;
    private @Nullable HazelcastInstance local;

    InFlightQuery(String requestIds) {
      this.requestIds = requestIds;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
      this.local = instance;
    }

    @Override
    public String call() {
      RequestProcessor processor = RequestProcessor.of(Objects.requireNonNull(local));
      List<String> busy = new ArrayList<>();
      for (String id : requestIds.split("\n", -1)) {
        if (processor == null || processor.isInFlight(id)) { // no processor yet: assume busy
          busy.add(id);
        }
      }
      return String.join("\n", busy);
    }

    static final class Serializer
        implements CompactSerializer<InFlightQuery> {
      @Override
      public InFlightQuery read(CompactReader in) {
        return new InFlightQuery(Objects.requireNonNullElse(in.readString("ids"), ""));
      }

      @Override
      public void write(CompactWriter out, InFlightQuery q) {
        out.writeString("ids", q.requestIds);
      }

      @Override
      public String getTypeName() {
        return "vmgrid.InFlightQuery";
      }

      @Override
      public Class<InFlightQuery> getCompactClass() {
        return InFlightQuery.class;
      }
    }
  }
}
