package io.headersync.libp2p.internal.multistream;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The listener side of multistream-select 1.0, as go-multistream's {@code Negotiate}: writes its
 * header as soon as the channel is active (before reading anything), requires the peer's header,
 * then answers every token: {@code na} for protocols the factory does not know (including {@code
 * ls}, which Go does not implement), the token itself for the first it knows, after which the
 * factory's handler replaces this one.
 *
 * <p>Pipelined and optimistic input is fine: header, proposals and the first application bytes may
 * all arrive in one read; bytes after the agreed token go to the selected handler. After a {@code
 * na}, an optimistic peer's application bytes are read as further proposals (go-multistream#20);
 * they fail the framing rules or get {@code na} until the peer gives up.
 *
 * <p>Usage: {@code pipeline.addLast(new MultistreamResponder(factory, timeout, future))}; the
 * future completes with the agreed protocol id, or exceptionally with a {@link
 * MultistreamException} (the channel is then closed). Not sharable; one per channel.
 */
public final class MultistreamResponder extends Negotiator {
  /**
   * After this many {@code na} answers the responder gives up. Go has no such limit (only its 10 s
   * timeout); a Go initiator proposes a handful of protocols, so this only cuts short a confused
   * optimistic peer whose application bytes are being read as proposals.
   */
  public static final int MAX_REJECTED_PROPOSALS = 64;

  private final ProtocolHandlerFactory factory;
  private boolean headerReceived;
  private int rejected;

  public MultistreamResponder(
      ProtocolHandlerFactory factory, Duration timeout, CompletableFuture<String> result) {
    super(timeout, result);
    this.factory = Objects.requireNonNull(factory, "factory == null");
  }

  @Override
  protected void onStart(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(MultistreamCodec.encode(ctx.alloc(), MultistreamCodec.PROTOCOL_ID));
  }

  @Override
  void onToken(ChannelHandlerContext ctx, String token) {
    if (!headerReceived) {
      if (!MultistreamCodec.PROTOCOL_ID.equals(token)) {
        fail(
            ctx,
            new MultistreamException(
                MultistreamException.Reason.WRONG_HEADER,
                "expected " + MultistreamCodec.PROTOCOL_ID + ", got '" + printable(token) + "'"));
        return;
      }
      headerReceived = true;
      return;
    }
    ChannelHandler handler = factory.create(token);
    if (handler == null) {
      if (++rejected > MAX_REJECTED_PROPOSALS) {
        fail(
            ctx,
            new MultistreamException(
                MultistreamException.Reason.NOT_SUPPORTED,
                "peer made more than " + MAX_REJECTED_PROPOSALS + " unsupported proposals"));
        return;
      }
      ctx.writeAndFlush(MultistreamCodec.encode(ctx.alloc(), MultistreamCodec.NA));
      return;
    }
    ctx.writeAndFlush(MultistreamCodec.encode(ctx.alloc(), token));
    select(ctx, token, handler);
  }

  static String printable(String s) {
    String t = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    return t.replaceAll("[^\\x20-\\x7e…]", "?");
  }
}
