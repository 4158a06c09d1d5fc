package io.vmgrid.rules.engine;

/** How an agent cache answered a request. */
public enum Lookup {
  /** The request type was cached; only newer journal changes were replayed. */
  TOP_HIT,
  /** The request type was new, but some of its rule results were cached. */
  PARTIAL_HIT,
  /** Computed from scratch (new type with no cached rule result, or journal truncated). */
  MISS
}
