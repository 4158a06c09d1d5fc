package io.vmgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.GridTask;
import java.util.concurrent.TimeUnit;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.ClientSettings;
import java.time.Duration;
import com.hazelcast.map.IMap;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test fixtures: servers, requests and the reliability invariants of ../shared/DESIGN.md. */
public final class Fixtures {
  private Fixtures() {}

  /** The repository root (surefire passes it as {@code vmgrid.root}; else the module's parent). */
  public static Path repositoryRoot() {
    String root = System.getProperty("vmgrid.root");
    return (root != null && !root.isBlank() ? Path.of(root) : Path.of("..")).toAbsolutePath().normalize();
  }

  /** The Azure packing trace folder beside the checkout (may be absent). */
  public static Path azureData() {
    return repositoryRoot().resolve("../shared/data/azure-packing-2020").normalize();
  }

  /** {@code n} empty healthy servers {@code srv-000..} with the given capacity, in one cluster. */
  /** Grid member config with 71 partitions, so 12 agents (one per partition at most) fit on 3 members. */
  public static com.hazelcast.config.Config agentClusterConfig() {
    return io.vmgrid.node.GridNode.applyGridConfig(com.hazelcast.test.HazelcastTestSupport
        .smallInstanceConfig().setProperty("hazelcast.partition.count", "71"));
  }

  /** The test's seed ({@code -Dvmgrid.test.seed}, else the clock), printed under {@code test}. */
  public static long seed(String test) {
    long seed = Long.getLong("vmgrid.test.seed", System.nanoTime());
    System.out.println(test + " seed=" + seed);
    return seed;
  }

  public static List<ServerState> servers(int n, long cores, long memoryMb) {
    List<ServerState> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(ServerState.empty(String.format("srv-%03d", i), "c0", cores, memoryMb));
    }
    return out;
  }

  /** Client config for a cluster made by a Hazelcast test factory (cluster name taken from it). */
  public static ClientConfig clientConfigFor(HazelcastInstance member) {
    return AllocationClient.clientConfig(new ClientSettings(member.getConfig().getClusterName(),
        List.of("127.0.0.1:5701"), Duration.ofSeconds(10)));
  }

  /**
   * Sends {@code requests} as one task, the way a client does, through {@code caller} (a client or
   * member) to member {@code target}, and returns the results: for tests that send what
   * {@code AllocationClient} would refuse to.
   */
  public static List<GridResult> send(HazelcastInstance caller, Member target,
      GridRequest... requests) throws Exception {
    GridTask task = new GridTask(List.of(requests));
    String executor = requests.length > 0 && requests[0].op() != null && requests[0].op().isQuery()
        ? GridTask.QUERY_EXECUTOR : GridTask.INTAKE_EXECUTOR;
    return caller.getExecutorService(executor).submitToMember(task, target)
        .get(60, TimeUnit.SECONDS).results();
  }

  /** {@link #send(HazelcastInstance, Member, GridRequest...)} to {@code caller}'s first member. */
  public static List<GridResult> send(HazelcastInstance caller, GridRequest... requests)
      throws Exception {
    return send(caller, caller.getCluster().getMembers().iterator().next(), requests);
  }

  /** A valid allocation as a client would send it. */
  public static GridRequest allocation(String requestId, String vmId, long cores, long memoryMb) {
    return new GridRequest(GridRequest.Op.ALLOCATE, requestId, vmId, "t1", cores, memoryMb,
        "REGULAR");
  }

  public static VmRequest vm(String vmId, int cores, long memoryMb) {
    return VmRequest.builder().vmId(vmId).tenantId("t1").cores(cores).memoryMb(memoryMb).build();
  }

  /**
   * Checks invariants 1-3 over the whole grid and returns VM id to server id: no server over capacity,
   * used equals the hosted VMs, every VM on exactly one server, and placements agree with servers.
   */
  public static Map<String, String> assertInvariants(HazelcastInstance hz) {
    IMap<Object, Object> servers = hz.getMap(MapNames.SERVERS);
    IMap<Object, Object> placements = hz.getMap(MapNames.PLACEMENTS);
    Map<String, String> hostOf = new HashMap<>();
    // entries that are not vmgrid's (ForeignEntriesTest writes some) are not part of the store
    List<ServerState> states = servers.values().stream()
        .filter(ServerState.class::isInstance).map(ServerState.class::cast).toList();
    for (ServerState s : states) {
      // The record's constructor already refuses used != sum(vms) and used > capacity; check anyway.
      assertThat(s.usedCores()).as("cores used on %s", s.serverId()).isLessThanOrEqualTo(s.capacityCores());
      assertThat(s.usedMemoryMb()).as("memory used on %s", s.serverId())
          .isLessThanOrEqualTo(s.capacityMemoryMb());
      assertThat(s.vms().stream().mapToLong(HostedVm::cores).sum()).isEqualTo(s.usedCores());
      for (HostedVm vm : s.vms()) {
        String previous = hostOf.put(vm.vmId(), s.serverId());
        assertThat(previous).as("VM %s on two servers", vm.vmId()).isNull();
      }
    }
    Map<String, Placement> all = new HashMap<>();
    for (Map.Entry<Object, Object> e : placements.entrySet()) {
      if (e.getKey() instanceof String id && e.getValue() instanceof Placement p) {
        all.put(id, p);
      }
    }
    for (Placement p : all.values()) {
      assertThat(hostOf.get(p.vmId())).as("server of %s", p.vmId()).isEqualTo(p.serverId());
    }
    assertThat(all.keySet()).as("placements vs VMs on servers").isEqualTo(hostOf.keySet());
    return hostOf;
  }
}
