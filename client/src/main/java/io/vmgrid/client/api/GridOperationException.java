package io.vmgrid.client.api;

/** The grid could not carry out an operation (other than an unknown VM); {@link #reason()} says why. */
public class GridOperationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Reason reason;
  private final String detail;

  /** Creates the exception with a machine-readable {@code reason} such as {@link Reason#TIMEOUT}. */
  public GridOperationException(Reason reason, String detail) {
    super(reason + ": " + detail);
    this.reason = reason;
    this.detail = detail;
  }

  /** The message without the reason in front of it. */
  public String detail() {
    return detail;
  }

  /** Machine-readable cause, e.g. {@link Reason#TIMEOUT} or {@link Reason#INTERNAL}. */
  public Reason reason() {
    return reason;
  }
}
