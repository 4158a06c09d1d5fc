package io.vmgrid.scheduler.sim;

/**
 * One VM request of a workload, before classification and arrival scaling.
 *
 * @param id the VM id
 * @param tenant the tenant id
 * @param cores requested cores (trace units)
 * @param ram requested memory (trace units)
 * @param priority 0 = regular, 1 = low priority
 * @param time arrival time on the workload's own timeline, in seconds (only differences matter)
 * @param lifetime seconds the VM runs on the same timeline ({@link Double#POSITIVE_INFINITY} if it
 *     never leaves); engine mode releases it after this long, scaled like the arrivals
 */
public record TraceRecord(
    long id, long tenant, double cores, double ram, int priority, double time, double lifetime) {

  /** A record of a VM that never leaves. */
  public TraceRecord(long id, long tenant, double cores, double ram, int priority, double time) {
    this(id, tenant, cores, ram, priority, time, Double.POSITIVE_INFINITY);
  }

  /** Validates the lifetime. */
  public TraceRecord {
    if (!(lifetime >= 0)) {
      throw new IllegalArgumentException("lifetime must be >= 0, was " + lifetime);
    }
  }
}
