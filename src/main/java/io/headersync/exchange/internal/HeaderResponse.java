package io.headersync.exchange.internal;

/** A decoded header-ex response: a header body and a status code (1 OK, 2 NOT_FOUND). */
public final class HeaderResponse {
  /** {@code StatusCode.OK}. */
  public static final int OK = 1;

  /** {@code StatusCode.NOT_FOUND}. */
  public static final int NOT_FOUND = 2;

  private final byte[] body;
  private final int statusCode;

  HeaderResponse(byte[] body, int statusCode) {
    this.body = body;
    this.statusCode = statusCode;
  }

  /** The header bytes; empty for NOT_FOUND. The array is owned by the caller. */
  public byte[] body() {
    return body;
  }

  /** The raw status code. */
  public int statusCode() {
    return statusCode;
  }
}
