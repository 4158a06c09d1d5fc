package io.vmgrid.client.api;

import io.vmgrid.client.wire.Checks;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One change a what-if query ({@link AllocationClient#whatIf}) evaluates before anyone makes it. The
 * member applies the changes, in the order given, to a copy of its inventory and rule set; the live
 * placement state and rules are never touched. Constructors validate their arguments and throw
 * {@link InvalidRequestException} naming the field.
 */
public sealed interface WhatIfChange {

  /**
   * Move every cluster utilization limit of the rule set by {@code delta} (e.g. {@code 0.01}: one
   * point more), clamped to [0, 1].
   */
  record ChangeUtilizationLimit(double delta) implements WhatIfChange {
    /** Validates the delta. */
    public ChangeUtilizationLimit {
      if (!(delta >= -1 && delta <= 1)) {
        throw new InvalidRequestException("delta", "delta: must be in [-1, 1], was " + delta);
      }
    }
  }

  /**
   * Set the cluster utilization limits: {@code limit} for regular VMs, {@code lowPriorityLimit} for
   * low-priority ones.
   */
  record SetUtilizationLimit(double limit, double lowPriorityLimit) implements WhatIfChange {
    /** Validates the limits. */
    public SetUtilizationLimit {
      if (!(limit >= 0 && limit <= 1)) {
        throw new InvalidRequestException("limit", "limit: must be in [0, 1], was " + limit);
      }
      if (!(lowPriorityLimit >= 0 && lowPriorityLimit <= 1)) {
        throw new InvalidRequestException("lowPriorityLimit",
            "lowPriorityLimit: must be in [0, 1], was " + lowPriorityLimit);
      }
    }
  }

  /**
   * Take servers out of service; with {@code evacuate}, re-place their VMs through the rule engine
   * on the best other server of the same machine type (VMs that find none are counted as failures).
   */
  record Drain(List<String> serverIds, boolean evacuate) implements WhatIfChange {
    /** Validates and copies the ids. */
    public Drain {
      if (serverIds.isEmpty()) {
        throw new InvalidRequestException("serverIds", "serverIds: must name at least one server");
      }
      for (int i = 0; i < serverIds.size(); i++) {
        @Nullable String p = Checks.idProblem("serverIds[" + i + "]", serverIds.get(i));
        if (p != null) {
          throw InvalidRequestException.of(p);
        }
      }
      serverIds = List.copyOf(serverIds);
    }
  }

  /**
   * Add {@code count} servers of a machine type the grid already has to cluster {@code cluster}
   * (which may be new), in new racks.
   */
  record AddServers(String cluster, String machineType, int count) implements WhatIfChange {
    /** Most servers one change adds. */
    public static final int MAX_COUNT = 1_000_000;

    /** Validates the arguments. */
    public AddServers {
      @Nullable String p = Checks.idProblem("cluster", cluster);
      if (p == null) {
        p = Checks.idProblem("machineType", machineType);
      }
      if (p != null) {
        throw InvalidRequestException.of(p);
      }
      if (count < 1 || count > MAX_COUNT) {
        throw new InvalidRequestException("count",
            "count: must be in [1, " + MAX_COUNT + "], was " + count);
      }
    }
  }

  /**
   * Use another rule set (the text of a rule-set file, YAML or JSON) instead of the grid's. The
   * member validates it and answers with every problem it finds.
   *
   * @param text the rule-set file's content
   * @param source a name for it in error messages (e.g. the file name)
   */
  record UseRuleSet(String text, String source) implements WhatIfChange {
    /** Most characters a rule set sent with a query may have. */
    public static final int MAX_CHARS = 1 << 20;

    /** Validates the size. */
    public UseRuleSet {
      if (text.isBlank()) {
        throw new InvalidRequestException("ruleSet", "ruleSet: " + source + " is empty");
      }
      if (text.length() > MAX_CHARS) {
        throw new InvalidRequestException("ruleSet",
            "ruleSet: " + source + " has " + text.length() + " characters, at most " + MAX_CHARS);
      }
    }
  }
}
