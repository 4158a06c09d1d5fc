package io.vmgrid.rules.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Minimal reader for the trace's unquoted CSV files, reporting problems by line and column. */
final class Csv {
  private Csv() {}

  interface RowHandler {
    void row(long line, String[] fields);
  }

  static void read(Path file, List<String> header, Problems problems, RowHandler handler)
      throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = in.readLine();
      if (first == null) {
        problems.add(1, "header", "file is empty, expected " + String.join(",", header));
        return;
      }
      List<String> got = List.of(first.strip().split(",", -1));
      if (!got.equals(header)) {
        problems.add(1, "header", "expected " + String.join(",", header) + ", got " + first);
        return;
      }
      long line = 1;
      for (String s = in.readLine(); s != null; s = in.readLine()) {
        line++;
        if (s.isBlank()) {
          continue;
        }
        String[] fields = s.split(",", -1);
        if (fields.length != header.size()) {
          problems.add(line, "line", "has " + fields.length + " fields, expected " + header.size());
          continue;
        }
        handler.row(line, fields);
      }
    }
  }

  /** Parses a finite double; on failure records a problem and returns NaN. */
  static double number(String text, long line, String field, Problems problems) {
    try {
      double d = Double.parseDouble(text.strip());
      if (Double.isFinite(d)) {
        return d;
      }
      problems.add(line, field, "not a finite number: '" + text + "'");
    } catch (NumberFormatException e) {
      problems.add(line, field, "not a number: '" + text + "'");
    }
    return Double.NaN;
  }

  /** Parses a non-negative integer id; on failure records a problem and returns -1. */
  static long id(String text, long line, String field, Problems problems) {
    try {
      long v = Long.parseLong(text.strip());
      if (v >= 0) {
        return v;
      }
      problems.add(line, field, "must be >= 0, got " + v);
    } catch (NumberFormatException e) {
      problems.add(line, field, "not an integer: '" + text + "'");
    }
    return -1;
  }
}
