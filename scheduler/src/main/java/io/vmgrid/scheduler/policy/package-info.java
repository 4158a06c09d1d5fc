/** Routing policies (LatCache and baselines) and the name-to-factory registry. */
@NullMarked
package io.vmgrid.scheduler.policy;

import org.jspecify.annotations.NullMarked;
