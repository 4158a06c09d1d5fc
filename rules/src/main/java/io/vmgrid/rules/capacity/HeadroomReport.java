package io.vmgrid.rules.capacity;

import java.util.List;
import java.util.Optional;

/**
 * Headroom for several templates, each computed independently from the same starting state.
 *
 * @param ruleSet the rule set's source (e.g. {@code default-rules.yaml})
 * @param revision the inventory's journal revision the report reflects
 * @param packing packing statistics of that state
 * @param templates headroom per template, in the order asked
 */
public record HeadroomReport(
    String ruleSet, long revision, PackingStats packing, List<Headroom> templates) {

  /** Copies the list. */
  public HeadroomReport {
    templates = List.copyOf(templates);
  }

  /** The headroom of the template with id {@code templateId}, if asked. */
  public Optional<Headroom> find(String templateId) {
    return templates.stream().filter(h -> h.templateId().equals(templateId)).findFirst();
  }
}
