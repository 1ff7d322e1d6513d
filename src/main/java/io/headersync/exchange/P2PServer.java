package io.headersync.exchange;

import io.headersync.Header;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.exchange.internal.HeaderRequest;
import io.headersync.exchange.internal.RequestLimiter;
import io.headersync.exchange.internal.ServerRequests;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.Stream;
import io.headersync.instrument.Histogram;
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
 * a stream reset, exactly as go-header v0.8.6's {@code ExchangeServer} (see
 * {@code ServerRequests} for the decisions and {@code docs/protocol.md}).
 *
 * <p>Beyond go-header: every request passes a per-peer token bucket, a per-peer concurrency limit and
 * a global one ({@link ServerOptions}); a refused request is reset, as go-header resets on any error.
 * Store reads run on the given executor, never on a network thread.
 *
 * <p>Threads: {@link #start()} and {@link #close()} from any thread. Requests are read on the host's
 * user executor and answered from {@code storeExecutor}.
 *
 * @param <H> the header type
 */
public final class P2PServer<H extends Header> implements AutoCloseable {
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
  private final Histogram headServeTime = new Histogram("hdr_p2p_exch_srvr_head_serve_time_hist",
      "exchange server head serve time in seconds", "s", Histogram.SECONDS, "failed_request");
  private final Histogram rangeServeTime = new Histogram("hdr_p2p_exch_srvr_range_serve_time_hist",
      "exchange server range serve time in seconds", "s", Histogram.SECONDS, "num_headers_served", "failed_request");
  private final Histogram getServeTime = new Histogram("hdr_p2p_exch_srvr_get_serve_time_hist",
      "exchange server get serve time in seconds", "s", Histogram.SECONDS, "failed_request");
  private volatile boolean started;

  /**
   * @param protocolId {@link ExchangeProtocol#protocolId(String)} of the network
   * @param storeExecutor runs store reads; e.g. a small fixed pool
   */
  public P2PServer(Host host, Store<H> store, String protocolId, ServerOptions options, Executor storeExecutor,
      Clock clock) {
    this.host = Objects.requireNonNull(host, "host == null");
    this.store = Objects.requireNonNull(store, "store == null");
    this.protocolId = Objects.requireNonNull(protocolId, "protocolId == null");
    this.options = Objects.requireNonNull(options, "options == null");
    this.storeExecutor = Objects.requireNonNull(storeExecutor, "storeExecutor == null");
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.limiter = new RequestLimiter<>(clock, options.ratePerPeer(),
        options.burstPerPeer(), options.maxConcurrentPerPeer(), options.maxConcurrent(), options.maxReading(),
        options.maxTrackedPeers());
  }

  /** Starts serving: registers the stream handler on the host. Idempotent. */
  public synchronized void start() {
    if (!started) {
      host.setStreamHandler(protocolId, this::handle);
      started = true;
    }
  }

  /** Stops serving new requests (requests being answered finish). Idempotent. */
  @Override
  public synchronized void close() {
    if (started) {
      host.removeStreamHandler(protocolId);
      started = false;
    }
  }

  /** The protocol id served. */
  public String protocolId() {
    return protocolId;
  }

  /** Counters: requests answered, headers sent, NOT_FOUND answers, resets. */
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
    stream.readMessage(options.maxRequestSize())
        .thenApply(message -> {
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
        .orTimeout(options.readDeadline().plus(options.requestTimeout()).toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(reply -> send(stream, reply, serving))
        .whenComplete((v, err) -> {
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
      rangeServeTime.record(seconds, Long.toUnsignedString(Long.divideUnsigned(amount, 100)), failed);
    }
  }

  /**
   * The server's serve-time histograms, go-header's: {@code hdr_p2p_exch_srvr_head_serve_time_hist},
   * {@code hdr_p2p_exch_srvr_range_serve_time_hist} (with {@code num_headers_served}, divided by 100
   * as go-header does) and {@code hdr_p2p_exch_srvr_get_serve_time_hist}, each with {@code
   * failed_request}.
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

  private CompletableFuture<Void> send(Stream stream, ServerRequests.Reply<H> reply, Serving serving) {
    switch (reply.kind()) {
      case HEADERS: {
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
        return written.thenRun(() -> {
          served.incrementAndGet();
          headersServed.addAndGet(headers.size());
        });
      }
      case NOT_FOUND:
        stream.setDeadline(options.writeDeadline());
        CompletableFuture<Void> notFoundWritten = stream.write(ExchangeWire.notFoundFrame());
        stream.close();
        return notFoundWritten.thenRun(() -> {
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

  /** Server counters. */
  public record Stats(long requestsAnswered, long headersServed, long notFound, long resets) {}
}
