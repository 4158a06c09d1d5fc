package io.vmgrid.client.api;

/**
 * Headroom for one template of a capacity query.
 *
 * @param templateId the template: the request's VM id, or the shape id ({@code 8c32768m}, {@code
 *     -low} for low priority) for a shape in demand
 * @param cores cores one VM of the template demands
 * @param memoryMb memory one VM demands, MiB
 * @param lowPriority whether the template is low priority
 * @param placedNow for a shape in demand, how many VMs of that shape are placed now (0 otherwise)
 * @param headroom how many more fit
 * @param withEvictions how many more would fit if every VM of lower priority were evicted first:
 *     an upper bound on what preemption can make room for (one request evicts at most the rule
 *     set's {@code maxVictims}, on one server); the same as {@code headroom} for a low-priority
 *     template, and when the member does not report it
 */
public record TemplateHeadroom(
    String templateId, long cores, long memoryMb, boolean lowPriority, long placedNow,
    CapacityHeadroom headroom, CapacityHeadroom withEvictions) {

  /** A template's headroom where evictions would add nothing. */
  public TemplateHeadroom(String templateId, long cores, long memoryMb, boolean lowPriority,
      long placedNow, CapacityHeadroom headroom) {
    this(templateId, cores, memoryMb, lowPriority, placedNow, headroom, headroom);
  }
}
