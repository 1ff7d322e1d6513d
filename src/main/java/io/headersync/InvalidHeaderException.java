package io.headersync;

/**
 * A header could not be decoded or failed its stateless checks ({@link
 * Header#validate(java.time.Clock)}). The message names the field or byte offset that is wrong.
 */
public class InvalidHeaderException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message the field or byte offset that is wrong, and why
   */
  public InvalidHeaderException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the decoding failure that caused it.
   *
   * @param message the field or byte offset that is wrong, and why
   * @param cause the underlying failure, e.g. a protobuf parse error
   */
  public InvalidHeaderException(String message, Throwable cause) {
    super(message, cause);
  }
}
