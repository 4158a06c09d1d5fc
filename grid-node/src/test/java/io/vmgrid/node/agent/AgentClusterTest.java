package io.vmgrid.node.agent;

import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.TestGrid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Allocation agents on real in-JVM clusters: many concurrent agents on scarce capacity, scale-out
 * with caches that move with their partitions, and the loss of a member under load.
 */
class AgentClusterTest {
  private TestGrid grid;

  @AfterEach
  void tearDown() {
    if (grid != null) {
      grid.close();
    }
  }

  /** 71 partitions, so 12 agents (one per partition at most) fit on 3 members. */
  private static Config config() {
    return GridNode.applyGridConfig(
        HazelcastTestSupport.smallInstanceConfig().setProperty("hazelcast.partition.count", "71"));
  }

  private static long seed(String test) {
    long seed = Long.getLong("vmgrid.test.seed", System.nanoTime());
    System.out.println(test + " seed=" + seed);
    return seed;
  }

  private static VmRequest request(String vmId, Random random) {
    int size = 1 + random.nextInt(3);
    return VmRequest.builder().vmId(vmId).tenantId("t" + random.nextInt(6)).cores(size)
        .memoryMb(2_048L * size).build();
  }

  /** 32 request types of one tenant: 8 sizes x 4 memory ratios. */
  private static VmRequest typed(String vmId, Random random) {
    int size = 1 + random.nextInt(8);
    return VmRequest.builder().vmId(vmId).tenantId("t0").cores(size)
        .memoryMb(1_024L * size * (1 + random.nextInt(4))).build();
  }

  @Test
  void twelveAgentsOnScarceCapacityNeverOverCommitAndRecordEveryPlacementOnce() {
    long seed = seed("twelveAgents");
    grid = TestGrid.start(3, 3, 4, config()).load(servers(24, 16, 65_536));
    HazelcastTestSupport.assertTrueEventually(() -> {
      Map<String, List<String>> byMember = grid.node(0).agents().agentsByMember();
      assertThat(byMember).as("agents per member").hasSize(3);
      byMember.values().forEach(a -> assertThat(a).hasSizeGreaterThanOrEqualTo(4));
    }, 30);
    AllocationClient client = grid.client();
    Random random = new Random(seed);
    Map<String, Integer> coresOf = new HashMap<>();
    List<CompletableFuture<AllocationOutcome>> futures = new ArrayList<>();
    int requests = 2_000; // 24 servers x 16 cores = 384 cores against ~4,000 demanded
    for (int i = 0; i < requests; i++) {
      VmRequest r = request("vm-" + i, random);
      coresOf.put(r.vmId(), r.cores());
      futures.add(client.allocate(r));
    }
    Map<String, String> placedOn = new HashMap<>();
    Map<String, Integer> notPlaced = new HashMap<>();
    for (CompletableFuture<AllocationOutcome> f : futures) {
      AllocationOutcome o = f.join();
      if (o instanceof AllocationOutcome.Placed p) {
        placedOn.put(p.vmId(), p.serverId());
      } else if (o instanceof AllocationOutcome.Rejected r) {
        notPlaced.merge(r.reason(), 1, Integer::sum);
      } else {
        AllocationOutcome.Failed failed = (AllocationOutcome.Failed) o;
        assertThat(failed.reason()).as("only conflicts may fail: %s", failed).isEqualTo("CONFLICTS");
        notPlaced.merge(failed.reason(), 1, Integer::sum);
      }
    }
    HazelcastInstance m = grid.member(0);
    Map<String, String> hostOf = assertInvariants(m);
    assertThat(hostOf).as("acknowledged placements vs grid").isEqualTo(placedOn);
    long used = m.<String, ServerState>getMap(MapNames.SERVERS).values().stream()
        .mapToLong(ServerState::usedCores).sum();
    assertThat(used).as("failed requests hold no capacity")
        .isEqualTo(placedOn.keySet().stream().mapToLong(coresOf::get).sum());
    // the default rules stop regular VMs at 85% of a cluster's cores (cluster-utilization-limit)
    assertThat(used).as("scarce capacity is used up to the utilization limit")
        .isGreaterThanOrEqualTo((long) (0.85 * 384) - 3);
    long conflicts = 0;
    int agentsThatWorked = 0;
    for (GridNode n : grid.nodes()) {
      for (AgentHost.AgentSnapshot a : n.agents().localAgents()) {
        conflicts += a.conflicts();
        agentsThatWorked += a.processed() > 0 ? 1 : 0;
      }
    }
    assertThat(agentsThatWorked).as("round-robin reaches every agent").isGreaterThanOrEqualTo(12);
    System.out.printf("twelveAgents: placed=%d notPlaced=%s conflicts=%d (%.1f%% of requests)%n",
        placedOn.size(), notPlaced, conflicts, 100.0 * conflicts / requests);
  }

  @Test
  void scaleOutMovesAgentsWithWarmCachesAndLosesNoRequest() throws Exception {
    long seed = seed("scaleOut");
    int agents = 8; // 8 warm agents: the chance that none moves to a new member is (1/3)^8
    Config config = config();
    grid = TestGrid.start(1, 3, agents, config).load(servers(400, 64, 262_144));
    AllocationClient client = grid.client();
    Random random = new Random(seed);
    // every agent sees most of the 32 request types
    List<CompletableFuture<AllocationOutcome>> warmUp = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      warmUp.add(client.allocate(typed("w-" + i, random)));
    }
    warmUp.forEach(f -> assertThat(f.join()).isInstanceOf(AllocationOutcome.Placed.class));
    Set<String> warmAgents = new HashSet<>();
    grid.node(0).agents().localAgents().forEach(a -> warmAgents.add(a.agentId()));
    assertThat(warmAgents).hasSize(agents);

    // load keeps flowing while two members join and partitions migrate
    AtomicBoolean stop = new AtomicBoolean();
    List<CompletableFuture<AllocationOutcome>> during = new ArrayList<>();
    Thread loader = new Thread(() -> {
      Random r = new Random(seed + 1);
      for (int i = 0; !stop.get() && i < 3_000; i++) {
        synchronized (during) {
          during.add(client.allocate(typed("d-" + i, r)));
        }
        sleepMillis(3);
      }
    });
    loader.start();
    grid.addMember(config, agents);
    grid.addMember(config, agents);
    HazelcastTestSupport.waitAllForSafeState(grid.member(0), grid.member(1), grid.member(2));
    HazelcastTestSupport.assertTrueEventually(() -> {
      for (GridNode n : grid.nodes()) {
        assertThat(n.agents().activeAgents()).isGreaterThanOrEqualTo(agents);
      }
      assertThat(grid.node(0).agents().agentsByMember()).hasSize(3);
    }, 30);
    stop.set(true);
    loader.join();

    // which warm agents now run on a new member, started from the records that moved with them
    Map<String, AgentHost.AgentSnapshot> moved = new HashMap<>();
    Map<String, AgentHost.AgentSnapshot> cold = new HashMap<>();
    for (int i = 1; i < 3; i++) {
      for (AgentHost.AgentSnapshot a : grid.node(i).agents().localAgents()) {
        (warmAgents.contains(a.agentId()) ? moved : cold).put(a.agentId(), a);
      }
    }
    assertThat(moved).as("warm agents that moved to a new member").isNotEmpty();
    moved.values().forEach(a -> assertThat(a.prewarmed()).as("records re-warmed %s", a.agentId())
        .isPositive());

    // since they started on their new members, moved and cold agents saw the same traffic: the
    // moved ones had re-evaluated their records before serving, the cold ones learn type by type
    double movedMisses = missRatio(moved.values());
    double coldMisses = missRatio(cold.values());
    System.out.printf("scaleOut: %d moved agents %s: miss ratio %.3f; %d cold agents: %.3f%n",
        moved.size(), moved.keySet(), movedMisses, cold.size(), coldMisses);
    assertThat(coldMisses).as("a cold start misses every type once").isGreaterThan(0.1);
    assertThat(movedMisses).as("warm caches arrived").isLessThan(coldMisses / 3);

    // nothing was lost while partitions migrated
    int placed = 0;
    synchronized (during) {
      for (CompletableFuture<AllocationOutcome> f : during) {
        AllocationOutcome o = f.get(60, TimeUnit.SECONDS);
        assertThat(o).as("outcome during migration").isInstanceOf(AllocationOutcome.Placed.class);
        placed++;
      }
    }
    assertInvariants(grid.member(0));
    System.out.printf("scaleOut: %d requests during migration, all placed%n", placed);
  }

  @Test
  void losingAMemberUnderLoadKeepsEveryAcknowledgedPlacement() throws Exception {
    long seed = seed("memberLoss");
    grid = TestGrid.start(3, 3, 4, config()).load(servers(60, 32, 131_072));
    AllocationClient client = grid.client();
    Random random = new Random(seed);
    List<CompletableFuture<AllocationOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      futures.add(client.allocate(request("vm-" + i, random)));
      if (i == 300) {
        grid.member(2).getLifecycleService().terminate(); // a crash: no graceful hand-over
      }
      if (i % 50 == 0) {
        sleepMillis(20);
      }
    }
    Map<String, String> placedOn = new HashMap<>();
    Map<String, Integer> kinds = new HashMap<>();
    for (CompletableFuture<AllocationOutcome> f : futures) {
      AllocationOutcome o = f.get(120, TimeUnit.SECONDS);
      kinds.merge(o.getClass().getSimpleName() + (o instanceof AllocationOutcome.Failed x
          ? "(" + x.reason() + ")" : o instanceof AllocationOutcome.Rejected y
          ? "(" + y.reason() + ")" : ""), 1, Integer::sum);
      if (o instanceof AllocationOutcome.Placed p) {
        placedOn.put(p.vmId(), p.serverId());
      }
    }
    printDuplicates(grid.member(0));
    // a commit sent by a dying member may land after the request was placed again: the departure
    // sweep releases the copy that placements does not record
    HazelcastTestSupport.assertTrueEventually(() -> assertInvariants(grid.member(0)), 60);
    Map<String, String> hostOf = assertInvariants(grid.member(0));
    for (Map.Entry<String, String> e : placedOn.entrySet()) {
      assertThat(hostOf.get(e.getKey())).as("acknowledged %s survives", e.getKey())
          .isEqualTo(e.getValue());
    }
    System.out.printf("memberLoss: outcomes %s; %d acknowledged, %d on servers%n", kinds,
        placedOn.size(), hostOf.size());
    assertThat(placedOn.size()).as("most requests placed").isGreaterThan(700);
  }

  /** Lookups that were not top-level hits, over all lookups of these agents. */
  private static double missRatio(java.util.Collection<AgentHost.AgentSnapshot> agents) {
    long missed = agents.stream().mapToLong(a -> a.partialHits() + a.misses()).sum();
    long all = missed + agents.stream().mapToLong(AgentHost.AgentSnapshot::topHits).sum();
    return all == 0 ? 0 : (double) missed / all;
  }

  private static void printDuplicates(HazelcastInstance hz) {
    Map<String, List<String>> where = new HashMap<>();
    for (ServerState s : hz.<String, ServerState>getMap(MapNames.SERVERS).values()) {
      for (io.vmgrid.client.wire.HostedVm vm : s.vms()) {
        where.computeIfAbsent(vm.vmId(), k -> new ArrayList<>())
            .add(s.serverId() + "@" + vm.placedAtMillis() + "/" + vm.requestId());
      }
    }
    where.forEach((vm, at) -> {
      if (at.size() > 1) {
        System.out.println("DUPLICATE " + vm + " " + at + " placement="
            + hz.getMap(MapNames.PLACEMENTS).get(vm));
      }
    });
  }

  private static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
