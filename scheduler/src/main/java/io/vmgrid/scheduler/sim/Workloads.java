package io.vmgrid.scheduler.sim;

import java.nio.file.Path;

/** Where traces live by default. */
public final class Workloads {

  /** The default trace, relative to the repository root. */
  public static final String DEFAULT_TRACE =
      "../shared/data/azure-packing-2020/vm-sample-bernoulli-0.csv";

  private Workloads() {}

  /**
   * Resolves a trace path: absolute paths as given; relative paths against the repository root (the
   * {@code vmgrid.root} system property) when set, else against the working directory.
   */
  public static Path resolve(String trace) {
    Path p = Path.of(trace);
    if (p.isAbsolute()) {
      return p;
    }
    String root = System.getProperty("vmgrid.root");
    return root == null || root.isBlank() ? p : Path.of(root).resolve(p).normalize();
  }
}
