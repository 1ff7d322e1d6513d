package io.headersync.libp2p.internal.yamux;

import io.headersync.libp2p.Libp2pException;

/** The base of every failure the Yamux layer reports on purpose. */
public class YamuxException extends Libp2pException {
  private static final long serialVersionUID = 1L;

  public YamuxException(String message) {
    super(message);
  }

  public YamuxException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The remote broke the protocol (bad version or type, window exceeded, duplicate stream, wrong
   * stream id parity). The session answers with GoAway {@link #goAwayCode()} (unless noted) and
   * closes.
   */
  public static final class ProtocolException extends YamuxException {
    private static final long serialVersionUID = 1L;
    private final int goAwayCode;

    public ProtocolException(String message) {
      this(message, YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
    }

    public ProtocolException(String message, int goAwayCode) {
      super(message);
      this.goAwayCode = goAwayCode;
    }

    /** The GoAway code sent to the remote because of this error. */
    public int goAwayCode() {
      return goAwayCode;
    }
  }

  /** The remote sent GoAway, so no new stream may be opened on this session. */
  public static final class GoAwayException extends YamuxException {
    private static final long serialVersionUID = 1L;
    private final int code;

    public GoAwayException(int code) {
      super("remote sent GoAway, code " + Integer.toUnsignedString(code));
      this.code = code;
    }

    /**
     * The code the remote sent (0 normal, 1 protocol error, 2 internal error, others from libp2p).
     */
    public int code() {
      return code;
    }
  }

  /** A stream was reset, by the remote (an RST frame) or locally. */
  public static final class StreamResetException extends YamuxException {
    private static final long serialVersionUID = 1L;
    private final int errorCode;
    private final boolean remote;

    public StreamResetException(int errorCode, boolean remote) {
      super(
          (remote ? "stream reset by remote" : "stream reset")
              + ", error code "
              + Integer.toUnsignedString(errorCode));
      this.errorCode = errorCode;
      this.remote = remote;
    }

    /**
     * The error code carried by the RST (a WindowUpdate's length field; 0 for a Data frame RST).
     */
    public int errorCode() {
      return errorCode;
    }

    public boolean remote() {
      return remote;
    }
  }

  /** The session is closed (connection gone, GoAway sent and closed, keepalive timeout...). */
  public static final class SessionClosedException extends YamuxException {
    private static final long serialVersionUID = 1L;

    public SessionClosedException(String message) {
      super(message);
    }

    public SessionClosedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A configured limit refused the operation (max streams, ids exhausted, queued write bytes). */
  public static final class LimitException extends YamuxException {
    private static final long serialVersionUID = 1L;

    public LimitException(String message) {
      super(message);
    }
  }

  /** A ping got no answer in time. */
  public static final class TimeoutException extends YamuxException {
    private static final long serialVersionUID = 1L;

    public TimeoutException(String message) {
      super(message);
    }
  }
}
