package io.headersync.libp2p.internal.noise;

import io.headersync.libp2p.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What both sides of our Noise handshakes share: the identity key, the randomness for static and
 * ephemeral X25519 keys, the handshake timeout, the muxers offered for early negotiation and the
 * AEAD provider. Immutable.
 *
 * <p>Early muxer negotiation: with {@link #earlyMuxers()} empty (the default) we never send a
 * {@code stream_muxers} extension, so go-libp2p's {@code matchMuxers} finds no overlap and both
 * sides negotiate the muxer with multistream-select. With a non-empty list (e.g. {@code
 * ["/yamux/1.0.0"]}, what Go sends) the result is computed exactly as Go does and reported in
 * {@link NoiseSession#earlyMuxer()}; the caller must then skip multistream when it is present.
 */
public final class NoiseConfig {
  /** The multistream protocol id of libp2p Noise. */
  public static final String PROTOCOL_ID = "/noise";

  /** Default handshake timeout (Go allows 15 s for the whole upgrade). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  /** Go ignores a muxer list longer than this ({@code maxProtoNum}). */
  static final int MAX_MUXERS = 100;

  private final PrivateKey identity;
  private final SecureRandom random;
  private final Duration timeout;
  private final List<String> earlyMuxers;
  private final Aead.Factory aeads;

  public NoiseConfig(
      PrivateKey identity,
      SecureRandom random,
      Duration timeout,
      List<String> earlyMuxers,
      Aead.Factory aeads) {
    this.identity = Objects.requireNonNull(identity, "identity == null");
    this.random = Objects.requireNonNull(random, "random == null");
    this.timeout = Objects.requireNonNull(timeout, "timeout == null");
    this.earlyMuxers = List.copyOf(earlyMuxers);
    this.aeads = Objects.requireNonNull(aeads, "aeads == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (this.earlyMuxers.size() > MAX_MUXERS) {
      throw new IllegalArgumentException("more than " + MAX_MUXERS + " early muxers");
    }
  }

  /** Defaults: 15 s timeout, no early muxer negotiation, the default AEAD. */
  public NoiseConfig(PrivateKey identity, SecureRandom random) {
    this(identity, random, DEFAULT_TIMEOUT, List.of(), Aead.DEFAULT);
  }

  public PrivateKey identity() {
    return identity;
  }

  public SecureRandom random() {
    return random;
  }

  public Duration timeout() {
    return timeout;
  }

  public List<String> earlyMuxers() {
    return earlyMuxers;
  }

  public Aead.Factory aeads() {
    return aeads;
  }
}
