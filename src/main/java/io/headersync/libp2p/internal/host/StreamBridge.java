package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.libp2p.internal.encoding.Uvarint;
import io.headersync.libp2p.internal.yamux.YamuxException;
import io.headersync.libp2p.internal.yamux.YamuxStreamChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@link Stream} implementation: the last handler of a Yamux stream channel's pipeline, put
 * there once multistream agreed on the protocol. It turns auto-read off and pulls bytes from the
 * stream only while a read is pending or fewer than {@link #READ_AHEAD} bytes wait for the reader,
 * so the remote is held at its Yamux window by a slow reader.
 *
 * <p>All read state is confined to the stream's event loop; public methods hop onto it. Futures are
 * completed on the user executor, never on the event loop: when the executor refuses a completion
 * (it was shut down), the future fails with a {@link StreamException} saying so and the stream is
 * reset, instead of handing the bytes to the caller's continuations on the event loop.
 */
final class StreamBridge extends ChannelInboundHandlerAdapter implements Stream {
  private enum Kind {
    CHUNK,
    EXACT,
    MESSAGE
  }

  private static final class PendingRead {
    final Kind kind;
    final int n;
    final CompletableFuture<Optional<byte[]>> future;
    @Nullable ScheduledFuture<?> timeout;

    PendingRead(Kind kind, int n, CompletableFuture<Optional<byte[]>> future) {
      this.kind = kind;
      this.n = n;
      this.future = future;
    }
  }

  /** The largest chunk {@link #read()} returns. */
  static final int MAX_CHUNK = 1 << 20;

  /** Bytes buffered ahead of the reader at most (also bounded by the buffered-bytes limit). */
  static final int READ_AHEAD = 256 * 1024;

  private final Connection connection;
  private final int readAheadLimit;
  private final String protocol;
  private final boolean outbound;
  private final UserExecutor userExecutor;
  private final Consumer<StreamBridge> onReady;

  private @Nullable YamuxStreamChannel channel;
  private @Nullable ChannelHandlerContext ctx;
  private volatile Duration deadline = Duration.ZERO;

  /**
   * Why a lazy multistream negotiation failed; reported by reads and by writes that fail after it.
   */
  private volatile @Nullable StreamException negotiationFailure;

  // event loop only
  private final ByteQueue in = new ByteQueue();
  private boolean eof;
  private @Nullable StreamException error;
  private @Nullable PendingRead pending;
  private boolean readRequested;
  private boolean closedLocally;

  StreamBridge(
      Connection connection,
      String protocol,
      boolean outbound,
      UserExecutor userExecutor,
      Consumer<StreamBridge> onReady) {
    this.connection = connection;
    this.protocol = protocol;
    this.outbound = outbound;
    this.userExecutor = userExecutor;
    this.onReady = onReady;
    this.readAheadLimit = Math.min(READ_AHEAD, connection.maxBufferedBytes());
  }

  Connection connection() {
    return connection;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.channel = (YamuxStreamChannel) ctx.channel();
    ctx.channel().config().setAutoRead(false);
    connection.streamOpened(this);
    ctx.channel().closeFuture().addListener(f -> connection.streamClosed(this));
    onReady.accept(this);
  }

  // ------------------------------------------------------------------ inbound events (event loop)

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof ByteBuf buf && !closedLocally) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        in.add(bytes);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
    readRequested = false;
    serve();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    readRequested = false;
    serve();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      eof = true;
      serve();
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (error == null) {
      error =
          cause instanceof YamuxException.StreamResetException
              ? new StreamException(
                  StreamException.Reason.RESET, "stream reset by the remote", cause)
              : new StreamException(
                  StreamException.Reason.CLOSED, "stream failed: " + cause, cause);
    }
    serve();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (error == null && !eof) {
      Throwable c = channel().closeCause();
      error =
          c instanceof YamuxException.StreamResetException
              ? new StreamException(StreamException.Reason.RESET, "stream reset", c)
              : new StreamException(StreamException.Reason.CLOSED, "stream closed");
    }
    eof = true;
    serve();
    ctx.fireChannelInactive();
  }

  /**
   * The lazy negotiation of this stream failed (event loop, before the channel closes): unless the
   * stream had already failed (a local reset), reads fail with {@code e} from now on (bytes
   * buffered before cannot exist: the negotiator passes nothing before the echo), and so do writes
   * that fail because the stream is gone.
   */
  void negotiationFailed(StreamException e) {
    if (error == null) { // else the stream failed first (a local reset) and says so
      error = e;
      negotiationFailure = e;
    }
    serve();
  }

  /** Completes the pending read if it can, else asks the stream for more bytes. */
  private void serve() {
    PendingRead p = pending;
    if (p == null) {
      readAhead();
      return;
    }
    if (closedLocally) {
      finish(p, Optional.empty(), null);
      return;
    }
    switch (p.kind) {
      case CHUNK -> {
        if (in.size() > 0) {
          finish(p, Optional.of(in.take(Math.min(in.size(), MAX_CHUNK))), null);
          readAhead();
          return;
        }
      }
      case EXACT -> {
        if (in.size() >= p.n) {
          finish(p, Optional.of(in.take(p.n)), null);
          readAhead();
          return;
        }
      }
      case MESSAGE -> {
        // go-msgio's length prefix (multiformats' unsigned-varint): at most 9 bytes, minimal.
        byte[] prefix = new byte[Math.min(in.size(), Uvarint.Format.MULTIFORMATS.maxLength())];
        for (int k = 0; k < prefix.length; k++) {
          prefix[k] = (byte) in.peek(k);
        }
        int i;
        long len;
        try {
          i = Uvarint.length(prefix, 0, prefix.length, Uvarint.Format.MULTIFORMATS);
          len =
              i == Uvarint.INCOMPLETE
                  ? 0
                  : Uvarint.decode(prefix, 0, i, Uvarint.Format.MULTIFORMATS);
        } catch (Uvarint.VarintException e) {
          tooLarge(p, "malformed message length prefix: " + e.getMessage());
          return;
        }
        boolean complete = i != Uvarint.INCOMPLETE;
        if (complete) {
          if (len > p.n) {
            tooLarge(p, "message of " + len + " bytes exceeds the limit of " + p.n);
            return;
          }
          if (in.size() - i >= len) {
            in.skip(i);
            finish(p, Optional.of(in.take((int) len)), null);
            readAhead();
            return;
          }
        }
      }
    }
    if (in.size() == 0 && eof && error == null) {
      finish(p, Optional.empty(), null);
      return;
    }
    if (eof || error != null) {
      StreamException e =
          error != null
              ? error
              : new StreamException(
                  StreamException.Reason.CLOSED, "stream ended in the middle of a message");
      finish(p, null, e);
      return;
    }
    if (!readRequested && ctx != null) {
      readRequested = true;
      ctx.read();
    }
  }

  /**
   * Keeps up to {@link #READ_AHEAD} bytes buffered while the user works on the last read, so a
   * reader that comes back at once does not wait a round trip through the event loop. Past that,
   * nothing is pulled and the remote waits at its Yamux window.
   */
  private void readAhead() {
    if (!readRequested
        && ctx != null
        && !eof
        && error == null
        && !closedLocally
        && in.size() < readAheadLimit) {
      readRequested = true;
      ctx.read();
    }
  }

  private void tooLarge(PendingRead p, String message) {
    StreamException e = new StreamException(StreamException.Reason.TOO_LARGE, message);
    error = e;
    finish(p, null, e);
    channel().reset(0);
  }

  private void finish(
      PendingRead p, @Nullable Optional<byte[]> value, @Nullable Throwable failure) {
    pending = null;
    if (p.timeout != null) {
      p.timeout.cancel(false);
    }
    if (failure != null) {
      completeOnUser(p.future, null, failure);
    } else {
      completeOnUser(p.future, value, null);
    }
  }

  /**
   * Completes {@code f} on the user executor. If the executor refuses, {@code f} fails with {@link
   * #refused} and the stream is reset: nothing the caller chained runs on the event loop with data.
   */
  private <T> void completeOnUser(
      CompletableFuture<T> f, @Nullable T value, @Nullable Throwable t) {
    userExecutor.complete(
        f,
        value,
        t,
        e -> {
          reset();
          return refused(e);
        });
  }

  /** The failure of an operation whose completion the user executor refused. */
  static StreamException refused(RejectedExecutionException e) {
    return new StreamException(
        StreamException.Reason.CLOSED,
        "the host's user executor refused the completion: " + e.getMessage(),
        e);
  }

  /** Runs {@code task} on the stream's event loop; false if the loop is gone (host closed). */
  private boolean onLoop(Runnable task) {
    try {
      channel().eventLoop().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private static StreamException hostClosed() {
    return new StreamException(StreamException.Reason.CLOSED, "the host is closed");
  }

  private YamuxStreamChannel channel() {
    return Objects.requireNonNull(channel, "stream not attached");
  }

  // ------------------------------------------------------------------ Stream

  @Override
  public PeerId remotePeer() {
    return connection.remotePeer();
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public boolean isOutbound() {
    return outbound;
  }

  @Override
  public CompletableFuture<Optional<byte[]>> read() {
    return startRead(Kind.CHUNK, 0);
  }

  @Override
  public CompletableFuture<Optional<byte[]>> readExactly(int length) {
    if (length <= 0) {
      throw new IllegalArgumentException("length must be positive: " + length);
    }
    return startRead(Kind.EXACT, length);
  }

  @Override
  public CompletableFuture<Optional<byte[]>> readMessage(int maxLength) {
    if (maxLength < 0) {
      throw new IllegalArgumentException("maxLength must not be negative: " + maxLength);
    }
    return startRead(Kind.MESSAGE, maxLength);
  }

  private CompletableFuture<Optional<byte[]>> startRead(Kind kind, int n) {
    CompletableFuture<Optional<byte[]>> f = new CompletableFuture<>();
    Duration d = deadline;
    YamuxStreamChannel ch = channel();
    boolean queued =
        onLoop(
            () -> {
              if (pending != null) {
                completeOnUser(
                    f, null, new IllegalStateException("another read is pending on " + this));
                return;
              }
              PendingRead p = new PendingRead(kind, n, f);
              pending = p;
              if (!d.isZero()) {
                p.timeout =
                    ch.eventLoop()
                        .schedule(
                            () -> {
                              if (pending == p) {
                                finish(
                                    p,
                                    null,
                                    new StreamException(
                                        StreamException.Reason.TIMEOUT,
                                        "read did not finish within " + d));
                                ch.reset(0);
                              }
                            },
                            d.toNanos(),
                            TimeUnit.NANOSECONDS);
              }
              serve();
            });
    if (!queued) {
      completeOnUser(f, null, hostClosed());
    }
    return f;
  }

  @Override
  public CompletableFuture<Void> write(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes == null");
    return write0(Unpooled.wrappedBuffer(bytes));
  }

  @Override
  public CompletableFuture<Void> writeMessage(byte[] message) {
    Objects.requireNonNull(message, "message == null");
    return write0(Unpooled.wrappedBuffer(Uvarint.encode(message.length), message));
  }

  private CompletableFuture<Void> write0(ByteBuf buf) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    YamuxStreamChannel ch = channel();
    Duration d = deadline;
    if (ch.eventLoop().isShuttingDown()) {
      buf.release();
      completeOnUser(f, null, hostClosed());
      return f;
    }
    ChannelFuture cf;
    ScheduledFuture<?> timeout;
    try {
      cf = ch.writeAndFlush(buf);
      timeout =
          d.isZero()
              ? null
              : ch.eventLoop()
                  .schedule(
                      () -> {
                        if (!cf.isDone()) {
                          completeOnUser(
                              f,
                              null,
                              new StreamException(
                                  StreamException.Reason.TIMEOUT,
                                  "write did not finish within " + d));
                          ch.reset(0);
                        }
                      },
                      d.toNanos(),
                      TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      completeOnUser(f, null, hostClosed());
      return f;
    }
    cf.addListener(
        done -> {
          if (timeout != null) {
            timeout.cancel(false);
          }
          if (done.isSuccess()) {
            completeOnUser(f, null, null);
          } else {
            completeOnUser(f, null, translate(done.cause(), "write failed"));
          }
        });
    return f;
  }

  private StreamException translate(Throwable cause, String what) {
    StreamException negotiation = negotiationFailure;
    if (negotiation != null) {
      return new StreamException(
          negotiation.reason(), what + ": " + negotiation.getMessage(), negotiation);
    }
    Throwable c = channel().closeCause();
    if (cause instanceof YamuxException.StreamResetException
        || c instanceof YamuxException.StreamResetException) {
      return new StreamException(StreamException.Reason.RESET, what + ": stream reset", cause);
    }
    if (cause instanceof YamuxException.LimitException) {
      return new StreamException(
          StreamException.Reason.LIMIT, what + ": " + cause.getMessage(), cause);
    }
    return new StreamException(StreamException.Reason.CLOSED, what + ": " + cause, cause);
  }

  @Override
  public CompletableFuture<Void> closeWrite() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    ChannelFuture shut;
    try {
      shut = channel().shutdownOutput();
    } catch (RejectedExecutionException e) {
      completeOnUser(f, null, hostClosed());
      return f;
    }
    shut.addListener(
        done -> {
          if (done.isSuccess()) {
            completeOnUser(f, null, null);
          } else {
            completeOnUser(f, null, translate(done.cause(), "half-close failed"));
          }
        });
    return f;
  }

  @Override
  public void reset() {
    YamuxStreamChannel ch = channel();
    onLoop(
        () -> {
          if (error == null) {
            error = new StreamException(StreamException.Reason.RESET, "stream reset locally");
          }
          ch.reset(0);
          serve();
        });
  }

  @Override
  public void close() {
    YamuxStreamChannel ch = channel();
    onLoop(
        () -> {
          closedLocally = true;
          in.clear();
          serve();
          ch.close();
        });
  }

  @Override
  public void setDeadline(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("negative deadline: " + timeout);
    }
    this.deadline = timeout;
  }

  @Override
  public String toString() {
    return "Stream{"
        + protocol
        + ", peer="
        + connection.remotePeer()
        + (outbound ? ", outbound" : ", inbound")
        + "}";
  }
}
