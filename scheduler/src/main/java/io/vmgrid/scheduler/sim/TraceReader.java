package io.vmgrid.scheduler.sim;

import java.io.IOException;
import java.util.List;

/** A source of requests for the simulator: a trace file or a synthetic generator. */
public interface TraceReader {

  /** A short description for reports, e.g. the file name or the generator's settings. */
  String description();

  /**
   * All requests, ordered by arrival time.
   *
   * @throws IOException if a file cannot be read
   * @throws io.vmgrid.rules.trace.TraceFormatException if a line is malformed
   */
  List<TraceRecord> read() throws IOException;

  /**
   * The VMs already running when the workload starts (engine mode places them before the replay),
   * with their remaining lifetimes; none by default.
   *
   * @throws IOException if a file cannot be read
   */
  default List<TraceRecord> initial() throws IOException {
    return List.of();
  }
}
