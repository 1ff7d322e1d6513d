package io.headersync.libp2p.internal.yamux;

import io.headersync.annotation.Nullable;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.internal.StringUtil;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * One Yamux stream as a Netty child channel of the connection, like HTTP/2 stream channels. It runs
 * on the connection's event loop and has its own pipeline, where the user installs handlers.
 *
 * <h2>Writing</h2>
 *
 * Write {@link ByteBuf}s; each becomes one or more Data frames of at most {@link
 * YamuxConfig#maxFrameData()} bytes. Bytes beyond the send window stay queued in this channel's
 * outbound buffer until the remote grants window; {@link #isWritable()} turns false when the queue
 * passes the channel's write-buffer high-water mark. A write that would take the queue past {@link
 * YamuxConfig#maxQueuedBytesPerStream()} fails with {@link YamuxException.LimitException} (a write
 * into an empty queue is always accepted). Data frames also wait while the connection itself is not
 * writable, so a slow socket pushes back on every stream. A write's future completes when its last
 * byte has been handed to the connection as a Data frame.
 *
 * <h2>Reading</h2>
 *
 * Inbound bytes arrive as {@link ByteBuf}s (the reader releases them). Window is granted back to
 * the remote as bytes are <em>delivered</em> to the pipeline, following go-yamux: an update goes
 * out once at least half the receive window has been consumed. With auto-read off, nothing is
 * delivered until {@code read()} (one buffer per call), so the remote stalls at the window: that is
 * the backpressure.
 *
 * <h2>Closing</h2>
 *
 * <ul>
 *   <li>{@link #shutdownOutput()} sends FIN (half-close); the remote may go on writing.
 *   <li>A FIN from the remote fires {@link ChannelInputShutdownEvent} after the last buffered byte
 *       is delivered; once FIN went both ways the channel closes ({@code channelInactive}).
 *       Half-closure is always allowed: the channel never closes only because input ended.
 *   <li>{@link #close()} sends FIN if not sent yet (after any queued bytes), drops unread input and
 *       forgets the stream, as go-yamux's {@code Close} does (CloseRead is local; it sends no RST).
 *   <li>{@link #reset(int)} sends RST with an error code and closes.
 *   <li>An RST from the remote fires {@code exceptionCaught} with a {@link
 *       YamuxException.StreamResetException} and closes; {@link #closeCause()} keeps it.
 * </ul>
 *
 * <h2>Pitfalls</h2>
 *
 * <ul>
 *   <li>{@code shutdownOutput()} and {@code close()} with bytes still waiting for send window do
 *       not drop them (unlike a socket): they flush, wait until the bytes are sent and then send
 *       FIN, so a stream whose remote never grants window stays open. {@link #reset(int)} aborts at
 *       once. Writes after such a deferred shutdown fail with {@code
 *       ChannelOutputShutdownException}.
 *   <li>Only {@link ByteBuf} messages can be written.
 *   <li>Do not half-close a stream a Go peer uses as a one-way pubsub stream: Go reads EOF as a
 *       dead peer.
 * </ul>
 *
 * <p>Why one class of ~720 lines: a Netty child channel implements {@code AbstractChannel} and its
 * {@code Unsafe} together (as Netty's own {@code AbstractHttp2StreamChannel} does, in one larger
 * class); the window accounting and the outbound queue are the stream's state and change together.
 */
public final class YamuxStreamChannel extends AbstractChannel implements DuplexChannel {
  private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

  private final YamuxSession session;
  private final int streamId;
  private final boolean outbound;
  private final StreamConfig config;

  // Everything below is confined to the event loop.

  /** SYN (outbound) or ACK (inbound) still to be put on the next frame we send. */
  private int openFlags;

  /** Our outbound SYN has not been ACKed yet; counted in the session's backlog. */
  boolean awaitingAck;

  private long sendWindow = YamuxConfig.PROTOCOL_INITIAL_WINDOW;

  /** The receive window we aim to keep granted; grows by auto-tuning. */
  private long recvWindow;

  /** Bytes the remote may still send before it needs a window update. */
  private long credit = YamuxConfig.PROTOCOL_INITIAL_WINDOW;

  private long epochStart;

  /** Bytes written by the user and not yet sent as Data frames (waiting for send window). */
  private long queuedBytes;

  /** shutdownOutput() / close() called while bytes were queued: done once they are sent. */
  private @Nullable ChannelPromise pendingShutdownOutput;

  private @Nullable ChannelPromise pendingClose;
  private boolean inDoWrite;
  private boolean resumeRequested;

  private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
  private long inboundBytes;

  private boolean readPending;
  private boolean delivering;

  private boolean remoteFin;
  private boolean inputShutdownFired;
  private boolean inputClosedLocally;
  private boolean finSent;

  /** RST sent or received, or the session is gone: nothing more goes on the wire. */
  private boolean wireDone;

  private boolean open = true;
  private @Nullable Throwable closeCause;

  YamuxStreamChannel(
      YamuxSession session, int streamId, boolean outbound, int openFlags, long now) {
    super(session.channel());
    this.session = session;
    this.streamId = streamId;
    this.outbound = outbound;
    this.openFlags = openFlags;
    this.recvWindow = session.config().initialStreamWindow();
    this.epochStart = now;
    this.config = new StreamConfig(this);
    this.config.setAllocator(session.channel().alloc());
  }

  /** The Yamux stream id (unsigned 32-bit). */
  public int streamId() {
    return streamId;
  }

  /** True if we opened this stream. */
  public boolean isOutbound() {
    return outbound;
  }

  /** The session this stream belongs to. */
  public YamuxSession session() {
    return session;
  }

  /** Why the stream closed abnormally (reset, session closed), or null. */
  public @Nullable Throwable closeCause() {
    return closeCause;
  }

  /** Bytes we may still send before the remote grants more. Event loop only. */
  long sendWindow() {
    return sendWindow;
  }

  /** The receive window we currently grant (grows with auto-tuning). Event loop only. */
  long receiveWindow() {
    return recvWindow;
  }

  /** Bytes received and not yet delivered to the pipeline. Event loop only. */
  long bufferedInboundBytes() {
    return inboundBytes;
  }

  /**
   * Resets the stream: sends RST carrying {@code errorCode} (go-libp2p uses 0x1001..0x1009) and
   * closes it. Pending writes fail. Does nothing if the stream is already closed.
   */
  public ChannelFuture reset(int errorCode) {
    ChannelPromise promise = newPromise();
    if (eventLoop().inEventLoop()) {
      reset0(errorCode, promise);
    } else {
      eventLoop().execute(() -> reset0(errorCode, promise));
    }
    return promise;
  }

  private void reset0(int errorCode, ChannelPromise promise) {
    if (!open) {
      promise.trySuccess();
      return;
    }
    if (!wireDone) {
      wireDone = true;
      session.writeControl(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, streamId, errorCode);
      session.flushSoon();
    }
    closeCause = new YamuxException.StreamResetException(errorCode, false);
    unsafe().close(promise);
  }

  // ---- called by the session (event loop) ----

  /**
   * Sends the frame that opens (SYN) or accepts (ACK) the stream, granting any window above 256
   * KiB.
   */
  void sendOpenFrame() {
    if (openFlags == 0) {
      return; // already carried by an earlier frame (a window update or data sent on activation)
    }
    int flags = takeOpenFlags();
    long delta = Math.max(0, recvWindow - credit - inboundBytes);
    credit += delta;
    session.writeControl(YamuxFrame.TYPE_WINDOW_UPDATE, flags, streamId, (int) delta);
    session.flushSoon();
  }

  /** Payload bytes the remote may still send; the decoder's gate checks frames against it. */
  long credit() {
    return credit;
  }

  /** Takes ownership of {@code data}; the gate already checked it fits the credit. */
  void onData(ByteBuf data) {
    credit -= data.readableBytes();
    if (!open || inputClosedLocally || remoteFin) {
      data.release();
      return;
    }
    inbound.add(data);
    inboundBytes += data.readableBytes();
    session.config().inboundBudget().add(data.readableBytes());
    if (readPending) {
      deliver();
    }
  }

  void onRemoteFin() {
    if (!open || remoteFin) {
      return;
    }
    remoteFin = true;
    if (isRegistered()) {
      deliver();
    }
  }

  void onWindowUpdate(long delta) {
    if (!open || wireDone) {
      return;
    }
    sendWindow += delta;
    if (sendWindow > 0) {
      ((StreamUnsafe) unsafe()).resumeWrites();
    }
  }

  /** The connection became writable again: send what waits, if the window allows. */
  void onParentWritable() {
    if (open && !wireDone && queuedBytes > 0 && sendWindow > 0) {
      ((StreamUnsafe) unsafe()).resumeWrites();
    }
  }

  /** An RST from the remote ({@code remote}) or the end of the session: closes without a frame. */
  void closeWithError(Throwable cause, boolean fireException) {
    if (!open) {
      return;
    }
    wireDone = true;
    closeCause = cause;
    if (isRegistered()) {
      if (fireException) {
        pipeline().fireExceptionCaught(cause);
      }
      unsafe().close(unsafe().voidPromise());
    } else {
      // Never accepted: no pipeline events, just drop it.
      open = false;
      releaseInbound();
      session.streamClosed(this);
    }
  }

  /** Called once the channel is registered (accepted or opened): delivers a FIN that came early. */
  void afterRegistered() {
    if (remoteFin) {
      deliver();
    }
  }

  private int takeOpenFlags() {
    int flags = openFlags;
    openFlags = 0;
    return flags;
  }

  private void deliver() {
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      // Round again if a handler asked for more (read() in channelReadComplete) while we delivered.
      while (readPending && open && !inbound.isEmpty()) {
        do {
          ByteBuf buf = inbound.poll();
          inboundBytes -= buf.readableBytes();
          session.config().inboundBudget().release(buf.readableBytes());
          if (!config.isAutoRead()) {
            readPending = false;
          }
          pipeline().fireChannelRead(buf);
        } while (readPending && open && !inbound.isEmpty());
        pipeline().fireChannelReadComplete();
        if (open && !inputClosedLocally) {
          maybeSendWindowUpdate();
        }
      }
      if (remoteFin && open && inbound.isEmpty() && !inputShutdownFired) {
        inputShutdownFired = true;
        pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        if (finSent && open) {
          unsafe().close(unsafe().voidPromise());
        }
      }
    } finally {
      delivering = false;
    }
  }

  /**
   * go-yamux's rule: grant once half the window is consumed; double the window if that was fast.
   */
  private void maybeSendWindowUpdate() {
    if (wireDone) {
      return;
    }
    long delta = recvWindow - credit - inboundBytes;
    if (delta < recvWindow / 2) {
      return;
    }
    long now = session.config().ticker().nanoTime();
    long rtt = session.rttNanos();
    if (rtt > 0 && now - epochStart < rtt * 4) {
      long grown = Math.min(recvWindow * 2, session.config().maxStreamWindow());
      if (grown > recvWindow) {
        recvWindow = grown;
        delta = recvWindow - credit - inboundBytes;
      }
    }
    epochStart = now;
    credit += delta;
    session.writeControl(YamuxFrame.TYPE_WINDOW_UPDATE, takeOpenFlags(), streamId, (int) delta);
    session.flushSoon();
  }

  private void releaseInbound() {
    ByteBuf buf;
    while ((buf = inbound.poll()) != null) {
      buf.release();
    }
    session.config().inboundBudget().release(inboundBytes);
    inboundBytes = 0;
  }

  private void sendFin() {
    if (finSent || wireDone) {
      return;
    }
    finSent = true;
    session.writeControl(
        YamuxFrame.TYPE_WINDOW_UPDATE, takeOpenFlags() | YamuxFrame.FLAG_FIN, streamId, 0);
    session.flushSoon();
  }

  // ---- DuplexChannel ----

  @Override
  public boolean isInputShutdown() {
    return remoteFin || inputClosedLocally || !open;
  }

  @Override
  public ChannelFuture shutdownInput() {
    return shutdownInput(newPromise());
  }

  /**
   * Local only, like go-yamux's CloseRead: drops unread input, stops granting window, sends
   * nothing.
   */
  @Override
  public ChannelFuture shutdownInput(ChannelPromise promise) {
    if (eventLoop().inEventLoop()) {
      inputClosedLocally = true;
      releaseInbound();
      promise.trySuccess();
    } else {
      eventLoop().execute(() -> shutdownInput(promise));
    }
    return promise;
  }

  @Override
  public boolean isOutputShutdown() {
    return finSent || wireDone || !open;
  }

  @Override
  public ChannelFuture shutdownOutput() {
    return shutdownOutput(newPromise());
  }

  @Override
  public ChannelFuture shutdownOutput(ChannelPromise promise) {
    if (eventLoop().inEventLoop()) {
      StreamUnsafe unsafe = (StreamUnsafe) unsafe();
      if (unsafe.mustDrainFirst()) {
        // Bytes wait for send window: FIN follows them (go-yamux's CloseWrite comes after blocking
        // writes).
        if (pendingShutdownOutput == null) {
          pendingShutdownOutput = promise;
        } else {
          pendingShutdownOutput.addListener(f -> promise.trySuccess());
        }
      } else {
        unsafe.shutdownOutput(promise);
      }
    } else {
      eventLoop().execute(() -> shutdownOutput(promise));
    }
    return promise;
  }

  @Override
  public boolean isShutdown() {
    return isInputShutdown() && isOutputShutdown();
  }

  @Override
  public ChannelFuture shutdown() {
    return shutdown(newPromise());
  }

  @Override
  public ChannelFuture shutdown(ChannelPromise promise) {
    ChannelPromise outputDone = newPromise();
    shutdownOutput(outputDone);
    outputDone.addListener(f -> shutdownInput(promise));
    return promise;
  }

  // ---- AbstractChannel ----

  @Override
  public ChannelConfig config() {
    return config;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return open;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new StreamUnsafe();
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return loop == parent().eventLoop();
  }

  @Override
  protected SocketAddress localAddress0() {
    return parent().localAddress();
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return parent().remoteAddress();
  }

  @Override
  protected void doBind(SocketAddress localAddress) {
    throw new UnsupportedOperationException("a yamux stream cannot be bound");
  }

  @Override
  protected void doDisconnect() {
    doClose();
  }

  @Override
  protected void doClose() {
    if (!open) {
      return;
    }
    open = false;
    sendFin();
    wireDone = true;
    releaseInbound();
    session.streamClosed(this);
    // A deferred shutdown or close overtaken by this close (reset, session gone) completes now.
    ChannelPromise shutdown = pendingShutdownOutput;
    ChannelPromise close = pendingClose;
    pendingShutdownOutput = null;
    pendingClose = null;
    if (shutdown != null) {
      shutdown.tryFailure(new ClosedChannelException());
    }
    if (close != null) {
      close.trySuccess();
    }
  }

  @Override
  protected void doShutdownOutput() {
    sendFin();
    if (inputShutdownFired && open) {
      // Both directions are done; close after shutdownOutput has finished its own work.
      eventLoop()
          .execute(
              () -> {
                if (open) {
                  unsafe().close(unsafe().voidPromise());
                }
              });
    }
  }

  @Override
  protected void doBeginRead() {
    readPending = true;
    deliver();
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) {
    inDoWrite = true;
    try {
      do {
        resumeRequested = false;
        if (writeWhatFits(in)) {
          session.flushSoon();
        }
        // A window update or writability change that arrived re-entrantly (while we were writing to
        // the connection) could not call flush0 again: go round once more instead.
      } while (resumeRequested);
    } finally {
      inDoWrite = false;
    }
    if (queuedBytes == 0 && (pendingShutdownOutput != null || pendingClose != null)) {
      // Not from inside flush0: run the deferred half-close / close as a task.
      eventLoop().execute(this::finishPendingShutdown);
    }
  }

  /**
   * Sends queued bytes as Data frames until the queue is empty, the send window is used up or the
   * connection stays unwritable after a flush. Returns true if anything was written.
   */
  private boolean writeWhatFits(ChannelOutboundBuffer in) {
    boolean wrote = false;
    int maxFrame = session.config().maxFrameData();
    for (; ; ) {
      Object msg = in.current();
      if (msg == null) {
        return wrote;
      }
      ByteBuf buf = (ByteBuf) msg;
      int readable = buf.readableBytes();
      if (readable == 0) {
        in.remove();
        continue;
      }
      if (sendWindow <= 0 || wireDone) {
        return wrote; // resumed by a window update
      }
      if (!parent().isWritable()) {
        session.flushNow();
        if (!parent().isWritable()) {
          return wrote; // resumed when the connection becomes writable again
        }
      }
      int n = (int) Math.min(Math.min(readable, sendWindow), maxFrame);
      session.writeData(streamId, takeOpenFlags(), buf.retainedSlice(buf.readerIndex(), n));
      sendWindow -= n;
      queuedBytes -= n;
      in.removeBytes(n);
      wrote = true;
    }
  }

  private void finishPendingShutdown() {
    ChannelPromise shutdown = pendingShutdownOutput;
    ChannelPromise close = pendingClose;
    pendingShutdownOutput = null;
    pendingClose = null;
    if (shutdown != null) {
      ((AbstractUnsafe) unsafe()).shutdownOutput(shutdown);
    }
    if (close != null) {
      unsafe().close(close);
    }
  }

  @Override
  protected Object filterOutboundMessage(Object msg) throws ChannelOutputShutdownException {
    if (!(msg instanceof ByteBuf)) {
      throw new UnsupportedOperationException(
          "unsupported message type: " + StringUtil.simpleClassName(msg) + " (expected ByteBuf)");
    }
    int size = ((ByteBuf) msg).readableBytes();
    int max = session.config().maxQueuedBytesPerStream();
    if (pendingShutdownOutput != null || pendingClose != null) {
      throw new ChannelOutputShutdownException("output is being shut down");
    }
    if (queuedBytes > 0 && queuedBytes + size > max) {
      throw new YamuxException.LimitException(
          "stream "
              + Integer.toUnsignedString(streamId)
              + " has "
              + queuedBytes
              + " bytes queued; writing "
              + size
              + " more would pass maxQueuedBytesPerStream "
              + max);
    }
    queuedBytes += size;
    return msg;
  }

  @Override
  public String toString() {
    return "YamuxStreamChannel("
        + Integer.toUnsignedString(streamId)
        + (outbound ? ", out" : ", in")
        + ", "
        + parent()
        + ")";
  }

  private final class StreamUnsafe extends AbstractUnsafe {
    @Override
    public void connect(
        SocketAddress remote, @Nullable SocketAddress local, ChannelPromise promise) {
      promise.setFailure(new UnsupportedOperationException("a yamux stream cannot connect"));
    }

    void resumeWrites() {
      if (inDoWrite) {
        resumeRequested = true;
      } else {
        flush0();
      }
    }

    /**
     * Flushes pending writes; true if bytes still wait for send window (and the stream can still
     * send).
     */
    boolean mustDrainFirst() {
      if (wireDone || !open) {
        return false;
      }
      if (queuedBytes > 0) {
        flush();
      }
      return queuedBytes > 0;
    }

    /**
     * A close while bytes wait for send window is deferred until they are sent, then FIN goes out
     * after them; unread input is dropped at once. {@link #reset(int)} and session failures close
     * at once.
     */
    @Override
    public void close(ChannelPromise promise) {
      if (mustDrainFirst()) {
        inputClosedLocally = true;
        releaseInbound();
        if (pendingClose == null) {
          pendingClose = promise;
        } else {
          pendingClose.addListener(f -> promise.trySuccess());
        }
        return;
      }
      super.close(promise);
    }
  }

  private final class StreamConfig extends DefaultChannelConfig {
    StreamConfig(YamuxStreamChannel channel) {
      super(channel);
    }

    @Override
    protected void autoReadCleared() {
      readPending = false;
    }
  }
}
