package io.vmgrid.scheduler.policy;

/**
 * Tunables of the routing policies, with the defaults used unless configured otherwise.
 *
 * @param boundedHashC load bound factor {@code c} of {@code bounded-hash}: no agent takes more than
 *     {@code ceil(c * (total load + 1) / agents)} requests (queued plus in progress)
 * @param virtualNodes points per agent on the consistent-hash ring of {@code hash-ws} and
 *     {@code bounded-hash}
 */
public record PolicySettings(double boundedHashC, int virtualNodes) {

  /** The defaults: {@code c = 1.25}, 100 virtual nodes per agent. */
  public static final PolicySettings DEFAULTS = new PolicySettings(1.25, 100);

  /** Validates the settings. */
  public PolicySettings {
    if (!(boundedHashC >= 1.0)) {
      throw new IllegalArgumentException("boundedHashC must be >= 1, was " + boundedHashC);
    }
    if (virtualNodes <= 0) {
      throw new IllegalArgumentException("virtualNodes must be >= 1, was " + virtualNodes);
    }
  }
}
