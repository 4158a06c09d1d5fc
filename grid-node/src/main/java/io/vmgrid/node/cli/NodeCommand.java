package io.vmgrid.node.cli;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import io.vmgrid.node.demo.DemoInventory;
import io.vmgrid.node.metrics.HttpEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmgrid node}: one grid member in the foreground until Ctrl-C. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description =
        "Run one grid member in the foreground. Ctrl-C leaves the cluster gracefully (partitions and their backups are handed to the remaining members first).")
final class NodeCommand implements Callable<Integer> {
  @Option(names = "--cluster-name", defaultValue = GridNodeConfig.DEFAULT_CLUSTER,
      description = "Cluster to join (default ${DEFAULT-VALUE}).")
  String clusterName;

  @Option(names = "--bind", defaultValue = GridNodeConfig.DEFAULT_BIND,
      description = "Interface to bind and advertise (default ${DEFAULT-VALUE}: loopback only).")
  String bind;

  @Option(names = "--port", defaultValue = "5701",
      description = "First port to try; the next free one is used if busy (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--member", paramLabel = "HOST[:PORT]",
      description = "Another member to join through (repeatable). Default: the bind address.")
  List<String> members = new ArrayList<>();

  @Option(names = "--workers", defaultValue = "4",
      description = "Request-processing threads (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--metrics-port", defaultValue = "9401",
      description = "Port for /metrics, /health/live, /health/ready on the bind address; 0 picks a"
          + " free port, -1 serves none (default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--demo-inventory", paramLabel = "N", defaultValue = "0",
      description = "If the cluster has no servers yet, load N generated ones (default: none).")
  int demoServers;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of --demo-inventory (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws InterruptedException {
    if (demoServers < 0) {
      throw new IllegalArgumentException("--demo-inventory: must be >= 0 (was " + demoServers + ")");
    }
    GridNodeConfig config =
        new GridNodeConfig(clusterName, bind, port, members, workers, metricsPort);
    GridNode node = GridNode.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("vmgrid node: leaving the cluster...");
      node.close();
      System.out.println("vmgrid node: stopped");
      stopped.countDown();
    }, "vmgrid-shutdown"));
    node.hazelcast().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        System.out.println("vmgrid node: member joined " + e.getMember().getAddress()
            + " (" + e.getMembers().size() + " members)");
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        System.out.println("vmgrid node: member left " + e.getMember().getAddress()
            + " (" + e.getMembers().size() + " members)");
      }
    });
    IMap<String, ServerState> servers = node.hazelcast().getMap(MapNames.SERVERS);
    if (demoServers > 0 && servers.isEmpty()) {
      node.loadInventory(DemoInventory.generate(demoServers, seed));
      System.out.printf("vmgrid node: loaded %d generated servers (seed %d)%n", demoServers, seed);
    }
    System.out.printf("vmgrid node: member %s of cluster '%s' (%d members, %d servers). Ctrl-C to stop.%n",
        node.clientAddress(), clusterName, node.hazelcast().getCluster().getMembers().size(),
        servers.size());
    HttpEndpoints http = node.endpoints();
    if (http != null) {
      System.out.println("vmgrid node: metrics at " + http.metricsUrl()
          + ", health at /health/live and /health/ready");
    }
    stopped.await();
    return 0;
  }
}
