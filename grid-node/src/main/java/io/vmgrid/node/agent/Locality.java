package io.vmgrid.node.agent;

import com.hazelcast.partition.PartitionService;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;
import java.util.random.RandomGenerator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which servers' entries this member holds as primary. Agents of different members rank the same
 * servers first (they share one inventory and one rule set), so left alone they commit onto the
 * same few servers at once and all but one are refused. An agent therefore takes the best-ranked
 * server this member owns among its first open candidates ({@link #pick}): members' choices are
 * then disjoint by construction, and the commit runs on a local partition. When this member owns
 * none of those, it takes one of them at random.
 *
 * <p>Ownership is refreshed by the agent host on migrations and membership changes; a stale
 * answer costs at most a refused commit, never a wrong placement.
 */
final class Locality {
  /** Candidates looked at per member before giving up on a local one. */
  static final int WINDOW_PER_MEMBER = 8;
  private static final int MAX_REMEMBERED = 1 << 20;
  /** Whether agents prefer servers their member holds (on unless the property says off). */
  static final boolean ENABLED = !"off".equals(System.getProperty("vmgrid.agent.locality"));

  private final PartitionService partitions;
  private final ConcurrentHashMap<String, Integer> partitionOf = new ConcurrentHashMap<>();
  private volatile boolean[] owned = new boolean[0];
  private volatile int members = 1;

  Locality(PartitionService partitions) {
    this.partitions = partitions;
  }

  /** Takes the partitions this member owns now and the cluster's member count. */
  void refresh(Set<Integer> ownedPartitions, int partitionCount, int memberCount) {
    boolean[] next = new boolean[partitionCount];
    for (int p : ownedPartitions) {
      if (p >= 0 && p < partitionCount) {
        next[p] = true;
      }
    }
    owned = next;
    members = memberCount;
  }

  /**
   * Members in the cluster, as of the last refresh; 1 when member-local choices are switched off
   * ({@code -Dvmgrid.agent.locality=off}, for comparing the two in one build).
   */
  int members() {
    return ENABLED ? members : 1;
  }

  /**
   * The server to commit a request to, from its candidates in rank order; -1 if none is open.
   *
   * <p>With one member: one of the first {@code n0} open candidates, at random (the best when
   * {@code n0} is 1). With {@code members} members: the same among the local ones within the first
   * {@code max(n0, }{@link #WINDOW_PER_MEMBER}{@code  x members)} open candidates (with m members
   * the first local one is at about rank m), else, when none of those is local, one of those at
   * random: the members that own them take their own first, so the best one is the likeliest to
   * be taken by the time this commit arrives.
   *
   * @param size how many candidates there are
   * @param ranked the server at a rank
   * @param open whether a server may be chosen (not excluded, still fits once this member's
   *     commits in flight land)
   * @param local whether this member holds a server's entry
   * @param members members in the cluster
   * @param n0 how many of the best open servers to choose among (Protean's N0)
   * @param random the agent's random source
   */
  static int pick(int size, IntUnaryOperator ranked, IntPredicate open, IntPredicate local,
      int members, int n0, RandomGenerator random) {
    boolean spread = members > 1;
    int window = spread ? Math.max(n0, WINDOW_PER_MEMBER * members) : Integer.MAX_VALUE;
    int[] top = new int[n0];
    int tops = 0;
    int[] others = spread ? new int[window] : new int[0];
    int opened = 0;
    for (int rank = 0; rank < size && tops < n0 && opened < window; rank++) {
      int server = ranked.applyAsInt(rank);
      if (!open.test(server)) {
        continue;
      }
      if (!spread || local.test(server)) {
        top[tops++] = server;
      } else {
        others[opened - tops] = server;
      }
      opened++;
    }
    if (tops > 0) {
      return top[tops == 1 ? 0 : random.nextInt(tops)];
    }
    return opened == 0 ? -1 : others[random.nextInt(opened)];
  }

  /** Whether this member holds {@code serverId}'s entry as primary (as far as it knows). */
  boolean local(String serverId) {
    boolean[] o = owned;
    Integer p = partitionOf.get(serverId);
    if (p == null) {
      if (partitionOf.size() >= MAX_REMEMBERED) {
        partitionOf.clear();
      }
      p = partitions.getPartition(serverId).getPartitionId();
      partitionOf.put(serverId, p);
    }
    return p < o.length && o[p];
  }
}
