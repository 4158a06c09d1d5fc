package io.vmgrid.rules.engine;

/**
 * The cache key of one rule's result: the rule's name and the values of the traits it depends on.
 *
 * @param rule the rule name
 * @param traits canonical trait values, e.g. {@code CORES=8|VM_TYPE=-}
 */
public record RuleKey(String rule, String traits) {

  @Override
  public String toString() {
    return rule + "[" + traits + "]";
  }
}
