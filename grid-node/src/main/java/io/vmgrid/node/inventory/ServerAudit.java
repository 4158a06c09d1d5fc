package io.vmgrid.node.inventory;

import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The audit log of operator actions on the inventory, as the members see them: servers added or
 * removed (an inventory load, a decommission), a server's health changed (drain, repair, failure),
 * its capacity changed, and VM moves (consolidation). Clients make these changes directly on the
 * {@code servers} map, so the audit is written from the changes every member's view receives, by
 * the oldest member only (one line per action in the cluster; a new oldest member takes over when
 * it leaves). Lines go to the logger {@value #LOGGER} at INFO, so that they can be routed apart,
 * and start with {@code audit:}.
 *
 * <p>Additions and removals are summed over a second into one line (a load of 100,000 servers is a
 * few lines, not 100,000), naming the first and last server ids of the batch; changes of health and
 * capacity get one line per server. A VM's placement or release is not an operator action and is
 * not audited (the requests' metrics count those).
 */
public final class ServerAudit implements AutoCloseable {
  /** Logger name of the audit lines. */
  public static final String LOGGER = "io.vmgrid.audit";
  private static final Logger AUDIT = Logger.getLogger(LOGGER);

  private final HazelcastInstance hazelcast;
  private final ScheduledExecutorService flusher;
  private final List<String> added = new ArrayList<>();
  private final List<String> removed = new ArrayList<>();

  /** Audits on {@code hz}'s behalf; batches are written every second. */
  public ServerAudit(HazelcastInstance hz) {
    this.hazelcast = hz;
    this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vmgrid-audit");
      t.setDaemon(true);
      return t;
    });
    var unused = flusher.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * One server changed in the view from {@code before} to {@code after} (either may be null: added,
   * removed). Called on event threads for every change, so it returns at once unless the change is
   * an operator's.
   */
  public void changed(@Nullable ServerState before, @Nullable ServerState after) {
    if (before != null && after != null) {
      boolean health = before.health() != after.health();
      boolean capacity = before.capacityCores() != after.capacityCores()
          || before.capacityMemoryMb() != after.capacityMemoryMb();
      if ((health || capacity) && oldest()) {
        if (health) {
          AUDIT.info(() -> "audit: server " + after.serverId() + " health " + before.health()
              + " -> " + after.health() + " (" + after.vms().size() + " VMs on it)");
        }
        if (capacity) {
          AUDIT.info(() -> "audit: server " + after.serverId() + " capacity "
              + before.capacityCores() + " cores " + before.capacityMemoryMb() + " MiB -> "
              + after.capacityCores() + " cores " + after.capacityMemoryMb() + " MiB");
        }
      }
      return;
    }
    if (before == null && after != null) {
      synchronized (this) {
        added.add(after.serverId());
      }
    } else if (before != null) {
      synchronized (this) {
        removed.add(before.serverId());
      }
    }
  }

  /**
   * A VM move (consolidation) to {@code to} and how it ended: written by the member that handled it,
   * once per request.
   */
  public static void moved(String vmId, String to, String outcome) {
    AUDIT.info(() -> "audit: move of VM " + vmId + " to " + to + ": " + outcome);
  }

  /** Writes the batched additions and removals (on the oldest member). */
  void flush() {
    List<String> a;
    List<String> r;
    synchronized (this) {
      if (added.isEmpty() && removed.isEmpty()) {
        return;
      }
      a = List.copyOf(added);
      r = List.copyOf(removed);
      added.clear();
      removed.clear();
    }
    if (!oldest()) {
      return;
    }
    if (!a.isEmpty()) {
      AUDIT.info(() -> "audit: " + a.size() + " servers added (" + range(a) + ")");
    }
    if (!r.isEmpty()) {
      AUDIT.info(() -> "audit: " + r.size() + " servers removed (" + range(r) + ")");
    }
  }

  private static String range(List<String> ids) {
    return ids.size() == 1 ? ids.get(0) : ids.get(0) + " .. " + ids.get(ids.size() - 1);
  }

  private boolean oldest() {
    try {
      return hazelcast.getLifecycleService().isRunning()
          && hazelcast.getCluster().getMembers().iterator().next().localMember();
    } catch (RuntimeException e) {
      return false; // stopping
    }
  }

  @Override
  public void close() {
    flusher.shutdownNow();
  }
}
