package io.vmgrid.client.api;

import static io.vmgrid.client.fixtures.Futures.cause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.fixtures.TestMembers;
import io.vmgrid.client.wire.GridEndpoint;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.GridResults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link AllocationClient} over a real Hazelcast client and a real member whose grid endpoint is
 * scripted by the test: what each call puts on the wire, how each answer becomes an outcome or an
 * exception, the retries of answers that say nothing was done, batching under load, rollback of
 * a failed all-or-nothing batch, and what closing does to requests on their way.
 */
class AllocationClientTest {
  private static HazelcastInstance member;
  private static AllocationClient client;
  private static final ScriptedEndpoint ENDPOINT = new ScriptedEndpoint();

  /** Answers each request as {@link #script} says and keeps every task it was handed. */
  static final class ScriptedEndpoint implements GridEndpoint {
    final List<List<GridRequest>> tasks = new CopyOnWriteArrayList<>();
    volatile Function<GridRequest, GridResult> script = r -> placed(r, "s1");
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public GridResults handle(List<GridRequest> requests) {
      tasks.add(requests);
      try {
        if (!gate.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      List<GridResult> out = new ArrayList<>();
      for (GridRequest r : requests) {
        out.add(script.apply(r));
      }
      return new GridResults(out);
    }

    List<GridRequest> requests() {
      return tasks.stream().flatMap(List::stream).toList();
    }
  }

  static GridResult placed(GridRequest r, String server) {
    return new GridResult(r.requestId(), r.vmId(), GridResult.Status.PLACED, Reason.NONE, "",
        server, 1, 250, "c1", "agent-3", member.getCluster().getLocalMember().getUuid()
        .toString());
  }

  static GridResult refused(GridRequest r, GridResult.Status status, Reason reason, String why) {
    return GridResult.refused(r, status, reason, why);
  }

  static GridResult answered(GridRequest r, String json) {
    return new GridResult(r.requestId(), r.vmId(), GridResult.Status.ANSWERED, Reason.NONE, json,
        "", 0, 0);
  }

  @BeforeAll
  static void start() {
    member = TestMembers.start(TestMembers.uniqueCluster("client"));
    member.getUserContext().put(GridEndpoint.CONTEXT_KEY, ENDPOINT);
    client = AllocationClient.connect(TestMembers.settings(member, Duration.ofSeconds(20)));
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    TestMembers.shutdown(member);
  }

  @AfterEach
  void reset() {
    ENDPOINT.gate.countDown();
    ENDPOINT.gate = new CountDownLatch(0);
    ENDPOINT.tasks.clear();
    ENDPOINT.script = r -> placed(r, "s1");
    member.getUserContext().put(GridEndpoint.CONTEXT_KEY, ENDPOINT);
  }

  private static VmRequest request(String vmId) {
    return VmRequest.builder().requestId("r-" + vmId).vmId(vmId).tenantId("t").cores(2)
        .memoryMb(4_096).build();
  }

  @Test
  void anAllocationCarriesEveryFieldAndItsPlacementComesBack() {
    VmRequest r = new VmRequest("req-7", "vm-7", "tenant-a", 8, 32_768, Priority.LOW, "web",
        "grp", "zone-1");

    AllocationOutcome outcome = client.allocateAndWait(r);

    assertThat(ENDPOINT.requests()).containsExactly(new GridRequest(GridRequest.Op.ALLOCATE,
        "req-7", "vm-7", "tenant-a", 8, 32_768, "LOW", "web", "grp", "zone-1", "", ""));
    assertThat(outcome).isInstanceOfSatisfying(AllocationOutcome.Placed.class, p -> {
      assertThat(p.requestId()).isEqualTo("req-7");
      assertThat(p.serverId()).isEqualTo("s1");
      assertThat(p.clusterId()).isEqualTo("c1");
      assertThat(p.agentId()).isEqualTo("agent-3");
      assertThat(p.attempts()).isEqualTo(1);
      assertThat(p.latency()).isPositive();
    });
  }

  @Test
  void refusalsBecomeRejectedOrFailedOutcomesWithTheirReasonNotExceptions() {
    ENDPOINT.script = r -> r.vmId().equals("full")
        ? refused(r, GridResult.Status.REJECTED, Reason.NO_CAPACITY, "no server has 2 cores")
        : refused(r, GridResult.Status.FAILED, Reason.NO_QUORUM, "2 of 5 members");

    AllocationOutcome rejected = client.allocateAndWait(request("full"));
    AllocationOutcome failed = client.allocateAndWait(request("split"));

    assertThat(rejected).isEqualTo(new AllocationOutcome.Rejected("r-full", "full",
        Reason.NO_CAPACITY, "no server has 2 cores", rejected.latency()));
    assertThat(failed).isInstanceOfSatisfying(AllocationOutcome.Failed.class, f -> {
      assertThat(f.reason()).isEqualTo(Reason.NO_QUORUM);
      assertThat(f.message()).isEqualTo("2 of 5 members");
    });
  }

  @Test
  void anAnswerThatNothingWasDoneIsSentAgainWithTheSameRequestId() {
    AtomicInteger calls = new AtomicInteger();
    ENDPOINT.script = r -> calls.incrementAndGet() <= 2
        ? refused(r, GridResult.Status.FAILED, Reason.UNAVAILABLE, "agents starting")
        : placed(r, "s2");

    AllocationOutcome outcome = client.allocateAndWait(request("vm-1"));

    assertThat(outcome).isInstanceOfSatisfying(AllocationOutcome.Placed.class,
        p -> assertThat(p.serverId()).isEqualTo("s2"));
    assertThat(ENDPOINT.requests()).hasSize(3).extracting(GridRequest::requestId)
        .containsOnly("r-vm-1");
  }

  @Test
  void aMemberThatServesNoRequestsIsRetriedUntilTheTimeoutThenTheOutcomeIsTimeout() {
    member.getUserContext().remove(GridEndpoint.CONTEXT_KEY);
    try (AllocationClient impatient = AllocationClient.using(member, Duration.ofMillis(1_200))) {
      AllocationOutcome outcome = impatient.allocateAndWait(request("vm-1"));

      assertThat(outcome).isInstanceOfSatisfying(AllocationOutcome.Failed.class, f -> {
        assertThat(f.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(f.message()).startsWith("no outcome within 1200 ms")
            .contains("retry with the same requestId");
      });
      Throwable release = cause(impatient.release("vm-1"));
      assertThat(release).isInstanceOfSatisfying(GridOperationException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
    }
  }

  @Test
  void aReleaseAnswersWhereTheVmWasOrSaysWhyNot() {
    ENDPOINT.script = r -> switch (r.vmId()) {
      case "vm-1" -> new GridResult(r.requestId(), r.vmId(), GridResult.Status.RELEASED,
          Reason.NONE, "", "s4", 1, 10);
      case "ghost" -> refused(r, GridResult.Status.REJECTED, Reason.UNKNOWN_VM,
          "vmId: no VM 'ghost' is allocated");
      case "odd" -> refused(r, GridResult.Status.FAILED, Reason.INVALID_INPUT,
          "vmId: odd is odd");
      default -> refused(r, GridResult.Status.FAILED, Reason.NO_QUORUM, "minority side");
    };

    Released released = client.releaseAndWait("vm-1");

    assertThat(released.vmId()).isEqualTo("vm-1");
    assertThat(released.serverId()).isEqualTo("s4");
    assertThat(ENDPOINT.requests().get(0)).satisfies(r -> {
      assertThat(r.op()).isEqualTo(GridRequest.Op.RELEASE);
      assertThat(r.problem()).isNull();
    });
    assertThatThrownBy(() -> client.releaseAndWait("ghost"))
        .isInstanceOfSatisfying(UnknownVmException.class,
            e -> assertThat(e.vmId()).isEqualTo("ghost"))
        .hasMessage("vmId: no VM 'ghost' is allocated");
    assertThatThrownBy(() -> client.releaseAndWait("odd"))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("vmId"));
    assertThatThrownBy(() -> client.releaseAndWait("vm-2"))
        .isInstanceOfSatisfying(GridOperationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NO_QUORUM))
        .hasMessage("NO_QUORUM: minority side");
    assertThatThrownBy(() -> client.release("vm 1")).isInstanceOf(InvalidRequestException.class);
    assertThat(ENDPOINT.requests()).as("an invalid id is never sent").hasSize(4);
  }

  @Test
  void aMoveNamesItsTargetAndAnswersTheServerTheVmIsOnAfterwards() {
    ENDPOINT.script = r -> r.targetServerId().equals("s9")
        ? placed(r, "s9")
        : refused(r, GridResult.Status.REJECTED, Reason.MOVE_INVALID, "targetServerId: full");

    assertThat(client.move("vm-1", "s9").join()).isEqualTo("s9");
    assertThat(cause(client.move("vm-1", "s8"))).isInstanceOfSatisfying(
        GridOperationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MOVE_INVALID));
    assertThat(ENDPOINT.requests().get(0)).satisfies(r -> {
      assertThat(r.op()).isEqualTo(GridRequest.Op.MOVE);
      assertThat(r.vmId()).isEqualTo("vm-1");
      assertThat(r.problem()).isNull();
    });
    assertThatThrownBy(() -> client.move("vm-1", "")).isInstanceOf(InvalidRequestException.class)
        .hasMessage("targetServerId: is required");
  }

  @Test
  void queriesSendTheirArgumentsAndReadTheMembersAnswer() {
    ENDPOINT.script = r -> switch (r.op()) {
      case EXPLAIN -> answered(r, """
          {"servers": 10, "passing": 2,
           "validators": [{"rule": "cores-fit", "level": "SERVER", "failed": 8, "removed": 8,
                           "sampleReason": "needs 2 cores"},
                          {"rule": "pin", "level": "CLUSTER", "failed": 0, "removed": 0}],
           "top": [{"rank": 0, "serverId": "s1", "scores": {"pack": 0.5, "spread": -1}}],
           "preemptServerId": "s3", "wouldEvict": ["vm-x"]}""");
      case CAPACITY -> answered(r, r.cores() == 0 ? """
          {"templates": [{"id": "2c4096m", "cores": 2, "memoryMb": 4096, "lowPriority": false,
            "placedNow": 7, "headroom": {"total": 5, "perCluster": {"c2": 2, "c1": 3}},
            "headroomWithEvictions": {"total": 9, "perCluster": {"c2": 4, "c1": 5}}}]}"""
          : """
          {"total": 5, "perCluster": {"c2": 2, "c1": 3}, "capped": true,
           "densityWhenFull": 0.75}""");
      case CLUSTERS -> answered(r, """
          {"clusters": [{"clusterId": "c1", "servers": 3, "placeableServers": 2, "cores": 96,
                         "usedCores": 40, "memoryMb": 1000, "usedMemoryMb": 500, "limit": 0.5},
                        {"clusterId": "c2", "servers": 1, "cores": 10}]}""");
      default -> refused(r, GridResult.Status.FAILED, Reason.INVALID_INPUT,
          "changes[0].serverIds: unknown server s9");
    };
    VmRequest shape = request("probe");

    Explanation x = client.explain(shape).join();
    CapacityHeadroom h = client.capacity(shape).join();
    List<TemplateHeadroom> inDemand = client.capacity(CapacityTemplates.inDemand(3)).join();
    List<ClusterUsage> clusters = client.clusters().join();

    assertThat(x.servers()).isEqualTo(10);
    assertThat(x.topRemovers(5)).extracting(Explanation.Validator::rule)
        .containsExactly("cores-fit");
    assertThat(x.validators().get(1).sampleReason()).isEmpty();
    assertThat(x.top().get(0).scores()).containsExactly(Map.entry("pack", 0.5),
        Map.entry("spread", -1.0));
    assertThat(x.wouldEvict()).containsExactly("vm-x");
    assertThat(h.perCluster().keySet()).as("in the member's order").containsExactly("c2", "c1");
    assertThat(h.capped()).isTrue();
    assertThat(inDemand).singleElement().satisfies(t -> {
      assertThat(t.templateId()).isEqualTo("2c4096m");
      assertThat(t.placedNow()).isEqualTo(7);
      assertThat(t.headroom().total()).isEqualTo(5);
      assertThat(t.withEvictions().total()).isEqualTo(9);
    });
    assertThat(clusters.get(0).headroomCores()).isEqualTo(8);
    assertThat(clusters.get(1).limit()).as("no limit: all of it").isEqualTo(1.0);
    List<GridRequest> sent = ENDPOINT.requests();
    assertThat(sent.get(0).op()).isEqualTo(GridRequest.Op.EXPLAIN);
    assertThat(sent.get(0).requestId()).as("a query gets its own id").isNotEqualTo("r-probe");
    GridRequest shapes = sent.get(2);
    assertThat(List.of(shapes.cores(), shapes.memoryMb())).containsExactly(0L, 0L);
    assertThat(shapes.problem()).isNull();
    assertThat(QueryAnswers.parse(shapes.arguments()).path("inDemand").asInt()).isEqualTo(3);
    assertThat(sent).allSatisfy(r -> assertThat(r.problem()).isNull());

    Throwable refused = cause(client.whatIf(CapacityTemplates.of(shape),
        List.of(new WhatIfChange.Drain(List.of("s9"), true))));
    assertThat(refused).isInstanceOf(InvalidRequestException.class)
        .hasMessage("changes[0].serverIds: unknown server s9");
    JsonNode changes = QueryAnswers.parse(ENDPOINT.requests().get(4).arguments()).path("changes");
    assertThat(changes.get(0).path("kind").asText()).isEqualTo("drain");
    assertThat(changes.get(0).path("serverIds").get(0).asText()).isEqualTo("s9");
  }

  @Test
  void anAnswerThatIsNotJsonFailsAsInternal() {
    ENDPOINT.script = r -> answered(r, "{not json");

    Throwable e = cause(client.clusters());

    assertThat(e).isInstanceOfSatisfying(GridOperationException.class,
        g -> assertThat(g.reason()).isEqualTo(Reason.INTERNAL)).hasMessageContaining("unreadable");
  }

  @Test
  void argumentsAreCheckedBeforeAnythingIsSent() {
    assertThatThrownBy(() -> client.whatIf(CapacityTemplates.inDemand(1), List.of()))
        .isInstanceOf(InvalidRequestException.class).hasMessage("changes: name at least one change");
    assertThatThrownBy(() -> client.fragmentation(CapacityTemplates.inDemand(1), -1))
        .hasMessage("maxServers: must be in [0, 100000], was -1");
    assertThatThrownBy(() -> CapacityTemplates.inDemand(0))
        .hasMessage("inDemand: must be in [1, 100], was 0");
    assertThatThrownBy(() -> client.allocateAll(List.of()))
        .hasMessage("requests: a batch needs at least one VM");
    assertThatThrownBy(() -> client.allocateAll(List.of(request("vm-1"), request("vm-1"))))
        .hasMessage("vmId: 'vm-1' appears twice in the batch");
    assertThat(AllocationClient.checkedMaxServers(100_000)).isEqualTo(100_000);
    assertThat(ENDPOINT.tasks).isEmpty();
  }

  @Test
  void aBatchThatCannotBePlacedWholeIsReleasedAgain() {
    ENDPOINT.script = r -> {
      if (r.op() == GridRequest.Op.RELEASE) {
        return r.vmId().equals("vm-stuck")
            ? refused(r, GridResult.Status.FAILED, Reason.NO_QUORUM, "minority")
            : new GridResult(r.requestId(), r.vmId(), GridResult.Status.RELEASED, Reason.NONE,
                "", "s1", 1, 0);
      }
      return r.vmId().equals("vm-big")
          ? refused(r, GridResult.Status.REJECTED, Reason.NO_CAPACITY, "too big")
          : placed(r, "s1");
    };

    BatchOutcome all = client.allocateAll(List.of(request("vm-1"), request("vm-2"))).join();
    BatchOutcome partial = client.allocateAll(List.of(request("vm-3"), request("vm-big"),
        request("vm-stuck"))).join();

    assertThat(all.allPlaced()).isTrue();
    assertThat(partial.allPlaced()).isFalse();
    assertThat(partial.outcomes()).extracting(AllocationOutcome::vmId)
        .containsExactly("vm-3", "vm-big", "vm-stuck");
    assertThat(partial.outcomes()).extracting(o -> ((AllocationOutcome.Rejected) o).reason())
        .containsExactly(Reason.BATCH_ROLLED_BACK, Reason.NO_CAPACITY, Reason.ROLLBACK_FAILED);
    assertThat(((AllocationOutcome.Rejected) partial.outcomes().get(2)).message())
        .contains("release it by id");
    assertThat(ENDPOINT.requests()).filteredOn(r -> r.op() == GridRequest.Op.RELEASE)
        .extracting(GridRequest::vmId).containsExactlyInAnyOrder("vm-3", "vm-stuck");
  }

  @Test
  void underLoadAllocationsWaitInTheirMembersLaneAndLeaveTogether() {
    ENDPOINT.gate = new CountDownLatch(1);
    List<CompletableFuture<AllocationOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < Transport.TASKS_PER_MEMBER + 100; i++) {
      futures.add(client.allocate(request("vm-" + i)));
    }

    assertThat(client.outstandingByMember().values()).containsExactly(104);
    ENDPOINT.gate.countDown();
    futures.forEach(CompletableFuture::join);

    assertThat(futures).allSatisfy(f -> assertThat(f.join())
        .isInstanceOf(AllocationOutcome.Placed.class));
    assertThat(ENDPOINT.tasks).extracting(List::size)
        .as("four alone, then the hundred that waited in tasks of at most %d", Transport.MAX_BATCH)
        .containsExactlyInAnyOrder(1, 1, 1, 1, 64, 36);
    assertThat(ENDPOINT.requests()).extracting(GridRequest::vmId).doesNotHaveDuplicates()
        .hasSize(104);
    assertThat(client.outstandingByMember().values()).containsExactly(0);
  }

  @Test
  void closingFailsWhatWaitsAndEverythingAskedAfterwards() {
    ENDPOINT.gate = new CountDownLatch(1);
    AllocationClient closing = AllocationClient.using(member, Duration.ofSeconds(20));
    List<CompletableFuture<AllocationOutcome>> sent = new ArrayList<>();
    for (int i = 0; i < Transport.TASKS_PER_MEMBER; i++) {
      sent.add(closing.allocate(request("vm-" + i)));
    }
    CompletableFuture<AllocationOutcome> waiting = closing.allocate(request("vm-waits"));

    closing.close();

    assertThat(waiting.join()).isInstanceOfSatisfying(AllocationOutcome.Failed.class,
        f -> assertThat(f.reason()).isEqualTo(Reason.CLOSED));
    assertThat(closing.allocateAndWait(request("vm-late")))
        .isInstanceOfSatisfying(AllocationOutcome.Failed.class,
            f -> assertThat(f.reason()).isEqualTo(Reason.CLOSED));
    ENDPOINT.gate.countDown();
    assertThat(sent).allSatisfy(f -> assertThat(f.join())
        .as("a task already sent still gets its answer").isInstanceOf(AllocationOutcome.Placed.class));
    assertThat(ENDPOINT.requests()).extracting(GridRequest::vmId)
        .doesNotContain("vm-waits", "vm-late");
  }
}
