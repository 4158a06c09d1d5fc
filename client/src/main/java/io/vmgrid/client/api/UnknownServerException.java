package io.vmgrid.client.api;

/** An operation named a server id that is not in the inventory. */
public class UnknownServerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for {@code serverId}. */
  public UnknownServerException(String serverId) {
    super("no server '" + serverId + "' in the inventory");
  }
}
