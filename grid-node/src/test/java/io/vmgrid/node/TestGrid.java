package io.vmgrid.node;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.rules.ruleset.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An in-JVM vmgrid cluster for tests: real Hazelcast members on the test network with the grid
 * services attached, and a real client. Close it to stop everything.
 *
 * <pre>{@code
 * try (TestGrid grid = TestGrid.start(2).load(Fixtures.servers(10, 16, 65_536))) {
 *   grid.client().allocateAndWait(Fixtures.vm("vm-1", 2, 1_024));
 * }
 * }</pre>
 */
public final class TestGrid implements AutoCloseable {
  private final TestHazelcastFactory factory;
  private final List<GridNode> nodes = new ArrayList<>();
  private @Nullable AllocationClient client;
  private @Nullable HazelcastInstance clientInstance;
  private String scheduler = "direct";

  private TestGrid(int size) {
    this.factory = new TestHazelcastFactory(size);
  }

  /** {@code members} members, 2 request workers each, no quorum. */
  public static TestGrid start(int members) {
    return start(members, 2, GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()));
  }

  /** {@code members} members with {@code workers} request workers each, from {@code config}. */
  public static TestGrid start(int members, int workers, Config config) {
    return new TestGrid(members).startMembers(members, config,
        hz -> GridNode.attach(hz, services(workers, RuleSet.defaults(), "direct")));
  }

  /** Starts {@code members} members from {@code config}, waits for the cluster, then attaches each. */
  private TestGrid startMembers(int members, Config config,
      java.util.function.Function<HazelcastInstance, GridNode> attach) {
    List<HazelcastInstance> started = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      started.add(factory.newHazelcastInstance(config));
    }
    HazelcastTestSupport.assertClusterSizeEventually(members, started);
    for (HazelcastInstance hz : started) {
      nodes.add(attach.apply(hz));
    }
    return this;
  }

  /**
   * Starts one more member from {@code config} (the factory must have been made large enough, see
   * {@link #start(int, int, int, Config)}), waits until it has joined, and attaches the grid services.
   */
  public GridNode addMember(Config config, int agentsPerMember) {
    HazelcastInstance hz = factory.newHazelcastInstance(config);
    List<HazelcastInstance> all = new ArrayList<>();
    nodes.forEach(n -> all.add(n.hazelcast()));
    all.add(hz);
    HazelcastTestSupport.assertClusterSizeEventually(all.size(), all);
    GridNode node = GridNode.attach(hz, services(agentsPerMember, RuleSet.defaults(), scheduler));
    nodes.add(node);
    return node;
  }

  /**
   * {@code members} members started now out of a factory with room for {@code capacity}, with
   * {@code agents} agents each, from {@code config}.
   */
  public static TestGrid start(int members, int capacity, int agents, Config config) {
    return start(members, capacity, agents, config, "direct");
  }

  /** As {@link #start(int, int, int, Config)}, with allocations routed by the scheduler job. */
  public static TestGrid start(int members, int capacity, int agents, Config config,
      String scheduler) {
    TestGrid grid = new TestGrid(capacity);
    grid.scheduler = scheduler;
    return grid.startMembers(members, config,
        hz -> GridNode.attach(hz, services(agents, RuleSet.defaults(), scheduler)));
  }

  /** {@code members} members with {@code agents} agents each, from {@code config}, on {@code rules}. */
  public static TestGrid start(int members, int agents, Config config, RuleSet rules) {
    TestGrid grid = new TestGrid(members);
    return grid.startMembers(members, config,
        hz -> GridNode.attach(hz, services(agents, rules, grid.scheduler)));
  }

  /** What {@link GridNode#attach} starts on a member: agents, rules and routing. */
  private static GridNodeConfig services(int agents, RuleSet rules, String scheduler) {
    return GridNodeConfig.builder().workers(agents).rules(rules).scheduler(scheduler).build();
  }

  /** Loads servers through the first member; every member's view knows them on return. */
  public TestGrid load(List<ServerState> servers) {
    nodes.get(0).loadInventory(servers);
    HazelcastTestSupport.assertTrueEventually(() -> {
      for (GridNode n : nodes) {
        if (n.knownServers() < servers.size()) {
          throw new AssertionError("view of a member lags: " + n.knownServers());
        }
      }
    });
    return this;
  }

  /** Member {@code i}. */
  public HazelcastInstance member(int i) {
    return nodes.get(i).hazelcast();
  }

  /** The grid services of member {@code i}. */
  public GridNode node(int i) {
    return nodes.get(i);
  }

  /** All members' grid services. */
  public List<GridNode> nodes() {
    return List.copyOf(nodes);
  }

  /** The Hazelcast client under {@link #client()}. */
  public HazelcastInstance clientInstance() {
    if (clientInstance == null) {
      clientInstance = factory.newHazelcastClient(Fixtures.clientConfigFor(member(0)));
    }
    return clientInstance;
  }

  /**
   * A plain Hazelcast client of this cluster, not vmgrid's: no vmgrid serializers, no filter. It
   * writes what any other application could (strings, numbers, JSON, other Compact schemas).
   */
  public HazelcastInstance plainClient() {
    com.hazelcast.client.config.ClientConfig config = new com.hazelcast.client.config.ClientConfig()
        .setClusterName(member(0).getConfig().getClusterName());
    config.getNetworkConfig().addAddress("127.0.0.1:5701");
    return factory.newHazelcastClient(config);
  }

  /**
   * A Hazelcast client bound to member 0 alone (single-member routing, as the nemesis's clients):
   * each of its map writes is sent on by that member, and so fails as the members' own do when its
   * backups do not confirm. Closed with the grid.
   */
  public HazelcastInstance singleMemberClientInstance() {
    com.hazelcast.client.config.ClientConfig config = Fixtures.clientConfigFor(member(0));
    config.getNetworkConfig().getClusterRoutingConfig()
        .setRoutingMode(com.hazelcast.client.config.RoutingMode.SINGLE_MEMBER);
    return factory.newHazelcastClient(config);
  }

  /** An allocation client over the test network (60 s timeout). */
  public AllocationClient client() {
    if (client == null) {
      client = AllocationClient.using(clientInstance(), Duration.ofSeconds(60));
    }
    return client;
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
    nodes.forEach(GridNode::close);
    factory.terminateAll();
  }
}
