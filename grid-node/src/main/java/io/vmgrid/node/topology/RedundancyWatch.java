package io.vmgrid.node.topology;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Says when partition grouping leaves the placement store fewer backups than it is configured
 * with. Hazelcast keeps a partition's replicas in different groups and, with fewer groups than
 * replicas, creates fewer backups without a word: three members on two Kubernetes nodes keep one
 * backup instead of two (Hazelcast splits a lone group of several members in two, so one backup
 * remains). This listener, on every member, recounts the groups whenever a member joins or leaves,
 * logs a WARNING with the numbers when redundancy drops (and a line when it is back), and exports
 * {@code vmgrid_partition_groups} and {@code vmgrid_store_backups{kind="wanted"|"effective"}}.
 *
 * <p>It does not touch readiness: {@code /health/safe} still means "backups in sync". A cluster on
 * too few nodes stays short of backups until it is rescheduled, and turning every member NotReady
 * for that would take the client Service down with it.
 */
public final class RedundancyWatch implements InitialMembershipListener {
  private static final Logger LOG = Logger.getLogger(RedundancyWatch.class.getName());

  /**
   * The grouping's effect on the store's backups.
   *
   * @param members members in the cluster
   * @param groups groups Hazelcast spreads replicas over (a lone group of several members counts
   *     as the two Hazelcast splits it into)
   * @param names members per node or zone name, by name (empty without grouping)
   * @param wanted backups per partition the store would keep without grouping (its backup count,
   *     at most one fewer than the members)
   * @param effective backups per partition it keeps
   */
  public record Status(int members, int groups, Map<String, Integer> names, int wanted,
      int effective) {
    /** Fewer backups than without grouping. */
    public boolean reduced() {
      return effective < wanted;
    }
  }

  private final PartitionGroup.Kind kind;
  private final int backups;
  private volatile Status status = new Status(0, 0, Map.of(), 0, 0);

  /** Watches a cluster grouped by {@code kind} whose placement store keeps {@code backups}. */
  public RedundancyWatch(PartitionGroup.Kind kind, int backups) {
    this.kind = kind;
    this.backups = backups;
  }

  /** Exports the status as gauges in {@code registry}; returns this watch. */
  public RedundancyWatch bind(MeterRegistry registry) {
    Gauge.builder("vmgrid_partition_groups", this, w -> w.status.groups())
        .description("Groups the partition replicas are spread over (members, Kubernetes nodes or"
            + " zones, by partitionGroup)")
        .strongReference(true).register(registry);
    Gauge.builder("vmgrid_store_backups", this, w -> w.status.wanted())
        .description("Backups per partition of the placement store: wanted (its backup count, at"
            + " most members - 1) and effective (what the partition groups allow)")
        .tag("kind", "wanted").strongReference(true).register(registry);
    Gauge.builder("vmgrid_store_backups", this, w -> w.status.effective())
        .description("Backups per partition of the placement store: wanted (its backup count, at"
            + " most members - 1) and effective (what the partition groups allow)")
        .tag("kind", "effective").strongReference(true).register(registry);
    return this;
  }

  /** The status after the last membership change seen. */
  public Status status() {
    return status;
  }

  /**
   * What grouping by {@code kind} does to a store of {@code backups} backups in a cluster of
   * {@code members}, as Hazelcast's member group factories count groups.
   */
  public static Status assess(PartitionGroup.Kind kind, Collection<Member> members, int backups) {
    int n = members.size();
    Map<String, Integer> names = new TreeMap<>();
    int groups = n;
    if (kind != PartitionGroup.Kind.NONE) {
      String attribute = kind.attribute();
      for (Member m : members) {
        String name = attribute == null ? null : m.getAttribute(attribute);
        names.merge(name == null ? "(none)" : name, 1, Integer::sum);
      }
      groups = names.size() == 1 && n > 1 ? 2 : names.size();
    }
    int wanted = Math.max(0, Math.min(n - 1, backups));
    int effective = Math.max(0, Math.min(groups - 1, backups));
    return new Status(n, groups, Collections.unmodifiableMap(names), wanted, effective);
  }

  /** The WARNING for {@code s}, naming the numbers and what to do. */
  String warning(Status s) {
    String domain = kind == PartitionGroup.Kind.NODE ? "Kubernetes nodes" : "zones";
    return "partitionGroup " + kind.key() + ": the " + s.members() + " members run in "
        + s.names().size() + " " + domain + " " + s.names() + ", so Hazelcast spreads partitions"
        + " over " + s.groups() + " groups and the placement store keeps " + s.effective()
        + " backup(s) per partition instead of " + s.wanted() + ": losing "
        + (s.effective() + 1) + " members at once can lose placements. Run the members in at least "
        + (s.wanted() + 1) + " " + domain + " (the chart's antiAffinity.mode=hard for nodes), or"
        + " set partitionGroup none to keep " + s.wanted() + " backups on any members";
  }

  @Override
  public void init(InitialMembershipEvent event) {
    update(event.getCluster().getMembers());
  }

  /**
   * Recounts with the cluster's members now, not the event's: a joining member gets one event per
   * member already there, each listing the members up to that one, and would warn about each
   * partial list.
   */
  @Override
  public void memberAdded(MembershipEvent event) {
    update(event.getCluster().getMembers());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    update(event.getCluster().getMembers());
  }

  private synchronized void update(Collection<Member> members) {
    Status before = status;
    Status now = assess(kind, members, backups);
    status = now;
    if (now.reduced() && !now.equals(before)) {
      LOG.warning(warning(now));
    } else if (!now.reduced() && before.reduced()) {
      LOG.log(Level.INFO, "partitionGroup {0}: {1} groups, the placement store keeps its {2}"
          + " backup(s) per partition again", new Object[] {kind.key(), now.groups(), now.wanted()});
    }
  }
}
