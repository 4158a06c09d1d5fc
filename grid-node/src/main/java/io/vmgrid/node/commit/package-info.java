/**
 * The placement store's writes: the entry processors that commit VMs to servers, release them and
 * record each VM's placement (the linearization point of exactly-once placement), and the
 * {@code Committer} agents group their commits through.
 */
@NullMarked
package io.vmgrid.node.commit;

import org.jspecify.annotations.NullMarked;
