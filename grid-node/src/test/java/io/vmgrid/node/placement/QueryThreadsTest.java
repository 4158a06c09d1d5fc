package io.vmgrid.node.placement;

import static io.vmgrid.node.Fixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.CapacityHeadroom;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.node.TestGrid;
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

  private static void holdQueryThreadsAndAllocate(TestGrid grid) throws Exception {
    AllocationClient client = grid.client();
    RequestProcessor processor = RequestProcessor.of(grid.member(0));
    assertThat(processor).isNotNull();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(RequestProcessor.QUERY_THREADS);
    for (int i = 0; i < RequestProcessor.QUERY_THREADS; i++) {
      processor.queryExecutor().execute(() -> {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
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
