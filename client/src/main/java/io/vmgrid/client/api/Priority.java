package io.vmgrid.client.api;

/** Scheduling priority of a VM. */
public enum Priority {
  /** An ordinary VM. */
  REGULAR,
  /** A low-priority (evictable) VM. */
  LOW
}
