package io.vmgrid.node.topology;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.kubernetes.HazelcastKubernetesDiscoveryStrategyFactory;
import com.hazelcast.logging.ILogger;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryStrategyFactory;
import com.hazelcast.spi.partitiongroup.PartitionGroupMetaData;
import com.hazelcast.spi.partitiongroup.PartitionGroupStrategy;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Hazelcast's Kubernetes discovery in DNS mode (a lookup of the headless service, no API access),
 * answering this member's node or zone name as its local metadata.
 *
 * <p>Why not Hazelcast's own: in DNS mode its strategy answers {@code "unknown"} for both the node
 * and the zone (only its API mode reads them), and when the member starts Hazelcast copies the
 * discovery's metadata over the member attributes set in the configuration. Every member would
 * then carry node {@code "unknown"}: one group, which Hazelcast splits in two, so the placement
 * store would keep one backup instead of two, and not one per machine. This factory makes the same
 * strategy and answers the names vmgrid found instead ({@code KubernetesDnsDiscoveryTest} starts a
 * member through it and reads the attribute back).
 */
public final class KubernetesDnsDiscovery implements DiscoveryStrategyFactory {
  /** Hazelcast's property that turns the discovery SPI (and its joiner) on. */
  static final String DISCOVERY_ENABLED = "hazelcast.discovery.enabled";

  private final HazelcastKubernetesDiscoveryStrategyFactory kubernetes =
      new HazelcastKubernetesDiscoveryStrategyFactory();
  private final Map<String, String> metadata;

  /** Discovery whose members carry {@code group}'s attribute (none for {@link PartitionGroup#none()}). */
  public KubernetesDnsDiscovery(PartitionGroup group) {
    this.metadata = group.metadata();
  }

  /**
   * Joins {@code config}'s member by DNS lookup of the headless service {@code serviceDns} through
   * this discovery, carrying {@code group}'s name. TCP/IP, multicast and Hazelcast's own Kubernetes
   * join must be off (the caller's networking does that).
   */
  public static void configure(Config config, String serviceDns, PartitionGroup group) {
    config.setProperty(DISCOVERY_ENABLED, "true");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getKubernetesConfig().setEnabled(false);
    join.getDiscoveryConfig().addDiscoveryStrategyConfig(new DiscoveryStrategyConfig(
        new KubernetesDnsDiscovery(group), Map.of("service-dns", serviceDns)));
  }

  @Override
  public Class<? extends DiscoveryStrategy> getDiscoveryStrategyType() {
    return Strategy.class;
  }

  @Override
  @SuppressWarnings("rawtypes") // Hazelcast's signature
  public DiscoveryStrategy newDiscoveryStrategy(DiscoveryNode discoveryNode, ILogger logger,
      Map<String, Comparable> properties) {
    return new Strategy(kubernetes.newDiscoveryStrategy(discoveryNode, logger, properties), metadata);
  }

  @Override
  public Collection<PropertyDefinition> getConfigurationProperties() {
    return kubernetes.getConfigurationProperties();
  }

  /** Hazelcast's Kubernetes strategy with vmgrid's node and zone names as the local metadata. */
  static final class Strategy implements DiscoveryStrategy {
    private final DiscoveryStrategy kubernetes;
    private final Map<String, String> metadata;

    Strategy(DiscoveryStrategy kubernetes, Map<String, String> metadata) {
      this.kubernetes = kubernetes;
      this.metadata = metadata;
    }

    @Override
    public void start() {
      kubernetes.start();
    }

    @Override
    public Iterable<DiscoveryNode> discoverNodes() {
      return kubernetes.discoverNodes();
    }

    @Override
    public void destroy() {
      kubernetes.destroy();
    }

    @Override
    public @Nullable PartitionGroupStrategy getPartitionGroupStrategy(
        Collection<? extends Member> allMembers) {
      return kubernetes.getPartitionGroupStrategy(allMembers);
    }

    /**
     * Hazelcast's own metadata without its {@code "unknown"} node and zone, and vmgrid's names in
     * their place.
     */
    @Override
    public Map<String, String> discoverLocalMetadata() {
      Map<String, String> local = new HashMap<>(kubernetes.discoverLocalMetadata());
      local.remove(PartitionGroupMetaData.PARTITION_GROUP_NODE);
      local.remove(PartitionGroupMetaData.PARTITION_GROUP_ZONE);
      local.putAll(metadata);
      return local;
    }

    @Override
    public void markEndpointAsUnhealthy(Address address) {
      kubernetes.markEndpointAsUnhealthy(address);
    }

    @Override
    public Set<Address> getUnhealthyEndpoints() {
      return kubernetes.getUnhealthyEndpoints();
    }
  }
}
