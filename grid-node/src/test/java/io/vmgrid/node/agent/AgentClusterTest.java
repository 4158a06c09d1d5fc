package io.vmgrid.node.agent;

import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.Fixtures;
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

  private static Config config() {
    return Fixtures.agentClusterConfig();
  }

  private static long seed(String test) {
    return Fixtures.seed(test);
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
  void agentsFollowServersAddedDrainedAndTheirConstraints() {
    grid = TestGrid.start(1, 1, 2, config()).load(servers(2, 8, 32_768));
    AllocationClient client = grid.client();
    for (int i = 0; i < 4; i++) {
      assertThat(client.allocateAndWait(VmRequest.builder().vmId("fill-" + i).tenantId("t")
          .cores(4).memoryMb(4_096).build())).isInstanceOf(AllocationOutcome.Placed.class);
    }
    VmRequest more = VmRequest.builder().vmId("more").tenantId("t").cores(4).memoryMb(4_096).build();
    assertThat(client.allocateAndWait(more)).as("both servers full")
        .isInstanceOf(AllocationOutcome.Rejected.class);

    // a server added while running: the mirror rebuilds and agents place on it
    client.addServer(new io.vmgrid.client.api.ServerSpec("srv-new", "c0", 8, 32_768)).join();
    AllocationOutcome placed = client.allocateAndWait(
        VmRequest.builder().vmId("more-2").tenantId("t").cores(4).memoryMb(4_096).build());
    assertThat(placed).isInstanceOf(AllocationOutcome.Placed.class);
    assertThat(((AllocationOutcome.Placed) placed).serverId()).isEqualTo("srv-new");
    assertThat(((AllocationOutcome.Placed) placed).clusterId()).isEqualTo("c0");
    assertThat(((AllocationOutcome.Placed) placed).agentId()).startsWith("agent-p");

    // drained for maintenance: no new VMs there, even though it has room
    client.setHealth("srv-new", io.vmgrid.client.wire.ServerHealth.MAINTENANCE).join();
    // the map has it on return, the member's mirror by an event a moment later; until then an
    // agent may still pick the server and be refused at commit (a conflict, not a rule verdict)
    HazelcastTestSupport.assertTrueEventually(() -> {
      io.vmgrid.rules.api.Health seen = grid.node(0).mirror()
          .read(inv -> inv.health(inv.indexOf("srv-new")));
      assertThat(seen).isEqualTo(io.vmgrid.rules.api.Health.MAINTENANCE);
    });
    AllocationOutcome refused = client.allocateAndWait(
        VmRequest.builder().vmId("more-3").tenantId("t").cores(2).memoryMb(2_048).build());
    assertThat(refused).isInstanceOf(AllocationOutcome.Rejected.class);
    assertThat(((AllocationOutcome.Rejected) refused).message()).contains("server-health");

    // anti-affinity: two VMs of one group never share a server
    client.setHealth("srv-new", io.vmgrid.client.wire.ServerHealth.HEALTHY).join();
    client.addServer(new io.vmgrid.client.api.ServerSpec("srv-new-2", "c0", 8, 32_768)).join();
    // every member's mirror has both (a server added is rebuilt in about 150 ms; on a loaded
    // machine an allocation sent at once found 3 servers and was refused)
    HazelcastTestSupport.assertTrueEventually(() -> {
      for (GridNode n : grid.nodes()) {
        boolean known = n.mirror().read(inv -> inv.indexOf("srv-new-2") >= 0
            && inv.health(inv.indexOf("srv-new")) == io.vmgrid.rules.api.Health.HEALTHY);
        assertThat(known).as("mirror of a member knows srv-new-2 and srv-new healthy").isTrue();
      }
    });
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      AllocationOutcome o = client.allocateAndWait(VmRequest.builder().vmId("aa-" + i).tenantId("t")
          .cores(1).memoryMb(1_024).antiAffinityGroup("g1").build());
      assertThat(o).isInstanceOf(AllocationOutcome.Placed.class);
      hosts.add(((AllocationOutcome.Placed) o).serverId());
    }
    assertThat(hosts).doesNotHaveDuplicates();
    AllocationOutcome third = client.allocateAndWait(VmRequest.builder().vmId("aa-2").tenantId("t")
        .cores(1).memoryMb(1_024).antiAffinityGroup("g1").build());
    assertThat(third).as("only two servers have room for group g1").isInstanceOf(
        AllocationOutcome.Rejected.class);
    AllocationOutcome pinned = client.allocateAndWait(VmRequest.builder().vmId("pinned")
        .tenantId("t").cores(1).memoryMb(1_024).clusterPin("no-such-cluster").build());
    assertThat(pinned).isInstanceOf(AllocationOutcome.Rejected.class);
    assertThat(((AllocationOutcome.Rejected) pinned).reason()).isEqualTo(Reason.CONSTRAINT_UNSATISFIABLE);
    assertThat(((AllocationOutcome.Rejected) pinned).message()).as("named as such, not as a rule")
        .contains("clusterPin: no cluster 'no-such-cluster' in the inventory (clusters: c0");
    assertInvariants(grid.member(0));
  }

  @Test
  void capacityEqualsWhatPlacingOneByOneAchievesAndExplainNamesTheRules() {
    grid = TestGrid.start(1, 1, 2, config()).load(servers(3, 16, 65_536));
    AllocationClient client = grid.client();
    client.allocateAndWait(VmRequest.builder().vmId("seed-vm").tenantId("t").cores(5)
        .memoryMb(4_096).build());
    VmRequest template = VmRequest.builder().vmId("q").tenantId("t").cores(3).memoryMb(8_192).build();
    io.vmgrid.client.api.CapacityHeadroom headroom = client.capacity(template).join();
    assertThat(headroom.perCluster()).containsKey("c0");
    int placed = 0;
    while (client.allocateAndWait(VmRequest.builder().vmId("one-by-one-" + placed).tenantId("t")
        .cores(3).memoryMb(8_192).build()) instanceof AllocationOutcome.Placed) {
      placed++;
    }
    System.out.printf("capacity: headroom %d, placed one by one %d; then %s%n", headroom.total(), placed,
        client.allocateAndWait(VmRequest.builder().vmId("probe").tenantId("t").cores(3).memoryMb(8_192).build()));
    assertThat(headroom.total()).as("headroom vs real placements").isEqualTo(placed);
    assertThat(client.capacity(template).join().total()).as("nothing left").isZero();

    io.vmgrid.client.api.Explanation why = client.explain(template).join();
    assertThat(why.servers()).isEqualTo(3);
    assertThat(why.passing()).isZero();
    assertThat(why.topRemovers(3)).isNotEmpty();
    assertThat(why.validators()).extracting(io.vmgrid.client.api.Explanation.Validator::rule)
        .contains("cluster-utilization-limit", "cores-fit", "server-health");
  }

  @Test
  void aConsolidationPlanAppliedMoveByMoveFreesCapacityAndNeverOverCommits() {
    grid = TestGrid.start(1, 1, 2, config()).load(servers(6, 16, 65_536));
    AllocationClient client = grid.client();
    // fill five servers with 2-core VMs (the 85% cluster limit stops at 40 of them), then release
    // most so that each keeps 3 (6 of 16 cores): 10 cores free on each, none for a 12-core VM
    for (int i = 0; i < 40; i++) {
      assertThat(client.allocateAndWait(VmRequest.builder().vmId("small-" + i).tenantId("t")
          .cores(2).memoryMb(2_048).build())).isInstanceOf(AllocationOutcome.Placed.class);
    }
    Map<String, List<String>> byServer = new HashMap<>();
    assertInvariants(grid.member(0)).forEach((v, srv) ->
        byServer.computeIfAbsent(srv, k -> new ArrayList<>()).add(v));
    assertThat(byServer).hasSize(5);
    byServer.values().forEach(vms -> vms.subList(3, vms.size()).forEach(client::releaseAndWait));
    VmRequest big = VmRequest.builder().vmId("big").tenantId("t").cores(12).memoryMb(8_192).build();
    long before = client.capacity(big).join().total();
    io.vmgrid.client.api.ConsolidationProposal plan = client.consolidationPlan(big).join();
    System.out.printf("consolidate: headroom %d before, plan %s%n", before, plan);
    assertThat(plan.moves()).isNotEmpty();
    for (io.vmgrid.client.api.ConsolidationProposal.Move m : plan.moves()) {
      assertThat(client.move(m.vmId(), m.toServerId()).join()).isEqualTo(m.toServerId());
      assertInvariants(grid.member(0));
    }
    long after = client.capacity(big).join().total();
    assertThat(after).as("headroom for the big VM after the plan").isGreaterThan(before);

    // an invalid move is refused and changes nothing
    String vm = plan.moves().get(0).vmId();
    Map<String, String> hostBefore = assertInvariants(grid.member(0));
    String full = hostBefore.get(vm);
    String other = hostBefore.entrySet().stream().filter(e -> !e.getValue().equals(full))
        .map(Map.Entry::getValue).findFirst().orElseThrow();
    for (int i = 0; client.allocateAndWait(VmRequest.builder().vmId("filler-" + i).tenantId("t")
        .cores(2).memoryMb(1_024).clusterPin("c0").build()) instanceof AllocationOutcome.Placed; i++) {
      // fill what is left
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.move(vm, "no-such-server").join())
        .hasMessageContaining("no-such-server");
    assertThat(assertInvariants(grid.member(0)).get(vm)).isEqualTo(full);
    System.out.printf("consolidate: headroom %d after %d moves (other server %s)%n", after,
        plan.moves().size(), other);
  }

  /** Three members with four agents each, over {@code inventory}, once every agent runs. */
  private void startTwelveAgents(List<ServerState> inventory) {
    grid = TestGrid.start(3, 3, 4, config()).load(inventory);
    HazelcastTestSupport.assertTrueEventually(() -> {
      Map<String, List<String>> byMember = grid.node(0).agents().agentsByMember();
      assertThat(byMember).as("agents per member").hasSize(3);
      byMember.values().forEach(a -> assertThat(a).hasSizeGreaterThanOrEqualTo(4));
    }, 30);
  }

  /** Every member's local agents. */
  private java.util.stream.Stream<AgentHost.AgentSnapshot> agents() {
    return grid.nodes().stream().flatMap(n -> n.agents().localAgents().stream());
  }

  @Test
  void twelveAgentsOnScarceCapacityNeverOverCommitAndRecordEveryPlacementOnce() {
    long seed = seed("twelveAgents");
    startTwelveAgents(servers(24, 16, 65_536));
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
    Map<Reason, Integer> notPlaced = new HashMap<>();
    for (CompletableFuture<AllocationOutcome> f : futures) {
      AllocationOutcome o = f.join();
      if (o instanceof AllocationOutcome.Placed p) {
        placedOn.put(p.vmId(), p.serverId());
      } else if (o instanceof AllocationOutcome.Rejected r) {
        notPlaced.merge(r.reason(), 1, Integer::sum);
      } else {
        AllocationOutcome.Failed failed = (AllocationOutcome.Failed) o;
        assertThat(failed.reason()).as("only conflicts may fail: %s", failed).isEqualTo(Reason.CONFLICT);
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
    long conflicts = agents().mapToLong(AgentHost.AgentSnapshot::conflicts).sum();
    long agentsThatWorked = agents().filter(a -> a.processed() > 0).count();
    assertThat(agentsThatWorked).as("round-robin reaches every agent").isGreaterThanOrEqualTo(12);
    System.out.printf("twelveAgents: placed=%d notPlaced=%s conflicts=%d (%.1f%% of requests)%n",
        placedOn.size(), notPlaced, conflicts, 100.0 * conflicts / requests);
  }

  /**
   * Twelve agents on three members rank the same servers first (one inventory, one rule set); each
   * commits to the best one its own member holds (Locality), with this member's commits in flight
   * counted (InFlight), so commits are rarely refused. Without either, a quarter or more were (bench
   * grid, 3 members: conflictRate 0.28).
   */
  @Test
  void agentsOfThreeMembersRarelyCommitOntoTheSameServer() {
    long seed = seed("rarelyConflict");
    startTwelveAgents(servers(300, 64, 262_144));
    AllocationClient client = grid.client();
    Random random = new Random(seed);
    int requests = 1_500; // about 3,000 of 19,200 cores: every request fits somewhere
    List<CompletableFuture<AllocationOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      futures.add(client.allocate(request("vm-" + i, random)));
    }
    Map<String, String> placedOn = new HashMap<>();
    for (CompletableFuture<AllocationOutcome> f : futures) {
      AllocationOutcome o = f.join();
      assertThat(o).as("ample capacity").isInstanceOf(AllocationOutcome.Placed.class);
      placedOn.put(((AllocationOutcome.Placed) o).vmId(), ((AllocationOutcome.Placed) o).serverId());
    }
    HazelcastInstance m = grid.member(0);
    assertThat(assertInvariants(m)).isEqualTo(placedOn);
    // who placed each VM: on a server its own member holds, unless none of its first candidates was
    int onOwnMember = 0;
    for (Placement p : m.<String, Placement>getMap(MapNames.PLACEMENTS).values()) {
      Member agentsMember = m.getPartitionService().getPartition(p.agentId()).getOwner();
      Member serversMember = m.getPartitionService().getPartition(p.serverId()).getOwner();
      onOwnMember += agentsMember != null && agentsMember.equals(serversMember) ? 1 : 0;
    }
    long conflicts = agents().mapToLong(AgentHost.AgentSnapshot::conflicts).sum();
    long agentsThatWorked = agents().filter(a -> a.processed() > 0).count();
    System.out.printf("rarelyConflict: placed=%d on %d servers, %d on the placing agent's member,"
        + " conflicts=%d (%.2f%% of requests)%n", placedOn.size(),
        new HashSet<>(placedOn.values()).size(), onOwnMember, conflicts, 100.0 * conflicts / requests);
    assertThat(agentsThatWorked).as("agents that placed").isGreaterThanOrEqualTo(12);
    // a third by chance; the window misses a local server about once in (2/3)^24
    assertThat(onOwnMember).as("placed on a server of the agent's own member")
        .isGreaterThanOrEqualTo(requests * 9 / 10);
    assertThat(conflicts).as("refused commits").isLessThanOrEqualTo(requests / 20);
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
    Map<String, Integer> warmTypes = new HashMap<>();
    grid.node(0).agents().localAgents().forEach(a -> warmTypes.put(a.agentId(), a.cachedTypes()));
    Set<String> warmAgents = warmTypes.keySet();
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
    // a moved agent reads its records off the reconcile thread and re-warms before it serves
    HazelcastTestSupport.assertTrueEventually(() -> {
      for (int i = 1; i < 3; i++) {
        for (AgentHost.AgentSnapshot a : grid.node(i).agents().localAgents()) {
          if (moved.containsKey(a.agentId())) {
            assertThat(a.prewarmed()).as("records re-warmed %s", a.agentId()).isPositive();
            // every type it cached before the move is in its new cache (it may have learnt more)
            assertThat(a.cachedTypes()).as("types cached by %s after its move", a.agentId())
                .isGreaterThanOrEqualTo(warmTypes.get(a.agentId()));
            moved.put(a.agentId(), a);
          }
        }
      }
    }, 10);

    // now the same traffic for both kinds: the moved agents re-evaluated their records before
    // serving, the cold ones (started when the migration ended) learn type by type
    Map<String, AgentHost.AgentSnapshot> before = snapshots(grid, moved.keySet(), cold.keySet());
    List<CompletableFuture<AllocationOutcome>> after = new ArrayList<>();
    Random r = new Random(seed + 2);
    for (int i = 0; i < 480; i++) {
      after.add(client.allocate(typed("a-" + i, r)));
    }
    after.forEach(f -> assertThat(f.join()).isInstanceOf(AllocationOutcome.Placed.class));
    Map<String, AgentHost.AgentSnapshot> now = snapshots(grid, moved.keySet(), cold.keySet());
    double movedMisses = missRatio(moved.keySet(), before, now);
    double coldMisses = missRatio(cold.keySet(), before, now);
    System.out.printf("scaleOut: %d moved agents %s: miss ratio %.3f; %d cold agents: %.3f%n",
        moved.size(), moved.keySet(), movedMisses, cold.size(), coldMisses);
    for (String id : now.keySet()) { // per agent, for the next reader of a failed run
      AgentHost.AgentSnapshot x = before.get(id);
      AgentHost.AgentSnapshot y = now.get(id);
      System.out.printf("scaleOut: %s %s: types %d->%d, lookups top %d, partial %d, miss %d%n",
          id, moved.containsKey(id) ? "moved (" + warmTypes.get(id) + " types before)" : "cold",
          x.cachedTypes(), y.cachedTypes(), y.topHits() - x.topHits(),
          y.partialHits() - x.partialHits(), y.misses() - x.misses());
    }
    assertThat(coldMisses).as("a cold start misses every type once").isGreaterThan(0.1);
    // the caches' arrival is checked above, type by type; how much it saves depends on which
    // agent the scheduler sends each type to under this member's load (locally 0.000-0.024
    // against 0.42-0.66, two CI runs 0.245 against 0.617 and 0.321 against 0.384)
    assertThat(movedMisses).as("moved agents miss less than cold ones").isLessThan(coldMisses);

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
    System.out.printf("memberLoss: outcomes %s%n", kinds);
    printDuplicates(grid.member(0));
    // a commit sent by a dying member may land after the request was placed again: the departure
    // sweep releases the copy that placements does not record; a commit whose record its dying
    // agent never wrote gets its record from the reconciler
    HazelcastTestSupport.assertTrueEventually(() -> assertInvariants(grid.member(0)), 60);
    Map<String, String> hostOf = assertInvariants(grid.member(0));
    for (Map.Entry<String, String> e : placedOn.entrySet()) {
      assertThat(hostOf.get(e.getKey())).as("acknowledged %s survives", e.getKey())
          .isEqualTo(e.getValue());
    }
    System.out.printf("memberLoss: %d acknowledged, %d on servers, %d repairs%n",
        placedOn.size(), hostOf.size(),
        grid.nodes().stream().mapToLong(n -> n.reconciler().repaired()).sum());
    assertThat(placedOn.size()).as("most requests placed").isGreaterThan(700);
  }

  /** Lookups that were not top-level hits, over all lookups of these agents. */
  @Test
  void aMemberLeavingGracefullyUnderLoadDrainsItsAgentsAndFailsNothing() throws Exception {
    long seed = seed("gracefulLeave");
    grid = TestGrid.start(3, 3, 4, config()).load(servers(60, 32, 131_072));
    AllocationClient client = grid.client();
    Random random = new Random(seed);
    List<CompletableFuture<AllocationOutcome>> futures = new ArrayList<>();
    Thread leaver = null;
    for (int i = 0; i < 600; i++) {
      futures.add(client.allocate(request("vm-" + i, random)));
      if (i == 200) {
        GridNode leaving = grid.node(2);
        leaver = new Thread(leaving::close); // drains its agents' queues, then leaves
        leaver.start();
      }
      if (i % 50 == 0) {
        sleepMillis(20);
      }
    }
    Map<String, String> placedOn = new HashMap<>();
    for (CompletableFuture<AllocationOutcome> f : futures) {
      AllocationOutcome o = f.get(120, TimeUnit.SECONDS);
      assertThat(o).as("outcome of %s", o.vmId()).isNotInstanceOf(AllocationOutcome.Failed.class);
      if (o instanceof AllocationOutcome.Placed p) {
        placedOn.put(p.vmId(), p.serverId());
      }
    }
    leaver.join();
    Map<String, String> hostOf = assertInvariants(grid.member(0));
    assertThat(hostOf).as("acknowledged placements vs grid").isEqualTo(placedOn);
    System.out.printf("gracefulLeave: %d placed, %d rejected, none failed%n", placedOn.size(),
        600 - placedOn.size());
  }

  /** Current snapshots of the given agents on members 1 and 2. */
  private static Map<String, AgentHost.AgentSnapshot> snapshots(TestGrid grid, Set<String> a,
      Set<String> b) {
    Map<String, AgentHost.AgentSnapshot> out = new HashMap<>();
    for (int i = 1; i < 3; i++) {
      for (AgentHost.AgentSnapshot s : grid.node(i).agents().localAgents()) {
        if (a.contains(s.agentId()) || b.contains(s.agentId())) {
          out.put(s.agentId(), s);
        }
      }
    }
    return out;
  }

  /** Share of lookups that missed the top level, between two snapshots of {@code ids}. */
  private static double missRatio(Set<String> ids, Map<String, AgentHost.AgentSnapshot> from,
      Map<String, AgentHost.AgentSnapshot> to) {
    long missed = 0;
    long all = 0;
    for (String id : ids) {
      AgentHost.AgentSnapshot x = from.get(id);
      AgentHost.AgentSnapshot y = to.get(id);
      if (x != null && y != null) {
        long m = (y.partialHits() - x.partialHits()) + (y.misses() - x.misses());
        missed += m;
        all += m + (y.topHits() - x.topHits());
      }
    }
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
