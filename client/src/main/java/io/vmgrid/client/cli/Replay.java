package io.vmgrid.client.cli;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.InventorySummary;
import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.rules.engine.Ticker;
import io.vmgrid.rules.trace.TraceFiles;
import io.vmgrid.rules.trace.TraceFormatException;
import io.vmgrid.rules.trace.TraceRequest;
import io.vmgrid.rules.trace.VmSampleReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vmgrid replay}: replays an Azure packing trace sample against a running cluster, at a target
 * rate or as fast as the window of outstanding requests allows, with live progress and a latency
 * summary.
 *
 * <p>Mapping: VMs already running at the start of the trace ({@code starttime = -1497}) come first,
 * then the rest in arrival order; {@code cores} and {@code ram} are converted to cores and MiB by
 * {@link TraceUnits} (or sent in the trace's own units with {@code --trace-units}); {@code
 * vmTypeId} 1 is low priority. VM ids are prefixed with a run id so that
 * replays do not collide. Rows with zero cores or memory cannot be expressed as requests and are
 * counted as skipped, as are rows a request cannot express (e.g. more cores than a request may ask
 * for). Before starting, the replay counts the requests larger than every server of the cluster
 * ({@code oversized}) and warns if there are any: an inventory in other units than the requests'
 * rejects most of them.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Replay an Azure packing trace sample against a running cluster.")
public final class Replay implements java.util.concurrent.Callable<Integer> {
  @Mixin Connection connection;
  @Spec CommandSpec spec;

  @Option(names = "--trace", description = "Trace sample (default ${DEFAULT-VALUE}).",
      defaultValue = TraceFiles.DEFAULT_DIR + "/" + TraceFiles.BERNOULLI)
  Path trace = Path.of("");

  @Option(names = "--rate", defaultValue = "0",
      description = "Target requests per second; 0 = as fast as possible (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--limit", defaultValue = "0", description = "Replay only the first N requests (0 = all).")
  int limit;

  @Option(names = "--in-flight", defaultValue = "64",
      description = "Most requests outstanding at once (default ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(names = "--run-id", description = "Prefix for VM and request ids (default: random).")
  String runId = "";

  @Option(names = "--trace-units",
      description = "Send the trace's demands in its own units instead of cores and MiB (100 trace"
          + " core units = 1 core, rounded up; 1 memory unit = 256 MiB by default), for an"
          + " inventory generated with --trace-units.")
  boolean traceUnits;

  /** What a replay measured. */
  @SuppressWarnings("ArrayRecordComponent") // private result holder: never compared or shared
  record Summary(int requests, int skipped, int placed, int rejected, int failed, double seconds,
      long[] sortedMicros) {
    double quantileMs(double q) {
      if (sortedMicros.length == 0) {
        return 0;
      }
      int i = (int) Math.min(sortedMicros.length - 1, Math.max(0, Math.ceil(q * sortedMicros.length) - 1));
      return sortedMicros[i] / 1000.0;
    }

    double meanMs() {
      return sortedMicros.length == 0 ? 0 : Arrays.stream(sortedMicros).average().orElse(0) / 1000.0;
    }

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("requests", requests);
      m.put("skipped", skipped);
      m.put("placed", placed);
      m.put("rejected", rejected);
      m.put("failed", failed);
      m.put("seconds", seconds);
      m.put("throughputPerSec", seconds == 0 ? 0 : requests / seconds);
      m.put("meanMs", meanMs());
      m.put("p50Ms", quantileMs(0.50));
      m.put("p90Ms", quantileMs(0.90));
      m.put("p99Ms", quantileMs(0.99));
      m.put("maxMs", quantileMs(1.0));
      return m;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new InvalidRequestException("--rate", "--rate: must be a number >= 0 (was " + rate + ")");
    }
    if (limit < 0) {
      throw new InvalidRequestException("--limit", "--limit: must be >= 0 (was " + limit + ")");
    }
    if (inFlight < 1) {
      throw new InvalidRequestException("--in-flight", "--in-flight: must be >= 1 (was " + inFlight + ")");
    }
    if (!trace.toFile().isFile()) {
      throw new InvalidRequestException("--trace", "--trace: " + trace + " does not exist or is not a file");
    }
    List<TraceRequest> rows;
    try {
      rows = new ArrayList<>(VmSampleReader.read(trace));
    } catch (TraceFormatException e) {
      StringBuilder sb = new StringBuilder("--trace: " + trace + " has problems:");
      e.problems().stream().limit(20).forEach(p -> sb.append(System.lineSeparator()).append("  ").append(p));
      if (e.problems().size() > 20) {
        sb.append(System.lineSeparator()).append("  ... and more");
      }
      throw new InvalidRequestException("--trace", sb.toString());
    }
    rows.sort(Comparator.comparing((TraceRequest r) -> !r.initial()).thenComparingDouble(TraceRequest::start));
    if (limit > 0 && rows.size() > limit) {
      rows = rows.subList(0, limit);
    }
    String prefix = runId.isEmpty() ? UUID.randomUUID().toString().substring(0, 8) : runId;
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TraceUnits units = new TraceUnits(!traceUnits);
    err.println("vmgrid replay: demands in " + units.describe());
    List<VmRequest> requests = requests(rows, prefix, units, err);
    int skipped = rows.size() - requests.size();
    try (AllocationClient client = connection.connect()) {
      int oversized = warnIfOversized(client.inventory().join(), requests, err);
      Summary s = replay(client, requests, skipped, err);
      String text = String.format(Locale.ROOT,
          "replayed %,d requests from %s in %.1f s (%.0f/s): %,d placed, %,d rejected, %,d failed,"
              + " %,d skipped%nlatency  mean %.2f ms  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms",
          s.requests(), trace.getFileName(), s.seconds(), s.seconds() == 0 ? 0 : s.requests() / s.seconds(),
          s.placed(), s.rejected(), s.failed(), s.skipped(), s.meanMs(), s.quantileMs(0.5),
          s.quantileMs(0.9), s.quantileMs(0.99), s.quantileMs(1.0));
      Map<String, Object> json = s.json();
      json.put("oversized", oversized);
      json.put("trace", trace.toString());
      json.put("runId", prefix);
      Output.print(out, connection.json, json, text);
      return s.failed() == 0 ? 0 : Output.NOT_DONE;
    }
  }

  /**
   * The rows as requests, in order. Rows with zero cores or memory, and rows a request cannot
   * express (e.g. more cores than a request may ask for), are left out; the first few of the
   * latter are named on {@code err}.
   */
  static List<VmRequest> requests(List<TraceRequest> rows, String prefix, TraceUnits units,
      PrintWriter err) {
    List<VmRequest> out = new ArrayList<>(rows.size());
    int invalid = 0;
    for (TraceRequest row : rows) {
      if (row.cores() <= 0 || row.memory() <= 0) {
        continue;
      }
      try {
        out.add(VmRequest.builder()
            .requestId(prefix + "-r" + row.vmId())
            .vmId(prefix + "-" + row.vmId())
            .tenantId("tenant-" + row.tenantId())
            .cores((int) Math.min(Integer.MAX_VALUE, units.cores(row.cores())))
            .memoryMb(units.memoryMb(row.memory()))
            .priority(row.priority() == io.vmgrid.rules.api.Priority.LOW ? Priority.LOW : Priority.REGULAR)
            .build());
      } catch (InvalidRequestException e) {
        if (++invalid <= 3) {
          err.println("vmgrid replay: skipping trace row vmId " + row.vmId() + ": " + e.getMessage());
        }
      }
    }
    if (invalid > 3) {
      err.println("vmgrid replay: skipping " + (invalid - 3) + " more rows a request cannot express");
    }
    err.flush();
    return out;
  }

  /**
   * Counts the requests no server of the inventory could host even when empty, and warns if there
   * are any: an inventory in other units than the requests' rejects most of them.
   */
  static int warnIfOversized(InventorySummary inventory, List<VmRequest> requests,
      PrintWriter err) {
    if (inventory.servers() == 0) {
      err.println("vmgrid replay: warning: the cluster has no servers; every request will be"
          + " rejected (load an inventory first: vmgrid inventory load FILE)");
      err.flush();
      return requests.size();
    }
    int oversized = 0;
    for (VmRequest r : requests) {
      if (r.cores() > inventory.largestCores() || r.memoryMb() > inventory.largestMemoryMb()) {
        oversized++;
      }
    }
    if (oversized > 0) {
      err.println(String.format(Locale.ROOT, "vmgrid replay: warning: %,d of %,d requests are"
              + " larger than any server (the largest has %,d cores and %,d MiB) and will be"
              + " rejected. Servers of the trace's machine types: vmgrid inventory generate --data"
              + " DIR (with --trace-units on both, if the requests are sent in trace units).",
          oversized, requests.size(), inventory.largestCores(), inventory.largestMemoryMb()));
      err.flush();
    }
    return oversized;
  }

  private Summary replay(AllocationClient client, List<VmRequest> rows, int skipped,
      PrintWriter err) {
    Semaphore window = new Semaphore(inFlight);
    AtomicInteger placed = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicLongArray micros = new AtomicLongArray(rows.size());
    Progress progress = new Progress(err, rows.size(), done::get, placed::get, rejected::get,
        failed::get, micros, Ticker.system());
    int submitted = 0;
    Pacer pacer = new Pacer(rate);
    List<CompletableFuture<AllocationOutcome>> pending = new ArrayList<>();
    for (VmRequest request : rows) {
      pacer.awaitNext();
      window.acquireUninterruptibly();
      int slot = submitted++;
      pending.add(client.allocate(request).whenComplete((o, e) -> {
        if (o instanceof AllocationOutcome.Placed) {
          placed.incrementAndGet();
        } else if (o instanceof AllocationOutcome.Rejected) {
          rejected.incrementAndGet();
        } else {
          failed.incrementAndGet();
        }
        if (o != null) {
          micros.set(slot, o.latency().toNanos() / 1000);
        }
        done.incrementAndGet();
        window.release();
      }));
      progress.maybePrint();
    }
    CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
    double seconds = pacer.elapsedSeconds();
    progress.finish();
    long[] sorted = new long[submitted];
    for (int i = 0; i < submitted; i++) {
      sorted[i] = micros.get(i);
    }
    Arrays.sort(sorted);
    return new Summary(submitted, skipped, placed.get(), rejected.get(), failed.get(), seconds, sorted);
  }

  /**
   * A progress line on stderr: redrawn in place on a terminal, printed every few seconds otherwise.
   */
  static final class Progress {
    private final PrintWriter err;
    private final int total;
    private final IntSupplier done;
    private final IntSupplier placed;
    private final IntSupplier rejected;
    private final IntSupplier failed;
    private final AtomicLongArray micros;
    // On the JDK 17 we target, a null console means stdin/stdout are not a terminal.
    @SuppressWarnings("SystemConsoleNull")
    private final boolean terminal = System.console() != null;
    private final Ticker clock;
    private final long started;
    private long lastPrint;

    Progress(PrintWriter err, int total, IntSupplier done, IntSupplier placed, IntSupplier rejected,
        IntSupplier failed, AtomicLongArray micros, Ticker clock) {
      this.clock = clock;
      this.started = clock.read();
      this.lastPrint = started;
      this.err = err;
      this.total = total;
      this.done = done;
      this.placed = placed;
      this.rejected = rejected;
      this.failed = failed;
      this.micros = micros;
    }

    void maybePrint() {
      long interval = terminal ? TimeUnit.MILLISECONDS.toNanos(200) : TimeUnit.SECONDS.toNanos(5);
      long now = clock.read();
      if (now - lastPrint >= interval) {
        lastPrint = now;
        print(false);
      }
    }

    void finish() {
      if (terminal) {
        print(true);
      }
    }

    private void print(boolean last) {
      int d = done.getAsInt();
      double seconds = Math.max(1e-9, (clock.read() - started) / 1e9);
      long[] recent = new long[Math.min(d, 2_000)];
      for (int i = 0; i < recent.length; i++) {
        recent[i] = micros.get(Math.max(0, d - recent.length) + i);
      }
      Arrays.sort(recent);
      double p50 = recent.length == 0 ? 0 : recent[recent.length / 2] / 1000.0;
      double p99 = recent.length == 0 ? 0 : recent[(int) Math.min(recent.length - 1, recent.length * 0.99)] / 1000.0;
      int width = 24;
      int filled = total == 0 ? width : (int) ((long) width * d / total);
      String line = String.format(Locale.ROOT,
          "[%s%s] %,d/%,d  %.0f/s  placed %,d  rejected %,d  failed %,d  p50 %.1f ms  p99 %.1f ms",
          "#".repeat(filled), ".".repeat(width - filled), d, total, d / seconds, placed.getAsInt(),
          rejected.getAsInt(), failed.getAsInt(), p50, p99);
      if (terminal) {
        err.print("\r" + line + (last ? System.lineSeparator() : ""));
      } else {
        err.println(line);
      }
      err.flush();
    }
  }
}
