/** vmgrid scheduler module. */
@NullMarked
package io.vmgrid.scheduler;

import org.jspecify.annotations.NullMarked;
