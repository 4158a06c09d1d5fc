package io.vmgrid.node.inventory;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.time.NodeClock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * This member's read-only copy of every server's state, fed by events of the {@code servers} map and
 * ordered by server id. It may lag the authoritative entries by a few milliseconds: that is safe,
 * because every placement is re-checked by {@link PlaceVmProcessor} against the current entry, and a
 * stale view only costs a conflict.
 *
 * <p>The walking skeleton keeps whole {@link ServerState} values; the rule engine's array-backed
 * mirror and change journal replace it.
 */
public final class ServerView implements AutoCloseable {
  private final IMap<String, ServerState> servers;
  private final NavigableMap<String, ServerState> byId = new ConcurrentSkipListMap<>();
  private final UUID listenerId;
  private final List<Consumer<Change>> followers = new CopyOnWriteArrayList<>();
  private final ForeignEntries foreign;
  private final NodeClock clock;
  private volatile @Nullable ServerAudit audit;

  /**
   * One change of a server as the view applied it.
   *
   * @param serverId the server
   * @param state its new state, or null if it was removed
   */
  public record Change(String serverId, @Nullable ServerState state) {}

  /**
   * Subscribes to {@code servers} and loads its current contents; entries that are not a server's
   * state under its id are skipped and counted in {@code foreign}.
   */
  public ServerView(IMap<String, ServerState> servers, ForeignEntries foreign, NodeClock clock) {
    this.servers = servers;
    this.clock = clock;
    this.foreign = foreign;
    @SuppressWarnings("unchecked")
    IMap<Object, Object> raw = (IMap<Object, Object>) (IMap<?, ?>) servers;
    this.listenerId = raw.addEntryListener(new Listener(), true);
    for (ServerState s : OwnValues.servers(servers, foreign)) {
      apply(s);
    }
  }

  /**
   * Calls {@code follower} with every change the view applies from now on (on event threads, in
   * order per server). Followers must be quick and must not block.
   */
  public void follow(Consumer<Change> follower) {
    followers.add(follower);
  }

  /**
   * Records {@code state} unless the view already holds this revision of that server or a newer
   * one, and tells the followers.
   */
  public void apply(ServerState state) {
    // compare-and-set rather than merge with a capturing lambda: this runs for every server event
    // on every member, and the audit needs the state it replaced without an allocation per event
    String id = state.serverId();
    while (true) {
      ServerState old = byId.get(id);
      if (old == null) {
        if (byId.putIfAbsent(id, state) == null) {
          break;
        }
      } else if (state.revision() <= old.revision()) {
        return;
      } else if (byId.replace(id, old, state)) { // identity first: no equals on the hot path
        notifyFollowers(new Change(id, state));
        audit(old, state);
        return;
      }
    }
    notifyFollowers(new Change(id, state));
    audit(null, state);
  }

  /** The latest state of {@code serverId} the view holds, or null if none. */
  @Nullable ServerState get(String serverId) {
    return byId.get(serverId);
  }

  /** Hands every change from now on, with the state before it, to {@code audit}. */
  public void audit(ServerAudit audit) {
    this.audit = audit;
  }

  private void audit(@Nullable ServerState before, @Nullable ServerState after) {
    ServerAudit a = audit;
    if (a != null) {
      a.changed(before, after);
    }
  }

  /**
   * Records {@code state} like {@link #apply} but tells no follower (the caller applies it to them
   * itself); returns whether it was newer than what the view held.
   */
  boolean take(ServerState state) {
    ServerState now =
        byId.merge(state.serverId(), state, (old, next) -> next.revision() > old.revision() ? next : old);
    @SuppressWarnings("ReferenceEquality") // identity: did merge keep the value we passed in?
    boolean taken = now == state;
    return taken;
  }

  private void notifyFollowers(Change change) {
    for (Consumer<Change> f : followers) {
      f.accept(change);
    }
  }

  /** Healthy servers whose last known free capacity fits the demand, in server-id order. */
  public List<ServerState> firstFit(long cores, long memoryMb, int limit) {
    List<ServerState> out = new ArrayList<>();
    for (ServerState s : byId.values()) {
      if (s.acceptsPlacements() && s.fits(cores, memoryMb)) {
        out.add(s);
        if (out.size() >= limit) {
          break;
        }
      }
    }
    return out;
  }

  /**
   * Waits until the view knows every server in {@code serverIds} or {@code timeoutMillis} passes;
   * returns whether it caught up.
   */
  public boolean awaitKnown(Collection<String> serverIds, long timeoutMillis) {
    long deadline = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (String id : serverIds) {
      while (!byId.containsKey(id)) {
        if (clock.nanoTime() > deadline) {
          return false;
        }
        try {
          clock.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /** Visits every server known, in id order. */
  public void forEach(Consumer<ServerState> visitor) {
    byId.values().forEach(visitor);
  }

  /** Number of servers known. */
  public int size() {
    return byId.size();
  }

  @Override
  public void close() {
    servers.removeEntryListener(listenerId);
  }

  /**
   * Follows the map with raw keys and values: an entry that is not a server's state under its id
   * (a foreign client's value) is ignored, never thrown on.
   */
  private final class Listener
      implements EntryAddedListener<Object, Object>,
          EntryUpdatedListener<Object, Object>,
          EntryMergedListener<Object, Object>,
          EntryRemovedListener<Object, Object>,
          MapClearedListener {
    @Override
    public void entryAdded(EntryEvent<Object, Object> event) {
      if (own(event.getKey(), event.getValue()) instanceof ServerState s) {
        apply(s);
      }
    }

    @Override
    public void entryUpdated(EntryEvent<Object, Object> event) {
      if (own(event.getKey(), event.getValue()) instanceof ServerState s) {
        apply(s);
      }
    }

    @Override
    public void entryMerged(EntryEvent<Object, Object> event) {
      if (own(event.getKey(), event.getMergingValue()) instanceof ServerState merged) {
        byId.put(merged.serverId(), merged);
        notifyFollowers(new Change(merged.serverId(), merged));
      }
    }

    @Override
    public void entryRemoved(EntryEvent<Object, Object> event) {
      // a removed entry's old value may have been foreign, so only the key is checked (not counted)
      if (event.getKey() instanceof String id) {
        ServerState gone = byId.remove(id);
        if (gone != null) {
          notifyFollowers(new Change(id, null));
          audit(gone, null);
        }
      }
    }

    @Override
    public void mapCleared(MapEvent event) {
      for (String id : List.copyOf(byId.keySet())) {
        ServerState gone = byId.remove(id);
        if (gone != null) {
          notifyFollowers(new Change(id, null));
          audit(gone, null);
        }
      }
    }

    private @Nullable Object own(Object key, @Nullable Object value) {
      return foreign.value(servers.getName(), key, value, ServerState.class, ServerState::serverId);
    }
  }
}
