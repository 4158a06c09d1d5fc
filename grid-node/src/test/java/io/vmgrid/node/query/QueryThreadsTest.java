package io.vmgrid.node.query;

import static io.vmgrid.node.Fixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.CapacityHeadroom;
import io.vmgrid.client.api.VmRequest;
import com.hazelcast.core.IExecutorService;
import io.vmgrid.client.wire.GridTask;
import io.vmgrid.node.TestGrid;
import java.io.Serializable;
import java.util.concurrent.Callable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Queries are answered on their own threads: with every query thread held, allocations are still
 * placed and the query waits; once the threads are free it is answered.
 */
class QueryThreadsTest {
  @Test
  void allocationsArePlacedWhileEveryQueryThreadIsBusy() throws Exception {
    try (TestGrid grid = TestGrid.start(1).load(servers(4, 16, 65_536))) {
      holdQueryThreadsAndAllocate(grid);
    }
  }

  /** Holds a query thread until released (a task on the member's query executor). */
  static final class Hold implements Callable<String>, Serializable {
    private static final long serialVersionUID = 1L;
    static volatile CountDownLatch held = new CountDownLatch(0);
    static volatile CountDownLatch release = new CountDownLatch(0);

    @Override
    public String call() throws InterruptedException {
      held.countDown();
      release.await();
      return "released";
    }
  }

  private static void holdQueryThreadsAndAllocate(TestGrid grid) throws Exception {
    AllocationClient client = grid.client();
    int threads = grid.member(0).getConfig().getExecutorConfig(GridTask.QUERY_EXECUTOR)
        .getPoolSize();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(threads);
    Hold.release = release;
    Hold.held = held;
    IExecutorService queries = grid.member(0).getExecutorService(GridTask.QUERY_EXECUTOR);
    for (int i = 0; i < threads; i++) {
      var unused = queries.submitToMember(new Hold(), grid.member(0).getCluster().getLocalMember());
    }
    try {
      assertThat(held.await(10, TimeUnit.SECONDS)).as("every query thread held").isTrue();
      VmRequest shape = VmRequest.builder().vmId("shape").tenantId("t").cores(4).memoryMb(8_192)
          .build();
      CompletableFuture<CapacityHeadroom> query = client.capacity(shape);
      List<AllocationOutcome> placed = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        placed.add(client.allocateAndWait(VmRequest.builder().vmId("vm-" + i).tenantId("t")
            .cores(2).memoryMb(4_096).build()));
      }
      assertThat(placed).allMatch(o -> o instanceof AllocationOutcome.Placed);
      assertThat(query).as("the query waits for a query thread").isNotDone();
      release.countDown();
      CapacityHeadroom answer = query.get(30, TimeUnit.SECONDS);
      assertThat(answer.total()).as("answered against the state after the placements")
          .isPositive()
          .isEqualTo(client.capacity(shape).get(30, TimeUnit.SECONDS).total());
    } finally {
      release.countDown();
    }
  }
}
