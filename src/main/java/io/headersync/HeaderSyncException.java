package io.headersync;

/** The base of every exception headersync throws on purpose. */
public class HeaderSyncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HeaderSyncException(String message) {
    super(message);
  }

  public HeaderSyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
