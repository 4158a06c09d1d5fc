/** Headless XChart plots of simulator results. */
@NullMarked
package io.vmgrid.scheduler.sim.plot;

import org.jspecify.annotations.NullMarked;
