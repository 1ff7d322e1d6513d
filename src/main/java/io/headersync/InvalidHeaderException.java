package io.headersync;

/**
 * A header could not be decoded or failed its stateless checks ({@link Header#validate()}). The
 * message names the field or byte offset that is wrong.
 */
public class InvalidHeaderException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  public InvalidHeaderException(String message) {
    super(message);
  }

  public InvalidHeaderException(String message, Throwable cause) {
    super(message, cause);
  }
}
