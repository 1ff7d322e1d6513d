package io.headersync.libp2p.internal.yamux;

import io.headersync.annotation.Nullable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Yamux session of one connection: put it on the connection's pipeline once the connection is
 * secured and {@code /yamux/1.0.0} is negotiated. It adds its {@link YamuxFrameDecoder} in front of
 * itself, writes frames as {@link ByteBuf}s towards the head, and turns each stream into a {@link
 * YamuxStreamChannel}.
 *
 * <pre>{@code
 * YamuxSession session = new YamuxSession(YamuxConfig.defaults(), isDialer, new ChannelInitializer<>() {
 *   protected void initChannel(Channel stream) { stream.pipeline().addLast(new MyInboundProtocol()); }
 * });
 * connection.pipeline().addLast("yamux", session);
 * session.openStream(new MyOutboundProtocol()).addListener(f -> ...); // f.getNow() is the stream
 * }</pre>
 *
 * <h2>Behaviour, matching go-yamux v5</h2>
 *
 * <ul>
 *   <li>The dialer ({@code client}) opens odd stream ids, the listener even ones. An inbound SYN
 *       with our own parity, a duplicate SYN, a bad version or type, or a Data frame larger than
 *       the stream's window is a protocol error: GoAway(1) and the connection closes.
 *   <li>Opening sends {@code WindowUpdate|SYN}. Inbound streams SYN'd during a read are accepted
 *       (child channel registered, inbound handler added, {@code WindowUpdate|ACK} sent) when the
 *       read completes. SYNs beyond {@link YamuxConfig#acceptBacklog()} waiting in one read, or
 *       beyond {@link YamuxConfig#maxInboundStreams()} open streams, are answered with RST. Once
 *       {@code acceptBacklog} of our SYNs are un-ACKed, further opens wait for an ACK.
 *   <li>Frames for unknown streams (never seen, or already closed or reset) are dropped; their Data
 *       payload is skipped without being buffered. go-yamux does the same, silently, for any
 *       non-SYN frame on an unknown id.
 *   <li>Pings are answered with the same opaque value (not while the connection is unwritable, so a
 *       peer that pings without reading can make us queue at most 64 replies; go-yamux drops
 *       replies too). {@link #ping()} measures the RTT; the session pings at start and every {@link
 *       YamuxConfig#measureRttInterval()} to drive window auto-tuning, and after {@link
 *       YamuxConfig#keepAliveInterval()} without a received frame; a keepalive ping unanswered
 *       within {@link YamuxConfig#pingTimeout()} closes the connection.
 *   <li>Closing the connection through the pipeline sends GoAway(0) first. A received GoAway makes
 *       {@link #openStream} fail with {@link YamuxException.GoAwayException}; existing streams go
 *       on (the spec's rule; go-yamux itself ends the whole session on any GoAway).
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * All state lives on the connection's event loop. {@link #openStream}, {@link #ping()} and {@link
 * #goAway(int)} may be called from any thread; their futures complete on the event loop.
 *
 * <p>One instance per connection (not sharable).
 *
 * <p>Why one class of ~860 lines: the session is one Netty handler whose state (the stream table,
 * un-ACKed SYNs, the accept backlog, pings and GoAway) lives on the connection's event loop and is
 * changed by every frame type; the parts with state of their own are already apart ({@link
 * YamuxFrameDecoder}, {@link YamuxStreamChannel}, {@link InboundBudget}).
 */
public final class YamuxSession extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(YamuxSession.class);

  /** Like go-yamux, ids from 2^32 - 2 up are never used (the last are 2^32 - 3 and 2^32 - 4). */
  private static final long FIRST_UNUSABLE_STREAM_ID = 0xFFFFFFFFL - 1;

  private final YamuxConfig config;
  private final boolean client;
  private final ChannelHandler inboundStreamHandler;

  private @Nullable ChannelHandlerContext ctx;
  private final YamuxFrameDecoder decoder = new YamuxFrameDecoder(this::admitData);
  private final IntObjectMap<YamuxStreamChannel> streams = new IntObjectHashMap<>();
  private long nextStreamId;
  private int inboundStreams;
  private int outboundStreams;

  /** Inbound streams SYN'd in the current read, accepted (registered) when the read completes. */
  private final ArrayDeque<YamuxStreamChannel> acceptQueue = new ArrayDeque<>();

  private int unackedOutbound;
  private final ArrayDeque<PendingOpen> pendingOpens = new ArrayDeque<>();

  private boolean started;
  private boolean closed;
  private @Nullable Throwable closeCause;
  private boolean localGoAway;
  private @Nullable Integer remoteGoAwayCode;

  private boolean inFrame;
  private boolean flushNeeded;

  /** Ping replies queued while the connection was not writable; see {@link #onPing}. */
  private int pongsWhileUnwritable;

  static final int MAX_PONGS_WHILE_UNWRITABLE = 64;

  private int nextPingId;
  private @Nullable ActivePing activePing;
  private long rttNanos;
  private long lastFrameNanos;
  private @Nullable ScheduledFuture<?> keepAliveTask;
  private @Nullable ScheduledFuture<?> rttTask;

  /**
   * @param client true on the side that dialed the connection (odd stream ids)
   * @param inboundStreamHandler added to the pipeline of every accepted inbound stream, so it must
   *     be {@link ChannelHandler.Sharable} — typically a {@code ChannelInitializer}
   */
  public YamuxSession(YamuxConfig config, boolean client, ChannelHandler inboundStreamHandler) {
    this.config = Objects.requireNonNull(config, "config == null");
    this.client = client;
    this.inboundStreamHandler =
        Objects.requireNonNull(inboundStreamHandler, "inboundStreamHandler == null");
    this.nextStreamId = client ? 1 : 2;
  }

  public YamuxConfig config() {
    return config;
  }

  public boolean isClient() {
    return client;
  }

  /** The connection channel. */
  public Channel channel() {
    return context().channel();
  }

  /** Smoothed round-trip time from pings, in nanoseconds; 0 until the first pong. */
  public long rttNanos() {
    return rttNanos;
  }

  /** Open streams, both directions, including inbound ones not yet accepted. Event loop only. */
  int streamCount() {
    return streams.size();
  }

  /** The stream with this id, if open. Event loop only; for tests. */
  @Nullable
  YamuxStreamChannel stream(int id) {
    return streams.get(id);
  }

  /** True once the session is closed (connection closed or handler removed). */
  public boolean isClosed() {
    return closed;
  }

  private ChannelHandlerContext context() {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      throw new IllegalStateException("the session is not on a pipeline yet");
    }
    return c;
  }

  // ---------------------------------------------------------------- public operations

  /**
   * Opens a stream. {@code handler} is added to the stream's pipeline before it is registered (a
   * {@code ChannelInitializer} or any handler). The future succeeds with the registered, active
   * stream once the SYN is written; data may be written at once (Yamux allows data before the ACK).
   *
   * <p>Fails with {@link YamuxException.GoAwayException} after the remote sent GoAway, {@link
   * YamuxException.SessionClosedException} when the session is closed, and {@link
   * YamuxException.LimitException} past {@link YamuxConfig#maxOutboundStreams()} or when the stream
   * ids are exhausted.
   */
  public Future<YamuxStreamChannel> openStream(ChannelHandler handler) {
    Objects.requireNonNull(handler, "handler == null");
    ChannelHandlerContext c = context();
    Promise<YamuxStreamChannel> promise = c.executor().newPromise();
    runOnLoop(c.executor(), () -> open(handler, promise));
    return promise;
  }

  /**
   * Sends a ping; the future gives the round-trip time in nanoseconds, or fails after the ping
   * timeout.
   */
  public Future<Long> ping() {
    ChannelHandlerContext c = context();
    Promise<Long> promise = c.executor().newPromise();
    runOnLoop(c.executor(), () -> ping0(promise));
    return promise;
  }

  /**
   * Sends GoAway with {@code code} without closing: the remote may open no new stream (we reset any
   * SYN from now on); existing streams go on. To close, close the connection channel, which sends
   * GoAway(0) first if no GoAway was sent.
   */
  public void goAway(int code) {
    ChannelHandlerContext c = context();
    runOnLoop(
        c.executor(),
        () -> {
          if (!closed) {
            sendGoAway(code);
            flushSoon();
          }
        });
  }

  private static void runOnLoop(EventExecutor executor, Runnable task) {
    if (executor.inEventLoop()) {
      task.run();
    } else {
      executor.execute(task);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ctx.pipeline().addBefore(ctx.name(), null, decoder);
    lastFrameNanos = config.ticker().nanoTime();
    if (ctx.channel().isActive()) {
      start();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start();
    ctx.fireChannelActive();
  }

  private void start() {
    if (started) {
      return;
    }
    started = true;
    ChannelHandlerContext c = context();
    long keepAlive = config.keepAliveInterval().toNanos();
    if (keepAlive > 0) {
      keepAliveTask = c.executor().schedule(this::keepAliveCheck, keepAlive, TimeUnit.NANOSECONDS);
    }
    if (!config.measureRttInterval().isZero()) {
      measureRtt();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeSession(new YamuxException.SessionClosedException("connection closed"));
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    closeSession(
        new YamuxException.SessionClosedException("yamux session removed from the pipeline"));
    if (ctx.pipeline().context(decoder) != null) {
      ctx.pipeline().remove(decoder);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (!closed && !localGoAway && ctx.channel().isActive()) {
      sendGoAway(YamuxFrame.GO_AWAY_NORMAL);
      ctx.flush();
    }
    ctx.close(promise);
  }

  /**
   * Refuses writes from handlers behind the session: once Yamux runs, bytes go through streams
   * only, and a stray write would break the framing.
   */
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ReferenceCountUtil.release(msg);
    promise.setFailure(
        new IllegalStateException(
            "the connection carries yamux frames: write to a YamuxStreamChannel instead"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof YamuxException.ProtocolException) {
      fail(((YamuxException.ProtocolException) c).goAwayCode(), c);
    } else {
      fail(YamuxFrame.GO_AWAY_INTERNAL_ERROR, c);
    }
  }

  /** Sends GoAway(code) and closes the connection because of {@code cause}. */
  private void fail(int code, Throwable cause) {
    if (closed) {
      return;
    }
    log.debug("{} yamux session failed, sending GoAway({})", channel(), code, cause);
    ChannelHandlerContext c = context();
    if (c.channel().isActive()) {
      sendGoAway(code);
      c.flush();
    }
    closeSession(
        new YamuxException.SessionClosedException(
            "yamux session failed: " + cause.getMessage(), cause));
    c.close();
  }

  private void closeSession(Throwable cause) {
    if (closed) {
      return;
    }
    closed = true;
    closeCause = cause;
    if (keepAliveTask != null) {
      keepAliveTask.cancel(false);
    }
    if (rttTask != null) {
      rttTask.cancel(false);
    }
    ActivePing ping = activePing;
    activePing = null;
    if (ping != null) {
      ping.timeout.cancel(false);
      ping.promise.tryFailure(cause);
    }
    PendingOpen pending;
    while ((pending = pendingOpens.poll()) != null) {
      pending.promise.tryFailure(cause);
    }
    acceptQueue.clear();
    List<YamuxStreamChannel> all = new ArrayList<>(streams.values());
    for (YamuxStreamChannel s : all) {
      s.closeWithError(cause, false);
    }
    streams.clear();
  }

  // ---------------------------------------------------------------- inbound frames

  /** go-libp2p's {@code StreamResourceLimitExceeded} (core/network/mux.go). */
  static final int RESET_OVER_BUDGET = 0x1002;

  /** The decoder's gate: called for each Data header before its payload is buffered. */
  private boolean admitData(int streamId, int flags, long length) {
    lastFrameNanos = config.ticker().nanoTime();
    if ((flags & YamuxFrame.FLAG_SYN) != 0) {
      if (length > YamuxConfig.PROTOCOL_INITIAL_WINDOW) {
        throw new YamuxException.ProtocolException(
            "recv window exceeded: "
                + length
                + " bytes with SYN on stream "
                + Integer.toUnsignedString(streamId));
      }
      if (length > 0 && !config.inboundBudget().admits(length)) {
        // The host's inbound buffers are full: the frame (SYN and payload) is skipped, the stream
        // is
        // never created, and the remote learns why.
        log.debug(
            "{} refusing inbound stream {}: the host's inbound buffer budget is spent",
            channel(),
            Integer.toUnsignedString(streamId));
        writeControl(
            YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, streamId, RESET_OVER_BUDGET);
        flushSoon();
        return false;
      }
      return true;
    }
    YamuxStreamChannel s = streams.get(streamId);
    if (s == null) {
      return false;
    }
    if (length > s.credit()) {
      throw new YamuxException.ProtocolException(
          "recv window exceeded on stream "
              + Integer.toUnsignedString(streamId)
              + ": "
              + length
              + " bytes, window "
              + s.credit());
    }
    if (length > 0 && !config.inboundBudget().admits(length)) {
      // The payload is skipped, so the stream cannot go on: reset it, which frees what it buffered.
      log.debug(
          "{} resetting stream {}: the host's inbound buffer budget is spent",
          channel(),
          Integer.toUnsignedString(streamId));
      s.reset(RESET_OVER_BUDGET);
      return false;
    }
    return true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof YamuxFrame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    YamuxFrame frame = (YamuxFrame) msg;
    inFrame = true;
    try {
      if (closed) {
        return;
      }
      lastFrameNanos = config.ticker().nanoTime();
      switch (frame.type()) {
        case YamuxFrame.TYPE_DATA:
        case YamuxFrame.TYPE_WINDOW_UPDATE:
          onStreamFrame(frame);
          break;
        case YamuxFrame.TYPE_PING:
          onPing(frame);
          break;
        case YamuxFrame.TYPE_GO_AWAY:
          onGoAway(frame.length());
          break;
        default:
          throw new YamuxException.ProtocolException("invalid frame type " + frame.type());
      }
    } catch (YamuxException.ProtocolException e) {
      fail(e.goAwayCode(), e);
    } finally {
      inFrame = false;
      frame.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    acceptPending();
    if (flushNeeded) {
      flushNeeded = false;
      ctx.flush();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      pongsWhileUnwritable = 0;
    }
    if (ctx.channel().isWritable() && !closed) {
      for (YamuxStreamChannel s : new ArrayList<>(streams.values())) {
        s.onParentWritable();
      }
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void onStreamFrame(YamuxFrame frame) {
    int id = frame.streamId();
    int flags = frame.flags();
    if ((flags & YamuxFrame.FLAG_SYN) != 0 && !incomingStream(id)) {
      return;
    }
    YamuxStreamChannel s = streams.get(id);
    if (s == null) {
      return; // unknown or closed stream: drained (a Data payload was already skipped by the
      // decoder)
    }
    // Each flag on its own, in go-yamux's order, around the payload.
    if ((flags & YamuxFrame.FLAG_ACK) != 0 && s.awaitingAck) {
      s.awaitingAck = false;
      unackedOutbound--;
      startPendingOpens();
    }
    boolean rst = (flags & YamuxFrame.FLAG_RST) != 0;
    if (frame.type() == YamuxFrame.TYPE_DATA && frame.length() != 0 && !rst) {
      s.onData(
          frame
              .content()
              .retain()); // with RST the payload is dropped, as go-yamux's reader never sees it
    }
    if ((flags & YamuxFrame.FLAG_FIN) != 0) {
      s.onRemoteFin();
    }
    if (rst) {
      int code = frame.type() == YamuxFrame.TYPE_WINDOW_UPDATE ? frame.length() : 0;
      s.closeWithError(new YamuxException.StreamResetException(code, true), true);
    } else if (frame.type() == YamuxFrame.TYPE_WINDOW_UPDATE && frame.length() != 0) {
      s.onWindowUpdate(frame.lengthLong());
    }
  }

  /** Handles a SYN: true if the stream now exists, false if we answered with RST. */
  private boolean incomingStream(int id) {
    boolean oddId = (id & 1) == 1;
    if (id == 0 || client == oddId) {
      throw new YamuxException.ProtocolException(
          "SYN on stream "
              + Integer.toUnsignedString(id)
              + " with the wrong parity: both yamux endpoints are "
              + (client ? "clients" : "servers"));
    }
    if (streams.containsKey(id)) {
      throw new YamuxException.ProtocolException(
          "duplicate SYN on stream " + Integer.toUnsignedString(id));
    }
    if (localGoAway
        || inboundStreams >= config.maxInboundStreams()
        || acceptQueue.size() >= config.acceptBacklog()) {
      log.debug(
          "{} resetting inbound stream {}: goAway={} inbound={} waiting for accept={}",
          channel(),
          Integer.toUnsignedString(id),
          localGoAway,
          inboundStreams,
          acceptQueue.size());
      writeControl(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, id, 0);
      flushSoon();
      return false;
    }
    YamuxStreamChannel s =
        new YamuxStreamChannel(this, id, false, YamuxFrame.FLAG_ACK, config.ticker().nanoTime());
    streams.put(id, s);
    inboundStreams++;
    acceptQueue.add(s);
    return true;
  }

  /**
   * Accepts the streams SYN'd during the read that just completed: registers them, which sends the
   * ACK.
   */
  private void acceptPending() {
    YamuxStreamChannel s;
    while ((s = acceptQueue.poll()) != null) {
      if (!s.isOpen() || closed) {
        continue; // reset or session closed before it was accepted
      }
      s.pipeline().addLast(inboundStreamHandler);
      register(s, null);
    }
  }

  private void onPing(YamuxFrame frame) {
    if (frame.hasFlag(YamuxFrame.FLAG_SYN)) {
      if (!context().channel().isWritable()) {
        // While a big transfer keeps the connection unwritable, pings must still be answered or
        // the peer's keepalive closes the session. A peer that pings but does not read may make us
        // queue at most MAX_PONGS_WHILE_UNWRITABLE replies; go-yamux drops replies beyond its ping
        // backlog the same way.
        if (pongsWhileUnwritable >= MAX_PONGS_WHILE_UNWRITABLE) {
          log.debug("{} dropped a ping reply: connection not writable", channel());
          return;
        }
        pongsWhileUnwritable++;
      }
      writeControl(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_ACK, 0, frame.length());
      flushSoon();
      return;
    }
    ActivePing ping = activePing;
    if (frame.hasFlag(YamuxFrame.FLAG_ACK) && ping != null && ping.id == frame.length()) {
      activePing = null;
      ping.timeout.cancel(false);
      long rtt = Math.max(1, config.ticker().nanoTime() - ping.startNanos);
      rttNanos = rttNanos == 0 ? rtt : rttNanos / 2 + rtt / 2;
      ping.promise.trySuccess(rtt);
    }
  }

  private void onGoAway(int code) {
    if (code == YamuxFrame.GO_AWAY_NORMAL) {
      log.debug("{} remote sent GoAway (normal)", channel());
    } else {
      log.warn(
          "{} remote sent GoAway with error code {}", channel(), Integer.toUnsignedString(code));
    }
    if (remoteGoAwayCode == null) {
      remoteGoAwayCode = code;
    }
    PendingOpen pending;
    while ((pending = pendingOpens.poll()) != null) {
      pending.promise.tryFailure(new YamuxException.GoAwayException(code));
    }
  }

  // ---------------------------------------------------------------- opening

  private void open(ChannelHandler handler, Promise<YamuxStreamChannel> promise) {
    if (closed) {
      promise.tryFailure(new YamuxException.SessionClosedException("session closed", closeCause));
      return;
    }
    if (!context().channel().isActive()) {
      promise.tryFailure(new YamuxException.SessionClosedException("connection not active"));
      return;
    }
    Integer goAway = remoteGoAwayCode;
    if (goAway != null) {
      promise.tryFailure(new YamuxException.GoAwayException(goAway));
      return;
    }
    if (outboundStreams + pendingOpens.size() >= config.maxOutboundStreams()) {
      promise.tryFailure(
          new YamuxException.LimitException(
              "maxOutboundStreams " + config.maxOutboundStreams() + " reached"));
      return;
    }
    if (unackedOutbound >= config.acceptBacklog()) {
      pendingOpens.add(new PendingOpen(handler, promise));
      return;
    }
    startOpen(handler, promise);
  }

  private void startPendingOpens() {
    while (!closed && unackedOutbound < config.acceptBacklog() && !pendingOpens.isEmpty()) {
      PendingOpen p = pendingOpens.poll();
      startOpen(p.handler, p.promise);
    }
  }

  private void startOpen(ChannelHandler handler, Promise<YamuxStreamChannel> promise) {
    if (!promise.setUncancellable()) {
      return;
    }
    if (nextStreamId >= FIRST_UNUSABLE_STREAM_ID) {
      promise.tryFailure(new YamuxException.LimitException("stream ids exhausted"));
      return;
    }
    int id = (int) nextStreamId;
    nextStreamId += 2;
    YamuxStreamChannel s =
        new YamuxStreamChannel(this, id, true, YamuxFrame.FLAG_SYN, config.ticker().nanoTime());
    s.awaitingAck = true;
    streams.put(id, s);
    outboundStreams++;
    unackedOutbound++;
    s.sendOpenFrame();
    s.pipeline().addLast(handler);
    register(s, promise);
  }

  private void register(YamuxStreamChannel s, @Nullable Promise<YamuxStreamChannel> promise) {
    context()
        .channel()
        .eventLoop()
        .register(s)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                log.warn("{} could not register yamux stream {}", channel(), s, f.cause());
                if (promise != null) {
                  promise.tryFailure(f.cause());
                }
                s.reset(YamuxFrame.GO_AWAY_INTERNAL_ERROR);
                return;
              }
              if (!s.isOutbound()) {
                s.sendOpenFrame(); // the ACK, before channelActive lets the handler write
              }
              s.afterRegistered();
              if (promise != null) {
                promise.trySuccess(s);
              }
            });
  }

  /** Called by a stream when it closes, from any path. */
  void streamClosed(YamuxStreamChannel s) {
    if (streams.remove(s.streamId()) == null) {
      return;
    }
    if (s.isOutbound()) {
      outboundStreams--;
      if (s.awaitingAck) {
        s.awaitingAck = false;
        unackedOutbound--;
        startPendingOpens();
      }
    } else {
      inboundStreams--;
    }
  }

  // ---------------------------------------------------------------- ping and timers

  private void ping0(Promise<Long> promise) {
    if (closed) {
      promise.tryFailure(new YamuxException.SessionClosedException("session closed", closeCause));
      return;
    }
    ActivePing ping = activePing;
    if (ping == null) {
      int id = nextPingId++;
      Promise<Long> shared = context().executor().newPromise();
      ScheduledFuture<?> timeout =
          context()
              .executor()
              .schedule(
                  () -> pingTimedOut(id), config.pingTimeout().toNanos(), TimeUnit.NANOSECONDS);
      ping = new ActivePing(id, config.ticker().nanoTime(), shared, timeout);
      activePing = ping;
      writeControl(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, id);
      flushSoon();
    }
    ping.promise.addListener(
        f -> {
          if (f.isSuccess()) {
            promise.trySuccess((Long) f.getNow());
          } else {
            promise.tryFailure(f.cause());
          }
        });
  }

  private void pingTimedOut(int id) {
    ActivePing ping = activePing;
    if (ping != null && ping.id == id) {
      activePing = null;
      ping.promise.tryFailure(
          new YamuxException.TimeoutException("no answer to ping within " + config.pingTimeout()));
    }
  }

  private void measureRtt() {
    if (closed) {
      return;
    }
    ping(); // failures are harmless here; a dead connection is the keepalive's business
    rttTask =
        context()
            .executor()
            .schedule(
                this::measureRtt, config.measureRttInterval().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void keepAliveCheck() {
    if (closed) {
      return;
    }
    long interval = config.keepAliveInterval().toNanos();
    long idle = config.ticker().nanoTime() - lastFrameNanos;
    if (idle >= interval) {
      ping()
          .addListener(
              f -> {
                if (!f.isSuccess() && !closed) {
                  log.debug("{} keepalive failed, closing", channel(), f.cause());
                  closeSession(
                      new YamuxException.SessionClosedException("keepalive failed", f.cause()));
                  context().close();
                }
              });
      keepAliveTask =
          context().executor().schedule(this::keepAliveCheck, interval, TimeUnit.NANOSECONDS);
    } else {
      keepAliveTask =
          context()
              .executor()
              .schedule(this::keepAliveCheck, interval - idle, TimeUnit.NANOSECONDS);
    }
  }

  // ---------------------------------------------------------------- writing

  private void sendGoAway(int code) {
    localGoAway = true;
    writeControl(YamuxFrame.TYPE_GO_AWAY, 0, 0, code);
  }

  /** Writes a frame without payload. Event loop only. */
  void writeControl(int type, int flags, int streamId, int length) {
    if (closed) {
      return;
    }
    ChannelHandlerContext c = context();
    c.write(YamuxFrame.encodeHeader(c.alloc(), type, flags, streamId, length));
  }

  /** Writes a Data frame, taking ownership of {@code payload}. Event loop only. */
  void writeData(int streamId, int flags, ByteBuf payload) {
    if (closed) {
      payload.release();
      return;
    }
    ChannelHandlerContext c = context();
    ByteBuf header = null;
    try {
      header =
          YamuxFrame.encodeHeader(
              c.alloc(), YamuxFrame.TYPE_DATA, flags, streamId, payload.readableBytes());
      CompositeByteBuf frame = c.alloc().compositeBuffer(2);
      frame.addComponents(true, header, payload);
      header = null;
      payload = null;
      c.write(frame);
    } finally {
      ReferenceCountUtil.release(header);
      ReferenceCountUtil.release(payload);
    }
  }

  /** Flushes now, even while a frame is being handled (the connection is not writable). */
  void flushNow() {
    if (!closed) {
      flushNeeded = false;
      context().flush();
    }
  }

  /** Flushes now, or at the end of the current read if called while a frame is being handled. */
  void flushSoon() {
    if (closed) {
      return;
    }
    if (inFrame) {
      flushNeeded = true;
    } else {
      context().flush();
    }
  }

  private static final class PendingOpen {
    final ChannelHandler handler;
    final Promise<YamuxStreamChannel> promise;

    PendingOpen(ChannelHandler handler, Promise<YamuxStreamChannel> promise) {
      this.handler = handler;
      this.promise = promise;
    }
  }

  private static final class ActivePing {
    final int id;
    final long startNanos;
    final Promise<Long> promise;
    final ScheduledFuture<?> timeout;

    ActivePing(int id, long startNanos, Promise<Long> promise, ScheduledFuture<?> timeout) {
      this.id = id;
      this.startNanos = startNanos;
      this.promise = promise;
      this.timeout = timeout;
    }
  }
}
