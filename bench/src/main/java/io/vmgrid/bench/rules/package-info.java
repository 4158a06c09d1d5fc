/** The rule engine and agent cache benchmark ({@code vmgrid bench rules}). */
@NullMarked
package io.vmgrid.bench.rules;

import org.jspecify.annotations.NullMarked;
