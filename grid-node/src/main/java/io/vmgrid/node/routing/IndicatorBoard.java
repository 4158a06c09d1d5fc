package io.vmgrid.node.routing;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
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
 * agents' live (no copy), and other members' as they published them on the {@code agent-load}
 * topic.
 *
 * <p>Each member publishes all its agents in one message, at most every {@code periodMillis} and
 * only when something changed, and once more when a member joins or is heard from for the first
 * time (a newcomer publishes at once; the others answer with theirs, so it learns them without
 * waiting for a change). Every member keeps a local view fed by the
 * messages, so routing reads no remote state (measured before: a near cache invalidated on every
 * change made routing read remotely, 1.4 ms a decision for 12 agents). A topic message is sent as
 * an event, with no invocation: publishing the same value in a map entry cost one invocation per
 * publication, up to 20 a second per member under load (about 0.3 of the 3.9 invocations per
 * allocation {@code bench e2e} counted at 200/s on three members). The indicators are ephemeral:
 * a message lost with a member that left changes nothing, since the view drops a departed
 * member's agents.
 */
public final class IndicatorBoard implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(IndicatorBoard.class.getName());
  /** Topic of the published indicators, one {@link MemberLoad} per message. */
  public static final String TOPIC = "agent-load";

  private final HazelcastInstance hz;
  private final AgentHost agents;
  private final NodeMetrics metrics;
  private final String memberUuid;
  private final ITopic<Object> topic;
  private final Map<String, MemberLoad> others = new ConcurrentHashMap<>();
  private final UUID listenerId;
  private final ForeignEntries foreign;
  private final UUID membershipListenerId;
  private final ScheduledExecutorService publisher;
  private volatile long publishedVersion = Long.MIN_VALUE;

  /** Starts publishing this member's indicators every {@code periodMillis} when they changed. */
  public IndicatorBoard(HazelcastInstance hz, AgentHost agents, NodeMetrics metrics,
      long periodMillis) {
    this.hz = hz;
    this.agents = agents;
    this.metrics = metrics;
    this.memberUuid = hz.getCluster().getLocalMember().getUuid().toString();
    this.topic = hz.getTopic(TOPIC);
    this.foreign = ForeignEntries.of(hz);
    this.listenerId = topic.addMessageListener(this::received);
    this.membershipListenerId = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        publishedVersion = Long.MIN_VALUE; // the newcomer knows nothing yet: publish again
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        others.remove(event.getMember().getUuid().toString());
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
        topic.publish(
            new MemberLoad(memberUuid, AgentLoad.nowNanos(), agents.indicatorSnapshots()));
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "publishing agent indicators failed; retrying", e);
    }
  }

  private void received(Message<Object> message) {
    Object value = message.getMessageObject();
    if (value instanceof MemberLoad m && !m.member().equals(memberUuid)) {
      metrics.indicatorDelay(AgentLoad.nowNanos() - m.publishedAtNanos());
    }
    remember(value);
  }

  /**
   * Takes {@code value} into the view if it is another live member's indicators; counts it if it
   * is not vmgrid's at all.
   */
  private void remember(@Nullable Object value) {
    MemberLoad m = foreign.value(TOPIC, "message", value, MemberLoad.class);
    if (m == null || m.member().equals(memberUuid)) {
      return;
    }
    for (Member live : hz.getCluster().getMembers()) {
      if (live.getUuid().toString().equals(m.member())) {
        boolean known = others.containsKey(m.member());
        others.merge(m.member(), m,
            (a, b) -> b.publishedAtNanos() >= a.publishedAtNanos() ? b : a);
        if (!known) {
          // a member heard from for the first time (it started, or a split healed) may not know
          // this member's indicators, and a quiet member publishes only on change: publish again
          publishedVersion = Long.MIN_VALUE;
        }
        return;
      }
    }
  }

  @Override
  public void close() {
    publisher.shutdownNow();
    try {
      topic.removeMessageListener(listenerId);
      hz.getCluster().removeMembershipListener(membershipListenerId);
    } catch (RuntimeException ignored) {
      // the member may already be stopped
    }
  }
}
