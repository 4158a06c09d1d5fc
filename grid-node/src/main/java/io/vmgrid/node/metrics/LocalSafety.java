package io.vmgrid.node.metrics;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Whether this member is safe ({@code PartitionService.isLocalMemberSafe()}: no migration pending
 * here, and the backups of the partitions it owns in sync), checked only when something may have
 * changed it. The check is not free: it sends one replica-version check per owned partition and
 * backup, about 180 invocations on one of three members with two backups, and {@code bench e2e}
 * read the gauge once per scrape (the quiet cluster's 108 invocations a second were its own
 * scrapes). A safe answer is therefore kept until a member joins or leaves, a migration starts or
 * ends, a replica migrates or a partition loses its data, and at most {@link Timing#SAFETY_KEPT}
 * meanwhile (backups can fall out of sync without any of these: a backup lost to a timeout, which
 * Hazelcast's anti-entropy repairs). An unsafe answer is never kept: the next reading checks again.
 *
 * <p>The listeners live as long as the member. For the {@code vmgrid_cluster_safe} gauge only:
 * readiness ({@code /health/safe}) keeps the cluster-wide check on every probe.
 */
public final class LocalSafety {

  private final BooleanSupplier check;
  private final long maxAgeNanos;
  private final NodeClock clock;
  /** Bumped by every event that may change the answer; a check is kept only if unchanged. */
  private final AtomicLong generation = new AtomicLong();
  /** The last safe answer kept, or null. */
  private volatile @Nullable Kept kept;

  private record Kept(long generation, long atNanos) {}

  /** Follows member {@code hz}; answers kept at most {@link Timing#SAFETY_KEPT}. */
  public LocalSafety(HazelcastInstance hz) {
    this(hz, () -> hz.getPartitionService().isLocalMemberSafe(),
        NodeTimings.of(hz).millis(Timing.SAFETY_KEPT));
  }

  LocalSafety(HazelcastInstance hz, BooleanSupplier check, long maxAgeMillis) {
    this.check = check;
    this.maxAgeNanos = TimeUnit.MILLISECONDS.toNanos(maxAgeMillis);
    this.clock = NodeClock.of(hz);
    var unused = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        changed();
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        changed();
      }
    });
    var unused2 = hz.getPartitionService().addMigrationListener(new MigrationListener() {
      @Override
      public void migrationStarted(MigrationState state) {
        changed();
      }

      @Override
      public void migrationFinished(MigrationState state) {
        changed();
      }

      @Override
      public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
        changed();
      }

      @Override
      public void replicaMigrationFailed(ReplicaMigrationEvent event) {
        changed();
      }
    });
    var unused3 = hz.getPartitionService().addPartitionLostListener(e -> changed());
  }

  private void changed() {
    generation.incrementAndGet();
  }

  /** Whether this member is safe now (a kept safe answer, or a new check). */
  public boolean safe() {
    long gen = generation.get();
    Kept k = kept;
    if (k != null && k.generation() == gen && clock.nanoTime() - k.atNanos() < maxAgeNanos) {
      return true;
    }
    boolean safe = check.getAsBoolean();
    // kept only if nothing changed while it was checked
    kept = safe && generation.get() == gen ? new Kept(gen, clock.nanoTime()) : null;
    return safe;
  }
}
