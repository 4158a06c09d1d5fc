package io.vmgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.CallbackThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Callbacks of async map operations on a member run on reused threads: on a machine whose common
 * fork-join pool has one thread (2 cores, like CI), Hazelcast's default starts a new thread for
 * every callback (and for the one it registers itself on each operation).
 */
class CallbackThreadsTest {
  private final TestHazelcastFactory factory = new TestHazelcastFactory(2);

  @AfterEach
  void stop() {
    factory.shutdownAll();
  }

  @Test
  void asyncCallbacksOnAMemberRunOnReusedThreads() throws Exception {
    HazelcastInstance hz = factory.newHazelcastInstance(GridNode.applyGridConfig(new Config()));
    factory.newHazelcastInstance(GridNode.applyGridConfig(new Config()));
    IMap<String, String> map = hz.getMap("callback-test");
    List<String> remote = new ArrayList<>(); // keys the other member owns: their futures wait
    for (int i = 0; remote.size() < 20; i++) {
      if (!hz.getPartitionService().getPartition("k" + i).getOwner().localMember()) {
        remote.add("k" + i);
      }
    }
    // The callbacks' own threads, not the JVM's thread count: other tests' members may still be
    // stopping in this JVM and start threads of their own meanwhile.
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    int ops = 300;
    for (int i = 0; i < ops; i++) {
      String key = remote.get(i % remote.size());
      map.setAsync(key, "v" + i)
          .whenComplete((ok, e) -> threads.add(Thread.currentThread()))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      map.deleteAsync(key).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    System.out.println("common pool parallelism " + ForkJoinPool.getCommonPoolParallelism()
        + "; distinct threads that ran " + ops + " callbacks: " + threads.size());
    assertThat(threads).as("threads that ran %s sequential callbacks", ops).isNotEmpty()
        .hasSizeLessThan(10);
    assertThat(CallbackThreads.install())
        .as("the pooled executor is installed exactly where the common pool has one thread")
        .isEqualTo(ForkJoinPool.getCommonPoolParallelism() <= 1);
  }
}
