/** vmgrid bench module. */
@NullMarked
package io.vmgrid.bench;

import org.jspecify.annotations.NullMarked;
