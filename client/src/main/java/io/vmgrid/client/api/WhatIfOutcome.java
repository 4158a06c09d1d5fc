package io.vmgrid.client.api;

import java.util.List;
import java.util.Map;

/**
 * What a set of {@link WhatIfChange}s would do, computed by a member on copies of its inventory and
 * rule set (nothing changed for real).
 *
 * @param templates per template, headroom before and after
 * @param densityBefore packing density of the current state (allocated ÷ cores of non-empty servers)
 * @param densityAfter the same with the changes applied (drains with evacuation and added servers
 *     move it)
 * @param evacuated VMs of drained servers that the engine re-placed elsewhere
 * @param evacuationFailures VMs of drained servers that found no other server
 * @param notes one line per change saying what it did (e.g. the limits before and after)
 */
public record WhatIfOutcome(
    List<Delta> templates,
    double densityBefore,
    double densityAfter,
    int evacuated,
    int evacuationFailures,
    List<String> notes) {

  /** Copies the lists. */
  public WhatIfOutcome {
    templates = List.copyOf(templates);
    notes = List.copyOf(notes);
  }

  /**
   * One template's headroom before and after the changes.
   *
   * @param template the template (id and shape; its {@code headroom} is the one before)
   * @param after headroom with the changes applied
   * @param afterWithEvictions the same if every VM of lower priority were evicted first (see
   *     {@link TemplateHeadroom#withEvictions()}, which holds the one before)
   */
  public record Delta(TemplateHeadroom template, CapacityHeadroom after,
      CapacityHeadroom afterWithEvictions) {
    /** A template's change where evictions would add nothing. */
    public Delta(TemplateHeadroom template, CapacityHeadroom after) {
      this(template, after, after);
    }

    /** Copies that fit after minus before. */
    public long headroomChange() {
      return after.total() - template.headroom().total();
    }

    /** Per cluster: after minus before (clusters present on either side). */
    public Map<String, Long> perClusterChange() {
      Map<String, Long> out = new java.util.LinkedHashMap<>();
      template.headroom().perCluster().forEach((c, n) -> out.put(c, -n));
      after.perCluster().forEach((c, n) -> out.merge(c, n, Long::sum));
      return out;
    }
  }
}
