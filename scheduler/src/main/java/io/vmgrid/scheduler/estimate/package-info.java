/** The latency estimator: running averages of hit, rule-hit and rule-miss times, persisted as JSON. */
@NullMarked
package io.vmgrid.scheduler.estimate;

import org.jspecify.annotations.NullMarked;
