/** The {@code vmgrid sim} command line. */
@NullMarked
package io.vmgrid.scheduler.sim.cli;

import org.jspecify.annotations.NullMarked;
