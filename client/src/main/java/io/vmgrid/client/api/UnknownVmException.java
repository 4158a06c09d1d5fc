package io.vmgrid.client.api;

/** A release or lookup named a VM id that the grid does not hold. */
public class UnknownVmException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String vmId;

  /** Creates the exception for {@code vmId}. */
  public UnknownVmException(String vmId, String message) {
    super(message);
    this.vmId = vmId;
  }

  /** The VM id that was not found. */
  public String vmId() {
    return vmId;
  }
}
