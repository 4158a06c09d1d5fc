package io.vmgrid.client.wire;

import com.hazelcast.internal.util.ConcurrencyUtil;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Gives Hazelcast a pooled executor for the callbacks of its async operations on machines with two
 * cores or fewer.
 *
 * <p>Hazelcast runs every async operation's completion callback (each {@code setAsync},
 * {@code deleteAsync}, {@code getAsync}, also the ones it registers itself to complete the future it
 * returns) on its default async executor: {@code ForkJoinPool.commonPool()} when that pool has more
 * than one thread, otherwise a <b>new thread per callback</b>. The common pool has one thread on a
 * 2-core machine, so there a member started one thread per indicator update and per request delete
 * (57 threads a second on one member at 50 allocations/s, measured with JFR's
 * {@code jdk.ThreadStart}), and a client two per allocation. This installs a cached pool instead:
 * threads are reused, and a callback that blocks still never waits for another (same semantics as a
 * thread per callback). Where the common pool has two or more threads, nothing changes.
 *
 * <p>Uses {@code ConcurrencyUtil.setDefaultAsyncExecutor}, an internal Hazelcast API (5.x); the
 * public alternative is starting the JVM with
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=2} or more. Members
 * ({@code GridNode.applyGridConfig}) and {@code AllocationClient} call {@link #install()} before
 * they create their Hazelcast instance.
 */
public final class CallbackThreads {
  private static final Logger LOG = Logger.getLogger(CallbackThreads.class.getName());
  private static final String PREFIX = "vmgrid-callback-";
  private static volatile @Nullable ExecutorService pool;

  private CallbackThreads() {}

  /**
   * Installs the pooled executor if Hazelcast would otherwise start a thread per callback; safe to
   * call any number of times, from any thread. Call it before creating a Hazelcast instance.
   *
   * @return whether the pooled executor is in use after the call
   */
  public static synchronized boolean install() {
    Executor current = ConcurrencyUtil.getDefaultAsyncExecutor();
    if (pool != null && current == pool) {
      return true;
    }
    if (ForkJoinPool.getCommonPoolParallelism() > 1
        || !current.getClass().getName().startsWith(ConcurrencyUtil.class.getName())) {
      return false; // the common pool, or an executor someone chose on purpose: leave it
    }
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor p = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, PREFIX + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool = p;
    ConcurrencyUtil.setDefaultAsyncExecutor(p);
    LOG.fine("the common fork-join pool has one thread: Hazelcast callbacks run on a cached pool");
    return true;
  }
}
