package io.vmgrid.node.routing;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.metrics.NodeMetrics;
import io.vmgrid.scheduler.jet.AgentLoad;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The agents' Kamino indicators across the cluster, as this member's router reads them: its own
 * agents' live (no copy), and other members' as they published them in the {@code agent-load} map.
 *
 * <p>Each member publishes all its agents in one entry, at most every {@code periodMillis} and only
 * when something changed. Every member keeps a local view fed by the map's entry events, which
 * carry the value, so routing reads no remote state (measured before: a near cache invalidated on
 * every change made routing read remotely, 1.4 ms a decision for 12 agents). An entry of a member
 * that left is removed by the members that see it leave.
 */
public final class IndicatorBoard implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(IndicatorBoard.class.getName());
  /** Map of the published indicators, one entry per member. */
  public static final String MAP = AgentLoad.MAP;

  private final HazelcastInstance hz;
  private final AgentHost agents;
  private final NodeMetrics metrics;
  private final String memberUuid;
  private final IMap<String, MemberLoad> loads;
  private final Map<String, MemberLoad> others = new ConcurrentHashMap<>();
  private final UUID listenerId;
  private final ForeignEntries foreign;
  private final UUID membershipListenerId;
  private final ScheduledExecutorService publisher;
  private long publishedVersion = Long.MIN_VALUE;

  /** Starts publishing this member's indicators every {@code periodMillis} when they changed. */
  public IndicatorBoard(HazelcastInstance hz, AgentHost agents, NodeMetrics metrics,
      long periodMillis) {
    this.hz = hz;
    this.agents = agents;
    this.metrics = metrics;
    this.memberUuid = hz.getCluster().getLocalMember().getUuid().toString();
    this.loads = hz.getMap(MAP);
    this.foreign = ForeignEntries.of(hz);
    IMap<Object, Object> raw = hz.getMap(MAP);
    this.listenerId = raw.addEntryListener(new Listener(), true);
    for (Map.Entry<Object, Object> e : raw.entrySet()) {
      remember(e.getKey(), e.getValue());
    }
    this.membershipListenerId = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        String gone = event.getMember().getUuid().toString();
        others.remove(gone);
        try {
          loads.deleteAsync(gone);
        } catch (RuntimeException e) {
          LOG.fine(() -> "could not remove the indicators of departed member " + gone + ": " + e);
        }
      }
    });
    this.publisher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vmgrid-indicators");
      t.setDaemon(true);
      return t;
    });
    var unused = publisher.scheduleWithFixedDelay(this::publishQuietly, 0, periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Other members' published agent indicators (live members only, this member's excluded). */
  public List<AgentLoad> remote() {
    List<AgentLoad> out = new ArrayList<>();
    for (MemberLoad m : others.values()) {
      out.addAll(m.agents());
    }
    return out;
  }

  /** Whether {@code member} (a UUID) is a member this board has indicators of. */
  boolean knows(String member) {
    return others.containsKey(member);
  }

  private void publishQuietly() {
    try {
      long v = agents.indicatorsVersion();
      if (v != publishedVersion && hz.getLifecycleService().isRunning()) {
        publishedVersion = v;
        var unused = loads.setAsync(memberUuid,
            new MemberLoad(memberUuid, AgentLoad.nowNanos(), agents.indicatorSnapshots()));
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "publishing agent indicators failed; retrying", e);
    }
  }

  /**
   * Takes {@code value} into the view if it is another live member's indicators; counts it if it
   * is not vmgrid's at all.
   */
  private void remember(Object key, @Nullable Object value) {
    MemberLoad m = foreign.value(MAP, key, value, MemberLoad.class);
    if (m == null || m.member().equals(memberUuid)) {
      return;
    }
    for (Member live : hz.getCluster().getMembers()) {
      if (live.getUuid().toString().equals(m.member())) {
        others.merge(m.member(), m,
            (a, b) -> b.publishedAtNanos() >= a.publishedAtNanos() ? b : a);
        return;
      }
    }
  }

  @Override
  public void close() {
    publisher.shutdownNow();
    try {
      loads.removeEntryListener(listenerId);
      hz.getCluster().removeMembershipListener(membershipListenerId);
      loads.delete(memberUuid);
    } catch (RuntimeException ignored) {
      // the member may already be stopped
    }
  }

  /**
   * Keeps the view current: events carry the new indicators, so nothing is read back. Values are
   * read raw: anything but a {@link MemberLoad} is ignored.
   */
  private final class Listener implements EntryAddedListener<Object, Object>,
      EntryUpdatedListener<Object, Object>, EntryRemovedListener<Object, Object> {
    @Override
    public void entryAdded(EntryEvent<Object, Object> e) {
      remember(e.getKey(), e.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<Object, Object> e) {
      if (e.getValue() instanceof MemberLoad m) {
        metrics.indicatorDelay(AgentLoad.nowNanos() - m.publishedAtNanos());
      }
      remember(e.getKey(), e.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<Object, Object> e) {
      if (e.getKey() instanceof String member) {
        others.remove(member);
      }
    }
  }
}
