package io.vmgrid.rules.ruleset;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmgrid.rules.api.Resource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A rule's arguments from a rule-set file, with typed accessors. A missing argument takes the given
 * default; a value of the wrong type throws {@link BadArgumentException} naming the argument's place.
 */
public final class RuleArgs {
  private final JsonNode node;
  private final String place;
  private final Set<String> read = new HashSet<>();

  RuleArgs(JsonNode node, String place) {
    this.node = node;
    this.place = place;
  }

  /** Arguments with no values, for building rules in code and tests. */
  public static RuleArgs empty() {
    return new RuleArgs(com.fasterxml.jackson.databind.node.MissingNode.getInstance(), "arguments");
  }

  /** Arguments from a JSON/YAML object, for building rules in code and tests. */
  public static RuleArgs of(JsonNode node) {
    return new RuleArgs(node, "arguments");
  }

  private JsonNode get(String name) {
    read.add(name);
    return node.path(name);
  }

  private BadArgumentException bad(String name, String expected, JsonNode v) {
    return new BadArgumentException(
        place + "." + name + ": expected " + expected + ", got " + describe(v));
  }

  private static String describe(JsonNode v) {
    return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + v;
  }

  /** A string argument. */
  public String string(String name, String dflt) {
    JsonNode v = get(name);
    if (v.isMissingNode() || v.isNull()) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw bad(name, "a string", v);
    }
    return v.asText();
  }

  /** An integer argument in {@code [min, max]}. */
  public int integer(String name, int dflt, int min, int max) {
    JsonNode v = get(name);
    if (v.isMissingNode() || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw bad(name, "an integer", v);
    }
    int i = v.asInt();
    if (i < min || i > max) {
      throw new BadArgumentException(
          place + "." + name + ": must be in [" + min + ", " + max + "], got " + i);
    }
    return i;
  }

  /** A number argument in {@code [min, max]}. */
  public double number(String name, double dflt, double min, double max) {
    JsonNode v = get(name);
    if (v.isMissingNode() || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw bad(name, "a number", v);
    }
    double d = v.asDouble();
    if (!(d >= min && d <= max)) {
      throw new BadArgumentException(
          place + "." + name + ": must be in [" + min + ", " + max + "], got " + d);
    }
    return d;
  }

  /** A boolean argument. */
  public boolean bool(String name, boolean dflt) {
    JsonNode v = get(name);
    if (v.isMissingNode() || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw bad(name, "true or false", v);
    }
    return v.asBoolean();
  }

  /** A resource argument ({@code cores}, {@code memory} or {@code ssd}). */
  public Resource resource(String name, Resource dflt) {
    String s = string(name, dflt.id());
    try {
      return Resource.of(s);
    } catch (IllegalArgumentException e) {
      throw new BadArgumentException(place + "." + name + ": " + e.getMessage());
    }
  }

  /** A list-of-strings argument (empty by default). */
  public List<String> strings(String name) {
    JsonNode v = get(name);
    if (v.isMissingNode() || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw bad(name, "a list of strings", v);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw bad(name, "a list of strings", v);
      }
      out.add(e.asText());
    }
    return out;
  }

  /** Names given in the file that no accessor asked for. */
  List<String> unread() {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!read.contains(f)) {
        out.add(f);
      }
    }
    return out;
  }

  /** An argument has the wrong type or value; the message names its place. */
  public static final class BadArgumentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BadArgumentException(String message) {
      super(message);
    }
  }
}
