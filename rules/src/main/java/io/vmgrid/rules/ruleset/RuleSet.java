package io.vmgrid.rules.ruleset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.ValidatorRule;
import io.vmgrid.rules.api.VictimRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An ordered set of configured rules and how preferences combine; read from a YAML or JSON rule-set
 * file (format in {@code docs/rules.md}).
 *
 * <p>Validators are ordered cluster-level first, then by priority; preferences by priority (a lower
 * number is more important). Ties keep file order.
 *
 * @param source where the rule set came from
 * @param combination how preference scores combine
 * @param validators the validators in evaluation order
 * @param preferences the preferences, most important first
 * @param victims the victim rules, most important first (compared lexicographically; a set that
 *     names none gets {@code least-evicted-cores} then {@code newest-victims})
 * @param preemption whether and how far a request that fits nowhere may evict lower-priority VMs
 */
public record RuleSet(
    String source,
    Combination combination,
    List<Entry<ValidatorRule>> validators,
    List<Entry<PreferenceRule>> preferences,
    List<Entry<VictimRule>> victims,
    Preemption preemption) {

  /** The classpath resource of the default rule set. */
  public static final String DEFAULT_RESOURCE = "/io/vmgrid/rules/ruleset/default-rules.yaml";

  private static final Set<String> ENTRY_FIELDS =
      Set.of("name", "rule", "kind", "level", "priority", "arguments", "weight");

  /** How preference scores combine into one ranking. */
  public enum Combination {
    /** Compare by the most important preference, then the next, ... (default). */
    LEXICOGRAPHIC,
    /** Order by the weighted sum of normalized scores. */
    WEIGHTED
  }

  /**
   * A configured rule.
   *
   * @param rule the rule
   * @param priority its priority (lower is evaluated first / more important)
   * @param weight its weight (preferences; negative inverts the preference)
   * @param <R> the rule's type
   */
  public record Entry<R extends Rule>(R rule, int priority, double weight) {}

  /** A rule set with the default victim rules and {@link Preemption#defaults()}. */
  public RuleSet(String source, Combination combination, List<Entry<ValidatorRule>> validators,
      List<Entry<PreferenceRule>> preferences) {
    this(source, combination, validators, preferences, List.of(), Preemption.defaults());
  }

  /** Sorts and copies the entries; no victim rules means the default ones. */
  public RuleSet {
    List<Entry<ValidatorRule>> v = new ArrayList<>(validators);
    v.sort(Comparator.comparing((Entry<ValidatorRule> e) -> e.rule().level() == Level.SERVER)
        .thenComparingInt(Entry::priority));
    validators = List.copyOf(v);
    List<Entry<PreferenceRule>> p = new ArrayList<>(preferences);
    p.sort(Comparator.comparingInt(Entry::priority));
    preferences = List.copyOf(p);
    List<Entry<VictimRule>> o = new ArrayList<>(
        victims.isEmpty() ? BuiltinRules.defaultVictimRules() : victims);
    o.sort(Comparator.comparingInt(Entry::priority));
    victims = List.copyOf(o);
  }

  /**
   * Every placement rule, validators first, then preferences: the rules a request's candidates are
   * evaluated (and cached) from. The victim rules, which only order evictions, are in
   * {@link #victims()}.
   */
  public List<Rule> rules() {
    List<Rule> all = new ArrayList<>();
    validators.forEach(e -> all.add(e.rule()));
    preferences.forEach(e -> all.add(e.rule()));
    return all;
  }

  /** A copy with another combination mode. */
  public RuleSet withCombination(Combination c) {
    return new RuleSet(source, c, validators, preferences, victims, preemption);
  }

  /** A copy with another preemption policy (e.g. {@code preemption().withEnabled(false)}). */
  public RuleSet withPreemption(Preemption p) {
    return new RuleSet(source, combination, validators, preferences, victims, p);
  }

  /** The names of this set's {@code cluster-utilization-limit} validators, in evaluation order. */
  public List<String> clusterUtilizationLimitRules() {
    List<String> names = new ArrayList<>();
    for (Entry<ValidatorRule> e : validators) {
      if (e.rule() instanceof BuiltinRules.ClusterUtilizationLimit) {
        names.add(e.rule().name());
      }
    }
    return names;
  }

  /**
   * The regular-priority limit of the first {@code cluster-utilization-limit} validator, or empty if
   * the set has none.
   */
  public java.util.OptionalDouble clusterUtilizationLimit() {
    for (Entry<ValidatorRule> e : validators) {
      if (e.rule() instanceof BuiltinRules.ClusterUtilizationLimit u) {
        return java.util.OptionalDouble.of(u.limit());
      }
    }
    return java.util.OptionalDouble.empty();
  }

  /**
   * A copy in which every {@code cluster-utilization-limit} validator uses {@code limit} for regular
   * and {@code lowPriorityLimit} for low-priority requests (what Protean changed in a capacity crunch).
   *
   * @throws ValidationException naming {@code limit} or {@code lowPriorityLimit} if outside [0, 1],
   *     or {@code ruleSet} if the set has no such validator
   */
  public RuleSet withClusterUtilizationLimit(double limit, double lowPriorityLimit) {
    checkLimit("limit", limit);
    checkLimit("lowPriorityLimit", lowPriorityLimit);
    return mapUtilizationLimits(u -> new BuiltinRules.ClusterUtilizationLimit(
        u.name(), u.resource(), limit, lowPriorityLimit));
  }

  /**
   * A copy in which every {@code cluster-utilization-limit} validator's two limits are moved by
   * {@code delta} (e.g. {@code 0.01} to raise them by one point; negative lowers), each clamped to
   * [0, 1].
   *
   * @throws ValidationException naming {@code delta} if not finite, or {@code ruleSet} if the set has
   *     no such validator
   */
  public RuleSet withClusterUtilizationLimitChangedBy(double delta) {
    if (!Double.isFinite(delta)) {
      throw new ValidationException("delta", "must be a finite number, was " + delta);
    }
    return mapUtilizationLimits(u -> new BuiltinRules.ClusterUtilizationLimit(
        u.name(), u.resource(), clamp(u.limit() + delta), clamp(u.lowLimit() + delta)));
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }

  private static void checkLimit(String field, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new ValidationException(field, "must be in [0, 1], was " + v);
    }
  }

  private RuleSet mapUtilizationLimits(
      java.util.function.UnaryOperator<BuiltinRules.ClusterUtilizationLimit> change) {
    List<Entry<ValidatorRule>> v = new ArrayList<>();
    boolean found = false;
    for (Entry<ValidatorRule> e : validators) {
      if (e.rule() instanceof BuiltinRules.ClusterUtilizationLimit u) {
        v.add(new Entry<>(change.apply(u), e.priority(), e.weight()));
        found = true;
      } else {
        v.add(e);
      }
    }
    if (!found) {
      throw new ValidationException("ruleSet",
          source + " has no cluster-utilization-limit validator to change");
    }
    return new RuleSet(source, combination, v, preferences, victims, preemption);
  }

  /** The default rule set shipped with vmgrid, built from the built-in registry. */
  public static RuleSet defaults() {
    try (InputStream in = RuleSet.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default-rules.yaml",
          RuleRegistry.builtin());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a rule-set file (YAML, or JSON, which is YAML too). */
  public static RuleSet load(Path file, RuleRegistry registry) throws IOException {
    return parse(Files.readString(file), file.toString(), registry);
  }

  /**
   * Parses a rule set; collects every problem and throws {@link RuleSetException} listing them, each
   * as {@code source: place: message}.
   */
  public static RuleSet parse(String text, String source, RuleRegistry registry) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (JsonProcessingException e) {
      throw new RuleSetException(source, List.of(source + ": not valid YAML/JSON: "
          + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()));
    }
    List<String> problems = new ArrayList<>();
    if (root == null || !root.isObject()) {
      throw new RuleSetException(source, List.of(source + ": top level must be an object"));
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("combination") && !f.equals("rules") && !f.equals("preemption")) {
        problems.add(source + ": " + f + ": unknown field (known: combination, preemption, rules)");
      }
    }
    Combination combination = Combination.LEXICOGRAPHIC;
    JsonNode c = root.path("combination");
    if (!c.isMissingNode()) {
      try {
        combination = Combination.valueOf(c.asText().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(source + ": combination: expected lexicographic or weighted, got " + c);
      }
    }
    Preemption preemption = parsePreemption(root.path("preemption"), source, problems);
    JsonNode rules = root.path("rules");
    List<Entry<ValidatorRule>> validators = new ArrayList<>();
    List<Entry<PreferenceRule>> preferences = new ArrayList<>();
    List<Entry<VictimRule>> victims = new ArrayList<>();
    if (!rules.isArray()) {
      problems.add(source + ": rules: missing field (a list of rules)");
    } else {
      Set<String> names = new HashSet<>();
      for (int i = 0; i < rules.size(); i++) {
        String place = source + ": rules[" + i + "]";
        JsonNode e = rules.get(i);
        if (!e.isObject()) {
          problems.add(place + ": expected an object");
          continue;
        }
        parseEntry(e, place, registry, names, problems, validators, preferences, victims);
      }
    }
    if (!problems.isEmpty()) {
      throw new RuleSetException(source, problems);
    }
    return new RuleSet(source, combination, validators, preferences, victims, preemption);
  }

  /**
   * The {@code preemption} block ({@code enabled}, {@code maxVictims}, {@code searchBudget}), each
   * defaulting to {@link Preemption#defaults()}; problems are added naming the field.
   */
  private static Preemption parsePreemption(JsonNode node, String source, List<String> problems) {
    Preemption d = Preemption.defaults();
    if (node.isMissingNode()) {
      return d;
    }
    String place = source + ": preemption";
    if (!node.isObject()) {
      problems.add(place + ": expected an object, got " + node);
      return d;
    }
    RuleArgs args = new RuleArgs(node, place);
    boolean enabled = d.enabled();
    int maxVictims = d.maxVictims();
    int budget = d.searchBudget();
    try {
      enabled = args.bool("enabled", enabled);
    } catch (RuleArgs.BadArgumentException ex) {
      problems.add(ex.getMessage());
    }
    try {
      maxVictims = args.integer("maxVictims", maxVictims, 1, 64);
    } catch (RuleArgs.BadArgumentException ex) {
      problems.add(ex.getMessage());
    }
    try {
      budget = args.integer("searchBudget", budget, 1, Integer.MAX_VALUE);
    } catch (RuleArgs.BadArgumentException ex) {
      problems.add(ex.getMessage());
    }
    for (String unknown : args.unread()) {
      problems.add(place + "." + unknown
          + ": unknown field (known: enabled, maxVictims, searchBudget)");
    }
    return new Preemption(enabled, maxVictims, budget);
  }

  @SuppressWarnings("unchecked")
  private static void parseEntry(
      JsonNode e,
      String place,
      RuleRegistry registry,
      Set<String> names,
      List<String> problems,
      List<Entry<ValidatorRule>> validators,
      List<Entry<PreferenceRule>> preferences,
      List<Entry<VictimRule>> victims) {
    int before = problems.size();
    String name = text(e, "name", place, problems, true);
    if (name != null) {
      place = place + " (" + name + ")";
      if (!names.add(name)) {
        problems.add(place + ".name: duplicate name '" + name + "'");
      }
    }
    for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ENTRY_FIELDS.contains(f)) {
        problems.add(place + "." + f + ": unknown field (known: " + String.join(", ",
            ENTRY_FIELDS.stream().sorted().toList()) + ")");
      }
    }
    String ruleKind = text(e, "rule", place, problems, false);
    if (ruleKind == null) {
      ruleKind = name;
    }
    String kindText = text(e, "kind", place, problems, true);
    String levelText = text(e, "level", place, problems, true);
    JsonNode pn = e.path("priority");
    int priority = 100;
    if (pn.isMissingNode()) {
      problems.add(place + ".priority: missing field");
    } else if (!pn.isIntegralNumber() || !pn.canConvertToInt()) {
      problems.add(place + ".priority: expected an integer, got " + pn);
    } else {
      priority = pn.asInt();
    }
    JsonNode wn = e.path("weight");
    double weight = 1.0;
    if (!wn.isMissingNode()) {
      if (!wn.isNumber()) {
        problems.add(place + ".weight: expected a number, got " + wn);
      } else {
        weight = wn.asDouble();
      }
    }
    JsonNode args = e.path("arguments");
    if (!args.isMissingNode() && !args.isObject()) {
      problems.add(place + ".arguments: expected an object, got " + args);
    }
    RuleRegistry.Kind kind = null;
    if (kindText != null) {
      try {
        kind = RuleRegistry.Kind.valueOf(kindText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ex) {
        problems.add(place + ".kind: expected validator, preference or victim, got '" + kindText
            + "'");
      }
    }
    Level level = null;
    if (levelText != null) {
      try {
        level = Level.valueOf(levelText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ex) {
        problems.add(place + ".level: expected cluster or server, got '" + levelText + "'");
      }
    }
    RuleRegistry.Registration reg = null;
    if (ruleKind != null) {
      reg = registry.lookup(ruleKind);
      if (reg == null) {
        problems.add(place + (e.has("rule") ? ".rule" : ".name") + ": unknown rule '" + ruleKind
            + "' (known: " + String.join(", ", registry.known()) + ")");
      }
    }
    if (reg != null && kind != null && reg.kind() != kind) {
      problems.add(place + ".kind: rule '" + ruleKind + "' is a "
          + reg.kind().name().toLowerCase(Locale.ROOT) + ", not a " + kindText);
    }
    if (reg != null && level != null && !reg.levels().contains(level)) {
      problems.add(place + ".level: rule '" + ruleKind + "' runs at " + reg.levels()
          .stream().map(l -> l.name().toLowerCase(Locale.ROOT)).sorted().toList() + ", not "
          + levelText);
    }
    if (problems.size() > before || reg == null || name == null || level == null) {
      return;
    }
    RuleArgs ruleArgs = new RuleArgs(args, place + ".arguments");
    Rule rule;
    try {
      rule = reg.factory().create(name, level, ruleArgs);
    } catch (RuleArgs.BadArgumentException ex) {
      problems.add(ex.getMessage());
      return;
    }
    for (String unknown : ruleArgs.unread()) {
      problems.add(place + ".arguments." + unknown + ": unknown argument for rule '" + ruleKind
          + "'");
    }
    if (rule instanceof ValidatorRule v) {
      validators.add(new Entry<>(v, priority, weight));
    } else if (rule instanceof PreferenceRule p) {
      preferences.add(new Entry<>(p, priority, weight));
    } else {
      victims.add(new Entry<>((VictimRule) rule, priority, weight));
    }
  }

  private static @org.jspecify.annotations.Nullable String text(
      JsonNode e, String field, String place, List<String> problems, boolean required) {
    JsonNode n = e.path(field);
    if (n.isMissingNode()) {
      if (required) {
        problems.add(place + "." + field + ": missing field");
      }
      return null;
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      problems.add(place + "." + field + ": expected a non-empty string, got " + n);
      return null;
    }
    return n.asText();
  }
}
