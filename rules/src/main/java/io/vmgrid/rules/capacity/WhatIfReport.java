package io.vmgrid.rules.capacity;

import java.util.List;

/**
 * What a set of {@link WhatIf} changes would do, computed on copies: headroom and packing before and
 * after, per template.
 *
 * @param changes the changes evaluated, in the order given
 * @param before headroom under the current rule set and state
 * @param after headroom with the changes applied
 * @param evacuated VMs moved away from drained servers
 * @param evacuationFailures VMs of drained servers that found no server
 * @param notes one line per change saying what it did (e.g. the limits before and after)
 */
public record WhatIfReport(
    List<WhatIf> changes,
    HeadroomReport before,
    HeadroomReport after,
    int evacuated,
    int evacuationFailures,
    List<String> notes) {

  /** Copies the lists. */
  public WhatIfReport {
    changes = List.copyOf(changes);
    notes = List.copyOf(notes);
  }

  /**
   * The change for one template.
   *
   * @param templateId the template
   * @param headroomBefore copies that fit before
   * @param headroomAfter copies that fit after
   * @param densityWhenFullBefore packing density once the copies are placed, before
   * @param densityWhenFullAfter the same, after
   */
  public record Delta(
      String templateId,
      long headroomBefore,
      long headroomAfter,
      double densityWhenFullBefore,
      double densityWhenFullAfter) {

    /** Headroom after minus before. */
    public long headroomChange() {
      return headroomAfter - headroomBefore;
    }
  }

  /** Per template, headroom and density-when-full before and after, in template order. */
  public List<Delta> deltas() {
    return before.templates().stream().map(b -> {
      Headroom a = after.find(b.templateId()).orElseThrow();
      return new Delta(b.templateId(), b.total(), a.total(), b.whenFull().density(),
          a.whenFull().density());
    }).toList();
  }

  /** Packing density of the current state, after minus before (drains and added servers move it). */
  public double densityChange() {
    return after.packing().density() - before.packing().density();
  }
}
