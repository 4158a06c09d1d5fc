package io.vmgrid.bench.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser of the Prometheus text exposition format (version 0.0.4): one {@link Sample} per sample
 * line; comments, blank lines and timestamps are skipped.
 */
final class PromText {

  /**
   * One sample line.
   *
   * @param name the metric name as exposed (with {@code _total}, {@code _count}, {@code _sum} suffixes)
   * @param labels label names to values, in the order exposed
   * @param value the value ({@code +Inf}, {@code -Inf} and {@code NaN} included)
   */
  record Sample(String name, Map<String, String> labels, double value) {
    Sample {
      labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** The label's value, or {@code ""} when the sample has no such label. */
    String label(String key) {
      return labels.getOrDefault(key, "");
    }
  }

  private PromText() {}

  /** Parses an exposition; a malformed line is an {@link IllegalArgumentException} naming its number. */
  static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        out.add(parseLine(line));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("metrics line " + (i + 1) + ": " + e.getMessage()
            + ": " + abbreviate(line), e);
      }
    }
    return out;
  }

  /**
   * The increase of each sample of {@code after} since {@code before} (same name and labels; a sample
   * absent before counts from 0). Meaningful for counters, histogram sums and counts, not gauges.
   */
  static List<Sample> delta(List<Sample> before, List<Sample> after) {
    Map<String, Double> old = new java.util.HashMap<>();
    for (Sample s : before) {
      old.put(key(s), s.value());
    }
    List<Sample> out = new ArrayList<>(after.size());
    for (Sample s : after) {
      out.add(new Sample(s.name(), s.labels(), s.value() - old.getOrDefault(key(s), 0.0)));
    }
    return out;
  }

  private static String key(Sample s) {
    return s.name() + s.labels();
  }

  private static Sample parseLine(String line) {
    int pos = 0;
    while (pos < line.length() && line.charAt(pos) != '{' && !Character.isWhitespace(line.charAt(pos))) {
      pos++;
    }
    String name = line.substring(0, pos);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("no metric name");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (pos < line.length() && line.charAt(pos) == '{') {
      pos++;
      while (true) {
        while (pos < line.length() && (line.charAt(pos) == ',' || line.charAt(pos) == ' ')) {
          pos++;
        }
        if (pos >= line.length()) {
          throw new IllegalArgumentException("unterminated labels");
        }
        if (line.charAt(pos) == '}') {
          pos++;
          break;
        }
        int eq = line.indexOf('=', pos);
        if (eq < 0) {
          throw new IllegalArgumentException("label without '='");
        }
        String key = line.substring(pos, eq).strip();
        pos = eq + 1;
        if (pos >= line.length() || line.charAt(pos) != '"') {
          throw new IllegalArgumentException("label " + key + " has no quoted value");
        }
        pos++;
        StringBuilder value = new StringBuilder();
        boolean closed = false;
        while (pos < line.length()) {
          char c = line.charAt(pos++);
          if (c == '\\' && pos < line.length()) {
            char e = line.charAt(pos++);
            value.append(e == 'n' ? '\n' : e);
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            value.append(c);
          }
        }
        if (!closed) {
          throw new IllegalArgumentException("label " + key + " value is not closed");
        }
        labels.put(key, value.toString());
      }
    }
    String rest = line.substring(pos).strip();
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("no value");
    }
    int space = rest.indexOf(' ');
    String number = space < 0 ? rest : rest.substring(0, space);
    return new Sample(name, labels, value(number));
  }

  private static double value(String s) {
    return switch (s) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("value '" + s + "' is not a number", e);
        }
      }
    };
  }

  private static String abbreviate(String line) {
    return line.length() <= 120 ? line : line.substring(0, 117) + "...";
  }
}
