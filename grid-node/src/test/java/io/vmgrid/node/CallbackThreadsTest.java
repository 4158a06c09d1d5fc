package io.vmgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.CallbackThreads;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Async map operations on a member do not start a thread each: on a machine whose common fork-join
 * pool has one thread (2 cores, like CI), Hazelcast's default would start one per operation (for
 * the callback it registers itself) and one per callback of ours.
 */
class CallbackThreadsTest {
  private final TestHazelcastFactory factory = new TestHazelcastFactory(2);

  @AfterEach
  void stop() {
    factory.shutdownAll();
  }

  @Test
  void asyncOperationsOnAMemberDoNotStartAThreadEach() throws Exception {
    HazelcastInstance hz = factory.newHazelcastInstance(GridNode.applyGridConfig(new Config()));
    factory.newHazelcastInstance(GridNode.applyGridConfig(new Config()));
    IMap<String, String> map = hz.getMap("callback-test");
    List<String> remote = new ArrayList<>(); // keys the other member owns: their futures wait
    for (int i = 0; remote.size() < 20; i++) {
      if (!hz.getPartitionService().getPartition("k" + i).getOwner().localMember()) {
        remote.add("k" + i);
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    AtomicInteger callbacks = new AtomicInteger();
    int ops = 300;
    round(map, remote, ops, callbacks); // the member starts some threads of its own on first use
    callbacks.set(0);
    long startedBefore = mx.getTotalStartedThreadCount();
    round(map, remote, ops, callbacks);
    long started = mx.getTotalStartedThreadCount() - startedBefore;
    System.out.println("common pool parallelism " + ForkJoinPool.getCommonPoolParallelism()
        + "; threads started during " + (2 * ops) + " async operations: " + started);
    assertThat(callbacks).hasValue(ops);
    assertThat(started).as("threads started by %s async operations", 2 * ops).isLessThan(30);
    assertThat(CallbackThreads.install())
        .as("the pooled executor is installed exactly where the common pool has one thread")
        .isEqualTo(ForkJoinPool.getCommonPoolParallelism() <= 1);
  }

  private static void round(IMap<String, String> map, List<String> keys, int ops,
      AtomicInteger callbacks) throws Exception {
    for (int i = 0; i < ops; i++) {
      String key = keys.get(i % keys.size());
      map.setAsync(key, "v" + i)
          .whenComplete((ok, e) -> callbacks.incrementAndGet())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      map.deleteAsync(key).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
