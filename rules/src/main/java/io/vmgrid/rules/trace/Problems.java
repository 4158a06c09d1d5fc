package io.vmgrid.rules.trace;

import java.util.ArrayList;
import java.util.List;

/** Collects problems while a file is read, keeping the first {@value #CAP}. */
final class Problems {
  static final int CAP = 10_000;

  private final String file;
  private final List<TraceProblem> list = new ArrayList<>();
  private long total;

  Problems(String file) {
    this.file = file;
  }

  void add(long line, String field, String message) {
    total++;
    if (list.size() < CAP) {
      list.add(new TraceProblem(file, line, field, message));
    }
  }

  boolean isEmpty() {
    return total == 0;
  }

  long total() {
    return total;
  }

  void throwIfAny() {
    if (total > 0) {
      throw new TraceFormatException(list, total);
    }
  }
}
