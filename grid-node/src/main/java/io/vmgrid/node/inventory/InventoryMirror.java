package io.vmgrid.node.inventory;

import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.Timing;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.ValidationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This member's array-backed copy of the inventory, the rule engine's {@link Inventory}, fed by the
 * {@link ServerView}'s change stream. Every change it applies gets the next member-local revision
 * and a record in the inventory's bounded journal, which agents' caches replay to refresh.
 *
 * <p>One applier thread drains the change queue in batches under the write lock; agents evaluate
 * under the read lock. Event threads only enqueue, so they never wait for an evaluation.
 *
 * <p>The inventory's topology (which servers exist, their racks, domains and machine types) is fixed
 * once built, so a change that names a server the mirror does not know (a bulk load, an added or
 * removed server) triggers a rebuild from the view, debounced while such changes keep arriving. A
 * rebuild starts a new {@linkplain #epoch() epoch}: agents then start new caches and re-warm them.
 * Staleness is safe: every placement is re-checked against the authoritative entry at commit.
 */
public final class InventoryMirror implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(InventoryMirror.class.getName());

  private final ServerView view;
  private final int journalCapacity;
  private final ConcurrentLinkedQueue<ServerView.Change> pending = new ConcurrentLinkedQueue<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Thread applier;
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong handled = new AtomicLong();
  private final AtomicLong rebuilds = new AtomicLong();
  private volatile boolean running = true;
  private volatile Inventory inventory;
  private final AtomicLong epoch = new AtomicLong();
  private final NodeClock clock;
  /** Quiet time after the last topology change before a rebuild ({@link Timing#MIRROR_REBUILD_QUIET}). */
  private final long rebuildQuietNanos;
  private volatile long lastChangeNanos;
  private volatile long topologyDirtySince;

  /**
   * Builds the mirror from {@code view}'s current contents and follows its changes.
   *
   * @param journalCapacity journal records kept for cache refresh
   * @param clock the member's clock (rebuild quiet time, catch-up waits)
   * @param rebuildQuiet quiet time after the last topology change before the mirror is rebuilt
   */
  public InventoryMirror(ServerView view, int journalCapacity, NodeClock clock,
      java.time.Duration rebuildQuiet) {
    this.view = view;
    this.clock = clock;
    this.lastChangeNanos = clock.nanoTime();
    this.rebuildQuietNanos = rebuildQuiet.toNanos();
    this.journalCapacity = journalCapacity;
    view.follow(this::enqueue);
    this.inventory = build();
    this.applier = new Thread(this::run, "vmgrid-mirror");
    applier.setDaemon(true);
    applier.start();
  }

  private void enqueue(ServerView.Change change) {
    received.incrementAndGet();
    pending.add(change);
    lastChangeNanos = clock.nanoTime();
    LockSupport.unpark(applier);
  }

  /**
   * Runs {@code reader} against the inventory under the read lock: the inventory does not change
   * while it runs. Keep it short (an evaluation), never a remote call.
   */
  public <T> T read(Function<Inventory, T> reader) {
    lock.readLock().lock();
    try {
      return reader.apply(inventory);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The current topology epoch: it changes whenever the inventory is rebuilt. */
  public long epoch() {
    return epoch.get();
  }

  /** Servers in the mirror. */
  public int size() {
    return inventory.size();
  }

  /** Changes applied so far (one per server event that changed something). */
  public long appliedChanges() {
    return applied.get();
  }

  /** Rebuilds so far (initial build excluded). */
  public long rebuilds() {
    return rebuilds.get();
  }

  /** Changes received but not yet applied: how far the mirror lags the view. */
  public int lag() {
    return pending.size();
  }

  /**
   * Whether changes are waiting to be applied or a rebuild is due: an empty answer computed now may
   * be an artefact of a load still arriving.
   */
  public boolean settling() {
    return handled.get() < received.get() || topologyDirtySince != 0;
  }

  /**
   * Applies a state this member's own commit produced, at once, so that this member's agents never
   * evaluate on a view that lacks their own last commit (read your writes). The view records it
   * too; the map's event for the same revision, arriving later, then changes nothing. A state of a
   * server the mirror does not know waits for the rebuild like any other.
   */
  public void applyOwn(ServerState state) {
    if (!view.take(state)) {
      // the event was quicker, or a newer state arrived already: it waits in the queue, so apply
      // the queue now (in order, under the write lock like the applier's drains), or the agent that
      // committed would evaluate without its commit until the applier comes round
      drain();
      return;
    }
    lock.writeLock().lock();
    try {
      apply(new ServerView.Change(state.serverId(), state));
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether the mirror holds server {@code serverId}. */
  public boolean knows(String serverId) {
    return read(inv -> inv.indexOf(serverId) >= 0);
  }

  /** Waits until every change received so far is applied and no rebuild is due (bounded). */
  public boolean awaitCaughtUp(long timeoutMillis) {
    long deadline = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (settling()) {
      if (clock.nanoTime() > deadline) {
        return false;
      }
      try {
        clock.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private void run() {
    while (running) {
      try {
        drain();
        if (topologyDirtySince != 0 && clock.nanoTime() - lastChangeNanos > rebuildQuietNanos) {
          rebuild();
        }
        if (pending.isEmpty()) {
          LockSupport.parkNanos(topologyDirtySince != 0 ? rebuildQuietNanos / 3 : 50_000_000L);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "mirror update failed; rebuilding from the view", e);
        topologyDirtySince = clock.nanoTime();
      }
    }
  }

  private void drain() {
    if (pending.isEmpty()) {
      return;
    }
    lock.writeLock().lock();
    try {
      ServerView.Change c;
      int n = 0;
      while (n < 10_000 && (c = pending.poll()) != null) {
        n++;
        try {
          apply(c);
        } finally {
          handled.incrementAndGet();
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void apply(ServerView.Change c) {
    // the view's latest state, not the change's: a queued change can be older than a state an own
    // commit applied directly (applyOwn), and applying it would take that commit out of the mirror
    // until the server's next change
    ServerState latest = view.get(c.serverId());
    ServerState s = c.state() == null || latest == null ? c.state() : latest;
    if (s == null || inventory.indexOf(c.serverId()) < 0 || !Mirrors.sameTopology(inventory, s)) {
      if (topologyDirtySince == 0) {
        topologyDirtySince = clock.nanoTime();
      }
      return;
    }
    try {
      inventory.sync(s.serverId(), Mirrors.health(s.health()), Mirrors.hostedVms(s));
      applied.incrementAndGet();
    } catch (ValidationException e) {
      // e.g. a VM moved: the event placing it on the new server came before the one releasing it
      // on the old; a rebuild from the view (which holds both latest states) repairs it
      LOG.fine(() -> "mirror: " + e.getMessage() + "; scheduling a rebuild");
      topologyDirtySince = clock.nanoTime();
    }
  }

  private void rebuild() {
    long start = clock.nanoTime();
    Inventory next = build();
    lock.writeLock().lock();
    try {
      // changes queued meanwhile are re-applied on top; sync is idempotent for equal states
      inventory = next;
      epoch.incrementAndGet();
      topologyDirtySince = 0;
    } finally {
      lock.writeLock().unlock();
    }
    rebuilds.incrementAndGet();
    long micros = TimeUnit.NANOSECONDS.toMicros(clock.nanoTime() - start);
    LOG.info(() -> "mirror rebuilt: " + next.size() + " servers, epoch " + epoch.get() + ", " + micros
        + " µs");
  }

  private Inventory build() {
    List<ServerState> states = new ArrayList<>(view.size());
    view.forEach(states::add);
    states.sort(Comparator.comparing(ServerState::clusterId).thenComparing(ServerState::serverId));
    return Mirrors.inventory(states, journalCapacity);
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(applier);
    try {
      applier.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
