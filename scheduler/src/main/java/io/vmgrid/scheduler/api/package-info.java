/**
 * The Kamino scheduling contract shared by the simulator and the grid's Jet job: a classified
 * request, per-agent indicators, latency estimates, and the routing policy that reads them.
 */
@NullMarked
package io.vmgrid.scheduler.api;

import org.jspecify.annotations.NullMarked;
