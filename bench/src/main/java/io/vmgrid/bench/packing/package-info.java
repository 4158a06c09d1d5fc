/**
 * The packing-quality benchmark ({@code vmgrid bench packing}): the Azure sample replayed through the
 * default rule set and plain best-fit and first-fit baselines, plus the cost of the capacity queries
 * of {@code io.vmgrid.rules.capacity} at scale.
 */
@NullMarked
package io.vmgrid.bench.packing;

import org.jspecify.annotations.NullMarked;
