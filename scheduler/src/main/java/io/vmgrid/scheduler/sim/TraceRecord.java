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
 */
public record TraceRecord(long id, long tenant, double cores, double ram, int priority, double time) {}
