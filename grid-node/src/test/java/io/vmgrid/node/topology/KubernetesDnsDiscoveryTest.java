package io.vmgrid.node.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.partitiongroup.PartitionGroupMetaData;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A real member joining by Kubernetes DNS discovery (of {@code localhost}, which finds only
 * itself) carries the node name vmgrid gave it. With Hazelcast's own Kubernetes join in DNS mode
 * the same attribute reads {@code "unknown"}: Hazelcast copies its discovery's metadata over the
 * configured attributes, which is why {@link KubernetesDnsDiscovery} exists.
 */
class KubernetesDnsDiscoveryTest {

  private static GridNodeConfig node(PartitionGroup group) {
    return GridNodeConfig.builder().clusterName("dns-" + UUID.randomUUID()).port(5961).workers(1)
        .kubernetesDns("localhost").partitionGroup(group).build();
  }

  @Test
  void theMemberCarriesItsNodeNameThroughDnsDiscovery() {
    Config config = GridNode.memberConfig(
        node(new PartitionGroup(PartitionGroup.Kind.NODE, "k8s-node-7")));
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
    try {
      Member local = hz.getCluster().getLocalMember();
      assertThat(local.getAttribute(PartitionGroupMetaData.PARTITION_GROUP_NODE)).isEqualTo("k8s-node-7");
      assertThat(local.getAttribute(PartitionGroupMetaData.PARTITION_GROUP_ZONE))
          .as("no made-up zone").isNull();
    } finally {
      hz.shutdown();
    }
  }

  @Test
  void hazelcastsOwnDnsDiscoveryOverwritesTheConfiguredNodeNameWithUnknown() {
    Config config = GridNode.memberConfig(node(PartitionGroup.none()));
    config.setProperty(KubernetesDnsDiscovery.DISCOVERY_ENABLED, "false");
    config.getNetworkConfig().getJoin().getDiscoveryConfig().getDiscoveryStrategyConfigs().clear();
    config.getNetworkConfig().getJoin().getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", "localhost");
    config.getMemberAttributeConfig().setAttribute(PartitionGroupMetaData.PARTITION_GROUP_NODE,
        "k8s-node-7");
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
    try {
      assertThat(hz.getCluster().getLocalMember()
          .getAttribute(PartitionGroupMetaData.PARTITION_GROUP_NODE))
          .as("if this fails, Hazelcast keeps configured attributes now, and KubernetesDnsDiscovery"
              + " could go").isEqualTo("unknown");
    } finally {
      hz.shutdown();
    }
  }
}
