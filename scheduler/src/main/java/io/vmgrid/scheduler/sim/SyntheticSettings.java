package io.vmgrid.scheduler.sim;

/**
 * Settings of the synthetic workload generator.
 *
 * @param requests number of requests
 * @param sizes distinct (cores, ram, priority) sizes; popularity is Zipf over them
 * @param zipfExponent Zipf exponent {@code s} of size popularity
 * @param tenants number of tenants (uniform); tenants carry the synthetic constraints
 * @param baseRatePerSec mean arrival rate outside bursts, before rate scaling
 * @param burstPeriodSec a burst starts every this many seconds
 * @param burstFraction fraction of each period that is burst
 * @param burstMultiplier arrival rate multiplier during a burst
 */
public record SyntheticSettings(
    int requests,
    int sizes,
    double zipfExponent,
    int tenants,
    double baseRatePerSec,
    double burstPeriodSec,
    double burstFraction,
    double burstMultiplier) {

  /** 100k requests over 120 sizes (Zipf 1.0), 20k tenants, 10% of each minute at 4x rate. */
  public static final SyntheticSettings DEFAULTS =
      new SyntheticSettings(100_000, 120, 1.0, 20_000, 400, 60, 0.1, 4.0);

  /** Validates the settings. */
  public SyntheticSettings {
    if (requests <= 0 || sizes <= 0 || tenants <= 0) {
      throw new IllegalArgumentException("requests, sizes and tenants must be positive");
    }
    if (!(zipfExponent >= 0) || !(baseRatePerSec > 0) || !(burstPeriodSec > 0)
        || !(burstFraction >= 0 && burstFraction <= 1) || !(burstMultiplier >= 1)) {
      throw new IllegalArgumentException("invalid synthetic workload settings: " + this);
    }
  }

  /** The same settings with another request count. */
  public SyntheticSettings withRequests(int n) {
    return new SyntheticSettings(n, sizes, zipfExponent, tenants, baseRatePerSec, burstPeriodSec,
        burstFraction, burstMultiplier);
  }
}
