package io.vmgrid.rules.capacity;

import java.util.List;

/**
 * Where free capacity is stranded: per server, the free cores the templates in demand can use
 * (copies that fit × their cores, for the template that uses most) versus the free cores there are.
 * Covers servers not {@code UNHEALTHY}; cluster-level rules (e.g. utilization limits) are policy,
 * not fragmentation, and are not applied.
 *
 * @param freeCores free cores of the servers covered
 * @param usableCores of those, the cores some template can use
 * @param stranded servers with free cores that no template can use, most free cores first
 * @param strandedServerCores free cores of the {@code stranded} servers
 */
public record FragmentationReport(
    long freeCores, long usableCores, List<StrandedServer> stranded, long strandedServerCores) {

  /** Copies the list. */
  public FragmentationReport {
    stranded = List.copyOf(stranded);
  }

  /** Free cores no template can use (on stranded servers and left over on others). */
  public long strandedCores() {
    return freeCores - usableCores;
  }

  /** Stranded ÷ free cores, in [0, 1]. */
  public double strandedFraction() {
    return freeCores == 0 ? 0 : strandedCores() / (double) freeCores;
  }
}
