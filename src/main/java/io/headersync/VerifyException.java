package io.headersync;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A header failed verification against a trusted header (go-header's {@code VerifyError}).
 *
 * <p>A <em>soft</em> failure means there was not enough information to decide whether the header is
 * wrong, e.g. a type check failed on a non-adjacent pair. Gossip validation turns a soft failure
 * into Ignore and a hard one into Reject; the syncer answers a soft failure with bifurcation.
 * {@link #getMessage()} reads like go-header's: {@code "header verification failed: <reason>"}.
 *
 * <p>A failure may name the {@linkplain #height() height} of the header that failed. The syncer
 * sets it on the failures of its extra check on fetched batches, and the exchange's range session
 * uses it to block the peer that served that header: a hard failure with a height, returned by a
 * range sink, says "this header is bad" (see {@code Exchange.streamRange}). Failures without a
 * height blame no peer.
 */
public class VerifyException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  /** Why verification failed. The first group are go-header's mandatory checks, in its order. */
  public enum Reason {
    /** One of the headers is a zero value ({@code ErrZeroHeader}). */
    ZERO_HEADER("zero header"),
    /** The chain ids differ ({@code ErrWrongChainID}). */
    WRONG_CHAIN_ID("wrong chain id"),
    /** The untrusted height is not above the trusted one ({@code ErrKnownHeader}). */
    KNOWN_HEADER("known header"),
    /** The untrusted time is before the trusted time ({@code ErrUnorderedTime}). */
    UNORDERED_TIME("unordered headers"),
    /** The untrusted time is beyond now plus the allowed clock drift ({@code ErrFromFuture}). */
    FROM_FUTURE("header is from the future"),
    /** A range to verify was empty ({@code ErrEmptyRange}). */
    EMPTY_RANGE("empty header range"),
    /** A range was not contiguous after its first header ({@code ErrNonAdjacentRange}). */
    NON_ADJACENT_RANGE("non-adjacent headers range"),
    /** The header type's own check failed (e.g. a hash link mismatch). */
    TYPE_CHECK("header type check failed"),
    /**
     * The pair is not adjacent and the header type cannot verify such a pair ({@link
     * io.headersync.HeaderType#verifiesNonAdjacent()} is false); go-header's mandatory checks
     * passed. Always soft: it says nothing against the header. Not in go-header.
     */
    NON_ADJACENT_UNSUPPORTED("non-adjacent header cannot be verified by its type");

    private final String text;

    Reason(String text) {
      this.text = text;
    }

    /**
     * go-header's error text for this reason.
     *
     * @return the short text go-header's error uses, e.g. {@code "known header"}; the start of
     *     {@link #getMessage()} after the common prefix
     */
    public String text() {
      return text;
    }
  }

  /** Why verification failed. */
  private final Reason reason;

  /** What exactly was wrong; may be empty. */
  private final String detail;

  /** Whether the failure is soft. */
  private final boolean soft;

  /** The failed header's height; 0 when not known (heights start at 1). */
  private final long height;

  /**
   * A failure that names no header (see the class comment): no peer is blamed for it.
   *
   * @param reason why verification failed
   * @param detail what exactly was wrong, e.g. {@code "'5' <= current '7'"}; may be empty
   * @param soft whether the failure is soft
   */
  public VerifyException(Reason reason, String detail, boolean soft) {
    this(reason, detail, soft, 0);
  }

  /**
   * A failure that names the header that failed, so that whoever served it can be held to account
   * (see the class comment). The message is the same as without a height.
   *
   * @param reason why verification failed
   * @param detail what exactly was wrong; may be empty
   * @param soft whether the failure is soft
   * @param height the height of the header that failed; 0 when not known
   * @throws IllegalArgumentException if {@code height} is negative
   */
  public VerifyException(Reason reason, String detail, boolean soft, long height) {
    super(format(reason, detail));
    if (height < 0) {
      throw new IllegalArgumentException("height must not be negative: " + height);
    }
    this.reason = Objects.requireNonNull(reason, "reason == null");
    this.detail = Objects.requireNonNull(detail, "detail == null");
    this.soft = soft;
    this.height = height;
  }

  /** {@return a copy of this failure marked soft (kept as is when it already is)} */
  public VerifyException asSoft() {
    if (soft) {
      return this;
    }
    VerifyException copy = new VerifyException(reason, detail, true, height);
    copy.setStackTrace(getStackTrace());
    return copy;
  }

  /**
   * Why verification failed.
   *
   * @return the check that failed; {@link Reason#text()} is its go-header error text
   */
  public Reason reason() {
    return reason;
  }

  /**
   * What exactly was wrong; may be empty.
   *
   * @return the specifics, e.g. {@code "'5' <= current '7'"}; the empty string when the reason says
   *     it all
   */
  public String detail() {
    return detail;
  }

  /** {@return the height of the header that failed, when the failure names it} */
  public OptionalLong height() {
    return height == 0 ? OptionalLong.empty() : OptionalLong.of(height);
  }

  /** {@return whether the failure is soft: not enough information to call the header wrong} */
  public boolean isSoft() {
    return soft;
  }

  private static String format(Reason reason, String detail) {
    Objects.requireNonNull(reason, "reason == null");
    String r =
        reason == Reason.TYPE_CHECK && !detail.isEmpty()
            ? detail
            : detail.isEmpty() ? reason.text() : reason.text() + ": " + detail;
    return "header verification failed: " + r;
  }
}
