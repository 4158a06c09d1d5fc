/** The grid allocation-path benchmark ({@code vmgrid bench grid}). */
@NullMarked
package io.vmgrid.bench.grid;

import org.jspecify.annotations.NullMarked;
