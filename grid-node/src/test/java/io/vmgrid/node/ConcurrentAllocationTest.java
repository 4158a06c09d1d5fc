package io.vmgrid.node;

import static io.vmgrid.node.Fixtures.assertInvariants;
import static io.vmgrid.node.Fixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many threads allocate against a 2-member cluster (Hazelcast's in-JVM test network) with far less
 * capacity than demand; afterwards the reliability invariants hold.
 */
class ConcurrentAllocationTest {
  private TestGrid grid;

  @AfterEach
  void tearDown() {
    grid.close();
  }

  @Test
  void scarceCapacityIsNeverOverCommittedAndEveryPlacementIsRecordedOnce() throws Exception {
    long seed = Long.getLong("vmgrid.test.seed", System.nanoTime());
    System.out.println("ConcurrentAllocationTest seed=" + seed);
    grid = TestGrid.start(2, 4, GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()))
        .load(servers(10, 16, 65_536));
    HazelcastInstance m1 = grid.member(0);
    AllocationClient client = grid.client();

    int threads = 8;
    int perThread = 50;
    Map<String, Integer> coresOf = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<AllocationOutcome>>> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Random random = new Random(seed + t);
      work.add(pool.submit(() -> {
        List<CompletableFuture<AllocationOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          int cores = 1 + random.nextInt(4);
          String vmId = "vm-" + thread + "-" + i;
          coresOf.put(vmId, cores);
          futures.add(client.allocate(VmRequest.builder().vmId(vmId).tenantId("t" + thread)
              .cores(cores).memoryMb(1_024L * cores).build()));
        }
        return futures.stream().map(CompletableFuture::join).toList();
      }));
    }
    List<AllocationOutcome> outcomes = new ArrayList<>();
    for (Future<List<AllocationOutcome>> f : work) {
      outcomes.addAll(f.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();

    Map<String, String> placedBy = new HashMap<>();
    long rejected = 0;
    for (AllocationOutcome o : outcomes) {
      if (o instanceof AllocationOutcome.Placed p) {
        placedBy.put(p.vmId(), p.serverId());
      } else {
        assertThat(o).as("outcome of %s", o.vmId()).isInstanceOf(AllocationOutcome.Rejected.class);
        rejected++;
      }
    }
    assertThat(outcomes).hasSize(threads * perThread);
    assertThat(rejected).as("capacity must run out").isPositive();
    Map<String, String> hostOf = assertInvariants(m1);
    assertThat(hostOf).as("acknowledged placements vs grid state").isEqualTo(placedBy);
    long usedCores =
        m1.<String, ServerState>getMap(MapNames.SERVERS).values().stream()
            .mapToLong(ServerState::usedCores).sum();
    assertThat(usedCores)
        .isEqualTo(placedBy.keySet().stream().mapToLong(coresOf::get).sum());
    System.out.printf("placed=%d rejected=%d conflicts=%d%n", placedBy.size(), rejected,
        grid.nodes().stream().mapToLong(GridNode::conflicts).sum());
  }
}
