package io.headersync.libp2p.internal.multistream;

import io.headersync.annotation.Nullable;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Shared machinery of the two multistream handlers: start when the channel is active, the
 * negotiation timeout (scheduled on the channel's executor, so {@code EmbeddedChannel}'s clock
 * drives it in tests), handing over to the selected protocol's handler, and failing.
 *
 * <p>Handing over: the selected handler is added right after this one, the result future is
 * completed, and this handler removes itself; {@link ByteToMessageDecoder} then passes any bytes
 * still buffered (data the peer sent after the agreed token) to the new handler.
 *
 * <p>Failing: the result future completes exceptionally with a {@link MultistreamException}, any
 * buffered input is released and the channel is closed.
 */
abstract class Negotiator extends ByteToMessageDecoder {
  private final Duration timeout;
  private final CompletableFuture<String> result;
  private boolean started;
  private boolean done;
  private boolean failed;
  @Nullable private ScheduledFuture<?> timeoutTask;

  Negotiator(Duration timeout, CompletableFuture<String> result) {
    this.timeout = Objects.requireNonNull(timeout, "timeout == null");
    this.result = Objects.requireNonNull(result, "result == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  /** Writes this side's opening messages. */
  abstract void onStart(ChannelHandlerContext ctx);

  /** Handles one received token. */
  abstract void onToken(ChannelHandlerContext ctx, String token);

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    start(ctx);
    super.channelActive(ctx);
  }

  private void start(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    timeoutTask =
        ctx.executor()
            .schedule(
                () ->
                    fail(
                        ctx,
                        new MultistreamException(
                            MultistreamException.Reason.TIMEOUT,
                            "multistream negotiation did not finish within " + timeout)),
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    onStart(ctx);
  }

  @Override
  protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (!done) {
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
    if (failed) {
      // Drop whatever else arrives; after success the rest is left for the selected handler.
      in.skipBytes(in.readableBytes());
    }
  }

  /** Installs {@code handler} after this one, completes the result and removes this handler. */
  final void select(ChannelHandlerContext ctx, String protocol, ChannelHandler handler) {
    done = true;
    cancelTimeout();
    ctx.pipeline().addAfter(ctx.name(), null, handler);
    result.complete(protocol);
    ctx.pipeline().remove(this);
  }

  /** Completes the result and removes this handler; the selected handler is already installed. */
  final void confirm(ChannelHandlerContext ctx, String protocol) {
    done = true;
    cancelTimeout();
    result.complete(protocol);
    ctx.pipeline().remove(this);
  }

  final void fail(ChannelHandlerContext ctx, MultistreamException cause) {
    if (done) {
      return;
    }
    done = true;
    failed = true;
    cancelTimeout();
    result.completeExceptionally(cause);
    ctx.close();
  }

  private void cancelTimeout() {
    if (timeoutTask != null) {
      timeoutTask.cancel(false);
      timeoutTask = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    super.channelInactive(ctx);
    fail(
        ctx,
        new MultistreamException(
            MultistreamException.Reason.CLOSED, "channel closed during multistream negotiation"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (done) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    MultistreamException e =
        new MultistreamException(
            MultistreamException.Reason.CLOSED, "channel failed during multistream negotiation");
    e.initCause(cause);
    fail(ctx, e);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelTimeout();
  }
}
