package io.vmgrid.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.fixtures.TestMembers;
import io.vmgrid.client.wire.GridEndpoint;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.GridResults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request whose member dies while it runs may or may not have been carried out. On two real
 * members, the first member to receive a request terminates while handling it; the client sends
 * the request again, with the same id, to the other member, and passes on that answer only when
 * it holds whatever the first attempt did. Otherwise the outcome is {@link Reason#IN_DOUBT}.
 */
class CutOffTest {
  private final AtomicBoolean cutOne = new AtomicBoolean();
  private final List<GridRequest> seen = new CopyOnWriteArrayList<>();
  private volatile Function<GridRequest, GridResult> second = r -> GridResult.refused(r,
      GridResult.Status.FAILED, Reason.INTERNAL, "unscripted");
  private HazelcastInstance a;
  private HazelcastInstance b;
  private AllocationClient client;

  /** Dies with the first request any member gets; answers later ones as {@link #second} says. */
  private final class DyingEndpoint implements GridEndpoint {
    private final HazelcastInstance self;
    private final CountDownLatch never = new CountDownLatch(1);

    DyingEndpoint(HazelcastInstance self) {
      this.self = self;
    }

    @Override
    public GridResults handle(List<GridRequest> requests) {
      seen.addAll(requests);
      if (cutOne.compareAndSet(false, true)) {
        Thread killer = new Thread(() -> self.getLifecycleService().terminate(), "cut-off");
        killer.setDaemon(true);
        killer.start();
        try {
          never.await(30, TimeUnit.SECONDS); // the member goes before the answer does
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("terminated");
      }
      List<GridResult> out = new ArrayList<>();
      for (GridRequest r : requests) {
        out.add(second.apply(r));
      }
      return new GridResults(out);
    }
  }

  @BeforeEach
  void start() {
    String cluster = TestMembers.uniqueCluster("cutoff");
    a = TestMembers.start(cluster);
    b = TestMembers.start(cluster);
    assertThat(a.getCluster().getMembers()).hasSize(2);
    a.getUserContext().put(GridEndpoint.CONTEXT_KEY, new DyingEndpoint(a));
    b.getUserContext().put(GridEndpoint.CONTEXT_KEY, new DyingEndpoint(b));
    client = AllocationClient.connect(new ClientSettings(cluster,
        List.of(TestMembers.address(a), TestMembers.address(b)), Duration.ofSeconds(30),
        Duration.ofSeconds(20)));
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    TestMembers.shutdown(a, b);
  }

  private static VmRequest request() {
    return VmRequest.builder().requestId("r-1").vmId("vm-1").tenantId("t").cores(2)
        .memoryMb(2_048).build();
  }

  @Test
  void aRefusalForLackOfCapacityAfterACutOffAllocationIsInDoubt() {
    second = r -> GridResult.refused(r, GridResult.Status.REJECTED, Reason.NO_CAPACITY,
        "no server has 2 cores");

    AllocationOutcome outcome = client.allocateAndWait(request());

    assertThat(outcome).isInstanceOfSatisfying(AllocationOutcome.Failed.class, f -> {
      assertThat(f.reason()).isEqualTo(Reason.IN_DOUBT);
      assertThat(f.message()).startsWith("an earlier attempt of this allocation, cut off by a"
          + " member's departure, may have placed it; this attempt: NO_CAPACITY");
    });
    assertThat(seen).hasSize(2).extracting(GridRequest::requestId).containsOnly("r-1");
  }

  @Test
  void aPlacementAfterACutOffAllocationIsPassedOn() {
    second = r -> new GridResult(r.requestId(), r.vmId(), GridResult.Status.PLACED, Reason.NONE,
        "", "s7", 0, 0, "c1", "", "");

    AllocationOutcome outcome = client.allocateAndWait(request());

    assertThat(outcome).isInstanceOfSatisfying(AllocationOutcome.Placed.class,
        p -> assertThat(p.serverId()).isEqualTo("s7"));
    assertThat(seen).hasSize(2);
  }

  @Test
  void anUnknownVmAfterACutOffReleaseIsInDoubtNotUnknown() {
    second = r -> GridResult.refused(r, GridResult.Status.REJECTED, Reason.UNKNOWN_VM,
        "vmId: no VM 'vm-1' is allocated");

    assertThatThrownBy(() -> client.releaseAndWait("vm-1"))
        .isInstanceOfSatisfying(GridOperationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.IN_DOUBT))
        .hasMessageContaining("'vm-1' is not allocated now; an earlier attempt of this release,"
            + " cut off by a member's departure, may have released it");
    assertThat(seen).hasSize(2).extracting(GridRequest::op)
        .containsOnly(GridRequest.Op.RELEASE);
  }
}
