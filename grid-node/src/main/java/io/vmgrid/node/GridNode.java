package io.vmgrid.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.client.wire.WireSerialization;
import io.vmgrid.node.placement.PlacementSerialization;
import io.vmgrid.node.placement.RequestProcessor;
import io.vmgrid.node.placement.ServerView;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One vmgrid member: an embedded Hazelcast member configured with the grid's maps, plus the
 * member-side services that carry out requests. Close it to leave the cluster gracefully.
 */
public final class GridNode implements AutoCloseable {
  /** Result entries expire after this many seconds if no client picked them up. */
  static final int RESULT_TTL_SECONDS = 600;
  private static final int LOAD_BATCH = 1_000;
  private static final long VIEW_CATCH_UP_MILLIS = 30_000;

  private final HazelcastInstance hazelcast;
  private final ServerView view;
  private final RequestProcessor processor;

  private GridNode(HazelcastInstance hazelcast, int workers) {
    this.hazelcast = hazelcast;
    this.view = new ServerView(hazelcast.getMap(MapNames.SERVERS));
    this.processor = new RequestProcessor(hazelcast, view, workers);
  }

  /** Starts a member from {@code config} and the grid services on it. */
  public static GridNode start(GridNodeConfig config) {
    return new GridNode(Hazelcast.newHazelcastInstance(memberConfig(config)), config.workers());
  }

  /**
   * Starts the grid services on an already running member whose config went through
   * {@link #applyGridConfig(Config)} (tests use this with Hazelcast's test factories).
   */
  public static GridNode attach(HazelcastInstance member, int workers) {
    return new GridNode(member, workers);
  }

  /**
   * The full member configuration: {@link #applyGridConfig(Config)} plus networking. Members bind to
   * {@code bindAddress} only and join by TCP/IP; multicast and auto-detection are off.
   */
  public static Config memberConfig(GridNodeConfig node) {
    Config config = new Config();
    config.setClusterName(node.clusterName());
    config.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "jdk"));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(node.port()).setPortAutoIncrement(true).setPortCount(100);
    network.getInterfaces().setEnabled(true).addInterface(node.bindAddress());
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    if (node.members().isEmpty()) {
      join.getTcpIpConfig().addMember(node.bindAddress());
    } else {
      node.members().forEach(join.getTcpIpConfig()::addMember);
    }
    return applyGridConfig(config);
  }

  /** Adds the grid's map configurations and serializers to {@code config} and returns it. */
  public static Config applyGridConfig(Config config) {
    WireSerialization.register(config.getSerializationConfig());
    PlacementSerialization.register(config.getSerializationConfig());
    config.addMapConfig(
        new MapConfig(MapNames.SERVERS)
            .setBackupCount(1)
            .setAsyncBackupCount(0)
            .setInMemoryFormat(InMemoryFormat.OBJECT));
    config.addMapConfig(new MapConfig(MapNames.PLACEMENTS).setBackupCount(1));
    config.addMapConfig(new MapConfig(MapNames.REQUESTS).setBackupCount(1));
    config.addMapConfig(
        new MapConfig(MapNames.RESULTS).setBackupCount(1).setTimeToLiveSeconds(RESULT_TTL_SECONDS));
    return config;
  }

  /** The underlying Hazelcast member. */
  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /** The {@code host:port} clients use to reach this member. */
  public String clientAddress() {
    InetSocketAddress a = hazelcast.getCluster().getLocalMember().getSocketAddress();
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** Commit conflicts seen by this member's request processing. */
  public long conflicts() {
    return processor.conflicts();
  }

  /** Servers this member's view currently knows (it follows the servers map within milliseconds). */
  public int knownServers() {
    return view.size();
  }

  /** Requests this member has answered. */
  public long processed() {
    return processor.processed();
  }

  /**
   * Writes servers into the placement store in batches, replacing entries with the same id, and
   * returns once this member's view knows them all (other members' views follow within milliseconds).
   * Meant for loading an inventory before allocation starts.
   */
  public void loadInventory(Collection<ServerState> inventory) {
    IMap<String, ServerState> servers = hazelcast.getMap(MapNames.SERVERS);
    Map<String, ServerState> batch = new HashMap<>();
    List<String> ids = new ArrayList<>(inventory.size());
    for (ServerState s : inventory) {
      batch.put(s.serverId(), s);
      ids.add(s.serverId());
      if (batch.size() == LOAD_BATCH) {
        servers.putAll(batch);
        batch.clear();
      }
    }
    servers.putAll(batch);
    if (!view.awaitKnown(ids, VIEW_CATCH_UP_MILLIS)) {
      throw new IllegalStateException("inventory: loaded " + ids.size() + " servers but this member's"
          + " view knows only " + view.size() + " after " + VIEW_CATCH_UP_MILLIS + " ms");
    }
  }

  /** Stops request processing and leaves the cluster gracefully (partitions are handed over). */
  @Override
  public void close() {
    processor.close();
    try {
      view.close();
    } catch (RuntimeException ignored) {
      // the member may already be stopped
    }
    if (hazelcast.getLifecycleService().isRunning()) {
      hazelcast.shutdown();
    }
  }
}
