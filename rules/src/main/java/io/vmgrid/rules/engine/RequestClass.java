package io.vmgrid.rules.engine;

import java.util.List;

/**
 * A request's cache identity: its type key and the keys of its rules' results.
 *
 * @param type the request type
 * @param rules one key per cached rule ({@link RequestClassifier#cachedRules()}), validators first
 */
public record RequestClass(RequestTypeKey type, List<RuleKey> rules) {

  /** Copies the list. */
  public RequestClass {
    rules = List.copyOf(rules);
  }
}
