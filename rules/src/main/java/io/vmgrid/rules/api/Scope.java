package io.vmgrid.rules.api;

/**
 * Which results a change on one server can alter for a rule: only that server's (or its cluster's,
 * for cluster-level rules), or those of every server in the same fault or update domain.
 */
public enum Scope {
  SELF,
  FAULT_DOMAIN,
  UPDATE_DOMAIN
}
