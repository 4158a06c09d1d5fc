package io.vmgrid.rules.trace;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;

/**
 * One row of a {@code vm-sample-*.csv} file.
 *
 * @param vmId the VM id
 * @param tenantId the tenant id
 * @param cores cores demanded (CoSpot units)
 * @param memory memory demanded (CoSpot units)
 * @param priority from the {@code vmTypeId} column: 0 regular, 1 low
 * @param start arrival, fractional days (negative for a VM running when the trace starts)
 * @param end departure, fractional days ({@link Double#POSITIVE_INFINITY} for {@code inf})
 */
public record TraceRequest(
    String vmId, String tenantId, long cores, long memory, Priority priority, double start,
    double end) {

  /**
   * Whether the VM was already running when the trace starts (place these first): any negative start.
   * The trace's README names {@code -1497.0} as the marker, but in the samples only a few dozen rows
   * carry it; about 7.4k (the README's count) have small negative start times, so all count.
   */
  public boolean initial() {
    return start < 0;
  }

  /** This row as a request with explicit demands (SSD 0) and the given constraints. */
  public VmRequest toRequest(Constraints constraints) {
    return new VmRequest(vmId, null, new Resources(cores, memory, 0), tenantId, priority,
        constraints);
  }
}
