package io.vmgrid.node.reliability;

import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.Released;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.node.reliability.History.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Continuous allocation and release load for a chaos run on a {@link NetnsCluster}: one load
 * process (a thread) per member, each sending through its own single-member client of that member,
 * so that every side of a split keeps receiving requests. A process keeps up to {@link #WINDOW}
 * operations in flight, one new every {@link #PACE_MILLIS} ms: allocations of fresh VM ids (1-4
 * cores, 0.5-4 GiB), and releases of VMs it placed once it holds {@link #LIVE_TARGET} or by chance.
 * Every operation is recorded in the {@link History}; a VM whose release failed definitely may be
 * released again later, one whose release is indeterminate never is.
 */
final class ChaosLoad implements AutoCloseable {
  /** Operations a process keeps in flight. */
  static final int WINDOW = 4;
  /** Pause between two operations of one process. */
  static final long PACE_MILLIS = 120;
  /** Placed VMs a process holds before it releases one for every allocation. */
  static final int LIVE_TARGET = 30;
  /** How long an operation may take before the client answers {@code TIMEOUT}. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  /** A process's client: bound to one member, retired when the member is restarted. */
  private record Binding(HazelcastInstance hz, AllocationClient client, AtomicInteger inFlight) {}

  private final NetnsCluster net;
  private final History history;
  private final long seed;
  private final AtomicReferenceArray<Binding> bindings;
  private final List<CompletableFuture<?>> operations = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<Binding> retired = new CopyOnWriteArrayList<>();
  private volatile boolean running;

  /** Load for every member of {@code net}, recorded in {@code history}, drawn from {@code seed}. */
  ChaosLoad(NetnsCluster net, History history, long seed) {
    this.net = net;
    this.history = history;
    this.seed = seed;
    this.bindings = new AtomicReferenceArray<>(net.size());
  }

  /** Connects one single-member client per member (waiting for the members to start). */
  void connect() {
    for (int i = 0; i < net.size(); i++) {
      bindings.set(i, bind(i));
    }
  }

  private Binding bind(int member) {
    HazelcastInstance hz = net.clientOf(member);
    return new Binding(hz, AllocationClient.using(hz, REQUEST_TIMEOUT), new AtomicInteger());
  }

  /** Process {@code i}'s Hazelcast client. */
  HazelcastInstance client(int i) {
    return bindings.get(i).hz();
  }

  /** Process {@code i}'s allocation client. */
  AllocationClient allocationClient(int i) {
    return bindings.get(i).client();
  }

  /**
   * Gives process {@code i} a new client bound to member {@code i} (after the member was
   * restarted, or the old client moved to another member); the old one is closed once its
   * operations have ended.
   */
  void rebind(int i) {
    Binding old = bindings.getAndSet(i, bind(i));
    retired.add(old);
    Thread closer = new Thread(() -> {
      long deadline = System.nanoTime() + 2 * REQUEST_TIMEOUT.toNanos();
      while (old.inFlight().get() > 0 && System.nanoTime() < deadline) {
        sleep(200);
      }
      old.client().close(); // what is still out ends CLOSED: indeterminate
      old.hz().shutdown();
    }, "chaos-load-retire-" + i);
    closer.setDaemon(true);
    closer.start();
  }

  /** Starts the load processes. */
  void start() {
    running = true;
    for (int i = 0; i < net.size(); i++) {
      int process = i;
      Thread t = new Thread(() -> run(process), "chaos-load-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /**
   * Stops sending and waits until every operation has ended (each ends by its client's timeout at
   * the latest); throws if one has not ended after twice that.
   */
  void stop() throws InterruptedException, TimeoutException {
    running = false;
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    long deadline = System.nanoTime() + 2 * REQUEST_TIMEOUT.toNanos();
    while (history.open() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    if (history.open() > 0) {
      throw new TimeoutException(history.open() + " operations still open "
          + 2 * REQUEST_TIMEOUT.toSeconds() + " s after the load stopped");
    }
  }

  private void run(int process) {
    Random random = new Random(seed * 1_000_003L + process);
    List<String> live = new ArrayList<>();
    Semaphore window = new Semaphore(WINDOW);
    int n = 0;
    while (running) {
      try {
        if (!window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
          continue;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      Binding b = bindings.get(process);
      String via = net.address(process);
      String release = null;
      synchronized (live) {
        if (!live.isEmpty() && (live.size() >= LIVE_TARGET || random.nextInt(4) == 0)) {
          release = live.remove(random.nextInt(live.size()));
        }
      }
      b.inFlight().incrementAndGet();
      Runnable done = () -> {
        b.inFlight().decrementAndGet();
        window.release();
      };
      if (release != null) {
        String vm = release;
        long op = history.invokeRelease(process, via, vm);
        CompletableFuture<Released> f;
        try {
          f = b.client().release(vm);
        } catch (RuntimeException e) {
          f = CompletableFuture.failedFuture(e);
        }
        operations.add(f.whenComplete((released, error) -> {
          history.completed(op, released, error);
          History.Completion c = history.completion(op);
          if (c != null && c.outcome() == Outcome.FAIL && c.reason() != Reason.UNKNOWN_VM) {
            synchronized (live) {
              live.add(vm); // nothing was done: still placed, may be released later
            }
          }
          done.run();
        }));
      } else {
        String vm = "vm-" + process + "-" + n++;
        int cores = 1 + random.nextInt(4);
        long memoryMb = 512L * (1 + random.nextInt(8));
        long op = history.invokeAllocate(process, via, vm, "r-" + vm, cores, memoryMb);
        CompletableFuture<AllocationOutcome> f;
        try {
          f = b.client().allocate(VmRequest.builder().requestId("r-" + vm).vmId(vm)
              .tenantId("t" + process).cores(cores).memoryMb(memoryMb).build());
        } catch (RuntimeException e) {
          f = CompletableFuture.failedFuture(e);
        }
        operations.add(f.whenComplete((outcome, error) -> {
          history.completed(op, outcome, error);
          if (outcome instanceof AllocationOutcome.Placed) {
            synchronized (live) {
              live.add(vm);
            }
          }
          done.run();
        }));
      }
      sleep(PACE_MILLIS);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes every client, current and retired. */
  @Override
  public void close() {
    running = false;
    for (int i = 0; i < bindings.length(); i++) {
      Binding b = bindings.get(i);
      if (b != null) {
        retired.add(b);
      }
    }
    for (Binding b : retired) {
      try {
        b.client().close();
        b.hz().shutdown();
      } catch (RuntimeException e) {
        // already closed
      }
    }
  }
}
