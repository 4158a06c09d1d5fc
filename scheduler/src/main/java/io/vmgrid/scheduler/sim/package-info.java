/** The discrete-event simulator that replays one request stream through every routing policy. */
@NullMarked
package io.vmgrid.scheduler.sim;

import org.jspecify.annotations.NullMarked;
