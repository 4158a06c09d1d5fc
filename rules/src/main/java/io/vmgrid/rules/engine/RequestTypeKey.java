package io.vmgrid.rules.engine;

/**
 * The request type: the values of every trait any rule of the rule set depends on. Requests of the
 * same type share one consolidated ranked result.
 *
 * @param value canonical trait values, e.g. {@code CORES=8|MEMORY=32|PRIORITY=REGULAR|...}
 */
public record RequestTypeKey(String value) {

  @Override
  public String toString() {
    return value;
  }
}
