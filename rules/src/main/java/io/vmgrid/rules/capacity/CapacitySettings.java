package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.ValidationException;

/**
 * Bounds of the capacity computations.
 *
 * @param maxCopiesPerTemplate headroom counting stops here ({@link Headroom#capped()})
 * @param maxMoves most migrations a consolidation plan proposes
 * @param maxSourceServers most servers a consolidation plan tries to empty
 * @param sameClusterMoves whether migrations stay in their cluster (then the cluster utilization
 *     limit, which a move inside a cluster does not change, is not applied to them)
 */
public record CapacitySettings(
    long maxCopiesPerTemplate, int maxMoves, int maxSourceServers, boolean sameClusterMoves) {

  /** Validates, naming the field. */
  public CapacitySettings {
    if (maxCopiesPerTemplate < 1) {
      throw new ValidationException("maxCopiesPerTemplate", "must be >= 1, was "
          + maxCopiesPerTemplate);
    }
    if (maxMoves < 0) {
      throw new ValidationException("maxMoves", "must be >= 0, was " + maxMoves);
    }
    if (maxSourceServers < 0) {
      throw new ValidationException("maxSourceServers", "must be >= 0, was " + maxSourceServers);
    }
  }

  /** 10,000,000 copies per template, 100 moves, 1,000 source servers tried, moves within a cluster. */
  public static CapacitySettings defaults() {
    return new CapacitySettings(10_000_000, 100, 1_000, true);
  }

  /** A copy with another move bound. */
  public CapacitySettings withMaxMoves(int moves) {
    return new CapacitySettings(maxCopiesPerTemplate, moves, maxSourceServers, sameClusterMoves);
  }

  /** A copy with another copy bound. */
  public CapacitySettings withMaxCopiesPerTemplate(long copies) {
    return new CapacitySettings(copies, maxMoves, maxSourceServers, sameClusterMoves);
  }
}
