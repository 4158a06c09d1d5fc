package io.vmgrid.rules.api;

/** Where a rule is evaluated: once per cluster, or once per server. */
public enum Level {
  CLUSTER,
  SERVER
}
