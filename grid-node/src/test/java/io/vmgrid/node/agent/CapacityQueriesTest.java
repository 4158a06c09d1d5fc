package io.vmgrid.node.agent;

import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.CapacityTemplates;
import io.vmgrid.client.api.FragmentationSummary;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.api.TemplateHeadroom;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.api.WhatIfChange;
import io.vmgrid.client.api.WhatIfOutcome;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.client.wire.query.CapacityAnswer;
import io.vmgrid.client.wire.query.QueryArguments;
import io.vmgrid.client.wire.query.WhatIfStep;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.inventory.InventoryMirror;
import io.vmgrid.node.TestGrid;
import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.capacity.CapacityPlanner;
import io.vmgrid.rules.capacity.CapacitySettings;
import io.vmgrid.rules.capacity.FragmentationReport;
import io.vmgrid.rules.capacity.Templates;
import io.vmgrid.rules.capacity.WhatIf;
import io.vmgrid.rules.capacity.WhatIfReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The capacity queries on a real 2-member grid (issue 11): the shapes in demand, what-if analysis
 * and fragmentation reports, answered from a member's mirror with the grid's rules. Checked against
 * what really happens when the change is made, against the capacity library on the same state, and
 * for leaving the live state untouched.
 */
class CapacityQueriesTest {
  /** A rule set with one validator (cores fit) and no utilization limit. */
  private static final String FIT_ONLY = "rules:\n  - {name: cores-fit, rule: resource-fit,"
      + " kind: validator, level: server, priority: 30, arguments: {resource: cores}}\n";

  private TestGrid grid;

  @AfterEach
  void tearDown() {
    if (grid != null) {
      grid.close();
    }
  }

  /** 8 servers of 16 cores in c0 and 4 in c1; 24 VMs of 2 cores, 10 of 4, 3 low-priority of 1. */
  private AllocationClient loaded() {
    List<ServerState> servers = new ArrayList<>(servers(8, 16, 65_536));
    for (int i = 0; i < 4; i++) {
      servers.add(ServerState.empty("b-" + i, "c1", 16, 65_536));
    }
    grid = TestGrid.start(2, 2, 2, Fixtures.agentClusterConfig()).load(servers);
    AllocationClient client = grid.client();
    for (int i = 0; i < 24; i++) {
      place(client, VmRequest.builder().vmId("two-" + i).tenantId("t" + i % 3).cores(2)
          .memoryMb(4_096).build());
    }
    for (int i = 0; i < 10; i++) {
      place(client, VmRequest.builder().vmId("four-" + i).tenantId("t1").cores(4).memoryMb(8_192)
          .build());
    }
    for (int i = 0; i < 3; i++) {
      place(client, VmRequest.builder().vmId("low-" + i).tenantId("t2").cores(1).memoryMb(1_024)
          .priority(Priority.LOW).build());
    }
    mirrorsCaughtUp();
    return client;
  }

  private static void place(AllocationClient client, VmRequest r) {
    assertThat(client.allocateAndWait(r)).as(r.vmId()).isInstanceOf(AllocationOutcome.Placed.class);
  }

  private static VmRequest shape(int cores, long memoryMb) {
    return VmRequest.builder().vmId("q").tenantId(Templates.TENANT).cores(cores).memoryMb(memoryMb)
        .build();
  }

  /**
   * Waits until every member's mirror holds the cores the store holds: a placement's answer reaches
   * the client before the other members' mirrors have its event, and a query answered from a
   * mirror that lags differs from the library on a copy of another one (CI saw 38 free cores
   * against 40).
   */
  private void mirrorsCaughtUp() {
    HazelcastTestSupport.assertTrueEventually(() -> {
      long stored = 0;
      for (ServerState s : grid.member(0).<String, ServerState>getMap(MapNames.SERVERS).values()) {
        stored += s.usedCores();
      }
      for (var node : grid.nodes()) {
        long used = node.mirror().read(inv -> {
          long sum = 0;
          for (int i = 0; i < inv.size(); i++) {
            sum += inv.capacity(io.vmgrid.rules.api.Resource.CORES, i)
                - inv.free(io.vmgrid.rules.api.Resource.CORES, i);
          }
          return sum;
        });
        assertThat(used).as("cores used in a member's mirror").isEqualTo(stored);
      }
    }, 30);
  }

  /** Member 0's mirror once caught up, copied, with the grid's rule set. */
  private Inventory mirrorCopy() {
    mirrorsCaughtUp();
    InventoryMirror mirror = grid.node(0).mirror();
    assertThat(mirror.awaitCaughtUp(10_000)).isTrue();
    return mirror.read(Inventory::copy);
  }

  private CapacityPlanner planner() {
    return new CapacityPlanner(grid.node(0).agents().ruleSet(), CapacitySettings.defaults());
  }

  /** Every server and placement as the grid holds them. */
  private Map<String, Object> liveState() {
    Map<String, Object> out = new HashMap<>();
    grid.member(0).<String, ServerState>getMap(MapNames.SERVERS).forEach((k, v) -> out.put("s/" + k, v));
    grid.member(0).<String, Placement>getMap(MapNames.PLACEMENTS).forEach((k, v) -> out.put("p/" + k, v));
    return out;
  }

  @Test
  void theShapesInDemandAreTheCommonestPlacedOnesWithTheHeadroomOfEach() {
    AllocationClient client = loaded();
    List<TemplateHeadroom> all = client.capacity(CapacityTemplates.inDemand(10)).join();
    assertThat(all).extracting(TemplateHeadroom::templateId)
        .containsExactly("2c4096m", "4c8192m", "1c1024m-low");
    assertThat(all).extracting(TemplateHeadroom::placedNow).containsExactly(24L, 10L, 3L);
    assertThat(all.get(2).lowPriority()).isTrue();
    // each shape's headroom is what a query for that one shape says, and what really fits
    for (TemplateHeadroom t : all.subList(0, 2)) {
      assertThat(client.capacity(shape((int) t.cores(), t.memoryMb())).join().total())
          .as(t.templateId()).isEqualTo(t.headroom().total());
    }
    assertThat(client.capacity(CapacityTemplates.inDemand(1)).join()).hasSize(1);
    long fourCores = all.get(1).headroom().total();
    int placed = 0;
    while (client.allocateAndWait(VmRequest.builder().vmId("more-" + placed).tenantId("t9")
        .cores(4).memoryMb(8_192).build()) instanceof AllocationOutcome.Placed) {
      placed++;
    }
    // headroom counts free capacity only: placements beyond it evicted low-priority VMs
    long preempting = client.evictions("").stream().map(e -> e.byVmId()).distinct().count();
    assertThat(placed - preempting).as("4-core VMs that really fit without evicting")
        .isEqualTo(fourCores);
    assertInvariants(grid.member(0));
  }

  @Test
  void whatIfPredictsARealDrainAndAddAndLeavesTheLiveStateUntouched() {
    AllocationClient client = loaded();
    VmRequest four = shape(4, 8_192);
    String machineType = mirrorCopy().machineTypes().get(0).id();
    Map<String, Object> before = liveState();
    long now = client.capacity(four).join().total();

    WhatIfOutcome w = client.whatIf(CapacityTemplates.of(four), List.of(
        new WhatIfChange.ChangeUtilizationLimit(0.15),
        new WhatIfChange.AddServers("c1", machineType, 2),
        new WhatIfChange.Drain(List.of("srv-000"), true))).join();
    assertThat(w.notes()).hasSize(3);
    assertThat(w.templates()).hasSize(1);
    assertThat(w.templates().get(0).template().headroom().total()).isEqualTo(now);
    assertThat(w.templates().get(0).after().total()).as("a higher limit and more servers")
        .isGreaterThan(now);
    assertThat(liveState()).as("servers and placements after the what-if").isEqualTo(before);
    assertThat(client.capacity(four).join().total()).isEqualTo(now);

    // the same changes through the library on a copy of a mirror: the same answer
    Inventory copy = mirrorCopy();
    WhatIfReport lib = planner().whatIf(copy, List.of(new WhatIf.ChangeUtilizationLimit(0.15),
        new WhatIf.AddServers("c1", machineType, 2),
        new WhatIf.Drain(Set.of("srv-000"), Health.UNHEALTHY, true)),
        List.of(Templates.ofShape(new Resources(4, 8_192, 0))));
    assertThat(w.templates().get(0).after().total()).isEqualTo(lib.after().templates().get(0).total());
    assertThat(w.templates().get(0).after().perCluster())
        .isEqualTo(lib.after().templates().get(0).perCluster());
    assertThat(w.densityBefore()).isEqualTo(lib.before().packing().density());
    assertThat(w.densityAfter()).isEqualTo(lib.after().packing().density());
    assertThat(w.evacuated()).isEqualTo(lib.evacuated());
    assertThat(lib.evacuated() + lib.evacuationFailures()).as("VMs on srv-000")
        .isEqualTo(copy.vmCount(copy.indexOf("srv-000")));

    // a drain predicted, then made for real: the same headroom
    long predicted = client.whatIf(CapacityTemplates.of(four),
        List.of(new WhatIfChange.Drain(List.of("srv-001"), false))).join()
        .templates().get(0).after().total();
    client.setHealth("srv-001", ServerHealth.MAINTENANCE).join();
    // (eventually: the answering member's mirror learns of the change asynchronously)
    HazelcastTestSupport.assertTrueEventually(() -> assertThat(client.capacity(four).join().total())
        .as("after really draining srv-001").isEqualTo(predicted), 20);
    assertThat(predicted).isLessThanOrEqualTo(now);
    client.setHealth("srv-001", ServerHealth.HEALTHY).join();
    HazelcastTestSupport.assertTrueEventually(
        () -> assertThat(client.capacity(four).join().total()).isEqualTo(now), 20);

    // servers added, predicted, then added for real (same capacity, so the same machine type)
    long withMore = client.whatIf(CapacityTemplates.of(four),
        List.of(new WhatIfChange.AddServers("c1", machineType, 2))).join()
        .templates().get(0).after().total();
    assertThat(withMore).isGreaterThan(now);
    client.addServer(new ServerSpec("b-new-0", "c1", 16, 65_536)).join();
    client.addServer(new ServerSpec("b-new-1", "c1", 16, 65_536)).join();
    HazelcastTestSupport.assertTrueEventually(() -> assertThat(client.capacity(four).join().total())
        .as("after really adding 2 servers to c1").isEqualTo(withMore), 20);
    assertInvariants(grid.member(0));
  }

  @Test
  void fragmentationFindsTheServersNoShapeInDemandCanUse() {
    grid = TestGrid.start(2, 2, 2, Fixtures.agentClusterConfig()).load(servers(6, 16, 65_536));
    AllocationClient client = grid.client();
    // 12-core VMs fill four servers (4 cores left each: stranded for 12-core VMs), 2-core VMs one
    for (int i = 0; i < 4; i++) {
      place(client, VmRequest.builder().vmId("big-" + i).tenantId("t").cores(12).memoryMb(4_096)
          .build());
    }
    for (int i = 0; i < 5; i++) {
      place(client, VmRequest.builder().vmId("small-" + i).tenantId("t").cores(2).memoryMb(2_048)
          .build());
    }
    VmRequest big = shape(12, 4_096);
    mirrorsCaughtUp();
    FragmentationSummary f = client.fragmentation(CapacityTemplates.of(big), 100).join();
    Inventory copy = mirrorCopy();
    FragmentationReport lib = planner().fragmentation(copy,
        List.of(Templates.ofShape(new Resources(12, 4_096, 0))));
    assertThat(f.freeCores()).isEqualTo(lib.freeCores());
    assertThat(f.usableCores()).isEqualTo(lib.usableCores());
    assertThat(f.strandedServers()).isEqualTo(lib.stranded().size()).isPositive();
    assertThat(f.stranded()).extracting(FragmentationSummary.Server::serverId)
        .containsExactlyElementsOf(lib.stranded().stream().map(s -> s.serverId()).toList());
    // every listed server really has free cores and no room for the 12-core VM
    for (FragmentationSummary.Server s : f.stranded()) {
      int i = copy.indexOf(s.serverId());
      assertThat(copy.free(io.vmgrid.rules.api.Resource.CORES, i)).isEqualTo(s.freeCores())
          .isPositive().isLessThan(12);
    }
    FragmentationSummary listed = client.fragmentation(CapacityTemplates.of(big), 1).join();
    assertThat(listed.stranded()).hasSize(1);
    assertThat(listed.strandedServers()).isEqualTo(f.strandedServers());
    // in demand: 2-core and 12-core shapes; 2-core VMs can use every free core left
    FragmentationSummary inDemand = client.fragmentation(CapacityTemplates.inDemand(5), 10).join();
    assertThat(inDemand.templates()).containsExactly("2c2048m", "12c4096m");
    assertThat(inDemand.strandedCores()).isZero();
  }

  @Test
  void typedArgumentsAMemberCannotUseAreRefusedNamingTheField() throws Exception {
    grid = TestGrid.start(1, 1, 2, Fixtures.agentClusterConfig()).load(servers(3, 16, 65_536));
    place(grid.client(), VmRequest.builder().vmId("one").tenantId("t").cores(2).memoryMb(2_048)
        .build());
    WhatIfStep newerKind = new WhatIfStep(null, 0, 0, 0, List.of(), false, "", "", 0, "", "");
    GridRequest[] bad = {
        query(GridRequest.Op.WHAT_IF, 0, new QueryArguments(QueryArguments.NOT_GIVEN,
            QueryArguments.NOT_GIVEN, List.of(WhatIfStep.limitChange(0.01), newerKind))),
        query(GridRequest.Op.CAPACITY, 4, new QueryArguments(3, QueryArguments.NOT_GIVEN,
            List.of())),
        query(GridRequest.Op.CAPACITY, 0, new QueryArguments(0, QueryArguments.NOT_GIVEN,
            List.of())),
        query(GridRequest.Op.FRAGMENTATION, 0, new QueryArguments(QueryArguments.NOT_GIVEN,
            100_001, List.of())),
        query(GridRequest.Op.CONSOLIDATE, 0, new QueryArguments(QueryArguments.NOT_GIVEN,
            QueryArguments.NOT_GIVEN, List.of(WhatIfStep.limitChange(0.01)))),
        query(GridRequest.Op.WHAT_IF, 0, null)};

    List<String> refusals = new ArrayList<>();
    for (GridRequest r : bad) {
      GridResult result = Fixtures.send(grid.clientInstance(), r).get(0);
      assertThat(result.status()).as(result.message()).isEqualTo(GridResult.Status.FAILED);
      assertThat(result.reason()).isEqualTo(io.vmgrid.client.api.Reason.INVALID_INPUT);
      assertThat(result.answer()).isNull();
      refusals.add(result.message());
    }

    assertThat(refusals).containsExactly(
        "changes[1].kind: is not one this member knows (known: LIMIT_CHANGE, LIMIT, DRAIN,"
            + " ADD_SERVERS, RULE_SET)",
        "arguments.inDemand: give either a shape (cores and memoryMb) or inDemand, not both",
        "arguments.inDemand: must be a whole number in [1, 100], was 0",
        "arguments.maxServers: must be a whole number in [0, 100000], was 100001",
        "arguments.changes: only what-if takes changes",
        "changes: name at least one change");
    GridResult fine = Fixtures.send(grid.clientInstance(), query(GridRequest.Op.CAPACITY, 0,
        null)).get(0);
    assertThat(fine.answer()).as("no arguments: the shapes in demand, the member's default count")
        .isInstanceOfSatisfying(CapacityAnswer.class, a -> assertThat(a.templates())
            .extracting(e -> e.template().id()).containsExactly("2c2048m"));
  }

  /** A raw query as a client sends it: about {@code cores} (0: the shapes in demand). */
  private static GridRequest query(GridRequest.Op op, long cores,
      @org.jspecify.annotations.Nullable QueryArguments args) {
    return new GridRequest(op, "q-" + op + "-" + System.nanoTime(), "q", Templates.TENANT, cores,
        cores == 0 ? 0 : 4_096, "REGULAR", "", "", "", "", args);
  }

  @Test
  void badQueriesNameTheFieldAndChangeNothing() {
    grid = TestGrid.start(2, 2, 2, Fixtures.agentClusterConfig()).load(servers(3, 16, 65_536));
    AllocationClient client = grid.client();
    VmRequest four = shape(4, 8_192);
    assertThatThrownBy(() -> client.capacity(CapacityTemplates.inDemand(3)).join())
        .isInstanceOf(CompletionException.class).cause().isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("inDemand: no VMs are placed");
    place(client, VmRequest.builder().vmId("one").tenantId("t").cores(2).memoryMb(2_048).build());
    Map<String, Object> before = liveState();

    assertThatThrownBy(() -> client.whatIf(CapacityTemplates.of(four),
        List.of(new WhatIfChange.ChangeUtilizationLimit(0.01),
            new WhatIfChange.Drain(List.of("srv-000", "nope"), true))).join())
        .cause().isInstanceOf(InvalidRequestException.class)
        .hasMessage("changes[1].serverIds: unknown server nope");
    assertThatThrownBy(() -> client.whatIf(CapacityTemplates.of(four),
        List.of(new WhatIfChange.AddServers("c0", "gen9", 2))).join())
        .cause().isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("changes[0].machineType: unknown machine type gen9 (known: ");
    assertThatThrownBy(() -> client.whatIf(CapacityTemplates.of(four),
        List.of(new WhatIfChange.UseRuleSet("rules: [{name: nope}]", "mine.yaml"))).join())
        .cause().isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("changes[0].text: mine.yaml: ");
    assertThatThrownBy(() -> client.whatIf(CapacityTemplates.of(four), List.of(
        new WhatIfChange.UseRuleSet(FIT_ONLY, "no-limit.yaml"),
        new WhatIfChange.ChangeUtilizationLimit(0.01))).join())
        .cause().isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no-limit.yaml has no cluster-utilization-limit");
    // client-side checks, before anything is sent
    assertThatThrownBy(() -> new WhatIfChange.AddServers("c0", "m", 0))
        .isInstanceOf(InvalidRequestException.class).hasMessage("count: must be in [1, 1000000], was 0");
    assertThatThrownBy(() -> new WhatIfChange.SetUtilizationLimit(1.2, 1))
        .hasMessage("limit: must be in [0, 1], was 1.2");
    assertThatThrownBy(() -> client.whatIf(CapacityTemplates.of(four), List.of()))
        .hasMessageStartingWith("changes:");
    assertThatThrownBy(() -> CapacityTemplates.inDemand(0)).hasMessageStartingWith("inDemand:");
    assertThatThrownBy(() -> client.fragmentation(CapacityTemplates.of(four), -1))
        .hasMessageStartingWith("maxServers:");

    // a valid rule set replaces the grid's for the question only
    WhatIfOutcome other = client.whatIf(CapacityTemplates.of(four), List.of(
        new WhatIfChange.UseRuleSet(FIT_ONLY, "fit-only.yaml"))).join();
    assertThat(other.templates().get(0).after().total()).as("no utilization limit: 14 + 16 + 16 cores free")
        .isEqualTo(11);
    assertThat(other.templates().get(0).template().headroom().total()).as("under the 0.85 limit")
        .isLessThan(11);
    assertThat(liveState()).as("no query changed the grid").isEqualTo(before);
  }
}
