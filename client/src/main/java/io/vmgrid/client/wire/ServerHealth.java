package io.vmgrid.client.wire;

/** Whether a server takes new VMs. Only {@link #HEALTHY} servers do; hosted VMs stay either way. */
public enum ServerHealth {
  /** In service: new VMs may be placed. */
  HEALTHY,
  /** Failed or suspect: no new VMs. */
  UNHEALTHY,
  /** Draining for maintenance: no new VMs; existing ones are expected to be released or moved. */
  MAINTENANCE;

  /** Parses a name case-insensitively; the message names {@code field} and the accepted values. */
  public static ServerHealth parse(String field, String value) {
    for (ServerHealth h : values()) {
      if (h.name().equalsIgnoreCase(value.trim())) {
        return h;
      }
    }
    throw new IllegalArgumentException(
        field + ": '" + value + "' is not one of HEALTHY, UNHEALTHY, MAINTENANCE");
  }
}
