package io.headersync.exchange.internal;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Header;
import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.ExchangeException;
import io.headersync.exchange.ExchangeOptions;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.PeerFailure;
import io.headersync.exchange.PeerRequestException;
import io.headersync.internal.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Fetches the headers {@code (from.height(), to)} from many peers at once and hands them to a sink
 * in height order, each batch verified and linked to the one before.
 *
 * <p>Why one class of about 840 lines: it is one state machine under one lock. The chunks pending,
 * in flight and ready, the peers excluded, the record of who served which heights, the next height
 * to schedule and to deliver, and the retry and pacing timers change together in every transition
 * (schedule, answer, retry, deliver, blame, finish), and each transition's invariants (a retried
 * chunk stays inside the window; nothing is requested, delivered or re-armed after the result
 * completed; every timer and request is cancelled by {@link #cancel()}) span several of them. Split
 * up, that lock and those invariants would cross class boundaries. The parts with a state of their
 * own are already apart: the adaptive windows ({@link InFlightWindows}) and peer scores ({@link
 * PeerTracker}); about 130 of its lines are {@link Config} and four small holder classes.
 *
 * <p>How it works: the range is cut into chunks of at most {@link Config#chunkSize} headers. Chunks
 * are requested from every usable peer (best score first), each peer with as many requests in
 * flight as its adaptive window allows ({@link InFlightWindows}: it starts at {@code perPeerDepth}
 * and follows the peer's measured bandwidth-delay product, within {@code [minPerPeerDepth,
 * maxPerPeerDepth]}), so a single peer is pipelined deep enough for its round trip, several peers
 * work in parallel, and a slow peer gets fewer requests than a fast one — go-header asks one peer
 * for one 64-header batch at a time. Every answer is checked: heights must start at the chunk and
 * be contiguous, then {@link Verification#verifyRange} against {@code from} (go-header's rule). A
 * partial answer is kept and the rest of the chunk is requested again. Verified chunks wait in a
 * bounded buffer until every lower height has been delivered; before delivery the chunk's first
 * header is verified against the last delivered header (adjacent, so a hash-linked header type
 * proves the whole chain; go-header's sessions only check later chunks non-adjacently). Only chunks
 * below {@code nextToDeliver + window * chunkSize} are requested, where the window is twice the
 * usable peers' windows summed, within {@code [minBufferedChunks, maxBufferedChunks]}: this bounds
 * the headers buffered to {@code maxBufferedChunks * chunkSize}; a retried chunk is always inside
 * the window, so a failed chunk never waits behind a buffer full of later ones.
 *
 * <p>Failures: a timeout, reset or NOT_FOUND lowers the peer's score and the chunk is retried after
 * a short backoff, preferably on another peer; an invalid answer or a hard verification failure
 * blocks the peer; a soft verification failure excludes the peer from this session without blocking
 * it. A chunk that fails {@link Config#maxAttemptsPerChunk} times, or a range no usable peer is
 * left for, fails the session with an {@link ExchangeException} that names the heights and the last
 * error.
 *
 * <p>Checks in the sink: the session remembers which peer served each delivered header. When the
 * sink fails with the bad-header signal, a hard {@link VerifyException} that names a height ({@link
 * VerifyException#height()}), the peer that served that height is blocked as if its answer had been
 * invalid; any other sink failure blames no one. Either way the sink failure ends the session.
 *
 * <p>Threads: results are handled on whatever thread completes the fetcher's futures; the sink is
 * called by one thread at a time, never concurrently, and is not called again until the stage it
 * returned completes. Retries and timeouts run on the given scheduler.
 *
 * @param <H> the header type
 * @param <P> the peer identity type
 */
public final class RangeSession<H extends Header, P> {
  /** Sends one range request to one peer. */
  public interface Fetcher<H, P> {
    /**
     * Requests {@code amount} headers from height {@code from}. The future completes with the
     * decoded headers that passed {@code validate()} and the chain-id check (possibly fewer than
     * asked, starting at {@code from}), or exceptionally with a {@link PeerRequestException}. The
     * session may complete the future itself (timeout, session end); the fetcher should then
     * abandon the request.
     */
    CompletableFuture<List<H>> fetch(P peer, long from, int amount);
  }

  /** Receives verified, contiguous batches in height order. */
  public interface Sink<H> {
    /**
     * Takes a batch; the session waits for the returned stage before handing over the next batch. A
     * stage that fails ends the session; when it fails with a hard {@link VerifyException} naming
     * the height of a header this session delivered (in this batch or an earlier one), the peer
     * that served that header is blocked.
     */
    CompletionStage<Void> accept(List<H> batch);
  }

  /**
   * How many runs of delivered heights (consecutive batches from one peer) are remembered for
   * blame; older ones are forgotten, so a long session keeps a bounded record. A sink reports a bad
   * header at most a few batches after it was handed over (the syncer keeps {@code
   * maxAppendsInFlight} batches unfinished).
   */
  static final int MAX_SERVED_RUNS = 1024;

  /**
   * Limits of a session. The defaults are {@link ExchangeOptions#defaults()}'s ({@link #of}); the
   * public options are the one place they are written.
   */
  public static final class Config {
    /** A chunk's retries: 50 ms doubling to 2 s. */
    public static final Backoff DEFAULT_RETRY_BACKOFF =
        Backoff.exponential(Duration.ofMillis(50), Duration.ofSeconds(2));

    private static final Config DEFAULTS = of(ExchangeOptions.defaults(), DEFAULT_RETRY_BACKOFF);

    /**
     * Defaults: {@link ExchangeOptions#defaults()} and {@link #DEFAULT_RETRY_BACKOFF}.
     *
     * @return the limits with every default
     */
    public static Config defaults() {
      return DEFAULTS;
    }

    /**
     * The limits an exchange's options set: chunk size, the adaptive per-peer window ({@code
     * minPerPeerDepth}, {@code perPeerDepth} to start, {@code maxPerPeerDepth}), the range window
     * ({@code minBufferedChunks} to {@code maxBufferedChunks}), timeout and attempts.
     */
    public static Config of(ExchangeOptions options, Backoff retryBackoff) {
      return new Config(
          new InFlightWindows.Limits(
              options.chunkSize(),
              options.minPerPeerDepth(),
              options.perPeerDepth(),
              options.maxPerPeerDepth(),
              options.minBufferedChunks(),
              options.maxBufferedChunks()),
          options.requestTimeout(),
          options.maxAttemptsPerChunk(),
          retryBackoff);
    }

    final int chunkSize;
    final InFlightWindows.Limits windows;
    final Duration requestTimeout;
    final int maxAttemptsPerChunk;
    final Backoff retryBackoff;

    /**
     * Fixed limits: {@code perPeerDepth} requests in flight per peer and a window of {@code
     * maxBufferedChunks} chunks, neither adapting.
     *
     * @param chunkSize headers per request, 1..64
     * @param perPeerDepth requests in flight per peer, at least 1
     * @param maxBufferedChunks the window: only heights below the next undelivered height plus this
     *     many chunks are requested; at least 1
     * @param requestTimeout how long one request may take
     * @param maxAttemptsPerChunk attempts before the session fails, at least 1
     * @param retryBackoff the delay before retry n of a chunk is {@code retryBackoff.delay(n)}
     */
    public Config(
        int chunkSize,
        int perPeerDepth,
        int maxBufferedChunks,
        Duration requestTimeout,
        int maxAttemptsPerChunk,
        Backoff retryBackoff) {
      this(
          checkedLimits(chunkSize, perPeerDepth, maxBufferedChunks),
          requestTimeout,
          maxAttemptsPerChunk,
          retryBackoff);
    }

    private Config(
        InFlightWindows.Limits windows,
        Duration requestTimeout,
        int maxAttemptsPerChunk,
        Backoff retryBackoff) {
      if (windows.chunkSize() > ExchangeProtocol.MAX_RANGE_REQUEST_SIZE) {
        throw new IllegalArgumentException(
            "chunkSize must be in 1.."
                + ExchangeProtocol.MAX_RANGE_REQUEST_SIZE
                + ": "
                + windows.chunkSize());
      }
      if (maxAttemptsPerChunk < 1) {
        throw new IllegalArgumentException("maxAttemptsPerChunk must be positive");
      }
      this.chunkSize = windows.chunkSize();
      this.windows = windows;
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout == null");
      this.maxAttemptsPerChunk = maxAttemptsPerChunk;
      this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff == null");
    }

    private static InFlightWindows.Limits checkedLimits(
        int chunkSize, int perPeerDepth, int maxBufferedChunks) {
      if (chunkSize < 1 || chunkSize > ExchangeProtocol.MAX_RANGE_REQUEST_SIZE) {
        throw new IllegalArgumentException(
            "chunkSize must be in 1.."
                + ExchangeProtocol.MAX_RANGE_REQUEST_SIZE
                + ": "
                + chunkSize);
      }
      if (perPeerDepth < 1 || maxBufferedChunks < 1) {
        throw new IllegalArgumentException(
            "perPeerDepth, maxBufferedChunks and maxAttemptsPerChunk must be positive");
      }
      return InFlightWindows.Limits.fixed(chunkSize, perPeerDepth, maxBufferedChunks);
    }
  }

  private final H from;
  private final long to;
  private final Verification<H> verification;
  private final PeerTracker<P> tracker;
  private final Fetcher<H, P> fetcher;
  private final Sink<H> sink;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Config config;
  private volatile @Nullable Function<? super H, @Nullable String> boundaryCheck;
  private final CompletableFuture<Void> result = new CompletableFuture<>();
  private final AtomicInteger wip = new AtomicInteger();

  // All below guarded by "this".
  private final PriorityQueue<Chunk> pending =
      new PriorityQueue<>(Comparator.comparingLong((Chunk c) -> c.start));
  private final TreeMap<Long, Ready<H, P>> ready = new TreeMap<>();
  private final Map<Chunk, CompletableFuture<List<H>>> inFlight = new HashMap<>();
  private final InFlightWindows<P> windows;
  private final Set<P> excluded = new HashSet<>();
  private final Set<ScheduledFuture<?>> retryTimers = new HashSet<>();
  private @Nullable ScheduledFuture<?> pacingTimer;
  private long pacingTimerDue;

  /** Who served the delivered heights: runs keyed by their first height. */
  private final TreeMap<Long, Served<P>> served = new TreeMap<>();

  private long nextUnscheduled;
  private long nextToDeliver;
  private H lastDelivered;
  private boolean delivering;
  private int retriesWaiting;
  private boolean started;

  /**
   * @param from the trusted header the range follows
   * @param to the first height not fetched; the session fetches {@code [from.height() + 1, to)}
   */
  public RangeSession(
      H from,
      long to,
      Verification<H> verification,
      PeerTracker<P> tracker,
      Fetcher<H, P> fetcher,
      Sink<H> sink,
      ScheduledExecutorService scheduler,
      Clock clock,
      Config config) {
    this.from = Objects.requireNonNull(from, "from == null");
    this.verification = Objects.requireNonNull(verification, "verification == null");
    this.tracker = Objects.requireNonNull(tracker, "tracker == null");
    this.fetcher = Objects.requireNonNull(fetcher, "fetcher == null");
    this.sink = Objects.requireNonNull(sink, "sink == null");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.config = Objects.requireNonNull(config, "config == null");
    this.windows = new InFlightWindows<>(config.windows, clock);
    if (to <= from.height() + 1) {
      throw new IllegalArgumentException(
          "empty range: from height " + from.height() + ", to " + to);
    }
    this.to = to;
    this.nextUnscheduled = from.height() + 1;
    this.nextToDeliver = from.height() + 1;
    this.lastDelivered = from;
  }

  /** Starts fetching; the future completes when every header was delivered, or with the failure. */
  public CompletableFuture<Void> start() {
    synchronized (this) {
      if (started) {
        throw new IllegalStateException("session already started");
      }
      started = true;
    }
    drive();
    return result;
  }

  /**
   * A check of one header on its own (e.g. its proposer's signature), returning why it is wrong or
   * null. When a chunk does not link to a chunk another peer served below it, the chunk's first
   * header is checked: a header that fails is provably wrong, and its peer is blocked instead of
   * only excluded. Set before {@link #start()}.
   */
  public void boundaryCheck(Function<? super H, @Nullable String> check) {
    this.boundaryCheck = Objects.requireNonNull(check, "check == null");
  }

  /** Stops the session; its future completes with a {@link CancellationException}. */
  public void cancel() {
    finish(new CancellationException("range session cancelled"));
  }

  /** The session's outcome. */
  public CompletableFuture<Void> result() {
    return result;
  }

  /** Runs {@link #step()} until no callback asked for another round; never recurses. */
  private void drive() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    do {
      try {
        step();
      } catch (RuntimeException e) {
        finish(e);
      }
    } while (wip.decrementAndGet() != 0);
  }

  private void step() {
    if (result.isDone()) {
      return;
    }
    deliverNext();
    List<Request> toSend = schedule();
    for (Request r : toSend) {
      send(r);
    }
  }

  private List<Request> schedule() {
    List<Request> out = new ArrayList<>();
    List<P> peers = tracker.usablePeers();
    synchronized (this) {
      // Heights at or above windowEnd wait until lower ones are delivered; this bounds buffered
      // chunks. A retried chunk is always below it, so the chunk that blocks delivery is never
      // stuck
      // behind a full buffer.
      List<P> candidates = new ArrayList<>(peers.size());
      for (P p : peers) {
        if (!excluded.contains(p)) {
          candidates.add(p);
        }
      }
      long windowEnd = nextToDeliver + (long) windows.sessionWindow(candidates) * config.chunkSize;
      boolean noPeer = false;
      while (!result.isDone()) {
        Chunk c = pending.peek();
        if (c == null) {
          if (nextUnscheduled >= to || nextUnscheduled >= windowEnd) {
            break;
          }
          int amount = (int) Math.min(config.chunkSize, to - nextUnscheduled);
          c = new Chunk(nextUnscheduled, amount);
          nextUnscheduled += amount;
          pending.add(c);
        }
        if (c.start >= windowEnd) {
          break;
        }
        P peer = pickPeer(candidates, c);
        if (peer == null) {
          noPeer = true;
          armPacingTimer(candidates);
          break;
        }
        pending.poll();
        c.attempts++;
        CompletableFuture<List<H>> placeholder = new CompletableFuture<>();
        inFlight.put(c, placeholder);
        out.add(new Request(c, peer, windows.onSend(peer)));
      }
      if (noPeer && out.isEmpty() && inFlight.isEmpty() && retriesWaiting == 0 && !delivering) {
        Chunk c = pending.peek();
        String heights = c == null ? "[" + nextUnscheduled + ", " + to + ")" : c.range();
        String last = c == null || c.lastError == null ? "" : "; last error: " + c.lastError;
        throw new ExchangeException(
            "no usable peer to request headers "
                + heights
                + " from ("
                + peers.size()
                + " tracked, "
                + excluded.size()
                + " excluded)"
                + last);
      }
    }
    return out;
  }

  /**
   * When a peer's window has room but pacing holds its next request back, a timer runs the session
   * again once the earliest such peer may send (one timer at a time, the earliest wins). Lock held.
   */
  private void armPacingTimer(List<P> candidates) {
    long wait = Long.MAX_VALUE;
    for (P p : candidates) {
      long d = windows.pacingDelayNanos(p);
      if (d >= 0) {
        wait = Math.min(wait, d);
      }
    }
    if (wait == Long.MAX_VALUE) {
      return;
    }
    Instant now = clock.instant();
    long due = now.getEpochSecond() * 1_000_000_000L + now.getNano() + wait;
    if (pacingTimer != null && !pacingTimer.isDone() && pacingTimerDue - due <= 0) {
      return;
    }
    if (pacingTimer != null) {
      pacingTimer.cancel(false);
    }
    pacingTimerDue = due;
    pacingTimer = null;
    ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
    self[0] =
        scheduler.schedule(
            () -> {
              synchronized (this) {
                if (pacingTimer == self[0]) {
                  pacingTimer = null; // fired: the run below may arm the next one
                }
              }
              drive();
            },
            wait,
            TimeUnit.NANOSECONDS);
    if (!self[0].isDone()) {
      pacingTimer = self[0];
    }
  }

  /**
   * The first peer (best score first) with room in its window, preferably one the chunk did not
   * fail on.
   */
  private P pickPeer(List<P> peers, Chunk c) {
    P fallback = null;
    for (P p : peers) {
      if (!windows.hasRoom(p)) {
        continue;
      }
      if (!c.avoid.contains(p)) {
        return p;
      }
      if (fallback == null) {
        fallback = p;
      }
    }
    return fallback;
  }

  private void send(Request r) {
    Chunk c = r.chunk;
    Instant startedAt = clock.instant();
    CompletableFuture<List<H>> f;
    try {
      f = Objects.requireNonNull(fetcher.fetch(r.peer, c.start, c.amount), "fetcher returned null");
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<List<H>> request = f;
    synchronized (this) {
      if (result.isDone()) {
        windows.onAbandon(r.ticket);
        request.cancel(false);
        return;
      }
      inFlight.put(c, request);
    }
    ScheduledFuture<?> timeout =
        scheduler.schedule(
            () ->
                request.completeExceptionally(
                    new PeerRequestException(
                        PeerFailure.TIMEOUT,
                        "no answer for headers " + c.range() + " within " + config.requestTimeout)),
            config.requestTimeout.toNanos(),
            TimeUnit.NANOSECONDS);
    request.whenComplete(
        (headers, err) -> {
          timeout.cancel(false);
          try {
            onAnswer(r, startedAt, headers, err);
          } catch (RuntimeException e) {
            finish(e);
            return;
          }
          drive();
        });
  }

  private void onAnswer(Request r, Instant startedAt, List<H> headers, Throwable err) {
    Chunk c = r.chunk;
    synchronized (this) {
      inFlight.remove(c);
      if (result.isDone()) {
        windows.onAbandon(r.ticket);
        return;
      }
      if (err != null) {
        Throwable cause = unwrap(err);
        windows.onFailure(
            r.ticket,
            cause instanceof PeerRequestException
                ? ((PeerRequestException) cause).failure()
                : PeerFailure.RESET);
      } else if (headers != null && !headers.isEmpty()) {
        // Timed before verification: the window measures the peer and the path, not our checks.
        windows.onSuccess(r.ticket, headers.size());
      } else {
        windows.onFailure(r.ticket, PeerFailure.NOT_FOUND);
      }
    }
    if (err != null) {
      Throwable cause = unwrap(err);
      PeerFailure kind =
          cause instanceof PeerRequestException
              ? ((PeerRequestException) cause).failure()
              : PeerFailure.RESET;
      failChunk(c, r.peer, kind, String.valueOf(cause.getMessage()));
      return;
    }
    String shape = checkShape(headers, c);
    if (shape != null) {
      failChunk(c, r.peer, headers.isEmpty() ? PeerFailure.NOT_FOUND : PeerFailure.INVALID, shape);
      return;
    }
    Verification.RangeResult<H> verified = verification.verifyRange(from, headers);
    if (!verified.isComplete()) {
      VerifyException e = verified.error().orElseThrow();
      failChunk(
          c,
          r.peer,
          e.isSoft() ? PeerFailure.SOFT_VERIFICATION : PeerFailure.INVALID,
          "headers " + c.range() + ": " + e.getMessage());
      return;
    }
    tracker.onSuccess(r.peer, headers.size(), Duration.between(startedAt, clock.instant()));
    synchronized (this) {
      int n = headers.size();
      if (n < c.amount) {
        pending.add(new Chunk(c.start + n, c.amount - n));
      }
      ready.put(c.start, new Ready<>(List.copyOf(headers), r.peer));
    }
  }

  private String checkShape(List<H> headers, Chunk c) {
    if (headers == null || headers.isEmpty()) {
      return "empty answer for headers " + c.range();
    }
    if (headers.size() > c.amount) {
      return "answer for headers " + c.range() + " has " + headers.size() + " headers";
    }
    for (int i = 0; i < headers.size(); i++) {
      long expected = c.start + i;
      if (headers.get(i).height() != expected) {
        return "answer for headers "
            + c.range()
            + " has height "
            + headers.get(i).height()
            + " at position "
            + i
            + ", expected "
            + expected;
      }
    }
    return null;
  }

  private void failChunk(Chunk c, P peer, PeerFailure kind, String message) {
    tracker.onFailure(peer, kind, message);
    long delayNanos;
    synchronized (this) {
      if (kind == PeerFailure.INVALID || kind == PeerFailure.SOFT_VERIFICATION) {
        excluded.add(peer);
      }
      c.avoid.add(peer);
      c.lastError = kind + ": " + message;
      if (c.attempts >= config.maxAttemptsPerChunk) {
        throw new ExchangeException(
            "headers "
                + c.range()
                + " failed "
                + c.attempts
                + " attempts; last error: "
                + c.lastError);
      }
      retriesWaiting++;
      delayNanos = config.retryBackoff.delay(c.attempts).toNanos();
    }
    ScheduledFuture<?>[] holder = new ScheduledFuture<?>[1];
    Runnable retry =
        () -> {
          synchronized (this) {
            retriesWaiting--;
            retryTimers.remove(holder[0]);
            pending.add(c);
          }
          drive();
        };
    synchronized (this) {
      holder[0] = scheduler.schedule(retry, delayNanos, TimeUnit.NANOSECONDS);
      if (!holder[0].isDone()) {
        retryTimers.add(holder[0]);
      }
    }
  }

  private void deliverNext() {
    List<H> batch;
    Ready<H, P> broken = null;
    boolean brokenBySamePeer = true;
    synchronized (this) {
      if (delivering || result.isDone()) {
        return;
      }
      if (nextToDeliver >= to) {
        result.complete(null);
        return;
      }
      Map.Entry<Long, Ready<H, P>> first = ready.firstEntry();
      if (first == null || first.getKey() != nextToDeliver) {
        return;
      }
      ready.pollFirstEntry();
      Ready<H, P> r = first.getValue();
      try {
        verification.verify(lastDelivered, r.headers.get(0));
        batch = r.headers;
        delivering = true;
        recordServed(nextToDeliver, r.headers.size(), r.peer);
      } catch (VerifyException e) {
        broken = r;
        batch = null;
        pending.add(new Chunk(nextToDeliver, r.headers.size()));
        excluded.add(r.peer);
        // Which side is wrong cannot be told when another peer served the header below: a forged
        // chain that links in itself (block data with other transactions) breaks the link of the
        // honest chunk above it. The sink's check blames the forger; this peer is only excluded.
        Map.Entry<Long, Served<P>> below = served.floorEntry(nextToDeliver - 1);
        brokenBySamePeer =
            below == null
                || nextToDeliver - 1 >= below.getValue().end
                || below.getValue().peer.equals(r.peer);
      }
    }
    if (broken != null) {
      H firstOfBroken = broken.headers.get(0);
      Function<? super H, @Nullable String> check = boundaryCheck;
      String wrong = brokenBySamePeer || check == null ? null : check.apply(firstOfBroken);
      if (wrong != null) {
        tracker.onFailure(
            broken.peer,
            PeerFailure.INVALID,
            "served header "
                + firstOfBroken.height()
                + ", which does not link to the header below and failed a check: "
                + wrong);
      } else {
        tracker.onFailure(
            broken.peer,
            brokenBySamePeer ? PeerFailure.INVALID : PeerFailure.SOFT_VERIFICATION,
            "headers from " + firstOfBroken.height() + " do not link to the header before them");
      }
      drive();
      return;
    }
    CompletionStage<Void> stage;
    try {
      stage = Objects.requireNonNull(sink.accept(batch), "sink returned null");
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    List<H> delivered = batch;
    stage.whenComplete(
        (v, err) -> {
          if (err != null) {
            Throwable cause = unwrap(err);
            finish(
                new ExchangeException(
                    "sink failed for headers from "
                        + delivered.get(0).height()
                        + ": "
                        + cause.getMessage()
                        + blame(cause),
                    cause));
            return;
          }
          synchronized (this) {
            delivering = false;
            lastDelivered = delivered.get(delivered.size() - 1);
            nextToDeliver = lastDelivered.height() + 1;
            if (nextToDeliver >= to) {
              result.complete(null);
            }
          }
          if (result.isDone()) {
            finish(null);
          }
          drive();
        });
  }

  /** Remembers that {@code peer} served {@code count} headers from {@code start}. Lock held. */
  private void recordServed(long start, int count, P peer) {
    Map.Entry<Long, Served<P>> last = served.lastEntry();
    if (last != null && last.getValue().end == start && last.getValue().peer.equals(peer)) {
      last.getValue().end = start + count;
      return;
    }
    served.put(start, new Served<>(start + count, peer));
    if (served.size() > MAX_SERVED_RUNS) {
      served.pollFirstEntry();
    }
  }

  /**
   * When a sink failure (unwrapped) is the bad-header signal, a hard {@link VerifyException} with a
   * height, blocks the peer that served that header, as an invalid answer is treated. Returns what
   * to add to the session's failure message: who was blamed, or nothing.
   */
  private String blame(Throwable cause) {
    if (!(cause instanceof VerifyException)) {
      return "";
    }
    VerifyException bad = (VerifyException) cause;
    if (bad.isSoft() || bad.height().isEmpty()) {
      return "";
    }
    long height = bad.height().getAsLong();
    P peer;
    synchronized (this) {
      Map.Entry<Long, Served<P>> run = served.floorEntry(height);
      peer = run == null || height >= run.getValue().end ? null : run.getValue().peer;
    }
    if (peer == null) {
      return "";
    }
    tracker.onFailure(
        peer,
        PeerFailure.INVALID,
        "served header " + height + ", which failed a check: " + bad.getMessage());
    return "; header " + height + " was served by " + peer;
  }

  private void finish(Throwable failure) {
    List<CompletableFuture<List<H>>> toCancel;
    List<ScheduledFuture<?>> timers;
    synchronized (this) {
      toCancel = new ArrayList<>(inFlight.values());
      timers = new ArrayList<>(retryTimers);
      if (pacingTimer != null) {
        timers.add(pacingTimer);
        pacingTimer = null;
      }
      inFlight.clear();
      retryTimers.clear();
      ready.clear();
      pending.clear();
      served.clear();
    }
    if (failure != null) {
      result.completeExceptionally(failure);
    }
    toCancel.forEach(f -> f.cancel(false));
    timers.forEach(t -> t.cancel(false));
  }

  private static final class Chunk {
    final long start;
    final int amount;
    final Set<Object> avoid = new HashSet<>();
    int attempts;
    String lastError;

    Chunk(long start, int amount) {
      this.start = start;
      this.amount = amount;
    }

    String range() {
      return "[" + start + ", " + (start + amount) + ")";
    }
  }

  private final class Request {
    final Chunk chunk;
    final P peer;
    final InFlightWindows<P>.Ticket ticket;

    Request(Chunk chunk, P peer, InFlightWindows<P>.Ticket ticket) {
      this.chunk = chunk;
      this.peer = peer;
      this.ticket = ticket;
    }
  }

  private static final class Served<P> {
    long end;
    final P peer;

    Served(long end, P peer) {
      this.end = end;
      this.peer = peer;
    }
  }

  private static final class Ready<H, P> {
    final List<H> headers;
    final P peer;

    Ready(List<H> headers, P peer) {
      this.headers = headers;
      this.peer = peer;
    }
  }
}
