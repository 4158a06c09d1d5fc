/**
 * The client commands of {@code vmgrid} (allocate, release, inventory, inspection, capacity, replay)
 * over {@code io.vmgrid.client.api}: their options, files and output.
 */
@NullMarked
package io.vmgrid.client.cli;

import org.jspecify.annotations.NullMarked;
