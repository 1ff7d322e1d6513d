package io.headersync.cli;

/** A bad command line; the message says what was wrong and is printed with the usage text. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
