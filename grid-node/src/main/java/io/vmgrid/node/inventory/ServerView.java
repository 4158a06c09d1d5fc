package io.vmgrid.node.inventory;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;
import com.hazelcast.query.Predicate;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.MapNames;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * This member's read-only copy of every server's state, fed by events of the {@code servers} map and
 * ordered by server id. It may lag the authoritative entries by a few milliseconds: that is safe,
 * because every placement is re-checked by {@link PlaceVmProcessor} against the current entry, and a
 * stale view only costs a conflict.
 *
 * <p>Two ways in. The map's events bring every addition, removal, merge and update, except the
 * updates of commits announced by the member that made them: that member sends the new states on
 * the {@value Announcement#TOPIC} topic (see {@link #announce}), without the old values an update
 * event carries. An announcement lost with its member's departure is made good by re-reading the
 * map when a member leaves ({@link #refresh}).
 */
public final class ServerView implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ServerView.class.getName());
  /** Reads of the map after a member left, a second apart, before the view gives up. */
  private static final int REFRESH_ATTEMPTS = 3;

  private final HazelcastInstance hz;
  private final IMap<String, ServerState> servers;
  private final ITopic<Object> announcements;
  private final NavigableMap<String, ServerState> byId = new ConcurrentSkipListMap<>();
  private final List<UUID> listenerIds = new ArrayList<>();
  private final UUID topicListenerId;
  private final UUID membershipListenerId;
  private final ExecutorService refresher;
  private final AtomicBoolean refreshDue = new AtomicBoolean();
  private final AtomicLong updateEvents = new AtomicLong();
  private final AtomicLong announcedStates = new AtomicLong();
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
   * Subscribes to {@code hz}'s {@code servers} map and to the announcements, and loads the map's
   * current contents; entries that are not a server's state under its id are skipped and counted
   * in {@code foreign}. {@code updateFilter}, if not null, filters the map's update events on the
   * members that send them (the node passes one that leaves out announced commits); null: every
   * update comes as an event.
   */
  public ServerView(HazelcastInstance hz, @Nullable Predicate<Object, Object> updateFilter,
      ForeignEntries foreign, NodeClock clock) {
    this.hz = hz;
    this.servers = hz.getMap(MapNames.SERVERS);
    this.announcements = hz.getTopic(Announcement.TOPIC);
    this.clock = clock;
    this.foreign = foreign;
    @SuppressWarnings("unchecked")
    IMap<Object, Object> raw = (IMap<Object, Object>) (IMap<?, ?>) servers;
    if (updateFilter == null) {
      listenerIds.add(raw.addEntryListener(new AllChanges(), true));
    } else {
      listenerIds.add(raw.addEntryListener(new OtherChanges(), true));
      listenerIds.add(raw.addEntryListener(new Updates(), updateFilter, true));
    }
    this.topicListenerId = announcements.addMessageListener(this::announced);
    this.refresher = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vmgrid-view-refresh");
      t.setDaemon(true);
      return t;
    });
    this.membershipListenerId = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        // nothing: a new member has announced nothing, and after a split the merge's events
        // bring what differs (the split itself removed members, which refreshed the view)
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        scheduleRefresh(); // it may have committed without announcing
      }
    });
    for (ServerState s : OwnValues.servers(servers, foreign)) {
      apply(s);
    }
  }

  /**
   * Sends {@code states}, written by this member's commits, to the other members' views (this
   * member's own view has them already). Fire and forget, like the map's events it replaces.
   */
  public void announce(List<ServerState> states) {
    if (!states.isEmpty()) {
      announcements.publish(new Announcement(states));
    }
  }

  /** Update events of the map this view received (announced commits send none). */
  public long updateEvents() {
    return updateEvents.get();
  }

  /** Server states this view received in other members' announcements. */
  public long announcedStates() {
    return announcedStates.get();
  }

  private void announced(Message<Object> message) {
    if (message.getPublishingMember() != null && message.getPublishingMember().localMember()) {
      return; // this member's commits are in the view already: not even deserialized
    }
    Object body;
    try {
      body = message.getMessageObject();
    } catch (RuntimeException e) {
      foreign.skip(Announcement.TOPIC, "?", "(not deserializable: " + e.getClass().getSimpleName()
          + ")");
      return;
    }
    if (!(body instanceof Announcement a)) {
      foreign.skip(Announcement.TOPIC, "?", body == null ? "null" : body.getClass().getName());
      return;
    }
    for (ServerState s : a.states()) {
      announcedStates.incrementAndGet();
      apply(s);
    }
  }

  /**
   * Re-reads the map and takes every state newer than the view's of a server it knows (a server
   * it does not know arrives by its addition event; one removed meanwhile must not come back).
   * Returns the number of servers whose state was behind.
   */
  public int refresh() {
    int behind = 0;
    for (ServerState s : OwnValues.servers(servers, foreign)) {
      ServerState known = byId.get(s.serverId());
      if (known != null && s.revision() > known.revision()) {
        apply(s);
        behind++;
      }
    }
    return behind;
  }

  private void scheduleRefresh() {
    if (!refreshDue.compareAndSet(false, true)) {
      return;
    }
    try {
      refresher.execute(() -> {
        refreshDue.set(false);
        // partitions may be moving to the members that took over: a read can fail meanwhile
        for (int attempt = 1; attempt <= REFRESH_ATTEMPTS; attempt++) {
          try {
            int behind = refresh();
            if (behind > 0) {
              LOG.info(() -> "view: " + behind + " servers were behind after a member left;"
                  + " caught up");
            }
            return;
          } catch (RuntimeException e) {
            int n = attempt;
            LOG.log(n < REFRESH_ATTEMPTS ? Level.FINE : Level.WARNING, e, () -> "view: reading the"
                + " servers after a member left failed (attempt " + n + " of " + REFRESH_ATTEMPTS
                + "); a server whose last commit was not announced stays behind until it changes"
                + " again");
            if (n == REFRESH_ATTEMPTS) {
              return;
            }
            try {
              clock.sleep(1_000);
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      refreshDue.set(false); // closing
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
    refresher.shutdownNow();
    try {
      hz.getCluster().removeMembershipListener(membershipListenerId);
      announcements.removeMessageListener(topicListenerId);
      listenerIds.forEach(servers::removeEntryListener);
    } catch (RuntimeException e) {
      LOG.fine(() -> "view listeners not removed (member stopping): " + e);
    }
  }

  // The map's events, with raw keys and values: an entry that is not a server's state under its id
  // (a foreign client's value) is ignored, never thrown on.

  private void added(EntryEvent<Object, Object> event) {
    if (own(event.getKey(), event.getValue()) instanceof ServerState s) {
      apply(s);
    }
  }

  private void updated(EntryEvent<Object, Object> event) {
    updateEvents.incrementAndGet();
    if (own(event.getKey(), event.getValue()) instanceof ServerState s) {
      apply(s);
    }
  }

  private void merged(EntryEvent<Object, Object> event) {
    if (own(event.getKey(), event.getMergingValue()) instanceof ServerState merged) {
      byId.put(merged.serverId(), merged);
      notifyFollowers(new Change(merged.serverId(), merged));
    }
  }

  private void removed(EntryEvent<Object, Object> event) {
    // a removed entry's old value may have been foreign, so only the key is checked (not counted)
    if (event.getKey() instanceof String id) {
      ServerState gone = byId.remove(id);
      if (gone != null) {
        notifyFollowers(new Change(id, null));
        audit(gone, null);
      }
    }
  }

  private void cleared() {
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

  /** Additions, merges, removals and clears: never filtered. */
  private class OtherChanges
      implements EntryAddedListener<Object, Object>,
          EntryMergedListener<Object, Object>,
          EntryRemovedListener<Object, Object>,
          MapClearedListener {
    @Override
    public void entryAdded(EntryEvent<Object, Object> event) {
      added(event);
    }

    @Override
    public void entryMerged(EntryEvent<Object, Object> event) {
      merged(event);
    }

    @Override
    public void entryRemoved(EntryEvent<Object, Object> event) {
      removed(event);
    }

    @Override
    public void mapCleared(MapEvent event) {
      cleared();
    }
  }

  /** Every change, updates included (no filter). */
  private final class AllChanges extends OtherChanges
      implements EntryUpdatedListener<Object, Object> {
    @Override
    public void entryUpdated(EntryEvent<Object, Object> event) {
      updated(event);
    }
  }

  /** Updates, filtered where they happen (announced commits are left out). */
  private final class Updates implements EntryUpdatedListener<Object, Object> {
    @Override
    public void entryUpdated(EntryEvent<Object, Object> event) {
      updated(event);
    }
  }
}
