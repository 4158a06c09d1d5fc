package io.vmgrid.client.api;

import static io.vmgrid.client.fixtures.Futures.cause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.fixtures.TestMembers;
import io.vmgrid.client.wire.GridEndpoint;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.GridResults;
import io.vmgrid.client.wire.query.CapacityAnswer;
import io.vmgrid.client.wire.query.ClustersAnswer;
import io.vmgrid.client.wire.query.ConsolidationAnswer;
import io.vmgrid.client.wire.query.ExplainAnswer;
import io.vmgrid.client.wire.query.FragmentationAnswer;
import io.vmgrid.client.wire.query.HeadroomCount;
import io.vmgrid.client.wire.query.QueryAnswer;
import io.vmgrid.client.wire.query.QueryArguments;
import io.vmgrid.client.wire.query.TemplateShape;
import io.vmgrid.client.wire.query.WhatIfStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

  static GridResult answered(GridRequest r, QueryAnswer answer) {
    return GridResult.refused(r, GridResult.Status.ANSWERED, Reason.NONE, "").withAnswer(answer);
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
        "req-7", "vm-7", "tenant-a", 8, 32_768, "LOW", "web", "grp", "zone-1", ""));
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

  private static final TemplateShape SHAPE = new TemplateShape("2c4096m", 2, 4_096, false, 7);

  private static HeadroomCount headroom(long total, long c2, long c1) {
    Map<String, Long> perCluster = new LinkedHashMap<>();
    perCluster.put("c2", c2);
    perCluster.put("c1", c1);
    return new HeadroomCount(total, perCluster, true, 0.75);
  }

  /** The answers of a member to each query, typed as they travel. */
  private static GridResult answer(GridRequest r) {
    return switch (r.op()) {
      case EXPLAIN -> answered(r, new ExplainAnswer(10, 2, List.of(
          new ExplainAnswer.Validator("cores-fit", "SERVER", 8, 8, "needs 2 cores"),
          new ExplainAnswer.Validator("pin", "CLUSTER", 0, 0, "")),
          List.of(new ExplainAnswer.Candidate(0, "s1", scores())), "s3", List.of("vm-x")));
      case CAPACITY -> answered(r, new CapacityAnswer(List.of(new CapacityAnswer.Entry(SHAPE,
          headroom(5, 2, 3), headroom(9, 4, 5))), 0.5));
      case CLUSTERS -> answered(r, new ClustersAnswer(List.of(
          new ClustersAnswer.Cluster("c1", 3, 2, 96, 40, 1000, 500, 0.5),
          new ClustersAnswer.Cluster("c2", 1, 1, 10, 0, 0, 0, 1))));
      case FRAGMENTATION -> answered(r, new FragmentationAnswer(List.of(SHAPE), 100, 90, 1, 10,
          List.of(new FragmentationAnswer.Stranded("s7", "c2", 10, 512))));
      case CONSOLIDATE -> answered(r, new ConsolidationAnswer(List.of(SHAPE),
          List.of(new ConsolidationAnswer.Move("vm-1", "s1", "s2", 2, 4_096)), List.of("s1"), 16,
          20, 4, 0.5, 0.6));
      default -> refused(r, GridResult.Status.FAILED, Reason.INVALID_INPUT,
          "changes[0].serverIds: unknown server s9");
    };
  }

  private static Map<String, Double> scores() {
    Map<String, Double> scores = new LinkedHashMap<>();
    scores.put("pack", 0.5);
    scores.put("spread", -1.0);
    return scores;
  }

  @Test
  void queriesSendTheirArgumentsAndReadTheMembersAnswer() {
    ENDPOINT.script = AllocationClientTest::answer;
    VmRequest shape = request("probe");

    Explanation x = client.explain(shape).join();
    CapacityHeadroom h = client.capacity(shape).join();
    List<TemplateHeadroom> inDemand = client.capacity(CapacityTemplates.inDemand(3)).join();
    List<ClusterUsage> clusters = client.clusters().join();
    FragmentationSummary f = client.fragmentation(CapacityTemplates.of(shape), 4).join();
    ConsolidationProposal plan = client.consolidationPlan(shape).join();

    assertThat(x.servers()).isEqualTo(10);
    assertThat(x.topRemovers(5)).extracting(Explanation.Validator::rule)
        .containsExactly("cores-fit");
    assertThat(x.validators().get(1).sampleReason()).isEmpty();
    assertThat(x.top().get(0).scores()).containsExactly(Map.entry("pack", 0.5),
        Map.entry("spread", -1.0));
    assertThat(x.preemptServerId()).isEqualTo("s3");
    assertThat(x.wouldEvict()).containsExactly("vm-x");
    assertThat(h.perCluster().keySet()).as("in the member's order").containsExactly("c2", "c1");
    assertThat(h.capped()).isTrue();
    assertThat(h.total()).isEqualTo(5);
    assertThat(inDemand).singleElement().satisfies(t -> {
      assertThat(t.templateId()).isEqualTo("2c4096m");
      assertThat(t.placedNow()).isEqualTo(7);
      assertThat(t.headroom().total()).isEqualTo(5);
      assertThat(t.withEvictions().total()).isEqualTo(9);
    });
    assertThat(clusters.get(0).headroomCores()).isEqualTo(8);
    assertThat(clusters.get(1).limit()).isEqualTo(1.0);
    assertThat(f.templates()).containsExactly("2c4096m");
    assertThat(f.strandedCores()).isEqualTo(10);
    assertThat(f.stranded()).containsExactly(new FragmentationSummary.Server("s7", "c2", 10, 512));
    assertThat(plan.moves()).containsExactly(new ConsolidationProposal.Move("vm-1", "s1", "s2", 2,
        4_096));
    assertThat(plan.densityAfter()).isEqualTo(0.6);
    List<GridRequest> sent = ENDPOINT.requests();
    assertThat(sent.get(0).op()).isEqualTo(GridRequest.Op.EXPLAIN);
    assertThat(sent.get(0).requestId()).as("a query gets its own id").isNotEqualTo("r-probe");
    GridRequest shapes = sent.get(2);
    assertThat(List.of(shapes.cores(), shapes.memoryMb())).containsExactly(0L, 0L);
    assertThat(shapes.problem()).isNull();
    assertThat(shapes.arguments()).isEqualTo(new QueryArguments(3, QueryArguments.NOT_GIVEN,
        List.of()));
    assertThat(sent.get(4).arguments()).as("a shape: no inDemand").isEqualTo(
        new QueryArguments(QueryArguments.NOT_GIVEN, 4, List.of()));
    assertThat(sent).allSatisfy(r -> assertThat(r.problem()).isNull());

    Throwable refused = cause(client.whatIf(CapacityTemplates.of(shape),
        List.of(new WhatIfChange.Drain(List.of("s9"), true),
            new WhatIfChange.SetUtilizationLimit(0.8, 0.9))));
    assertThat(refused).isInstanceOf(InvalidRequestException.class)
        .hasMessage("changes[0].serverIds: unknown server s9");
    QueryArguments args = ENDPOINT.requests().get(6).arguments();
    assertThat(args).isNotNull();
    assertThat(args.changes()).containsExactly(WhatIfStep.drain(List.of("s9"), true),
        WhatIfStep.limit(0.8, 0.9));
  }

  @Test
  void anAnswerWithoutATypedAnswerFailsAsInternal() {
    // an older member's answer: JSON in the message, nothing typed
    ENDPOINT.script = r -> GridResult.refused(r, GridResult.Status.ANSWERED, Reason.NONE,
        "{\"clusters\": []}");

    Throwable e = cause(client.clusters());

    assertThat(e).isInstanceOfSatisfying(GridOperationException.class,
        g -> assertThat(g.reason()).isEqualTo(Reason.INTERNAL)).hasMessageContaining("unreadable")
        .hasMessageContaining("older version");
    ENDPOINT.script = r -> answered(r, new ClustersAnswer(List.of()));
    assertThat(cause(client.explain(request("probe")))).as("an answer of another type")
        .isInstanceOf(GridOperationException.class).hasMessageContaining("ClustersAnswer");
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
