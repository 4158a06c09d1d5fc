package io.vmgrid.rules.api;

/** A value failed validation; the message starts with the name of the offending field. */
public final class ValidationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /** Creates an exception for {@code field} with {@code problem}. */
  public ValidationException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /** The name of the offending field. */
  public String field() {
    return field;
  }
}
