package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.Trait;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Computes a request's type key and rule keys for a rule set. Pure and thread-safe: the Kamino
 * scheduler uses it to predict top-level hits, rule hits and misses without touching a cache.
 */
public final class RequestClassifier {
  private final List<Rule> rules;
  private final List<Trait[]> ruleTraits = new ArrayList<>();
  private final Trait[] typeTraits;

  /** A classifier for {@code ruleSet}. */
  public RequestClassifier(RuleSet ruleSet) {
    this.rules = ruleSet.rules();
    Set<Trait> all = EnumSet.noneOf(Trait.class);
    for (Rule r : rules) {
      Set<Trait> t = EnumSet.noneOf(Trait.class);
      t.addAll(r.traits());
      ruleTraits.add(t.toArray(new Trait[0]));
      all.addAll(t);
    }
    this.typeTraits = all.toArray(new Trait[0]);
  }

  /** The request's type key and its rule keys. */
  public RequestClass classify(VmRequest request) {
    return new RequestClass(typeKey(request), ruleKeys(request));
  }

  /** The request's type key. */
  public RequestTypeKey typeKey(VmRequest request) {
    return new RequestTypeKey(encode(typeTraits, request));
  }

  /** The request's rule keys, in rule-set order (validators first). */
  public List<RuleKey> ruleKeys(VmRequest request) {
    List<RuleKey> keys = new ArrayList<>(rules.size());
    for (int i = 0; i < rules.size(); i++) {
      keys.add(new RuleKey(rules.get(i).name(), encode(ruleTraits.get(i), request)));
    }
    return keys;
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
