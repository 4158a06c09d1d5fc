package io.vmgrid.node.metrics;

import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Liveness and readiness of a member, as the health endpoints report them. A member is live from the
 * moment its process serves HTTP until it has stopped, or until its Hazelcast instance has stopped
 * under it; it is ready once it has joined the cluster and loaded its view of the inventory, and not
 * while it is leaving.
 */
public final class HealthState {
  /** Life-cycle phases. */
  public enum Phase {
    /** Joining the cluster and loading. */
    STARTING,
    /** Joined and loaded; readiness is then delegated to the running node's own check. */
    RUNNING,
    /** Leaving the cluster. */
    STOPPING,
    /** Stopped. */
    STOPPED
  }

  private volatile Phase phase = Phase.STARTING;
  private volatile BooleanSupplier runningCheck = () -> true;
  private volatile BooleanSupplier safeCheck = () -> false;
  private volatile @Nullable BooleanSupplier liveCheck;

  /** The current phase. */
  public Phase phase() {
    return phase;
  }

  /** Marks the node running; {@code check} then decides readiness (e.g. member still active). */
  public void running(BooleanSupplier check) {
    this.runningCheck = check;
    this.phase = Phase.RUNNING;
  }

  /** Marks the node leaving the cluster. */
  public void stopping() {
    phase = Phase.STOPPING;
  }

  /** Marks the node stopped. */
  public void stopped() {
    phase = Phase.STOPPED;
  }

  /**
   * Sets the check behind {@link #live()} once the node runs: whether its Hazelcast instance still
   * runs. Without it, the running member is live while its readiness or its safety check holds:
   * both fail once the instance has stopped, as each begins with the instance's life cycle.
   */
  public void liveWhen(BooleanSupplier check) {
    this.liveCheck = check;
  }

  /**
   * Whether the process should be considered alive (not restarted by an orchestrator): while it
   * starts and leaves, and while it runs as long as its Hazelcast instance runs. A member whose
   * instance stopped on its own (out of memory, a cluster-wide shutdown) serves nothing and never
   * turns ready again, so it is reported dead for the orchestrator to restart.
   */
  public boolean live() {
    return switch (phase) {
      case STARTING, STOPPING -> true;
      case RUNNING -> instanceRuns();
      case STOPPED -> false;
    };
  }

  private boolean instanceRuns() {
    BooleanSupplier live = liveCheck;
    return live != null ? live.getAsBoolean() : runningCheck.getAsBoolean() || safeCheck.getAsBoolean();
  }

  /** Sets the check behind {@link #safe()} (e.g. Hazelcast's cluster-safe state). */
  public void safeWhen(BooleanSupplier check) {
    this.safeCheck = check;
  }

  /**
   * Whether the member runs and every partition's backups are in sync, so that losing one member
   * now loses no data: what a rolling restart (or a chaos test) waits for before stopping the next.
   */
  public boolean safe() {
    return phase == Phase.RUNNING && safeCheck.getAsBoolean();
  }

  /** Whether the member should receive traffic. */
  public boolean ready() {
    return phase == Phase.RUNNING && runningCheck.getAsBoolean();
  }
}
