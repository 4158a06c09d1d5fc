package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.Set;

/**
 * One hypothetical change for {@link CapacityPlanner#whatIf}: applied to a copy of the inventory or
 * to the rule set, never to the live state. A what-if applies its rule-set changes first (in order),
 * then the added servers, then the drains (so evacuated VMs land under the new rules and may use the
 * added servers).
 */
public sealed interface WhatIf {

  /**
   * Move every {@code cluster-utilization-limit} validator's limits (regular and low priority) by
   * {@code delta}, clamped to [0, 1]: {@code +0.01} is Protean's one-point raise in a crunch.
   *
   * @param delta the change, e.g. 0.01 or -0.05
   */
  record ChangeUtilizationLimit(double delta) implements WhatIf {
    /** Rejects a non-finite delta, naming the field. */
    public ChangeUtilizationLimit {
      if (!Double.isFinite(delta) || Math.abs(delta) > 1) {
        throw new ValidationException("delta", "must be in [-1, 1], was " + delta);
      }
    }
  }

  /**
   * Set every {@code cluster-utilization-limit} validator's limits.
   *
   * @param limit the limit for regular requests, in [0, 1]
   * @param lowPriorityLimit the limit for low-priority requests, in [0, 1]
   */
  record SetUtilizationLimit(double limit, double lowPriorityLimit) implements WhatIf {
    /** Rejects limits outside [0, 1], naming the field. */
    public SetUtilizationLimit {
      if (!(limit >= 0 && limit <= 1)) {
        throw new ValidationException("limit", "must be in [0, 1], was " + limit);
      }
      if (!(lowPriorityLimit >= 0 && lowPriorityLimit <= 1)) {
        throw new ValidationException("lowPriorityLimit", "must be in [0, 1], was "
            + lowPriorityLimit);
      }
    }
  }

  /**
   * Use another rule set altogether (later rule-set changes apply to it).
   *
   * @param ruleSet the rule set
   */
  record UseRuleSet(RuleSet ruleSet) implements WhatIf {}

  /**
   * Add servers of a machine type already in the inventory to a cluster (a new cluster if the id is
   * unknown). They get new racks of {@code serversPerRack} servers, ids {@code <cluster>-whatif-<k>},
   * and fault and update domains round-robin over the cluster's existing ones.
   *
   * @param cluster the cluster id
   * @param machineType the machine type id
   * @param count how many, {@code >= 1}
   */
  record AddServers(String cluster, String machineType, int count) implements WhatIf {
    /** Validates, naming the field. */
    public AddServers {
      if (cluster.isBlank()) {
        throw new ValidationException("cluster", "must not be blank");
      }
      if (machineType.isBlank()) {
        throw new ValidationException("machineType", "must not be blank");
      }
      if (count < 1 || count > 1_000_000) {
        throw new ValidationException("count", "must be in [1, 1000000], was " + count);
      }
    }
  }

  /**
   * Take servers out of service: set their health (so nothing new lands there) and, if {@code
   * evacuate}, re-place their VMs elsewhere through the rule engine (same machine type, so sizes
   * hold); VMs that find no server are counted as failures and dropped from the simulation.
   *
   * @param serverIds the servers
   * @param health {@code MAINTENANCE} or {@code UNHEALTHY} (out of service), or {@code
   *     MAINTENANCE_PENDING}
   * @param evacuate whether to move their VMs away
   */
  record Drain(Set<String> serverIds, Health health, boolean evacuate) implements WhatIf {
    /** Copies the set and rejects an empty one or a healthy target state, naming the field. */
    public Drain {
      serverIds = Set.copyOf(serverIds);
      if (serverIds.isEmpty()) {
        throw new ValidationException("serverIds", "must name at least one server");
      }
      if (health == Health.HEALTHY) {
        throw new ValidationException("health",
            "must be MAINTENANCE, UNHEALTHY or MAINTENANCE_PENDING to drain");
      }
    }

    /** Drains {@code serverIds} to {@code MAINTENANCE} without evacuating their VMs. */
    public static Drain of(Set<String> serverIds) {
      return new Drain(serverIds, Health.MAINTENANCE, false);
    }
  }
}
