package io.vmgrid.node.commit;

import com.hazelcast.core.HazelcastInstance;

/**
 * The placement store's split-brain protection: its rule's name, and whether this side of the
 * cluster has it now.
 */
public final class Quorum {
  /** Name of the split-brain protection rule guarding the placement store. */
  public static final String NAME = "vmgrid-placement-quorum";

  private Quorum() {}

  /**
   * Whether this member's side of the cluster has at least the quorum's members (true when no
   * quorum is configured). Hazelcast's own check runs on the member that executes an operation; this
   * one lets a caller refuse before it sends anything, so that a refusal is certain to have done
   * nothing.
   */
  public static boolean present(HazelcastInstance hz) {
    if (!hz.getConfig().getSplitBrainProtectionConfigs().containsKey(NAME)) {
      return true;
    }
    return hz.getSplitBrainProtectionService().getSplitBrainProtection(NAME).hasMinimumSize();
  }
}
