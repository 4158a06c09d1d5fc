package io.vmgrid.rules.api;

/** A VM's priority: regular, or low (evictable, "spot"). */
public enum Priority {
  REGULAR,
  LOW;

  /**
   * Whether a request of this priority may evict a VM of {@code other}: only a strictly lower
   * priority is evictable, so a request never evicts its own priority or higher.
   */
  public boolean outranks(Priority other) {
    return this == REGULAR && other == LOW;
  }

  /** Whether a request of this priority outranks any priority at all (may ever preempt). */
  public boolean outranksAny() {
    return this == REGULAR;
  }
}
