package io.vmgrid.node;

import static io.vmgrid.node.Fixtures.allocation;
import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request id names one request, as an idempotency key does in a payment API: a repeat gets the
 * original outcome in full, the same id with other parameters is refused and places nothing, also
 * when both copies race through the agents.
 */
class RequestIdTest {
  private TestGrid grid;
  private AllocationClient client;

  @BeforeEach
  void start() {
    grid = TestGrid.start(2).load(servers(6, 8, 8_192));
    client = grid.client();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  private static VmRequest request(String requestId, String vmId, int cores) {
    return VmRequest.builder().requestId(requestId).vmId(vmId).tenantId("t1").cores(cores)
        .memoryMb(1_024).build();
  }

  @Test
  void aRepeatGetsTheOriginalOutcomeAndOtherParametersAreRefused() {
    AllocationOutcome first = client.allocateAndWait(request("r1", "vm-1", 2));
    assertThat(first).isInstanceOf(AllocationOutcome.Placed.class);
    AllocationOutcome.Placed placed = (AllocationOutcome.Placed) first;

    AllocationOutcome repeat = client.allocateAndWait(request("r1", "vm-1", 2));
    assertThat(repeat).isInstanceOfSatisfying(AllocationOutcome.Placed.class, p -> {
      assertThat(p.serverId()).isEqualTo(placed.serverId());
      assertThat(p.clusterId()).isEqualTo(placed.clusterId());
      assertThat(p.agentId()).as("the agent that placed it").isEqualTo(placed.agentId())
          .isNotEmpty();
    });

    AllocationOutcome bigger = client.allocateAndWait(request("r1", "vm-1", 4));
    assertThat(bigger).isInstanceOfSatisfying(AllocationOutcome.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(Reason.REQUEST_ID_REUSED);
      assertThat(r.message()).contains("4 cores instead of 2");
    });
    AllocationOutcome pinned = client.allocateAndWait(VmRequest.builder().requestId("r1")
        .vmId("vm-1").tenantId("t1").cores(2).memoryMb(1_024).clusterPin("c0").build());
    assertThat(pinned).isInstanceOfSatisfying(AllocationOutcome.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(Reason.REQUEST_ID_REUSED));

    Map<String, String> hostOf = assertInvariants(grid.member(0));
    assertThat(hostOf).containsOnlyKeys("vm-1");
    assertThat(grid.member(0).<String, ServerState>getMap(MapNames.SERVERS)
        .get(placed.serverId()).usedCores()).isEqualTo(2);
    assertThat(client.placedBy(List.of("r1", "r2")).join()).containsOnlyKeys("r1");
  }

  /**
   * A released placement's request, run again (a copy that ran late on a member paused or cut
   * off, or a client sending it again), places nothing: before, its record made the copy a
   * placement again, and a chaos run found a VM present whose release had been acknowledged.
   */
  @Test
  void aReleasedRequestSentAgainIsRefusedAndPlacesNothing() throws Exception {
    AllocationOutcome first = client.allocateAndWait(request("r-once", "vm-once", 2));
    assertThat(first).isInstanceOf(AllocationOutcome.Placed.class);
    client.releaseAndWait("vm-once");

    for (int member = 0; member < 2; member++) { // through either member: the record decides
      GridResult again = Fixtures.send(grid.member(member), allocation("r-once", "vm-once", 2,
          1_024)).get(0);
      assertThat(again.status()).as("through member %d", member)
          .isEqualTo(GridResult.Status.REJECTED);
      assertThat(again.reason()).isEqualTo(Reason.REQUEST_ID_REUSED);
      assertThat(again.message()).contains("'r-once'", "released", "places once");
      assertThat(assertInvariants(grid.member(0))).as("no copy stays, no record").isEmpty();
    }
    long used = 0;
    for (ServerState s : grid.member(0).<String, ServerState>getMap(MapNames.SERVERS).values()) {
      used += s.usedCores();
    }
    assertThat(used).as("cores held by the refused commits").isZero();

    // the VM id is free for a new request
    assertThat(client.allocateAndWait(request("r-twice", "vm-once", 2)))
        .isInstanceOf(AllocationOutcome.Placed.class);
    assertThat(assertInvariants(grid.member(0))).containsOnlyKeys("vm-once");
  }

  @Test
  void twoCopiesWithOtherParametersRacingPlaceOneAndRefuseTheOther() throws Exception {
    for (int i = 0; i < 20; i++) {
      String vm = "race-" + i;
      GridRequest small = allocation("rr-" + i, vm, 1, 1_024);
      GridRequest large = allocation("rr-" + i, vm, 3, 1_024);

      // one task, so both enter the grid at once and neither finds the other's record
      List<GridResult> results = Fixtures.send(grid.member(i % 2), small, large);

      assertThat(results).extracting(GridResult::status).as("copy %d", i)
          .containsExactlyInAnyOrder(GridResult.Status.PLACED, GridResult.Status.REJECTED);
      GridResult refused = results.stream()
          .filter(r -> r.status() == GridResult.Status.REJECTED).findFirst().orElseThrow();
      assertThat(refused.reason()).isEqualTo(Reason.REQUEST_ID_REUSED);
      long cores = results.get(0).status() == GridResult.Status.PLACED ? 1 : 3;
      String server = assertInvariants(grid.member(0)).get(vm);
      assertThat(grid.member(0).<String, ServerState>getMap(MapNames.SERVERS).get(server).find(vm))
          .as("the VM holds what the placed copy asked for").isNotNull()
          .satisfies(hosted -> assertThat(hosted.cores()).isEqualTo(cores));
      client.releaseAndWait(vm);
    }
  }
}
