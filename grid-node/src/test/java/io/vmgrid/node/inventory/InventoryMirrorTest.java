package io.vmgrid.node.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.Timing;
import io.vmgrid.rules.api.Resource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link InventoryMirror}: what the agents evaluate against. */
class InventoryMirrorTest {
  private final TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(1);

  @AfterEach
  void tearDown() {
    factory.shutdownAll();
  }

  private static HostedVm vm(String id, long cores) {
    return new HostedVm(id, "t1", cores, 1_024, "r-" + id, "REGULAR", 0L, "", "");
  }

  /**
   * A server's event (an older state) still queued when the member's own commit (a newer state) is
   * applied directly must not take that commit out of the mirror: agents would then see room that
   * is gone until the server's next change.
   */
  @Test
  void aQueuedOlderStateNeverReplacesAnOwnCommitAppliedBeforeIt() throws Exception {
    HazelcastInstance hz = factory.newHazelcastInstance(
        GridNode.applyGridConfig(com.hazelcast.test.HazelcastTestSupport.smallInstanceConfig()));
    int servers = 40;
    for (int i = 0; i < servers; i++) {
      hz.<String, ServerState>getMap(MapNames.SERVERS)
          .put("srv-" + i, ServerState.empty("srv-" + i, "c0", 64, 262_144));
    }
    ServerView view = new ServerView(hz.getMap(MapNames.SERVERS), ForeignEntries.of(hz),
        NodeClock.system());
    try (InventoryMirror mirror = new InventoryMirror(view, 1_024, NodeClock.system(),
        Timing.MIRROR_REBUILD_QUIET.defaultValue())) {
      for (int i = 0; i < servers; i++) {
        String id = "srv-" + i;
        ServerState start = ServerState.empty(id, "c0", 64, 262_144);
        ServerState older = start.with(vm("a-" + i, 8)); // another agent's commit, seen by event
        ServerState own = older.with(vm("b-" + i, 16)); // this member's commit, applied directly
        // hold the mirror so both wait for its write lock, in either order
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread reader = new Thread(() -> mirror.read(inv -> {
          reading.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        }));
        reader.start();
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
        view.apply(older); // queued for the applier
        Thread committer = new Thread(() -> mirror.applyOwn(own));
        committer.start();
        Thread.sleep(i % 3); // vary who takes the lock first
        release.countDown();
        reader.join();
        committer.join();
        assertThat(mirror.awaitCaughtUp(10_000)).isTrue();
        long free = mirror.read(inv -> inv.free(Resource.CORES, inv.indexOf(id)));
        assertThat(free).as("%s: 64 cores less the 8 and 16 of both commits", id).isEqualTo(40);
      }
    }
    view.close();
  }
}
