package io.vmgrid.rules.ruleset;

import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.Rule;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A name → factory registry of rule kinds. {@link #builtin()} holds every built-in rule; more kinds can
 * be registered. No classpath scanning: a kind exists only if registered.
 */
public final class RuleRegistry {

  /** Whether a rule kind builds validators, preferences or victim rules. */
  public enum Kind {
    VALIDATOR,
    PREFERENCE,
    /** Orders the VMs a request may evict ({@link io.vmgrid.rules.api.VictimRule}). */
    VICTIM
  }

  /** Builds a rule from its name, level and typed arguments. */
  @FunctionalInterface
  public interface Factory {
    /** Creates the rule; throws {@link RuleArgs.BadArgumentException} for a bad argument. */
    Rule create(String name, Level level, RuleArgs args);
  }

  /**
   * One registered kind.
   *
   * @param kind validator or preference
   * @param levels the levels the kind can be evaluated at
   * @param factory builds instances
   */
  record Registration(Kind kind, Set<Level> levels, Factory factory) {}

  private final Map<String, Registration> kinds = new TreeMap<>();

  private RuleRegistry() {}

  /** An empty registry. */
  public static RuleRegistry empty() {
    return new RuleRegistry();
  }

  /** A registry holding every built-in rule kind (see {@code docs/rules.md}). */
  public static RuleRegistry builtin() {
    RuleRegistry r = new RuleRegistry();
    BuiltinRules.registerAll(r);
    return r;
  }

  /** Registers {@code name}; throws {@link IllegalArgumentException} if already registered. */
  public RuleRegistry register(String name, Kind kind, Set<Level> levels, Factory factory) {
    if (kinds.containsKey(name)) {
      throw new IllegalArgumentException("rule kind already registered: " + name);
    }
    kinds.put(name, new Registration(kind, Collections.unmodifiableSet(EnumSet.copyOf(levels)), factory));
    return this;
  }

  /** The registered kind names, sorted. */
  public Set<String> known() {
    return Collections.unmodifiableSet(kinds.keySet());
  }

  @Nullable Registration lookup(String name) {
    return kinds.get(name);
  }
}
