/**
 * Where a member runs, as Hazelcast's partition grouping sees it: the Kubernetes node or zone name
 * a member carries ({@link io.vmgrid.node.topology.PartitionGroup}), how it gets there under DNS
 * discovery ({@link io.vmgrid.node.topology.KubernetesDnsDiscovery}), where a zone name comes from
 * ({@link io.vmgrid.node.topology.KubernetesNodeZone}), and the check that says when grouping
 * leaves the placement store fewer backups than configured
 * ({@link io.vmgrid.node.topology.RedundancyWatch}).
 */
@NullMarked
package io.vmgrid.node.topology;

import org.jspecify.annotations.NullMarked;
