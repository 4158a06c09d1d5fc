/**
 * The {@code vmgrid} command line of the node jar: the launcher's entry point, {@code vmgrid node}
 * (one member in the foreground, from a node file and flags) and {@code vmgrid demo}; the client
 * commands it also offers come from {@code io.vmgrid.client.cli}.
 */
@NullMarked
package io.vmgrid.node.cli;

import org.jspecify.annotations.NullMarked;
