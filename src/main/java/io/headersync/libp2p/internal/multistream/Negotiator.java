package io.headersync.libp2p.internal.multistream;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.internal.upgrade.UpgradeStep;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Shared machinery of the two multistream handlers: start when the channel is active, the
 * negotiation timeout (scheduled on the channel's executor, so {@code EmbeddedChannel}'s clock
 * drives it in tests), handing over to the selected protocol's handler, and failing.
 *
 * <p>Handing over: the selected handler is added right after this one, the result future is
 * completed, and this handler removes itself; the decoder then passes any bytes still buffered
 * (data the peer sent after the agreed token) to the new handler.
 *
 * <p>Failing: the result future completes exceptionally with a {@link MultistreamException}, any
 * buffered input is released and the channel is closed.
 */
abstract class Negotiator extends UpgradeStep<String> {
  Negotiator(Duration timeout, CompletableFuture<String> result) {
    super(timeout, result);
  }

  /** Handles one received token. */
  abstract void onToken(ChannelHandlerContext ctx, String token);

  @Override
  protected final RuntimeException timedOut(Duration timeout) {
    return new MultistreamException(
        MultistreamException.Reason.TIMEOUT,
        "multistream negotiation did not finish within " + timeout);
  }

  @Override
  protected final RuntimeException interrupted(@Nullable Throwable cause) {
    MultistreamException e =
        new MultistreamException(
            MultistreamException.Reason.CLOSED,
            cause == null
                ? "channel closed during multistream negotiation"
                : "channel failed during multistream negotiation");
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  @Override
  protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (!isDone()) {
      String token;
      try {
        token = MultistreamCodec.decode(in);
      } catch (MultistreamException e) {
        fail(ctx, e);
        break;
      }
      if (token == null) {
        return;
      }
      onToken(ctx, token);
    }
    if (isFailed()) {
      // Drop whatever else arrives; after success the rest is left for the selected handler.
      in.skipBytes(in.readableBytes());
    }
  }

  /** Installs {@code handler} after this one, completes the result and removes this handler. */
  final void select(ChannelHandlerContext ctx, String protocol, ChannelHandler handler) {
    finish();
    ctx.pipeline().addAfter(ctx.name(), null, handler);
    succeed(ctx, protocol);
  }

  /** Completes the result and removes this handler; the selected handler is already installed. */
  final void confirm(ChannelHandlerContext ctx, String protocol) {
    succeed(ctx, protocol);
  }
}
