package io.headersync.exchange;

import io.headersync.Header;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.exchange.internal.HeaderRequest;
import io.headersync.exchange.internal.RequestLimiter;
import io.headersync.exchange.internal.ServerRequests;
import io.headersync.instrument.Histogram;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.Stream;
import io.headersync.lifecycle.AbstractService;
import io.headersync.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves go-header's header exchange ({@code /<networkId>/header-ex/v0.0.3}) from a {@link Store}:
 * one request per stream, one {@code HeaderResponse} frame per header, a single NOT_FOUND frame, or
 * a stream reset, exactly as go-header v0.8.6's {@code ExchangeServer} (see {@code ServerRequests}
 * for the decisions and {@code docs/protocol.md}).
 *
 * <p>Beyond go-header: every request passes a per-peer token bucket, a per-peer concurrency limit
 * and a global one ({@link ServerOptions}); a refused request is reset, as go-header resets on any
 * error. Store reads run on the given executor, never on a network thread.
 *
 * <p>Lifecycle: a {@link io.headersync.lifecycle.Service}. {@link #start()} registers the stream
 * handler on the host; {@link #stop()} removes it (requests being answered finish). The host is the
 * caller's: the server neither starts nor closes it.
 *
 * <p>Threads: {@link #start()} and {@link #stop()} from any thread; their futures complete on
 * {@code storeExecutor} (the node's worker pool). Requests are read on the host's user executor and
 * answered from {@code storeExecutor}.
 *
 * @param <H> the header type
 */
public final class P2PServer<H extends Header> extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(P2PServer.class);

  private final Host host;
  private final Store<H> store;
  private final String protocolId;
  private final ServerOptions options;
  private final Executor storeExecutor;
  private final RequestLimiter<PeerId> limiter;
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong headersServed = new AtomicLong();
  private final AtomicLong notFound = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();
  private final Clock clock;
  private final Histogram headServeTime =
      new Histogram(
          "hdr_p2p_exch_srvr_head_serve_time_hist",
          "exchange server head serve time in seconds",
          "s",
          Histogram.SECONDS,
          "failed_request");
  private final Histogram rangeServeTime =
      new Histogram(
          "hdr_p2p_exch_srvr_range_serve_time_hist",
          "exchange server range serve time in seconds",
          "s",
          Histogram.SECONDS,
          "num_headers_served",
          "failed_request");
  private final Histogram getServeTime =
      new Histogram(
          "hdr_p2p_exch_srvr_get_serve_time_hist",
          "exchange server get serve time in seconds",
          "s",
          Histogram.SECONDS,
          "failed_request");

  /**
   * Whether this server's handler is on the host (so that stopping a server never started removes
   * nobody's).
   */
  private volatile boolean registered;

  /**
   * A server of {@code store} on {@code host}, not yet serving: call {@link #start()}.
   *
   * @param host the host to serve on (the caller's; not started or closed by the server)
   * @param store the headers served
   * @param protocolId {@link ExchangeProtocol#protocolId(String)} of the network
   * @param options the server's limits
   * @param storeExecutor runs store reads, and completes the lifecycle futures; e.g. the node's
   *     worker pool
   * @param clock for rate limits and serve times
   */
  public P2PServer(
      Host host,
      Store<H> store,
      String protocolId,
      ServerOptions options,
      Executor storeExecutor,
      Clock clock) {
    super(
        "exchange server " + Objects.requireNonNull(protocolId, "protocolId == null"),
        Objects.requireNonNull(storeExecutor, "storeExecutor == null"));
    this.host = Objects.requireNonNull(host, "host == null");
    this.store = Objects.requireNonNull(store, "store == null");
    this.protocolId = protocolId;
    this.options = Objects.requireNonNull(options, "options == null");
    this.storeExecutor = storeExecutor;
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.limiter =
        new RequestLimiter<>(
            clock,
            options.ratePerPeer(),
            options.burstPerPeer(),
            options.maxConcurrentPerPeer(),
            options.maxConcurrent(),
            options.maxReading(),
            options.maxTrackedPeers());
  }

  /**
   * Starts serving: registers the stream handler on the host (at once, on the calling thread).
   * Fails when the host refuses the protocol id (one it serves itself).
   */
  @Override
  protected CompletableFuture<Void> doStart() {
    host.setStreamHandler(protocolId, this::handle);
    registered = true;
    return CompletableFuture.completedFuture(null);
  }

  /** Stops serving new requests: removes the stream handler (requests being answered finish). */
  @Override
  protected CompletableFuture<Void> doStop() {
    if (registered) {
      registered = false;
      host.removeStreamHandler(protocolId);
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * The protocol id served.
   *
   * @return {@code /<networkId>/header-ex/v0.0.3}
   */
  public String protocolId() {
    return protocolId;
  }

  /**
   * Counters: requests answered, headers sent, NOT_FOUND answers, resets.
   *
   * @return a snapshot of the counters
   */
  public Stats stats() {
    return new Stats(served.get(), headersServed.get(), notFound.get(), resets.get());
  }

  private void handle(Stream stream) {
    PeerId peer = stream.remotePeer();
    String refused = limiter.tryAcquire(peer);
    if (refused != null) {
      log.debug("refusing header request from {}: {}", peer, refused);
      reset(stream);
      return;
    }
    stream.setDeadline(options.readDeadline());
    Serving serving = new Serving();
    stream
        .readMessage(options.maxRequestSize())
        .thenApply(
            message -> {
              // Read: only now does the request take one of the slots requests are served from.
              String busy = limiter.startServing();
              if (busy != null) {
                throw new ExchangeProtocolException(busy);
              }
              synchronized (serving) {
                serving.started = clock.instant();
              }
              return message;
            })
        .thenApplyAsync(message -> answer(stream, message, serving), storeExecutor)
        .orTimeout(
            options.readDeadline().plus(options.requestTimeout()).toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(reply -> send(stream, reply, serving))
        .whenComplete(
            (v, err) -> {
              Instant started;
              synchronized (serving) {
                started = serving.started;
              }
              limiter.release(peer, started != null);
              if (started != null) {
                record(serving, started, err == null);
              }
              if (err != null) {
                log.debug("header request from {} failed: {}", peer, err.toString());
                reset(stream);
              }
            });
  }

  private ServerRequests.Reply<H> answer(Stream stream, Optional<byte[]> message, Serving serving) {
    if (message.isEmpty()) {
      throw new ExchangeProtocolException("stream ended before a request");
    }
    HeaderRequest request = ExchangeWire.parseRequest(message.get());
    synchronized (serving) {
      serving.request = request;
    }
    return ServerRequests.handle(request, store);
  }

  /**
   * The serve time of one request, as go-header records it: from the request read to the answer
   * written, failed unless headers were sent; by kind (head, range or by hash).
   */
  private void record(Serving serving, Instant started, boolean written) {
    HeaderRequest request;
    int headers;
    synchronized (serving) {
      request = serving.request;
      headers = serving.headers;
    }
    if (request == null) {
      return; // unreadable: not a request of any kind
    }
    String failed = Boolean.toString(!written || headers == 0);
    double seconds = Duration.between(started, clock.instant()).toNanos() / 1e9;
    if (request.kind() == HeaderRequest.Kind.HASH) {
      getServeTime.record(seconds, failed);
    } else if (request.kind() == HeaderRequest.Kind.ORIGIN && request.origin() == 0) {
      headServeTime.record(seconds, failed);
    } else if (request.kind() == HeaderRequest.Kind.ORIGIN) {
      long amount = headers > 0 ? headers : request.amount();
      rangeServeTime.record(
          seconds, Long.toUnsignedString(Long.divideUnsigned(amount, 100)), failed);
    }
  }

  /**
   * The server's serve-time histograms, go-header's: {@code
   * hdr_p2p_exch_srvr_head_serve_time_hist}, {@code hdr_p2p_exch_srvr_range_serve_time_hist} (with
   * {@code num_headers_served}, divided by 100 as go-header does) and {@code
   * hdr_p2p_exch_srvr_get_serve_time_hist}, each with {@code failed_request}.
   *
   * @return the three histograms
   */
  public List<Histogram> histograms() {
    return List.of(headServeTime, rangeServeTime, getServeTime);
  }

  /** What one request's serving has reached, for its serve time. Guarded by itself. */
  private static final class Serving {
    Instant started;
    HeaderRequest request;
    int headers;
  }

  private CompletableFuture<Void> send(
      Stream stream, ServerRequests.Reply<H> reply, Serving serving) {
    switch (reply.kind()) {
      case HEADERS:
        {
          List<H> headers = reply.headers();
          synchronized (serving) {
            serving.headers = headers.size();
          }
          List<byte[]> bodies = new ArrayList<>(headers.size());
          for (H h : headers) {
            bodies.add(h.encode());
          }
          stream.setDeadline(options.writeDeadline());
          CompletableFuture<Void> written = stream.write(ExchangeWire.okResponseFrames(bodies));
          stream.close(); // half-closes after the queued write; no need to wait for it first
          return written.thenRun(
              () -> {
                served.incrementAndGet();
                headersServed.addAndGet(headers.size());
              });
        }
      case NOT_FOUND:
        stream.setDeadline(options.writeDeadline());
        CompletableFuture<Void> notFoundWritten = stream.write(ExchangeWire.notFoundFrame());
        stream.close();
        return notFoundWritten.thenRun(
            () -> {
              served.incrementAndGet();
              notFound.incrementAndGet();
            });
      default:
        log.debug("resetting header request from {}: {}", stream.remotePeer(), reply.resetReason());
        reset(stream);
        return CompletableFuture.completedFuture(null);
    }
  }

  private void reset(Stream stream) {
    resets.incrementAndGet();
    stream.reset();
  }

  /**
   * Server counters.
   *
   * @param requestsAnswered requests answered with headers or NOT_FOUND
   * @param headersServed headers sent
   * @param notFound NOT_FOUND answers
   * @param resets streams reset (refused, failed or unanswerable requests)
   */
  public record Stats(long requestsAnswered, long headersServed, long notFound, long resets) {}
}
