package io.vmgrid.client.api;

/**
 * A request or argument was rejected before anything was sent or committed; the message starts with
 * the name of the offending field.
 */
public class InvalidRequestException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /** Creates the exception; {@code message} must start with {@code field}. */
  public InvalidRequestException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** Creates the exception from a "field: problem" message. */
  static InvalidRequestException of(String fieldAndProblem) {
    int colon = fieldAndProblem.indexOf(':');
    return new InvalidRequestException(
        colon > 0 ? fieldAndProblem.substring(0, colon) : "request", fieldAndProblem);
  }

  /** The name of the field that was invalid. */
  public String field() {
    return field;
  }
}
