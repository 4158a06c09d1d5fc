package io.vmgrid.rules.api;

/** A server's health and availability state. */
public enum Health {
  /** In service. */
  HEALTHY(0),
  /** In service, but scheduled for maintenance: placeable, preferably avoided. */
  MAINTENANCE_PENDING(1),
  /** Out of service: nothing new may be placed. */
  UNHEALTHY(2),
  /** Out of service for maintenance (drained by an operator): nothing new may be placed. */
  MAINTENANCE(3);

  private final byte code;

  Health(int code) {
    this.code = (byte) code;
  }

  /** A dense code, 0..3, for array-backed storage. */
  public byte code() {
    return code;
  }

  /** Whether the server is out of service ({@link #UNHEALTHY} or {@link #MAINTENANCE}). */
  public boolean outOfService() {
    return this == UNHEALTHY || this == MAINTENANCE;
  }
}
