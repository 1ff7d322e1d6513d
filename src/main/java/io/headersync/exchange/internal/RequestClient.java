package io.headersync.exchange.internal;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.HeaderSyncException;
import io.headersync.HeaderType;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.ExchangeProtocolException;
import io.headersync.exchange.PeerFailure;
import io.headersync.exchange.PeerRequestException;
import io.headersync.instrument.Histogram;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The exchange client's request/response streams: one stream per request, one framed request
 * written and half-closed, up to {@code amount} response frames read (each at most {@code
 * maxFrameSize} bytes), every header decoded, {@link Header#validate validated} and its chain id
 * compared (ignoring case, like go-header) when one is configured. Records go-header's response
 * size and time histograms, and the range request time of a session.
 *
 * <p>Every failure is a {@link PeerRequestException} saying how the peer failed (timeout, reset,
 * NOT_FOUND, invalid answer); the caller decides what it costs the peer. A request that does not
 * succeed resets its stream; one that succeeds closes it.
 *
 * <p>Threads: the futures complete on the host's user executor (stream events) or on the scheduler
 * (the timeout). Thread-safe.
 *
 * @param <H> the header type
 */
public final class RequestClient<H extends Header> {
  private final Host host;
  private final String protocolId;
  private final HeaderType<H> type;
  private final String chainId;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Duration requestTimeout;
  private final int maxFrameSize;
  private final Histogram responseSize =
      new Histogram(
          "hdr_p2p_exch_clnt_resp_size_hist",
          "exchange client header response size in bytes",
          "By",
          Histogram.BYTES,
          "failed");
  private final Histogram responseTime =
      new Histogram(
          "hdr_p2p_exch_clnt_resp_time_hist",
          "exchange client response time in seconds",
          "s",
          Histogram.SECONDS,
          "failed");
  private final Histogram rangeRequestTime =
      new Histogram(
          "hdr_sync_range_request_time_hist",
          "tracks the duration of GetRangeByHeight requests",
          "s",
          Histogram.SECONDS,
          "is_max_range_req_size");

  /**
   * @param host opens the streams; the caller's, never started or closed here
   * @param protocolId the exchange protocol id the streams are opened for
   * @param type decodes the headers of an answer
   * @param chainId the chain id every header must carry (ignoring case); empty checks nothing
   * @param clock validates headers and times requests
   * @param scheduler runs the per-request timeout of {@link #request}
   * @param requestTimeout how long {@link #request} waits for a whole answer
   * @param maxFrameSize the largest response frame accepted, in bytes
   */
  public RequestClient(
      Host host,
      String protocolId,
      HeaderType<H> type,
      String chainId,
      Clock clock,
      ScheduledExecutorService scheduler,
      Duration requestTimeout,
      int maxFrameSize) {
    this.host = Objects.requireNonNull(host, "host == null");
    this.protocolId = Objects.requireNonNull(protocolId, "protocolId == null");
    this.type = Objects.requireNonNull(type, "type == null");
    this.chainId = Objects.requireNonNull(chainId, "chainId == null");
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout == null");
    this.maxFrameSize = maxFrameSize;
  }

  /**
   * The response size and time histograms ({@code hdr_p2p_exch_clnt_resp_size_hist}, {@code
   * hdr_p2p_exch_clnt_resp_time_hist}) and the range request time ({@code
   * hdr_sync_range_request_time_hist}).
   *
   * @return the three histograms, in that order
   */
  public List<Histogram> histograms() {
    return List.of(responseSize, responseTime, rangeRequestTime);
  }

  /**
   * Sends one framed request to {@code peer} and reads up to {@code amount} headers, within {@code
   * requestTimeout}.
   *
   * @param peer the peer asked
   * @param requestFrame the framed request ({@link ExchangeWire})
   * @param amount the most headers read; more in the answer are ignored, as go-header does
   * @return the headers, at least one; fails with a {@link PeerRequestException} saying how
   */
  public CompletableFuture<List<H>> request(PeerId peer, byte[] requestFrame, long amount) {
    CompletableFuture<List<H>> result = requestUntimed(peer, requestFrame, amount);
    var timeout =
        scheduler.schedule(
            () ->
                result.completeExceptionally(
                    new PeerRequestException(
                        PeerFailure.TIMEOUT,
                        "no answer from " + peer + " within " + requestTimeout)),
            requestTimeout.toMillis(),
            TimeUnit.MILLISECONDS);
    result.whenComplete((v, err) -> timeout.cancel(false));
    return result;
  }

  /**
   * One range request of a session, timed as go-header's syncer times its range requests, without a
   * timer of its own: the session times it out by completing the returned future (which resets the
   * stream). One timer per request, not one here, one in the session and one per stream read and
   * write.
   *
   * @param peer the peer asked
   * @param start the first height
   * @param amount how many headers
   * @return the headers (possibly fewer than asked); fails with a {@link PeerRequestException}
   */
  public CompletableFuture<List<H>> rangeRequest(PeerId peer, long start, int amount) {
    Instant started = clock.instant();
    CompletableFuture<List<H>> f =
        requestUntimed(peer, ExchangeWire.rangeRequestFrame(start, amount), amount);
    f.whenComplete(
        (list, err) ->
            rangeRequestTime.record(
                seconds(started),
                Boolean.toString(amount == ExchangeProtocol.MAX_RANGE_REQUEST_SIZE)));
    return f;
  }

  /**
   * {@link #request} without a timer: whoever completes the returned future first wins, and a
   * request that did not succeed resets its stream.
   */
  private CompletableFuture<List<H>> requestUntimed(PeerId peer, byte[] requestFrame, long amount) {
    CompletableFuture<List<H>> result = new CompletableFuture<>();
    Instant started = clock.instant();
    AtomicLong bytes = new AtomicLong();
    result.whenComplete(
        (list, failure) -> {
          String failed = Boolean.toString(failure != null);
          responseSize.record(bytes.get(), failed);
          responseTime.record(seconds(started), failed);
        });
    host.newStream(peer, protocolId)
        .whenComplete(
            (stream, err) -> {
              if (err != null) {
                result.completeExceptionally(asPeerFailure(err, "opening a stream to " + peer));
                return;
              }
              // Timed out, cancelled or failed (by us or by the caller): reset. Runs at once if
              // already done.
              result.whenComplete(
                  (list, failure) -> {
                    if (failure != null) {
                      stream.reset();
                    }
                  });
              if (result.isDone()) {
                return;
              }
              // Write, half-close and start reading at once: each future completes on another
              // thread, and
              // waiting for one before the next would add a thread hand-off per step to every
              // request.
              CompletableFuture<Void> sent = stream.write(requestFrame);
              CompletableFuture<Void> halfClosed = stream.closeWrite();
              readResponses(stream, amount, new ArrayList<>(), new FrameReader(maxFrameSize), bytes)
                  .thenCombine(sent.thenCombine(halfClosed, (a, b) -> null), (list, v) -> list)
                  .whenComplete(
                      (list, readErr) -> {
                        if (readErr != null) {
                          result.completeExceptionally(
                              asPeerFailure(readErr, "request to " + peer));
                        } else if (result.complete(list)) {
                          stream.close();
                        }
                      });
            });
    return result;
  }

  /**
   * Reads up to {@code amount} response frames. Reads raw chunks and cuts frames locally, so a
   * 64-header answer costs a few reads, not 64 (each read completes on another thread).
   */
  private CompletableFuture<List<H>> readResponses(
      Stream stream, long amount, List<H> acc, FrameReader frames, AtomicLong bytes) {
    return stream
        .read()
        .thenCompose(
            chunk -> {
              if (chunk.isEmpty()) {
                if (frames.hasPartialFrame()) {
                  throw new PeerRequestException(
                      PeerFailure.INVALID, "stream ended inside a response frame");
                }
                if (acc.isEmpty()) {
                  throw new PeerRequestException(PeerFailure.NOT_FOUND, "empty answer");
                }
                return CompletableFuture.completedFuture(acc);
              }
              bytes.addAndGet(chunk.get().length);
              try {
                frames.push(
                    chunk.get(),
                    (buf, off, len) -> {
                      if (acc.size()
                          < amount) { // a server that sends more than asked: ignore the rest, as
                        // go-header does
                        acc.add(decodeResponse(buf, off, len));
                      }
                    });
              } catch (ExchangeProtocolException e) {
                throw new PeerRequestException(PeerFailure.INVALID, e.getMessage(), e);
              }
              if (acc.size() >= amount) {
                return CompletableFuture.completedFuture(acc);
              }
              return readResponses(stream, amount, acc, frames, bytes);
            });
  }

  private H decodeResponse(byte[] buf, int off, int len) {
    HeaderResponse response;
    try {
      response = ExchangeWire.parseResponse(buf, off, len);
    } catch (ExchangeProtocolException e) {
      throw new PeerRequestException(PeerFailure.INVALID, e.getMessage(), e);
    }
    if (response.statusCode() == HeaderResponse.NOT_FOUND) {
      throw new PeerRequestException(PeerFailure.NOT_FOUND, "peer answered NOT_FOUND");
    }
    if (response.statusCode() != HeaderResponse.OK) {
      throw new PeerRequestException(
          PeerFailure.INVALID, "unknown status code " + response.statusCode());
    }
    return decode(response.body());
  }

  private H decode(byte[] body) {
    H h;
    try {
      h = type.decode(body);
      h.validate(clock);
    } catch (HeaderSyncException e) {
      throw new PeerRequestException(
          PeerFailure.INVALID, "invalid header in answer: " + e.getMessage(), e);
    }
    if (!chainId.isEmpty() && !chainId.equalsIgnoreCase(h.chainId())) {
      throw new PeerRequestException(
          PeerFailure.INVALID,
          "header "
              + h.height()
              + " has chain id '"
              + h.chainId()
              + "', expected '"
              + chainId
              + "'");
    }
    return h;
  }

  private double seconds(Instant since) {
    return Duration.between(since, clock.instant()).toNanos() / 1e9;
  }

  private static PeerRequestException asPeerFailure(Throwable err, String what) {
    Throwable cause = unwrap(err);
    if (cause instanceof PeerRequestException) {
      return (PeerRequestException) cause;
    }
    if (cause instanceof StreamException) {
      StreamException se = (StreamException) cause;
      PeerFailure kind;
      switch (se.reason()) {
        case TIMEOUT:
          kind = PeerFailure.TIMEOUT;
          break;
        case TOO_LARGE:
          kind = PeerFailure.INVALID;
          break;
        default:
          kind = PeerFailure.RESET;
          break;
      }
      return new PeerRequestException(kind, what + ": " + se.getMessage(), se);
    }
    return new PeerRequestException(PeerFailure.RESET, what + ": " + cause, cause);
  }
}
