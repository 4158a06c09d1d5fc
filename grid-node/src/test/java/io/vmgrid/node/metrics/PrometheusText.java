package io.vmgrid.node.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: every line must be a
 * HELP or TYPE comment or a well-formed sample, and every sample's family must have been typed.
 */
final class PrometheusText {
  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+-?\\d+)?");
  private static final Pattern LABEL =
      Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(,|$)");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

  private PrometheusText() {}

  static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("# HELP ")) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        Matcher t = TYPE.matcher(line);
        if (!t.matches()) {
          throw new IllegalArgumentException("line " + n + ": bad TYPE: " + line);
        }
        types.put(t.group(1), t.group(2));
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("line " + n + ": not a sample: " + line);
      }
      String name = m.group(1);
      boolean typed = types.containsKey(name)
          || types.keySet().stream().anyMatch(f -> name.equals(f + "_bucket") || name.equals(f + "_count")
              || name.equals(f + "_sum") || name.equals(f + "_total") || name.equals(f + "_max")
              || name.equals(f + "_created"));
      if (!typed) {
        throw new IllegalArgumentException("line " + n + ": sample of untyped family: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      String body = m.group(2);
      if (body != null && !body.isBlank()) {
        Matcher l = LABEL.matcher(body);
        int at = 0;
        while (at < body.length()) {
          if (!l.find(at) || l.start() != at) {
            throw new IllegalArgumentException("line " + n + ": bad labels: " + body);
          }
          labels.put(l.group(1), l.group(2));
          at = l.end();
        }
      }
      out.add(new Sample(name, labels, parseValue(m.group(3), n)));
    }
    return out;
  }

  private static double parseValue(String v, int line) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(v);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("line " + line + ": bad value " + v, e);
        }
      }
    };
  }

  static double sum(List<Sample> samples, String name, Map<String, String> match) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> match.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
        .mapToDouble(Sample::value).sum();
  }
}
