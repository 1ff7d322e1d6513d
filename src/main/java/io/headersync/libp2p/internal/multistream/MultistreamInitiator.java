package io.headersync.libp2p.internal.multistream;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The dialer side of multistream-select 1.0, as go-multistream's {@code SelectOneOf}: writes the
 * header and the first proposal in one flush (saving a round trip), requires the responder's
 * header, then on {@code na} proposes the next protocol, one round trip each. When the responder
 * echoes a proposal, the factory's handler for it replaces this one; bytes the responder sent after
 * its echo go to that handler.
 *
 * <p>{@link #lazy Lazy mode} (go-multistream's {@code NewMSSelect}, which go-libp2p uses for a
 * stream when identify already says the peer supports the protocol) proposes a single protocol and
 * installs its handler at once, without waiting for the echo, so the protocol's first bytes follow
 * the proposal without a round trip. The responder's header and echo are still read and checked
 * before any inbound byte reaches the handler, and read by this handler whether or not the
 * protocol's handler reads (it asks the channel for bytes itself, so a write-only stream with
 * auto-read off still finishes the negotiation); a {@code na} fails the future and closes the
 * channel (the data already sent is lost, as in Go).
 *
 * <p>Usage: {@code pipeline.addLast(new MultistreamInitiator(protocols, factory, timeout,
 * future))}; the future completes with the agreed protocol, or exceptionally with a {@link
 * MultistreamException} ({@code NOT_SUPPORTED} when every proposal got {@code na}); the channel is
 * closed on failure. Not sharable; one per channel.
 */
public final class MultistreamInitiator extends Negotiator {
  private final List<String> protocols;
  private final ProtocolHandlerFactory factory;
  private final boolean lazy;
  private boolean headerReceived;
  private int proposed;

  public MultistreamInitiator(
      List<String> protocols,
      ProtocolHandlerFactory factory,
      Duration timeout,
      CompletableFuture<String> result) {
    this(protocols, factory, timeout, result, false);
  }

  private MultistreamInitiator(
      List<String> protocols,
      ProtocolHandlerFactory factory,
      Duration timeout,
      CompletableFuture<String> result,
      boolean lazy) {
    super(timeout, result);
    this.protocols = List.copyOf(Objects.requireNonNull(protocols, "protocols == null"));
    this.factory = Objects.requireNonNull(factory, "factory == null");
    this.lazy = lazy;
    if (this.protocols.isEmpty()) {
      throw new IllegalArgumentException("no protocols to propose");
    }
    this.protocols.forEach(MultistreamCodec::checkToken);
  }

  /**
   * A lazy initiator for one protocol: {@code handler} is installed right away and may write
   * immediately; the future completes when the responder's echo arrives.
   */
  public static MultistreamInitiator lazy(
      String protocol, ChannelHandler handler, Duration timeout, CompletableFuture<String> result) {
    Objects.requireNonNull(handler, "handler == null");
    return new MultistreamInitiator(List.of(protocol), p -> handler, timeout, result, true);
  }

  @Override
  protected void onStart(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(
        MultistreamCodec.encode(ctx.alloc(), MultistreamCodec.PROTOCOL_ID, protocols.get(0)));
    if (lazy) {
      ChannelHandler handler = factory.create(protocols.get(0));
      ctx.pipeline().addAfter(ctx.name(), null, Objects.requireNonNull(handler));
      // The handler may turn auto-read off and never read (a write-only stream): pull the echo
      // ourselves. The decoder asks for more after every read that completed no token.
      ctx.read();
    }
  }

  @Override
  void onToken(ChannelHandlerContext ctx, String token) {
    if (!headerReceived) {
      if (!MultistreamCodec.PROTOCOL_ID.equals(token)) {
        fail(
            ctx,
            new MultistreamException(
                MultistreamException.Reason.WRONG_HEADER,
                "expected "
                    + MultistreamCodec.PROTOCOL_ID
                    + ", got '"
                    + MultistreamResponder.printable(token)
                    + "'"));
        return;
      }
      headerReceived = true;
      return;
    }
    String current = protocols.get(proposed);
    if (lazy) {
      if (token.equals(current)) {
        confirm(ctx, current);
      } else {
        fail(
            ctx,
            new MultistreamException(
                MultistreamCodec.NA.equals(token)
                    ? MultistreamException.Reason.NOT_SUPPORTED
                    : MultistreamException.Reason.UNEXPECTED_RESPONSE,
                "lazily proposed "
                    + current
                    + ", got '"
                    + MultistreamResponder.printable(token)
                    + "'"));
      }
      return;
    }
    if (token.equals(current)) {
      ChannelHandler handler = factory.create(current);
      if (handler == null) {
        fail(
            ctx,
            new MultistreamException(
                MultistreamException.Reason.NOT_SUPPORTED, "no local handler for " + current));
        return;
      }
      select(ctx, current, handler);
      return;
    }
    if (!MultistreamCodec.NA.equals(token)) {
      fail(
          ctx,
          new MultistreamException(
              MultistreamException.Reason.UNEXPECTED_RESPONSE,
              "proposed " + current + ", got '" + MultistreamResponder.printable(token) + "'"));
      return;
    }
    if (++proposed >= protocols.size()) {
      fail(
          ctx,
          new MultistreamException(
              MultistreamException.Reason.NOT_SUPPORTED, "peer supports none of " + protocols));
      return;
    }
    ctx.writeAndFlush(MultistreamCodec.encode(ctx.alloc(), protocols.get(proposed)));
  }
}
