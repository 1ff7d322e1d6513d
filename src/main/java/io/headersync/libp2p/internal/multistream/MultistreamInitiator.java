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
 * echoes a proposal, the factory's handler for it replaces this one; bytes the responder sent
 * after its echo go to that handler.
 *
 * <p>This is not go-multistream's lazy client: it waits for the echo before the selected protocol
 * writes anything. (The lazy mode is only an optimisation Go applies when identify already says the
 * peer supports the protocol.)
 *
 * <p>Usage: {@code pipeline.addLast(new MultistreamInitiator(protocols, factory, timeout,
 * future))}; the future completes with the agreed protocol, or exceptionally with a {@link
 * MultistreamException} ({@code NOT_SUPPORTED} when every proposal got {@code na}); the channel is
 * closed on failure. Not sharable; one per channel.
 */
public final class MultistreamInitiator extends Negotiator {
  private final List<String> protocols;
  private final ProtocolHandlerFactory factory;
  private boolean headerReceived;
  private int proposed;

  public MultistreamInitiator(
      List<String> protocols,
      ProtocolHandlerFactory factory,
      Duration timeout,
      CompletableFuture<String> result) {
    super(timeout, result);
    this.protocols = List.copyOf(Objects.requireNonNull(protocols, "protocols == null"));
    this.factory = Objects.requireNonNull(factory, "factory == null");
    if (this.protocols.isEmpty()) {
      throw new IllegalArgumentException("no protocols to propose");
    }
    this.protocols.forEach(MultistreamCodec::checkToken);
  }

  @Override
  void onStart(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(
        MultistreamCodec.encode(ctx.alloc(), MultistreamCodec.PROTOCOL_ID, protocols.get(0)));
  }

  @Override
  void onToken(ChannelHandlerContext ctx, String token) {
    if (!headerReceived) {
      if (!MultistreamCodec.PROTOCOL_ID.equals(token)) {
        fail(
            ctx,
            new MultistreamException(
                MultistreamException.Reason.WRONG_HEADER,
                "expected " + MultistreamCodec.PROTOCOL_ID + ", got '"
                    + MultistreamResponder.printable(token) + "'"));
        return;
      }
      headerReceived = true;
      return;
    }
    String current = protocols.get(proposed);
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
              MultistreamException.Reason.NOT_SUPPORTED,
              "peer supports none of " + protocols));
      return;
    }
    ctx.writeAndFlush(MultistreamCodec.encode(ctx.alloc(), protocols.get(proposed)));
  }
}
