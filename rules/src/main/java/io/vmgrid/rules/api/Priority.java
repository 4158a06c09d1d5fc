package io.vmgrid.rules.api;

/** A VM's priority: regular, or low (evictable, "spot"). */
public enum Priority {
  REGULAR,
  LOW
}
