package io.headersync.libp2p.internal.upgrade;

import io.headersync.annotation.Nullable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One step of a connection or stream upgrade (a multistream negotiation, a Noise handshake): a
 * decoder that starts when the channel is active, must finish within a timeout, and ends by either
 * succeeding (the subclass installs what follows, then {@link #succeed}) or failing ({@link #fail}:
 * the result completes exceptionally and the channel closes).
 *
 * <p>The timeout is scheduled on the channel's executor, so {@code EmbeddedChannel}'s clock drives
 * it in tests. A channel that goes inactive or reports an exception before the step finished fails
 * it. Everything runs on the channel's event loop.
 *
 * @param <T> what the step produces
 */
public abstract class UpgradeStep<T> extends ByteToMessageDecoder {
  private final Duration timeout;
  private final CompletableFuture<T> result;
  private boolean started;
  private boolean done;
  private boolean failed;
  @Nullable private ScheduledFuture<?> timeoutTask;

  protected UpgradeStep(Duration timeout, CompletableFuture<T> result) {
    this.timeout = Objects.requireNonNull(timeout, "timeout == null");
    this.result = Objects.requireNonNull(result, "result == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  /** Writes this side's opening messages; called once, when the channel is active. */
  protected abstract void onStart(ChannelHandlerContext ctx);

  /** The failure when the step did not finish within {@code timeout}. */
  protected abstract RuntimeException timedOut(Duration timeout);

  /**
   * The failure when the channel closed ({@code cause} null) or failed before the step finished.
   */
  protected abstract RuntimeException interrupted(@Nullable Throwable cause);

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
            .schedule(() -> fail(ctx, timedOut(timeout)), timeout.toNanos(), TimeUnit.NANOSECONDS);
    onStart(ctx);
  }

  /** True once the step succeeded or failed. */
  protected final boolean isDone() {
    return done;
  }

  /** True once the step failed. */
  protected final boolean isFailed() {
    return failed;
  }

  /**
   * Ends the step without completing the result yet (the subclass is about to install what
   * follows); further input is not decoded by this step.
   */
  protected final void finish() {
    done = true;
    cancelTimeout();
  }

  /**
   * Completes the result with {@code value} and removes this handler; what follows must already be
   * installed. Bytes still buffered pass on to the next handler.
   */
  protected final void succeed(ChannelHandlerContext ctx, T value) {
    finish();
    result.complete(value);
    ctx.pipeline().remove(this);
  }

  /** Fails the step (once): the result completes exceptionally and the channel closes. */
  protected final void fail(ChannelHandlerContext ctx, Throwable cause) {
    if (failed || (done && result.isDone())) {
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
    fail(ctx, interrupted(null));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (done) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    fail(ctx, interrupted(cause));
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelTimeout();
  }
}
