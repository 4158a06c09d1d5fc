package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.ValidationException;

/**
 * Limits of an agent's cache.
 *
 * @param maxBytes budget for the estimated size of all entries (top-level and rule-level)
 * @param maxAgeNanos entries unused for longer are evicted
 */
public record CacheSettings(long maxBytes, long maxAgeNanos) {

  /** Validates, naming the field. */
  public CacheSettings {
    if (maxBytes <= 0) {
      throw new ValidationException("maxBytes", "must be > 0, was " + maxBytes);
    }
    if (maxAgeNanos <= 0) {
      throw new ValidationException("maxAgeNanos", "must be > 0, was " + maxAgeNanos);
    }
  }

  /** 256 MiB, 10 minutes. */
  public static CacheSettings defaults() {
    return new CacheSettings(256L << 20, 600_000_000_000L);
  }
}
