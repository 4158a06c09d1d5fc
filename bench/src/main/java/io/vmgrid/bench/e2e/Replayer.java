package io.vmgrid.bench.e2e;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.VmRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Issues allocations from this process through one client: a replay of a request list, open loop at
 * a rate (issued on schedule whatever the completions) or as fast as a window of {@code in-flight}
 * outstanding requests allows; the release of what a replay placed; and the settle load, requests
 * that are released as soon as they are placed.
 */
final class Replayer {
  private final AllocationClient client;
  private final int inFlight;
  private final long timeoutMs;

  /**
   * What a replay observed.
   *
   * @param latency client-observed latency of every allocation
   * @param placed placed outcomes
   * @param rejected rejected outcomes
   * @param failed failed outcomes (timeouts, errors)
   * @param seconds first issue to last outcome
   * @param maxIssueLagMs how late the issuer was at worst against the schedule
   * @param reasons outcome reasons of rejected and failed requests, counted
   * @param placedVmIds the VMs placed
   */
  record Replay(LatencySummary latency, int placed, int rejected, int failed, double seconds,
      double maxIssueLagMs, Map<String, Integer> reasons, List<String> placedVmIds) {
    /** Allocations per second, first issue to last outcome (0 without a duration). */
    double throughput() {
      return seconds <= 0 ? 0 : latency.count() / seconds;
    }
  }

  /**
   * A replayer through {@code client}: at most {@code inFlight} outstanding requests where a window
   * applies, and {@code timeoutMs} the client's request timeout.
   */
  Replayer(AllocationClient client, int inFlight, long timeoutMs) {
    this.client = client;
    this.inFlight = inFlight;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Issues {@code requests} in order at {@code rate} per second (0: at most {@code inFlight}
   * outstanding) and waits for every outcome.
   */
  Replay replay(List<VmRequest> requests, double rate) throws InterruptedException {
    int n = requests.size();
    long[] latency = new long[n];
    String[] outcome = new String[n];
    CountDownLatch done = new CountDownLatch(n);
    AtomicLong lastDone = new AtomicLong();
    @Nullable Semaphore window = rate == 0 ? new Semaphore(inFlight) : null;
    double intervalNanos = rate == 0 ? 0 : 1e9 / rate;
    long maxLag = 0;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (rate > 0) {
        long due = start + Math.round(i * intervalNanos);
        parkUntil(due);
        maxLag = Math.max(maxLag, System.nanoTime() - due);
      } else if (window != null) {
        window.acquire();
      }
      int index = i;
      long t0 = System.nanoTime();
      var unused = client.allocate(requests.get(i)).whenComplete((o, x) -> {
        long now = System.nanoTime();
        try {
          latency[index] = now - t0;
          outcome[index] = outcomeOf(o, x);
          lastDone.accumulateAndGet(now, Math::max);
        } finally {
          if (window != null) {
            window.release();
          }
          done.countDown();
        }
      });
    }
    if (!done.await(timeoutMs + 120_000, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(done.getCount() + " allocations never completed");
    }
    return tally(requests, latency, outcome, (lastDone.get() - start) / 1e9, maxLag / 1e6);
  }

  /** An allocation's outcome as the replay counts it: PLACED, REJECTED:reason or FAILED:reason. */
  private static String outcomeOf(@Nullable AllocationOutcome o, @Nullable Throwable x) {
    return x != null ? "FAILED:" + x.getClass().getSimpleName()
        : o instanceof AllocationOutcome.Placed ? "PLACED"
        : o instanceof AllocationOutcome.Rejected rej ? "REJECTED:" + rej.reason()
        : o instanceof AllocationOutcome.Failed f ? "FAILED:" + f.reason()
        : "FAILED:UNKNOWN";
  }

  /** The replay of {@code requests} from each one's latency and outcome. */
  private static Replay tally(List<VmRequest> requests, long[] latency, String[] outcome,
      double seconds, double maxIssueLagMs) {
    int placed = 0;
    int rejected = 0;
    int failed = 0;
    Map<String, Integer> reasons = new TreeMap<>();
    List<String> placedVmIds = new ArrayList<>();
    for (int i = 0; i < outcome.length; i++) {
      String o = outcome[i];
      if (o.equals("PLACED")) {
        placed++;
        placedVmIds.add(requests.get(i).vmId());
        continue;
      }
      if (o.startsWith("REJECTED")) {
        rejected++;
      } else {
        failed++;
      }
      reasons.merge(o, 1, Integer::sum);
    }
    return new Replay(LatencySummary.ofNanos(latency), placed, rejected, failed, seconds,
        maxIssueLagMs, reasons, placedVmIds);
  }

  /** Releases {@code vmIds}, at most {@code inFlight} at a time; returns how many were released. */
  int release(List<String> vmIds) throws InterruptedException {
    Semaphore window = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(vmIds.size());
    AtomicLong released = new AtomicLong();
    for (String id : vmIds) {
      window.acquire();
      var unused = client.release(id).whenComplete((r, x) -> {
        if (x == null) {
          released.incrementAndGet();
        }
        window.release();
        done.countDown();
      });
    }
    if (!done.await(timeoutMs + 60_000, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(done.getCount() + " warm-up releases never completed");
    }
    return (int) released.get();
  }

  /**
   * One window of settle load: {@code perWindow} requests from {@code pool} (picked by
   * {@code round}) under new ids, on schedule at {@code rate} per second from now, each released as
   * soon as it is placed. Does not wait for the outcomes; {@code outstanding} counts them down.
   */
  void settleWindow(List<VmRequest> pool, int round, int perWindow, double rate,
      AtomicLong outstanding) {
    long windowStart = System.nanoTime();
    for (int i = 0; i < perWindow; i++) {
      parkUntil(windowStart + Math.round(i * 1e9 / rate));
      VmRequest r = pool.get((round * perWindow + i) % pool.size());
      VmRequest again = VmRequest.builder().requestId("settle-" + round + "-" + i)
          .vmId("settle-" + round + "-" + i + "-" + r.vmId()).tenantId(r.tenantId())
          .cores(r.cores()).memoryMb(r.memoryMb()).priority(r.priority()).build();
      outstanding.incrementAndGet();
      var unused = client.allocate(again).thenCompose(o -> o instanceof AllocationOutcome.Placed
          ? client.release(o.vmId()).handle((x, e) -> null)
          : CompletableFuture.completedFuture(null))
          .whenComplete((x, e) -> outstanding.decrementAndGet());
    }
  }

  /** Parks until {@link System#nanoTime()} reaches {@code due}. */
  private static void parkUntil(long due) {
    long wait;
    while ((wait = due - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
