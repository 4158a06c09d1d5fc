package io.vmgrid.client.wire;

/** Names of the grid's distributed maps, shared by members and clients. */
public final class MapNames {
  /** Server id to {@link ServerState}: the authoritative placement store. */
  public static final String SERVERS = "servers";
  /** VM id to {@link Placement}: where each VM lives; the arbiter of idempotent placement. */
  public static final String PLACEMENTS = "placements";
  /** Repair log: what a split-brain merge changed ({@code vmId@serverId} to {@link Repair}). */
  public static final String REPAIRS = "repairs";
  /**
   * Eviction log: VMs the grid evicted (a preemption, a merge over capacity), {@link Eviction#key()}
   * to {@link Eviction}; what owners read and subscribe to.
   */
  public static final String EVICTIONS = "evictions";
  /**
   * VM id to the newest client release of it, a {@code Long} encoded as
   * {@link ServerState#clientReleaseEntry} gives it, kept {@link ServerState#RELEASED_KEPT_MINUTES}
   * minutes: how a merge repair tells a VM released on one side of a split from one the other side
   * placed, after the server itself has forgotten the release (a server remembers only its newest
   * {@link ServerState#RELEASED_KEPT}).
   */
  public static final String RELEASES = "releases";

  private MapNames() {}
}
