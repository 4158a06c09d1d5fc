package io.vmgrid.client.api;

import java.util.List;

/**
 * Where free capacity is stranded for the templates of a query: free cores on servers in service,
 * the part some template can use (copies that fit × their cores, for the template that uses most),
 * and the servers whose free cores no template can use. Cluster-level rules (utilization limits)
 * are policy, not fragmentation, and are not applied.
 *
 * @param templates the ids of the templates asked about (the request's VM id, or shape ids)
 * @param freeCores free cores of the servers in service
 * @param usableCores of those, the cores some template can use
 * @param strandedServers how many servers have free cores and none usable
 * @param strandedServerCores free cores of those servers
 * @param stranded the stranded servers, most free cores first (at most the query's limit)
 */
public record FragmentationSummary(
    List<String> templates,
    long freeCores,
    long usableCores,
    int strandedServers,
    long strandedServerCores,
    List<Server> stranded) {

  /** Copies the lists. */
  public FragmentationSummary {
    templates = List.copyOf(templates);
    stranded = List.copyOf(stranded);
  }

  /** Free cores no template can use. */
  public long strandedCores() {
    return freeCores - usableCores;
  }

  /** Stranded ÷ free cores, in [0, 1]. */
  public double strandedFraction() {
    return freeCores == 0 ? 0 : strandedCores() / (double) freeCores;
  }

  /**
   * A server with free capacity no template can use.
   *
   * @param serverId the server
   * @param clusterId its cluster
   * @param freeCores its free cores
   * @param freeMemoryMb its free memory, MiB
   */
  public record Server(String serverId, String clusterId, long freeCores, long freeMemoryMb) {}
}
