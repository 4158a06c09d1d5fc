package io.vmgrid.node.reliability;

import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.GridOperationException;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.api.Released;
import io.vmgrid.client.api.UnknownVmException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A Jepsen-style record of every client operation of a chaos run: each allocation and release is
 * invoked, then completes {@link Outcome#OK ok}, {@link Outcome#FAIL fail} (definitely not carried
 * out) or {@link Outcome#INFO info} (indeterminate: it may or may not have been carried out).
 * {@link HistoryChecker} judges the grid's end state against it. Thread-safe; with a file, every
 * event (and every nemesis note) is also appended to it as one JSON line as it happens, for a
 * post-mortem.
 */
final class History implements AutoCloseable {
  /** What an operation asked for. */
  enum Kind { ALLOCATE, RELEASE }

  /** How an operation ended, as the client learned it. */
  enum Outcome {
    /** Carried out: a placement on {@link Completion#serverId()}, or a release. */
    OK,
    /** Definitely not carried out (rejected, no quorum, unknown VM, invalid). */
    FAIL,
    /** Indeterminate: the client does not know whether it was carried out. */
    INFO
  }

  /**
   * Failure reasons after which the operation may still have been carried out: no answer in time,
   * a commit whose record was refused, the client closed with the request out, and errors the
   * client could not classify. Every other failure reason means nothing was committed.
   */
  static final Set<Reason> INDETERMINATE = EnumSet.of(Reason.TIMEOUT, Reason.IN_DOUBT,
      Reason.CLOSED, Reason.INTERNAL, Reason.UNKNOWN);

  /**
   * One client operation: its invocation and, once it has ended, its completion.
   *
   * @param index position in the history (invocation order)
   * @param process the load process (client thread) that invoked it
   * @param kind allocation or release
   * @param vmId the VM
   * @param requestId the allocation's request id (empty for a release)
   * @param via the member address the client sends through
   * @param cores cores asked for (0 for a release)
   * @param memoryMb memory asked for, MiB (0 for a release)
   * @param invokedMillis when it was invoked, ms since the history began
   * @param completion how it ended, or null while it is open
   */
  record Operation(long index, int process, Kind kind, String vmId, String requestId, String via,
      long cores, long memoryMb, long invokedMillis, @Nullable Completion completion) {

    /** The outcome, or {@link Outcome#INFO} for an operation that never completed. */
    Outcome outcome() {
      return completion == null ? Outcome.INFO : completion.outcome();
    }

    /** Whether it completed ok. */
    boolean ok() {
      return completion != null && completion.outcome() == Outcome.OK;
    }
  }

  /**
   * How an operation ended.
   *
   * @param outcome ok, fail or info
   * @param serverId the server an ok allocation was placed on, or an ok release freed; else empty
   * @param reason the failure's reason ({@link Reason#NONE} when ok)
   * @param detail the failure's message, for people
   * @param completedMillis when it ended, ms since the history began
   */
  record Completion(Outcome outcome, String serverId, Reason reason, String detail,
      long completedMillis) {}

  private final LongSupplier clockMillis;
  private final @Nullable BufferedWriter out;
  private final List<Operation> operations = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /** A history in memory only, timed by {@code clockMillis}. */
  History(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
    this.out = null;
  }

  /** A history that also appends every event to {@code file} as JSON lines. */
  History(LongSupplier clockMillis, Path file) throws IOException {
    this.clockMillis = clockMillis;
    Files.createDirectories(file.toAbsolutePath().getParent());
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  /** Records the invocation of an allocation; returns its index for the completion. */
  long invokeAllocate(int process, String via, String vmId, String requestId, long cores,
      long memoryMb) {
    return invoke(process, Kind.ALLOCATE, via, vmId, requestId, cores, memoryMb);
  }

  /** Records the invocation of a release; returns its index for the completion. */
  long invokeRelease(int process, String via, String vmId) {
    return invoke(process, Kind.RELEASE, via, vmId, "", 0, 0);
  }

  private synchronized long invoke(int process, Kind kind, String via, String vmId,
      String requestId, long cores, long memoryMb) {
    Operation op = new Operation(operations.size(), process, kind, vmId, requestId, via, cores,
        memoryMb, clockMillis.getAsLong(), null);
    operations.add(op);
    write("{\"type\":\"invoke\",\"index\":" + op.index() + ",\"process\":" + process
        + ",\"f\":\"" + kind + "\",\"vm\":" + json(vmId) + ",\"request\":" + json(requestId)
        + ",\"via\":" + json(via) + ",\"cores\":" + cores + ",\"memoryMb\":" + memoryMb
        + ",\"at\":" + op.invokedMillis() + "}");
    return op.index();
  }

  /** Completes operation {@code index} ok, on {@code serverId}. */
  void ok(long index, String serverId) {
    complete(index, Outcome.OK, serverId, Reason.NONE, "");
  }

  /** Completes operation {@code index} with a failure; indeterminate reasons make it info. */
  void failed(long index, Reason reason, String detail) {
    complete(index, INDETERMINATE.contains(reason) ? Outcome.INFO : Outcome.FAIL, "", reason,
        detail);
  }

  /** Completes allocation {@code index} from the client's outcome. */
  void allocated(long index, AllocationOutcome outcome) {
    if (outcome instanceof AllocationOutcome.Placed p) {
      ok(index, p.serverId());
    } else if (outcome instanceof AllocationOutcome.Rejected r) {
      complete(index, Outcome.FAIL, "", r.reason(), r.message());
    } else if (outcome instanceof AllocationOutcome.Failed f) {
      failed(index, f.reason(), f.message());
    }
  }

  /**
   * Completes operation {@code index} from a client future's result or error: an error the client
   * did not classify (not its own exception types) is indeterminate.
   */
  void completed(long index, @Nullable Object result, @Nullable Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause == null && result instanceof AllocationOutcome o) {
      allocated(index, o);
    } else if (cause == null && result instanceof Released r) {
      ok(index, r.serverId());
    } else if (cause instanceof UnknownVmException u) {
      failed(index, Reason.UNKNOWN_VM, String.valueOf(u.getMessage()));
    } else if (cause instanceof InvalidRequestException i) {
      failed(index, Reason.INVALID_INPUT, String.valueOf(i.getMessage()));
    } else if (cause instanceof GridOperationException g) {
      failed(index, g.reason(), g.detail());
    } else {
      failed(index, Reason.INTERNAL, String.valueOf(cause));
    }
  }

  private synchronized void complete(long index, Outcome outcome, String serverId, Reason reason,
      String detail) {
    Operation op = operations.get((int) index);
    if (op.completion() != null) {
      throw new IllegalStateException("operation " + index + " completed twice");
    }
    Completion c = new Completion(outcome, serverId, reason, detail, clockMillis.getAsLong());
    operations.set((int) index, new Operation(op.index(), op.process(), op.kind(), op.vmId(),
        op.requestId(), op.via(), op.cores(), op.memoryMb(), op.invokedMillis(), c));
    write("{\"type\":\"" + outcome.name().toLowerCase(Locale.ROOT) + "\",\"index\":"
        + index + ",\"process\":" + op.process() + ",\"f\":\"" + op.kind() + "\",\"vm\":"
        + json(op.vmId()) + ",\"server\":" + json(serverId) + ",\"reason\":\"" + reason
        + "\",\"detail\":" + json(detail) + ",\"at\":" + c.completedMillis() + "}");
  }

  /** Records what the nemesis did (a fault, a heal), between the operations it affected. */
  synchronized void note(String what) {
    long at = clockMillis.getAsLong();
    notes.add(at + " ms: " + what);
    write("{\"type\":\"nemesis\",\"what\":" + json(what) + ",\"at\":" + at + "}");
  }

  /** A snapshot of the operations, in invocation order. */
  synchronized List<Operation> operations() {
    return List.copyOf(operations);
  }

  /** The nemesis notes so far, each prefixed with its time. */
  synchronized List<String> notes() {
    return List.copyOf(notes);
  }

  /** How operation {@code index} ended, or null while it is open. */
  synchronized @Nullable Completion completion(long index) {
    return operations.get((int) index).completion();
  }

  /** Operations not completed yet. */
  synchronized long open() {
    return operations.stream().filter(o -> o.completion() == null).count();
  }

  private void write(String line) {
    if (out == null) {
      return;
    }
    try {
      out.write(line);
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code s} as a JSON string literal. */
  static String json(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
