package io.vmgrid.client.api;

/** The grid could not carry out an operation (other than an unknown VM); {@link #reason()} says why. */
public class GridOperationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String reason;

  /** Creates the exception with a machine-readable {@code reason} such as {@code TIMEOUT}. */
  public GridOperationException(String reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  /** Machine-readable cause, e.g. {@code TIMEOUT} or {@code INTERNAL}. */
  public String reason() {
    return reason;
  }
}
