package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.PreferenceRule;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.Trait;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Splits a rule set into cached rules and overlay rules, and computes a request's type key and rule
 * keys. Pure and thread-safe: the Kamino scheduler uses it to predict top-level hits, rule hits and
 * misses without touching a cache.
 *
 * <p>A rule that declares a {@link Trait#perRequest() per-request trait} (tenant, availability set,
 * anti-affinity group, cluster pin) is an <em>overlay rule</em>: its result is computed for each request on top
 * of the cached result of the other rules, and its traits are not part of the type key, so requests
 * of different tenants share a top-level entry. This works for validators at either level and for
 * cluster-level preferences, because a cluster-level score is the same for every server of a cluster
 * and so keeps the cached order within it. A server-level preference that depends on a per-request
 * trait would reorder servers inside a cluster; such a rule stays cached, its traits in the key.
 */
public final class RequestClassifier {
  private final List<Rule> cached = new ArrayList<>();
  private final List<Rule> overlay = new ArrayList<>();
  private final List<Rule> all;
  private final List<Trait[]> allTraits = new ArrayList<>();
  private final List<Trait[]> cachedTraits = new ArrayList<>();
  private final Trait[] typeTraits;

  /** A classifier for {@code ruleSet}. */
  public RequestClassifier(RuleSet ruleSet) {
    this.all = ruleSet.rules();
    Set<Trait> type = EnumSet.noneOf(Trait.class);
    for (Rule r : all) {
      Set<Trait> t = EnumSet.noneOf(Trait.class);
      t.addAll(r.traits());
      Trait[] traits = t.toArray(new Trait[0]);
      allTraits.add(traits);
      if (isOverlay(r)) {
        overlay.add(r);
      } else {
        cached.add(r);
        cachedTraits.add(traits);
        type.addAll(t);
      }
    }
    this.typeTraits = type.toArray(new Trait[0]);
  }

  /**
   * Whether {@code rule} is applied per request rather than cached: it declares a per-request trait
   * and is not a server-level preference.
   */
  public static boolean isOverlay(Rule rule) {
    boolean perRequest = rule.traits().stream().anyMatch(Trait::perRequest);
    boolean serverPreference = rule instanceof PreferenceRule && rule.level() == Level.SERVER;
    return perRequest && !serverPreference;
  }

  /** The request's type key and its rule keys. */
  public RequestClass classify(VmRequest request) {
    return new RequestClass(typeKey(request), ruleKeys(request));
  }

  /** The request's type key: the values of the cached rules' traits. */
  public RequestTypeKey typeKey(VmRequest request) {
    return new RequestTypeKey(encode(typeTraits, request));
  }

  /** The keys of the request's cached rule results, in {@link #cachedRules()} order. */
  public List<RuleKey> ruleKeys(VmRequest request) {
    return keys(cached, cachedTraits, request);
  }

  /** One key per rule of the rule set, validators first (for evaluation without a cache). */
  List<RuleKey> allRuleKeys(VmRequest request) {
    return keys(all, allTraits, request);
  }

  private static List<RuleKey> keys(List<Rule> rules, List<Trait[]> traits, VmRequest request) {
    List<RuleKey> keys = new ArrayList<>(rules.size());
    for (int i = 0; i < rules.size(); i++) {
      keys.add(new RuleKey(rules.get(i).name(), encode(traits.get(i), request)));
    }
    return keys;
  }

  /** The rules whose results are cached, in rule-set order (validators first). */
  public List<Rule> cachedRules() {
    return List.copyOf(cached);
  }

  /** The rules applied per request on top of the cached result, in rule-set order. */
  public List<Rule> overlayRules() {
    return List.copyOf(overlay);
  }

  /** The traits the request type consists of. */
  public Set<Trait> typeTraits() {
    Set<Trait> s = EnumSet.noneOf(Trait.class);
    s.addAll(List.of(typeTraits));
    return s;
  }

  private static String encode(Trait[] traits, VmRequest request) {
    StringBuilder sb = new StringBuilder(16 * traits.length);
    for (Trait t : traits) {
      if (sb.length() > 0) {
        sb.append('|');
      }
      sb.append(t.name()).append('=').append(t.valueOf(request));
    }
    return sb.toString();
  }
}
