package io.headersync.exchange;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderSyncException;
import io.headersync.HeaderType;
import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.exchange.internal.FrameReader;
import io.headersync.exchange.internal.HeaderResponse;
import io.headersync.exchange.internal.PeerTracker;
import io.headersync.exchange.internal.RangeSession;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.instrument.Histogram;
import io.headersync.lifecycle.AbstractService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The header exchange client: asks peers for headers over {@code /<networkId>/header-ex/v0.0.3}, as
 * go-header v0.8.6's {@code Exchange} does, with pipelined multi-peer range sessions.
 *
 * <ul>
 *   <li>{@link #head()} asks every trusted peer and returns the header a quorum agrees on
 *       ({@code ceil(2n/3)}, all of them when there are one or two), else the highest.
 *   <li>{@link #head(Header)} asks up to four tracked peers (best score first; trusted peers when none
 *       are tracked) and verifies every answer against the trusted head: hard failures are dropped,
 *       a soft failure comes back with the header ({@link HeadResult}).
 *   <li>{@link #get(Hash)} and {@link #getByHeight(long)} ask every trusted peer in parallel (tracked
 *       peers when there are no trusted ones) and take the first valid answer.
 *   <li>{@link #getRange} / {@link #streamRange} run a range session: 64-header chunks from every
 *       tracked peer, each peer with an adaptive number of requests in flight (from {@code
 *       perPeerDepth}, following its measured bandwidth-delay product up to {@code maxPerPeerDepth}),
 *       verified and delivered in order (see {@code RangeSession} and {@link ExchangeOptions}).
 * </ul>
 *
 * Every answer is decoded, {@link Header#validate validated} and its chain id compared (ignoring
 * case, like go-header) when a chain id is configured. A peer that sends something undecodable or
 * invalid, or headers that fail verification hard, is blocked through the {@link ConnectionGater};
 * timeouts, resets and NOT_FOUND only lower its score; soft verification failures never block
 * (go-header blocks them).
 *
 * <p>Peers are tracked when identify says they serve the exchange protocol (go-header tracks every
 * connected peer).
 *
 * <p>Lifecycle: a {@link io.headersync.lifecycle.Service}. {@link #start()} starts tracking the
 * peers that serve the protocol, {@link #stop()} stops tracking them; requests work in any state
 * (those in flight when it stops finish). The host is the caller's: the exchange neither starts nor
 * closes it.
 *
 * <p>Threads: request futures complete on the host's user executor or the scheduler; range sinks
 * are called one batch at a time; the lifecycle futures complete on {@link Builder#callbackExecutor}.
 *
 * <p>Longer than most classes (about 850 lines): go-header's exchange client in one place, the head
 * quorum, first-success requests and the per-answer checks sharing one peer-accounting path.
 *
 * @param <H> the header type
 */
public final class Exchange<H extends Header> extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final Host host;
  private final HeaderType<H> type;
  private final String protocolId;
  private final String chainId;
  private final List<PeerId> trustedPeers;
  private final ConnectionGater gater;
  private final ExchangeOptions options;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Random random;
  private final @Nullable Consumer<? super H> headCheck;
  /** The height of the last conflicting heads logged (logged once per height). */
  private final AtomicLong conflictLogged = new AtomicLong(-1);
  private final Verification<H> verification;
  private final PeerTracker<PeerId> tracker;
  private final ConnectionListener listener = new ConnectionListener() {
    @Override
    public void identified(PeerInfo info) {
      if (info.protocols().contains(protocolId)) {
        tracker.connected(info.peer());
      }
    }

    @Override
    public void disconnected(PeerId peer) {
      tracker.disconnected(peer);
    }
  };
  private final Histogram headTime = new Histogram("hdr_p2p_exch_clnt_head_time_hist",
      "exchange client head request time in seconds", "s", Histogram.SECONDS, "num_headers_received", "request_type",
      "status");
  private final Histogram responseSize = new Histogram("hdr_p2p_exch_clnt_resp_size_hist",
      "exchange client header response size in bytes", "By", Histogram.BYTES, "failed");
  private final Histogram responseTime = new Histogram("hdr_p2p_exch_clnt_resp_time_hist",
      "exchange client response time in seconds", "s", Histogram.SECONDS, "failed");
  private final Histogram rangeRequestTime = new Histogram("hdr_sync_range_request_time_hist",
      "tracks the duration of GetRangeByHeight requests", "s", Histogram.SECONDS, "is_max_range_req_size");

  private Exchange(Builder<H> b) {
    super("exchange client " + b.protocolId, b.callbacks);
    this.host = b.host;
    this.type = b.type;
    this.protocolId = b.protocolId;
    this.chainId = b.chainId;
    this.trustedPeers = List.copyOf(b.trustedPeers);
    this.gater = b.gater;
    this.options = b.options;
    this.scheduler = b.scheduler;
    this.clock = b.clock;
    this.random = b.random;
    this.headCheck = b.headCheck;
    this.verification = new Verification<>(type, clock);
    this.tracker = new PeerTracker<>(clock, options.maxTrackedPeers, options.peerRetention, this::blockPeer);
  }

  /**
   * A builder; {@code protocolId} is {@link ExchangeProtocol#protocolId(String)} of the network.
   */
  public static <H extends Header> Builder<H> builder(Host host, HeaderType<H> type, String protocolId) {
    return new Builder<>(host, type, protocolId);
  }

  /** Starts tracking peers that serve the protocol (at once, on the calling thread). */
  @Override
  protected CompletableFuture<Void> doStart() {
    host.addConnectionListener(listener);
    for (PeerId p : host.connectedPeers()) {
      if (host.peerProtocols(p).contains(protocolId)) {
        tracker.connected(p);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Stops tracking peers. Requests in flight finish. */
  @Override
  protected CompletableFuture<Void> doStop() {
    host.removeConnectionListener(listener);
    return CompletableFuture.completedFuture(null);
  }

  /** The peers tracked for range requests, best first. */
  public List<PeerId> trackedPeers() {
    return tracker.usablePeers();
  }

  /** The configured trusted peers. */
  public List<PeerId> trustedPeers() {
    return trustedPeers;
  }

  /**
   * Tracked peers that are disconnected, their scores kept for a while (go-header's {@code
   * hdr_p2p_exch_clnt_disconn_peer_num_gauge}).
   */
  public int disconnectedPeers() {
    return tracker.disconnectedCount();
  }

  /**
   * The client's histograms, as go-header's exchange client records them: head request time
   * ({@code hdr_p2p_exch_clnt_head_time_hist}), response size and response time per request
   * ({@code hdr_p2p_exch_clnt_resp_size_hist}, {@code hdr_p2p_exch_clnt_resp_time_hist}); and
   * go-header's syncer's {@code hdr_sync_range_request_time_hist}, the time of each range request
   * of a sync (here, each request of a range session).
   */
  public List<Histogram> histograms() {
    return List.of(headTime, responseSize, responseTime, rangeRequestTime);
  }

  /** The network's head according to the trusted peers (see the class comment). */
  public CompletableFuture<H> head() {
    List<PeerId> peers = shuffledTrusted();
    if (peers.isEmpty()) {
      peers = tracker.usablePeers();
    }
    return quorumHead(peers, null, "trusted_request").thenApply(HeadResult::header);
  }

  /** The network's head verified against {@code trustedHead} (see the class comment). */
  public CompletableFuture<HeadResult<H>> head(H trustedHead) {
    Objects.requireNonNull(trustedHead, "trustedHead == null");
    List<PeerId> peers = tracker.usablePeers();
    if (peers.isEmpty()) {
      peers = shuffledTrusted();
    }
    if (peers.size() > options.maxUntrustedHeadPeers) {
      peers = peers.subList(0, options.maxUntrustedHeadPeers);
    }
    return quorumHead(peers, trustedHead, "untrusted_request");
  }

  /** The header with {@code hash}; its hash is checked. */
  public CompletableFuture<H> get(Hash hash) {
    Objects.requireNonNull(hash, "hash == null");
    if (hash.isEmpty()) {
      throw new IllegalArgumentException("hash is empty");
    }
    return firstSuccess("header " + hash, peer -> request(peer, ExchangeWire.hashRequestFrame(hash), 1)
        .thenApply(list -> {
          H h = list.get(0);
          if (!h.hash().equals(hash)) {
            throw new PeerRequestException(PeerFailure.INVALID, "asked for header " + hash + ", got " + h.hash());
          }
          return checked(h);
        }));
  }

  /** The header at {@code height}. */
  public CompletableFuture<H> getByHeight(long height) {
    if (height <= 0) {
      throw new IllegalArgumentException("height must be positive: " + height);
    }
    return firstSuccess("header at height " + height, peer -> request(peer,
        ExchangeWire.rangeRequestFrame(height, 1), 1).thenApply(list -> {
          H h = list.get(0);
          if (h.height() != height) {
            throw new PeerRequestException(PeerFailure.INVALID, "asked for height " + height + ", got " + h.height());
          }
          return checked(h);
        }));
  }

  /**
   * The headers {@code [from, from + amount)} as one peer answers them, <em>unverified</em>: only
   * their heights are checked (exactly the ones asked for; a short answer counts as not found). For
   * a caller that verifies them another way and cannot blame the peer, else see
   * {@link #getRangeByHeight(long, int, Function)}.
   *
   * @throws IllegalArgumentException if {@code from} is not positive or {@code amount} is not in
   *     {@code [1, 64]}
   */
  public CompletableFuture<List<H>> getRangeByHeight(long from, int amount) {
    return getRangeByHeight(from, amount, list -> CompletableFuture.completedFuture(null));
  }

  /**
   * The headers {@code [from, from + amount)}, each peer's answer checked by {@code check} before it
   * counts: for a caller that verifies headers another way than forwards from a trusted header, e.g.
   * by hash links down from one (the syncer's back-fill and reads below its tail). The request goes
   * to every trusted peer (else every usable one) at once and the first answer that passes wins, so
   * another peer's answer replaces a wrong one. The check is asynchronous (it may wait, e.g. for the
   * header the answer must link to, while the request's own timer no longer runs): a stage that
   * fails with (or a check that throws) a hard {@link VerifyException} says the answer is provably
   * wrong: that peer is blocked through the gater, as for an invalid answer; a soft one lowers its
   * score. Any other failure is the caller's own and blames no peer (that answer does not count).
   *
   * @param check runs on the answer (heights already checked), on the thread the answer arrived on
   * @throws IllegalArgumentException if {@code from} is not positive or {@code amount} is not in
   *     {@code [1, 64]}
   */
  public CompletableFuture<List<H>> getRangeByHeight(long from, int amount,
      Function<? super List<H>, ? extends CompletionStage<?>> check) {
    Objects.requireNonNull(check, "check == null");
    if (from <= 0) {
      throw new IllegalArgumentException("from must be positive: " + from);
    }
    if (amount < 1 || amount > ExchangeProtocol.MAX_RANGE_REQUEST_SIZE) {
      throw new IllegalArgumentException("amount must be in [1, " + ExchangeProtocol.MAX_RANGE_REQUEST_SIZE + "]: "
          + amount);
    }
    String what = "headers [" + from + ", " + (from + amount) + ")";
    return firstSuccess(what, peer -> request(peer, ExchangeWire.rangeRequestFrame(from, amount), amount)
        .thenCompose(list -> {
          if (list.size() != amount) {
            throw new PeerRequestException(PeerFailure.NOT_FOUND, "asked for " + what + ", got " + list.size());
          }
          for (int i = 0; i < list.size(); i++) {
            if (list.get(i).height() != from + i) {
              throw new PeerRequestException(PeerFailure.INVALID, "asked for " + what + ", got height "
                  + list.get(i).height() + " at position " + i);
            }
          }
          List<H> answer = List.copyOf(list);
          CompletionStage<?> checked;
          try {
            checked = Objects.requireNonNull(check.apply(answer), "the check returned null");
          } catch (RuntimeException e) {
            checked = CompletableFuture.failedFuture(e);
          }
          return checked.handle((v, err) -> {
            Throwable cause = err == null ? null : unwrap(err);
            if (cause instanceof VerifyException) {
              VerifyException e = (VerifyException) cause;
              throw new PeerRequestException(e.isSoft() ? PeerFailure.SOFT_VERIFICATION : PeerFailure.INVALID,
                  "answer to " + what + " failed the check: " + e.getMessage(), e);
            }
            if (cause != null) {
              // Not the peer's doing: never a PeerRequestException, which would blame this peer.
              throw cause instanceof RuntimeException && !(cause instanceof PeerRequestException)
                  ? (RuntimeException) cause : new ExchangeException("the check of " + what + " failed: " + cause, cause);
            }
            return answer;
          });
        }));
  }

  /**
   * The headers {@code (from.height(), to)}, verified against {@code from} and linked to each other.
   *
   * @throws IllegalArgumentException if the range is empty or longer than {@code maxRangeToList}
   */
  public CompletableFuture<List<H>> getRange(H from, long to) {
    long n = to - from.height() - 1;
    if (n > options.maxRangeToList) {
      throw new IllegalArgumentException("range of " + n + " headers is over maxRangeToList " + options.maxRangeToList
          + "; use streamRange");
    }
    List<H> out = new ArrayList<>((int) Math.max(n, 0));
    return streamRange(from, to, batch -> {
      out.addAll(batch);
      return CompletableFuture.completedFuture(null);
    }).thenApply(v -> Collections.unmodifiableList(out));
  }

  /**
   * Streams the headers {@code (from.height(), to)} to {@code sink} in height order, in verified
   * batches; the next batch is handed over when the stage the sink returned completes. The future
   * completes when every header was delivered, or with the failure. Cancelling it stops the session
   * and cancels its requests in flight.
   *
   * <p>A sink that checks more than the exchange does (e.g. the proposer's signature) reports a bad
   * header by failing its stage with a hard {@link VerifyException} that names the header's
   * {@linkplain VerifyException#height() height}: the peer that served that header is blocked, as
   * for an invalid answer, and the returned future fails. The height may be in the batch handed over
   * or in an earlier one of this call. Any other failure of the sink only fails the future.
   */
  public CompletableFuture<Void> streamRange(H from, long to, Function<List<H>, CompletionStage<Void>> sink) {
    Objects.requireNonNull(from, "from == null");
    Objects.requireNonNull(sink, "sink == null");
    RangeSession.Config config = RangeSession.Config.of(options, RangeSession.Config.DEFAULT_RETRY_BACKOFF);
    RangeSession<H, PeerId> session = new RangeSession<>(from, to, verification, tracker,
        // the session times each request out itself
        (peer, start, amount) -> rangeRequest(peer, start, amount),
        sink::apply, scheduler, clock, config);
    if (headCheck != null) {
      session.boundaryCheck(this::failedHeadCheck);
    }
    CompletableFuture<Void> result = session.start();
    // Cancelling the returned future cancels the session's requests and retry timers too.
    result.whenComplete((v, err) -> {
      if (result.isCancelled()) {
        session.cancel();
      }
    });
    return result;
  }

  // ---- requests ----

  /**
   * The trusted peers in random order, without those whose identify finished without listing the
   * exchange protocol (a seed that serves another network or only the DHT would only reset our
   * streams); a trusted peer not identified yet is kept.
   */
  private List<PeerId> shuffledTrusted() {
    List<PeerId> peers = new ArrayList<>();
    for (PeerId p : trustedPeers) {
      if (host.peerInfo(p).map(i -> i.protocols().contains(protocolId)).orElse(true)) {
        peers.add(p);
      }
    }
    synchronized (random) {
      Collections.shuffle(peers, random);
    }
    return peers;
  }

  private CompletableFuture<HeadResult<H>> quorumHead(List<PeerId> peers, H trustedHead, String requestType) {
    CompletableFuture<HeadResult<H>> result = new CompletableFuture<>();
    if (peers.isEmpty()) {
      result.completeExceptionally(new ExchangeException("no peers to ask for the head"));
      return result;
    }
    Instant started = clock.instant();
    int n = peers.size();
    int threshold = n <= 2 ? n : (2 * n + 2) / 3;
    Map<Hash, Integer> votes = new HashMap<>();
    List<HeadResult<H>> answers = new ArrayList<>();
    Map<Hash, PeerId> answeredBy = new HashMap<>();
    List<String> errors = new ArrayList<>();
    int[] pending = {n};
    result.whenComplete((v, e) -> { // the caller cancelled: go-header's "canceled" status
      if (result.isCancelled()) {
        synchronized (votes) {
          recordHead(started, answers.size(), requestType, "canceled");
        }
      }
    });
    for (PeerId peer : peers) {
      request(peer, ExchangeWire.headRequestFrame(), 1).whenComplete((list, err) -> {
        HeadResult<H> answer = null;
        String error = null;
        if (err != null) {
          error = peer + ": " + unwrap(err).getMessage();
          penalize(peer, err);
        } else {
          H h = list.get(0);
          answer = new HeadResult<>(h, Optional.empty());
          String invalid = failedHeadCheck(h);
          if (invalid != null) {
            answer = null;
            error = peer + ": " + invalid;
            penalize(peer, new PeerRequestException(PeerFailure.INVALID, "head " + h.height() + " from " + peer
                + " failed the head check: " + invalid));
          } else if (trustedHead != null) {
            try {
              verification.verify(trustedHead, h);
            } catch (VerifyException e) {
              if (e.isSoft()) {
                answer = new HeadResult<>(h, Optional.of(e));
              } else {
                answer = null;
                error = peer + ": " + e.getMessage();
                if (e.reason() != VerifyException.Reason.KNOWN_HEADER) {
                  penalize(peer, new PeerRequestException(PeerFailure.INVALID, "head " + h.height() + " from "
                      + peer + " failed verification: " + e.getMessage()));
                }
              }
            }
          }
        }
        synchronized (votes) {
          pending[0]--;
          if (answer != null) {
            answers.add(answer);
            answeredBy.putIfAbsent(answer.header().hash(), peer);
            int v = votes.merge(answer.header().hash(), 1, Integer::sum);
            if (v >= threshold && result.complete(answer)) {
              recordHead(started, answers.size(), requestType, "ok");
            }
          } else {
            errors.add(error);
          }
          if (pending[0] == 0 && !result.isDone()) {
            if (answers.isEmpty()) {
              recordHead(started, 0, requestType, "no_headers");
              result.completeExceptionally(new ExchangeException("no peer answered the head request: " + errors));
            } else {
              answers.sort((a, b) -> Long.compare(b.header().height(), a.header().height()));
              H top = answers.get(0).header();
              H rival = answers.stream().map(HeadResult::header)
                  .filter(h -> h.height() == top.height() && !h.hash().equals(top.hash())).findFirst().orElse(null);
              if (rival != null) {
                // Two headers at one height that both pass every check: the sequencer signed twice
                // (equivocation). Picking either could store a chain the network abandons; wait
                // for a head that settles it (the next header links to one of them).
                String conflict = "conflicting heads at height " + top.height() + ": " + answeredBy.get(top.hash())
                    + " answers " + top.hash() + ", " + answeredBy.get(rival.hash()) + " answers " + rival.hash()
                    + " (two valid headers at one height: did the sequencer sign twice?)";
                if (conflictLogged.getAndSet(top.height()) != top.height()) {
                  log.warn("{}; not syncing to either until a later head settles it", conflict);
                } else {
                  log.debug("{}", conflict);
                }
                recordHead(started, answers.size(), requestType, "no_headers");
                result.completeExceptionally(new ExchangeException(conflict));
              } else if (result.complete(answers.get(0))) {
                recordHead(started, answers.size(), requestType, "ok");
              }
            }
          }
        }
      });
    }
    return result;
  }

  /** One range request of a session, timed as go-header's syncer times its range requests. */
  private CompletableFuture<List<H>> rangeRequest(PeerId peer, long start, int amount) {
    Instant started = clock.instant();
    CompletableFuture<List<H>> f = requestUntimed(peer, ExchangeWire.rangeRequestFrame(start, amount), amount);
    f.whenComplete((list, err) -> rangeRequestTime.record(seconds(started),
        Boolean.toString(amount == ExchangeProtocol.MAX_RANGE_REQUEST_SIZE)));
    return f;
  }

  private void recordHead(Instant started, int answers, String requestType, String status) {
    headTime.record(seconds(started), Integer.toString(answers), requestType, status);
  }

  private double seconds(Instant since) {
    return Duration.between(since, clock.instant()).toNanos() / 1e9;
  }

  /** {@code h} if it passes the head check, else an invalid answer (the peer is blocked). */
  private H checked(H h) {
    String invalid = failedHeadCheck(h);
    if (invalid != null) {
      throw new PeerRequestException(PeerFailure.INVALID, "header " + h.height() + " failed the check: " + invalid);
    }
    return h;
  }

  /**
   * Runs the {@linkplain Builder#headCheck head check} on a peer's head answer: the reason when the
   * header is wrong ({@link VerifyException}), else null. A check that throws anything else is
   * broken, not the peer: the answer counts, and the failure is logged.
   */
  private @Nullable String failedHeadCheck(H h) {
    if (headCheck == null) {
      return null;
    }
    try {
      headCheck.accept(h);
      return null;
    } catch (VerifyException e) {
      return e.getMessage();
    } catch (RuntimeException e) {
      log.warn("the head check failed on head {} ({}) without a verdict: {}", h.height(), h.hash(), e.toString());
      return null;
    }
  }

  private <T> CompletableFuture<T> firstSuccess(String what, Function<PeerId, CompletableFuture<T>> ask) {
    List<PeerId> peers = shuffledTrusted();
    if (peers.isEmpty()) {
      peers = tracker.usablePeers();
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    if (peers.isEmpty()) {
      result.completeExceptionally(new ExchangeException("no peers to ask for " + what));
      return result;
    }
    int[] pending = {peers.size()};
    boolean[] allNotFound = {true};
    List<String> errors = new ArrayList<>();
    for (PeerId peer : peers) {
      ask.apply(peer).whenComplete((h, err) -> {
        if (err == null) {
          result.complete(h);
          return;
        }
        Throwable cause = unwrap(err);
        if (cause instanceof PeerRequestException) {
          penalize(peer, cause); // anything else is a caller's check failing: not the peer's doing
        }
        synchronized (errors) {
          errors.add(peer + ": " + cause.getMessage());
          if (!(cause instanceof PeerRequestException
              && ((PeerRequestException) cause).failure() == PeerFailure.NOT_FOUND)) {
            allNotFound[0] = false;
          }
          if (--pending[0] == 0) {
            result.completeExceptionally(allNotFound[0]
                ? new PeerRequestException(PeerFailure.NOT_FOUND, "no peer has " + what)
                : new ExchangeException("no peer answered the request for " + what + ": " + errors));
          }
        }
      });
    }
    return result;
  }

  /**
   * Sends one framed request to {@code peer} and reads up to {@code amount} headers, within {@code
   * requestTimeout}. Fails with a {@link PeerRequestException} saying how; the caller penalizes the
   * peer ({@link #penalize}, or the range session through the tracker).
   */
  CompletableFuture<List<H>> request(PeerId peer, byte[] requestFrame, long amount) {
    CompletableFuture<List<H>> result = requestUntimed(peer, requestFrame, amount);
    var timeout = scheduler.schedule(() -> result.completeExceptionally(new PeerRequestException(PeerFailure.TIMEOUT,
        "no answer from " + peer + " within " + options.requestTimeout)), options.requestTimeout.toMillis(),
        TimeUnit.MILLISECONDS);
    result.whenComplete((v, err) -> timeout.cancel(false));
    return result;
  }

  /**
   * {@link #request} without a timer of its own, for a caller that has one (the range session):
   * whoever completes the returned future first wins, and a request that did not succeed resets its
   * stream. One timer per request, not one here, one in the session and one per stream read and
   * write.
   */
  private CompletableFuture<List<H>> requestUntimed(PeerId peer, byte[] requestFrame, long amount) {
    CompletableFuture<List<H>> result = new CompletableFuture<>();
    Instant started = clock.instant();
    AtomicLong bytes = new AtomicLong();
    result.whenComplete((list, failure) -> {
      String failed = Boolean.toString(failure != null);
      responseSize.record(bytes.get(), failed);
      responseTime.record(seconds(started), failed);
    });
    host.newStream(peer, protocolId).whenComplete((stream, err) -> {
      if (err != null) {
        result.completeExceptionally(asPeerFailure(err, "opening a stream to " + peer));
        return;
      }
      // Timed out, cancelled or failed (by us or by the caller): reset. Runs at once if already done.
      result.whenComplete((list, failure) -> {
        if (failure != null) {
          stream.reset();
        }
      });
      if (result.isDone()) {
        return;
      }
      // Write, half-close and start reading at once: each future completes on another thread, and
      // waiting for one before the next would add a thread hand-off per step to every request.
      CompletableFuture<Void> sent = stream.write(requestFrame);
      CompletableFuture<Void> halfClosed = stream.closeWrite();
      readResponses(stream, amount, new ArrayList<>(), new FrameReader(options.maxFrameSize), bytes)
          .thenCombine(sent.thenCombine(halfClosed, (a, b) -> null), (list, v) -> list)
          .whenComplete((list, readErr) -> {
            if (readErr != null) {
              result.completeExceptionally(asPeerFailure(readErr, "request to " + peer));
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
  private CompletableFuture<List<H>> readResponses(Stream stream, long amount, List<H> acc, FrameReader frames,
      AtomicLong bytes) {
    return stream.read().thenCompose(chunk -> {
      if (chunk.isEmpty()) {
        if (frames.hasPartialFrame()) {
          throw new PeerRequestException(PeerFailure.INVALID, "stream ended inside a response frame");
        }
        if (acc.isEmpty()) {
          throw new PeerRequestException(PeerFailure.NOT_FOUND, "empty answer");
        }
        return CompletableFuture.completedFuture(acc);
      }
      bytes.addAndGet(chunk.get().length);
      try {
        frames.push(chunk.get(), (buf, off, len) -> {
          if (acc.size() < amount) { // a server that sends more than asked: ignore the rest, as go-header does
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
      throw new PeerRequestException(PeerFailure.INVALID, "unknown status code " + response.statusCode());
    }
    return decode(response.body());
  }

  private H decode(byte[] body) {
    H h;
    try {
      h = type.decode(body);
      h.validate(clock);
    } catch (HeaderSyncException e) {
      throw new PeerRequestException(PeerFailure.INVALID, "invalid header in answer: " + e.getMessage(), e);
    }
    if (!chainId.isEmpty() && !chainId.equalsIgnoreCase(h.chainId())) {
      throw new PeerRequestException(PeerFailure.INVALID,
          "header " + h.height() + " has chain id '" + h.chainId() + "', expected '" + chainId + "'");
    }
    return h;
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

  /** Lowers the score of a peer whose request failed, or blocks it when its answer was invalid. */
  private void penalize(PeerId peer, Throwable err) {
    Throwable cause = unwrap(err);
    PeerFailure kind = cause instanceof PeerRequestException ? ((PeerRequestException) cause).failure()
        : PeerFailure.RESET;
    if (kind == PeerFailure.INVALID) {
      if (!tracker.block(peer, cause.getMessage())) {
        blockPeer(peer, cause.getMessage()); // a trusted peer the tracker does not know
      }
    } else {
      tracker.onFailure(peer, kind, String.valueOf(cause.getMessage()));
    }
  }

  private void blockPeer(PeerId peer, String reason) {
    log.warn("blocking peer {}: {}", peer, reason);
    gater.blockPeer(peer);
  }

  /** Builds an {@link Exchange}. */
  public static final class Builder<H extends Header> {
    private final Host host;
    private final HeaderType<H> type;
    private final String protocolId;
    private String chainId = "";
    private List<PeerId> trustedPeers = List.of();
    private ConnectionGater gater;
    private ExchangeOptions options = ExchangeOptions.defaults();
    private ScheduledExecutorService scheduler;
    private Clock clock = Clock.systemUTC();
    private Random random = new Random();
    private @Nullable Consumer<? super H> headCheck;
    private Executor callbacks = Runnable::run;

    Builder(Host host, HeaderType<H> type, String protocolId) {
      this.host = Objects.requireNonNull(host, "host == null");
      this.type = Objects.requireNonNull(type, "type == null");
      this.protocolId = Objects.requireNonNull(protocolId, "protocolId == null");
    }

    /** Answers must carry this chain id (compared ignoring case); empty (the default) checks nothing. */
    public Builder<H> chainId(String chainId) {
      this.chainId = Objects.requireNonNull(chainId, "chainId == null");
      return this;
    }

    /** The peers asked for heads and single headers (the node's seeds). */
    public Builder<H> trustedPeers(List<PeerId> trustedPeers) {
      this.trustedPeers = List.copyOf(trustedPeers);
      return this;
    }

    /** Where misbehaving peers are blocked; required. */
    public Builder<H> gater(ConnectionGater gater) {
      this.gater = Objects.requireNonNull(gater, "gater == null");
      return this;
    }

    public Builder<H> options(ExchangeOptions options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /** Runs timeouts and retries; required. */
    public Builder<H> scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    public Builder<H> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /** Shuffles trusted peers, as go-header does. */
    public Builder<H> random(Random random) {
      this.random = Objects.requireNonNull(random, "random == null");
      return this;
    }

    /**
     * A check each peer's answer to a head request must pass before it counts towards the head
     * quorum, e.g. the syncer's extra check ({@code ProposerCheck}): a peer whose head fails it
     * with a {@link VerifyException} gave an invalid answer and is blocked. Without it a peer can
     * answer with the real head carrying a forged signature (ev-node's hash does not cover the
     * signature), count towards the quorum and have its copy returned. It also checks the answers
     * to {@link #get} and {@link #getByHeight} (a forged initial header from one trusted peer must
     * not win over the honest copy of another) and, in a range session, the first header of a chunk
     * that does not link to another peer's chunk below it (so the peer at fault is blocked). Runs
     * on the thread that completes the request, once per answer. Unset: none.
     */
    public Builder<H> headCheck(Consumer<? super H> check) {
      this.headCheck = Objects.requireNonNull(check, "headCheck == null");
      return this;
    }

    /**
     * Where the futures of {@link Exchange#start()} and {@link Exchange#stop()} complete: the node's
     * worker pool. Default: the thread that started or stopped the exchange (both are immediate).
     *
     * @param executor the callback executor
     * @return this builder
     */
    public Builder<H> callbackExecutor(Executor executor) {
      this.callbacks = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    public Exchange<H> build() {
      if (gater == null) {
        throw new IllegalStateException("Exchange needs a gater (the host's ConnectionGater) to block bad peers");
      }
      if (scheduler == null) {
        throw new IllegalStateException("Exchange needs a scheduler for timeouts and retries");
      }
      return new Exchange<>(this);
    }
  }
}
