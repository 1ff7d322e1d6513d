package io.headersync;

import java.time.Clock;
import java.time.Instant;

/**
 * A header as go-header sees one: the contract every header type synced by headersync fulfils.
 *
 * <p>Implementations are immutable values. {@link #hash()} is computed once and cached by
 * well-behaved implementations, since the core asks for it often.
 *
 * <p>Mirrors go-header's {@code header.Header[H]}: {@code ChainID}, {@code Height}, {@code Hash},
 * {@code LastHeader}, {@code Time}, {@code Validate}, {@code MarshalBinary} and {@code IsZero}. The
 * type-level parts ({@code New}, {@code UnmarshalBinary}, {@code Verify}) live in {@link
 * HeaderType}.
 */
public interface Header {
  /** {@return the identifier of the chain the header belongs to} */
  String chainId();

  /**
   * {@return the height} On the wire heights are uint64; decoders reject values above {@link
   * Long#MAX_VALUE} with an {@link InvalidHeaderException}, so this is never negative.
   */
  long height();

  /** {@return the hash that identifies this header} */
  Hash hash();

  /** {@return the hash of the previous header; {@link Hash#EMPTY} when there is none (genesis)} */
  Hash lastHeaderHash();

  /**
   * {@return when the header was created, with nanosecond precision} Verification requires it not
   * to go backwards and not to be too far ahead of the clock.
   */
  Instant time();

  /**
   * Stateless checks of the header's own fields (go-header's {@code Validate()}). Checks that
   * depend on the current time (e.g. "not too far in the future") read {@code clock}, so tests can
   * fix it.
   *
   * @param clock the clock "now" is read from
   * @throws InvalidHeaderException naming the field that is missing or wrong
   */
  void validate(Clock clock);

  /**
   * {@return the wire encoding (go-header's {@code MarshalBinary()}): exchange bodies and gossip
   * payloads}
   */
  byte[] encode();

  /**
   * {@return whether this is the zero value of its type (go-header's {@code IsZero()});
   * verification rejects zero headers} Decoded and generated headers are never zero.
   */
  default boolean isZero() {
    return false;
  }
}
