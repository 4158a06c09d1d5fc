package io.vmgrid.client.api;

import org.jspecify.annotations.Nullable;

/**
 * What a capacity query ({@link AllocationClient#capacity(CapacityTemplates)}, {@link
 * AllocationClient#whatIf}, {@link AllocationClient#fragmentation}) is about: the shape of one
 * request (its demand, priority and constraints), or the shapes most common among the VMs placed
 * now, the VM types in demand. Requests carry demands, not VM type names, so the grid names a type by
 * its shape: {@code <cores>c<memoryMb>m}, with {@code -low} for low priority.
 *
 * @param request the request to ask about, or null for the shapes in demand
 * @param inDemand with no request: how many of the most common shapes to report (1 to {@value
 *     #MAX_IN_DEMAND})
 */
public record CapacityTemplates(@Nullable VmRequest request, int inDemand) {
  /** Most shapes in demand one query reports. */
  public static final int MAX_IN_DEMAND = 100;

  /** Validates {@code inDemand}. */
  public CapacityTemplates {
    if (request == null && (inDemand < 1 || inDemand > MAX_IN_DEMAND)) {
      throw new InvalidRequestException("inDemand",
          "inDemand: must be in [1, " + MAX_IN_DEMAND + "], was " + inDemand);
    }
  }

  /** VMs like {@code request}. */
  public static CapacityTemplates of(VmRequest request) {
    return new CapacityTemplates(request, 0);
  }

  /** The {@code count} shapes most common among the VMs placed now, most common first. */
  public static CapacityTemplates inDemand(int count) {
    return new CapacityTemplates(null, count);
  }
}
