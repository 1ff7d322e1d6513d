package io.headersync.libp2p.internal.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.annotation.Nullable;
import io.headersync.libp2p.KeyFormatException;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PublicKey;
import io.headersync.libp2p.internal.pb.NoiseProto;
import io.headersync.libp2p.internal.upgrade.UpgradeStep;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runs the libp2p Noise XX handshake on a channel, then replaces itself with a {@link
 * NoiseTransportCodec} followed by the handler {@code next} returns for the session.
 *
 * <p>Wire format (go-libp2p {@code p2p/security/noise}): every message is a 2-byte big-endian
 * length then the Noise message. Message 1 carries no payload; the responder's identity payload
 * rides in message 2 and the initiator's in message 3. A payload is the {@code
 * NoiseHandshakePayload} protobuf: the identity {@code PublicKey} protobuf, its signature over
 * {@code "noise-libp2p-static-key:" ‖ static X25519 key}, and optionally extensions. The receiver
 * checks, in Go's order: key parses, peer id derived, peer id equals the expected one (outbound),
 * signature valid.
 *
 * <p>A fresh static X25519 key is generated per handshake (as Go does) from the configured {@link
 * java.security.SecureRandom}, then the ephemeral key, in that order.
 *
 * <p>Bytes that follow message 3 in the same read (Go's dialer writes multistream right away) are
 * handed to the transport codec, never dropped.
 *
 * <p>Usage: {@code pipeline.addLast(new NoiseHandshakeHandler(config, initiator, expectedPeer,
 * next, future))} once {@code /noise} is agreed. The future completes (on the event loop, after the
 * new handlers are installed) with the {@link NoiseSession}, or exceptionally with a {@link
 * NoiseException}; on failure the channel is closed. Not sharable.
 */
public final class NoiseHandshakeHandler extends UpgradeStep<NoiseSession> {
  static final byte[] SIG_PREFIX = "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);

  private final NoiseConfig config;
  private final boolean initiator;
  @Nullable private final PeerId expectedRemote;
  private final Function<NoiseSession, @Nullable ChannelHandler> next;

  @Nullable private HandshakeState hs;
  @Nullable private PublicKey remoteKey;
  private List<String> remoteMuxers = List.of();

  /**
   * @param expectedRemote for outbound connections, the peer id we dialed (null accepts any)
   * @param next creates the handler that follows the transport codec (null for none)
   */
  public NoiseHandshakeHandler(
      NoiseConfig config,
      boolean initiator,
      @Nullable PeerId expectedRemote,
      Function<NoiseSession, @Nullable ChannelHandler> next,
      CompletableFuture<NoiseSession> result) {
    super(Objects.requireNonNull(config, "config == null").timeout(), result);
    this.config = config;
    this.initiator = initiator;
    this.expectedRemote = expectedRemote;
    this.next = Objects.requireNonNull(next, "next == null");
  }

  @Override
  protected void onStart(ChannelHandlerContext ctx) {
    byte[] staticKey = HandshakeState.generatePrivateKey(config.random());
    hs = new HandshakeState(initiator, staticKey, config.random(), config.aeads());
    if (initiator) {
      send(ctx, hs.writeMessage(new byte[0]));
    }
  }

  @Override
  protected RuntimeException timedOut(Duration timeout) {
    return new NoiseException(
        NoiseException.Reason.TIMEOUT, "Noise handshake did not finish within " + timeout);
  }

  @Override
  protected RuntimeException interrupted(@Nullable Throwable cause) {
    return cause == null
        ? new NoiseException(NoiseException.Reason.CLOSED, "channel closed during Noise handshake")
        : new NoiseException(
            NoiseException.Reason.CLOSED, "channel failed during Noise handshake", cause);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (!isDone()) {
      if (in.readableBytes() < 2) {
        return;
      }
      int len = in.getUnsignedShort(in.readerIndex());
      if (in.readableBytes() < 2 + len) {
        return;
      }
      in.skipBytes(2);
      byte[] msg = new byte[len];
      in.readBytes(msg);
      try {
        step(ctx, msg);
      } catch (NoiseException e) {
        fail(ctx, e);
      } catch (RuntimeException e) {
        fail(ctx, new NoiseException(NoiseException.Reason.MALFORMED, "handshake failed: " + e, e));
      }
    }
    if (isFailed()) {
      in.skipBytes(in.readableBytes());
    }
  }

  private void step(ChannelHandlerContext ctx, byte[] msg) {
    HandshakeState h = Objects.requireNonNull(hs);
    byte[] payload = h.readMessage(msg);
    if (!initiator && !h.isComplete()) {
      // Message 1 read (its payload, normally empty, is ignored as Go does); answer with message 2.
      send(ctx, h.writeMessage(localPayload(h)));
      return;
    }
    checkRemotePayload(payload, Objects.requireNonNull(h.remoteStatic()));
    if (initiator) {
      send(ctx, h.writeMessage(localPayload(h)));
    }
    complete(ctx, h);
  }

  private void send(ChannelHandlerContext ctx, byte[] msg) {
    ByteBuf b = ctx.alloc().buffer(2 + msg.length);
    b.writeShort(msg.length);
    b.writeBytes(msg);
    ctx.writeAndFlush(b);
  }

  private byte[] localPayload(HandshakeState h) {
    byte[] toSign = concat(SIG_PREFIX, h.localStatic());
    NoiseProto.NoiseHandshakePayload.Builder p =
        NoiseProto.NoiseHandshakePayload.newBuilder()
            .setIdentityKey(ByteString.copyFrom(config.identity().publicKey().bytes()))
            .setIdentitySig(ByteString.copyFrom(config.identity().sign(toSign)));
    if (!config.earlyMuxers().isEmpty()) {
      p.setExtensions(
          NoiseProto.NoiseExtensions.newBuilder().addAllStreamMuxers(config.earlyMuxers()));
    }
    return p.build().toByteArray();
  }

  private void checkRemotePayload(byte[] payload, byte[] remoteStatic) {
    NoiseProto.NoiseHandshakePayload p;
    try {
      p = NoiseProto.NoiseHandshakePayload.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new NoiseException(
          NoiseException.Reason.BAD_PAYLOAD, "malformed handshake payload: " + e.getMessage(), e);
    }
    PublicKey key;
    try {
      key = PublicKey.unmarshal(p.getIdentityKey().toByteArray());
    } catch (KeyFormatException e) {
      throw new NoiseException(
          NoiseException.Reason.BAD_PAYLOAD, "bad remote identity key: " + e.getMessage(), e);
    }
    PeerId id = key.peerId();
    if (expectedRemote != null && !expectedRemote.equals(id)) {
      throw new NoiseException(
          NoiseException.Reason.PEER_ID_MISMATCH,
          "peer id mismatch: expected " + expectedRemote + ", remote is " + id);
    }
    if (!key.verify(concat(SIG_PREFIX, remoteStatic), p.getIdentitySig().toByteArray())) {
      throw new NoiseException(
          NoiseException.Reason.BAD_PAYLOAD, "handshake signature of " + id + " is invalid");
    }
    remoteKey = key;
    if (p.hasExtensions() && p.getExtensions().getStreamMuxersCount() <= NoiseConfig.MAX_MUXERS) {
      remoteMuxers = new ArrayList<>(p.getExtensions().getStreamMuxersList());
    }
  }

  /** go-libp2p {@code matchMuxers}: the first initiator muxer the responder also lists. */
  @Nullable
  static String matchMuxers(List<String> initiatorMuxers, List<String> responderMuxers) {
    for (String m : initiatorMuxers) {
      if (responderMuxers.contains(m)) {
        return m;
      }
    }
    return null;
  }

  private void complete(ChannelHandlerContext ctx, HandshakeState h) {
    finish();
    CipherState[] cs = h.split();
    CipherState enc = initiator ? cs[0] : cs[1];
    CipherState dec = initiator ? cs[1] : cs[0];
    String early =
        initiator
            ? matchMuxers(config.earlyMuxers(), remoteMuxers)
            : matchMuxers(remoteMuxers, config.earlyMuxers());
    NoiseSession session =
        new NoiseSession(
            initiator,
            Objects.requireNonNull(remoteKey).peerId(),
            remoteKey,
            remoteMuxers,
            early,
            h.handshakeHash());
    NoiseTransportCodec codec = new NoiseTransportCodec(enc, dec);
    ChannelHandler after;
    try {
      after = next.apply(session);
    } catch (RuntimeException e) {
      fail(ctx, e);
      return;
    }
    ctx.pipeline().addAfter(ctx.name(), null, codec);
    // Flushes outside a read are deferred to a task of the event loop, so the frames a burst of
    // tasks writes (a stream's data, its FIN, window updates) go out as one Noise message and one
    // socket write; during a read they wait for its end.
    FlushConsolidationHandler consolidation =
        new FlushConsolidationHandler(
            FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
    ctx.pipeline().addAfter(ctx.pipeline().context(codec).name(), null, consolidation);
    if (after != null) {
      ctx.pipeline().addAfter(ctx.pipeline().context(consolidation).name(), null, after);
    }
    succeed(ctx, session);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
