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
      pos = parseLabels(line, pos + 1, labels);
    }
    String rest = line.substring(pos).strip();
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("no value");
    }
    int space = rest.indexOf(' ');
    String number = space < 0 ? rest : rest.substring(0, space);
    return new Sample(name, labels, value(number));
  }

  /**
   * Reads the labels that start at {@code start} (just after the opening brace) into
   * {@code labels}; returns the position just after the closing brace.
   */
  private static int parseLabels(String line, int start, Map<String, String> labels) {
    int pos = start;
    while (true) {
      while (pos < line.length() && (line.charAt(pos) == ',' || line.charAt(pos) == ' ')) {
        pos++;
      }
      if (pos >= line.length()) {
        throw new IllegalArgumentException("unterminated labels");
      }
      if (line.charAt(pos) == '}') {
        return pos + 1;
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
      StringBuilder value = new StringBuilder();
      pos = quotedValue(line, pos + 1, value);
      if (pos < 0) {
        throw new IllegalArgumentException("label " + key + " value is not closed");
      }
      labels.put(key, value.toString());
    }
  }

  /**
   * Appends the unescaped label value that starts at {@code start} (just after its opening quote)
   * to {@code value}; returns the position just after the closing quote, or -1 when there is none.
   */
  private static int quotedValue(String line, int start, StringBuilder value) {
    int pos = start;
    while (pos < line.length()) {
      char c = line.charAt(pos++);
      if (c == '\\' && pos < line.length()) {
        char e = line.charAt(pos++);
        value.append(e == 'n' ? '\n' : e);
      } else if (c == '"') {
        return pos;
      } else {
        value.append(c);
      }
    }
    return -1;
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
