package io.headersync.libp2p.internal.noise;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PublicKey;
import java.util.List;
import java.util.Optional;

/** The outcome of a successful Noise handshake. Immutable. */
public final class NoiseSession {
  private final boolean initiator;
  private final PeerId remotePeer;
  private final PublicKey remoteKey;
  private final List<String> remoteMuxers;
  @Nullable private final String earlyMuxer;
  private final byte[] handshakeHash;

  NoiseSession(
      boolean initiator,
      PeerId remotePeer,
      PublicKey remoteKey,
      List<String> remoteMuxers,
      @Nullable String earlyMuxer,
      byte[] handshakeHash) {
    this.initiator = initiator;
    this.remotePeer = remotePeer;
    this.remoteKey = remoteKey;
    this.remoteMuxers = List.copyOf(remoteMuxers);
    this.earlyMuxer = earlyMuxer;
    this.handshakeHash = handshakeHash.clone();
  }

  /** Whether we dialed (were the Noise initiator). */
  public boolean isInitiator() {
    return initiator;
  }

  /** The authenticated remote peer. */
  public PeerId remotePeer() {
    return remotePeer;
  }

  /** The remote's identity key. */
  public PublicKey remoteKey() {
    return remoteKey;
  }

  /** The muxers the remote listed in its {@code stream_muxers} extension (may be empty). */
  public List<String> remoteMuxers() {
    return remoteMuxers;
  }

  /**
   * The muxer chosen by early negotiation (go-libp2p {@code matchMuxers}): when present, both sides
   * start that muxer without multistream; when empty, the muxer must be negotiated with
   * multistream-select. Always empty if we offered no muxers.
   */
  public Optional<String> earlyMuxer() {
    return Optional.ofNullable(earlyMuxer);
  }

  /** The final handshake hash {@code h} (channel binding). */
  public byte[] handshakeHash() {
    return handshakeHash.clone();
  }

  @Override
  public String toString() {
    return "NoiseSession{remote="
        + remotePeer
        + ", initiator="
        + initiator
        + ", earlyMuxer="
        + earlyMuxer
        + "}";
  }
}
