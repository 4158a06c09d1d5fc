/**
 * The embedded demo: one member on loopback, a small seeded inventory and workload, a real client
 * that allocates and releases, and the summary it prints.
 */
@NullMarked
package io.vmgrid.node.demo;

import org.jspecify.annotations.NullMarked;
