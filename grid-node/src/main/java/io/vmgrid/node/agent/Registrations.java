package io.vmgrid.node.agent;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.node.time.NodeClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The agents' registrations in {@code agent-indicators} (which agent runs on which member), as
 * this member sees them: read in full at start, kept current by an entry listener (foreign entries
 * skipped and counted), this member's own agents registered and deregistered, and stale ones
 * removed. An agent whose partition moved keeps its registration, so that the new owner knows it
 * has cache records there and starts it first.
 */
final class Registrations {
  private static final Logger LOG = Logger.getLogger(AgentHost.class.getName());

  private final HazelcastInstance hz;
  private final IMap<String, AgentInfo> map;
  private final ForeignEntries foreign;
  private final String memberUuid;
  /** Every registration this member knows of, by agent id. */
  private final NavigableMap<String, AgentInfo> known = new ConcurrentSkipListMap<>();
  /** This member's own registrations. */
  private final Map<String, AgentInfo> mine = new ConcurrentHashMap<>();
  private final UUID listenerId;

  Registrations(HazelcastInstance hz) {
    this.hz = hz;
    this.map = hz.getMap(AgentHost.AGENT_INDICATORS);
    this.foreign = ForeignEntries.of(hz);
    this.memberUuid = hz.getCluster().getLocalMember().getUuid().toString();
    this.listenerId = raw(map).addEntryListener(new Listener(), true);
    for (Map.Entry<Object, Object> e : raw(map).entrySet()) {
      AgentInfo info = foreign.value(AgentHost.AGENT_INDICATORS, e.getKey(), e.getValue(),
          AgentInfo.class);
      if (info != null) {
        known.put((String) e.getKey(), info);
      }
    }
  }

  /** This member's UUID, as registrations name it. */
  String memberUuid() {
    return memberUuid;
  }

  /** Registers agent {@code id} as running here; no grid wait (the host calls it under a lock). */
  void register(String id) {
    AgentInfo info = new AgentInfo(id, memberUuid, NodeClock.of(hz).millis());
    mine.put(id, info);
    var unused = map.setAsync(id, info);
  }

  /**
   * Forgets agent {@code id} as running here, and removes its registration unless its partition
   * {@code moved} (then the new owner reads it, or removes it).
   */
  void deregister(String id, boolean moved) {
    AgentInfo info = mine.remove(id);
    try {
      if (info != null && !moved) {
        map.remove(id, info); // only if the new owner has not registered it already
      }
    } catch (RuntimeException e) {
      LOG.fine(() -> "could not deregister agent " + id + ": " + e);
    }
  }

  /** Registered on another member: it ran there, and its partition (with its records) is here. */
  boolean movedHere(String agentId) {
    AgentInfo info = known.get(agentId);
    return info != null && !info.memberUuid().equals(memberUuid);
  }

  /** Registered agents per member UUID. */
  Map<String, List<String>> byMember() {
    Map<String, List<String>> out = new HashMap<>();
    known.forEach((id, info) -> out.computeIfAbsent(info.memberUuid(), k -> new ArrayList<>())
        .add(id));
    return out;
  }

  /**
   * Removes registrations of agents whose partition this member owns but that do not {@code
   * runHere}: their member left, or their partition moved here and this member started others (an
   * agent runs only on its partition's owner). Conditional, so a newer registration stays.
   */
  void removeStale(Predicate<String> runsHere) {
    for (Map.Entry<String, AgentInfo> e : known.entrySet()) {
      String id = e.getKey();
      Member owner = hz.getPartitionService().getPartition(id).getOwner();
      if (owner != null && owner.localMember() && !runsHere.test(id)) {
        try {
          map.remove(id, e.getValue());
        } catch (RuntimeException ex) {
          LOG.fine(() -> "could not remove the stale registration of " + id + ": " + ex);
        }
      }
    }
  }

  /** Stops listening. */
  void close() {
    map.removeEntryListener(listenerId);
  }

  @SuppressWarnings("unchecked")
  private static IMap<Object, Object> raw(IMap<?, ?> map) {
    return (IMap<Object, Object>) map;
  }

  private final class Listener
      implements EntryAddedListener<Object, Object>, EntryUpdatedListener<Object, Object>,
          EntryRemovedListener<Object, Object> {
    @Override
    public void entryAdded(EntryEvent<Object, Object> event) {
      take(event);
    }

    @Override
    public void entryUpdated(EntryEvent<Object, Object> event) {
      take(event);
    }

    @Override
    public void entryRemoved(EntryEvent<Object, Object> event) {
      if (event.getKey() instanceof String id) {
        known.remove(id);
      }
    }

    private void take(EntryEvent<Object, Object> event) {
      AgentInfo info = foreign.value(AgentHost.AGENT_INDICATORS, event.getKey(), event.getValue(),
          AgentInfo.class);
      if (info != null) {
        known.put((String) event.getKey(), info);
      }
    }
  }
}
