package io.headersync.exchange;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.internal.AnswerChecks;
import io.headersync.exchange.internal.ExchangePeers;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.exchange.internal.HeadQuorum;
import io.headersync.exchange.internal.RangeSession;
import io.headersync.exchange.internal.RequestClient;
import io.headersync.instrument.Histogram;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.lifecycle.AbstractService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The header exchange client: asks peers for headers over {@code /<networkId>/header-ex/v0.0.3}, as
 * go-header v0.8.6's {@code Exchange} does, with pipelined multi-peer range sessions.
 *
 * <ul>
 *   <li>{@link #head()} asks every trusted peer and returns the header a quorum agrees on ({@code
 *       ceil(2n/3)}, all of them when there are one or two), else the highest.
 *   <li>{@link #head(Header)} asks up to four tracked peers (best score first; trusted peers when
 *       none are tracked) and verifies every answer against the trusted head: hard failures are
 *       dropped, a soft failure comes back with the header ({@link HeadResult}).
 *   <li>{@link #get(Hash)} and {@link #getByHeight(long)} ask every trusted peer in parallel
 *       (tracked peers when there are no trusted ones) and take the first valid answer.
 *   <li>{@link #getRange} / {@link #streamRange} run a range session: 64-header chunks from every
 *       tracked peer, each peer with an adaptive number of requests in flight (from {@code
 *       perPeerDepth}, following its measured bandwidth-delay product up to {@code
 *       maxPerPeerDepth}), verified and delivered in order (see {@code RangeSession} and {@link
 *       ExchangeOptions}).
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
 * are called one batch at a time; the lifecycle futures complete on {@link
 * Builder#callbackExecutor}.
 *
 * <p>Parts (in {@code io.headersync.exchange.internal}): {@code ExchangePeers} (tracking, which
 * peers to ask, first-success requests and what a failure costs a peer), {@code RequestClient} (the
 * request/response streams, decoding, validation and the chain-id check), {@code HeadQuorum} (head
 * requests), {@code AnswerChecks} (is an answer the one asked for, and does it pass the optional
 * extra check) and {@code RangeSession} (range requests).
 *
 * @param <H> the header type
 */
public final class Exchange<H extends Header> extends AbstractService {
  private final Host host;
  private final ExchangeOptions options;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Verification<H> verification;
  private final AnswerChecks<H> checks;
  private final ExchangePeers peers;
  private final RequestClient<H> client;
  private final HeadQuorum<H> heads;

  private Exchange(Builder<H> b) {
    super("exchange client " + b.protocolId, b.callbacks);
    this.host = b.host;
    this.options = b.options;
    this.scheduler = b.scheduler;
    this.clock = b.clock;
    this.verification = new Verification<>(b.type, clock);
    this.checks = new AnswerChecks<>(b.headCheck);
    this.peers =
        new ExchangePeers(
            host,
            b.protocolId,
            b.trustedPeers,
            b.gater,
            b.random,
            clock,
            options.maxTrackedPeers,
            options.peerRetention);
    this.client =
        new RequestClient<>(
            host,
            b.protocolId,
            b.type,
            b.chainId,
            clock,
            scheduler,
            options.requestTimeout,
            options.maxFrameSize);
    this.heads = new HeadQuorum<>(client, peers, checks, verification, clock);
  }

  /**
   * A builder; {@code protocolId} is {@link ExchangeProtocol#protocolId(String)} of the network.
   *
   * @param host the host requests are sent from; the caller's, never started or closed by the
   *     exchange
   * @param type decodes the headers in answers
   * @param protocolId the exchange protocol id streams are opened for, and that tracked peers serve
   * @param <H> the header type
   * @return a new builder; {@link Builder#gater} and {@link Builder#scheduler} are required
   */
  public static <H extends Header> Builder<H> builder(
      Host host, HeaderType<H> type, String protocolId) {
    return new Builder<>(host, type, protocolId);
  }

  /** Starts tracking peers that serve the protocol (at once, on the calling thread). */
  @Override
  protected CompletableFuture<Void> doStart() {
    host.addConnectionListener(peers.listener());
    peers.trackConnected();
    return CompletableFuture.completedFuture(null);
  }

  /** Stops tracking peers. Requests in flight finish. */
  @Override
  protected CompletableFuture<Void> doStop() {
    host.removeConnectionListener(peers.listener());
    return CompletableFuture.completedFuture(null);
  }

  /**
   * The peers tracked for range requests, best first: the connected peers identify said serve the
   * protocol while the exchange ran.
   *
   * @return a snapshot, best score first
   */
  public List<PeerId> trackedPeers() {
    return peers.tracker().usablePeers();
  }

  /**
   * The configured trusted peers.
   *
   * @return the trusted peers, unmodifiable
   */
  public List<PeerId> trustedPeers() {
    return peers.trustedPeers();
  }

  /**
   * Tracked peers that are disconnected, their scores kept for a while (go-header's {@code
   * hdr_p2p_exch_clnt_disconn_peer_num_gauge}).
   *
   * @return how many disconnected peers are still tracked
   */
  public int disconnectedPeers() {
    return peers.tracker().disconnectedCount();
  }

  /**
   * The client's histograms, as go-header's exchange client records them: head request time ({@code
   * hdr_p2p_exch_clnt_head_time_hist}), response size and response time per request ({@code
   * hdr_p2p_exch_clnt_resp_size_hist}, {@code hdr_p2p_exch_clnt_resp_time_hist}); and go-header's
   * syncer's {@code hdr_sync_range_request_time_hist}, the time of each range request of a sync
   * (here, each request of a range session).
   *
   * @return the four histograms, in that order
   */
  public List<Histogram> histograms() {
    List<Histogram> out = new ArrayList<>();
    out.add(heads.headTime());
    out.addAll(client.histograms());
    return List.copyOf(out);
  }

  /**
   * The network's head according to the trusted peers (see the class comment); the tracked peers
   * when no trusted peer is configured or serves the protocol.
   *
   * @return the head; completes on the thread of the deciding answer (the host's user executor or
   *     the scheduler), or fails with an {@link ExchangeException} when there is no peer to ask, no
   *     peer answered a valid head, or the highest answers conflict
   */
  public CompletableFuture<H> head() {
    return heads
        .head(peers.trustedOrTracked(), null, "trusted_request")
        .thenApply(HeadResult::header);
  }

  /**
   * The network's head verified against {@code trustedHead} (see the class comment).
   *
   * @param trustedHead the header every answer is verified against
   * @return the head and, when it failed verification softly, why; completes on the thread of the
   *     deciding answer, or fails with an {@link ExchangeException} as {@link #head()} does
   */
  public CompletableFuture<HeadResult<H>> head(H trustedHead) {
    Objects.requireNonNull(trustedHead, "trustedHead == null");
    return heads.head(
        peers.trackedOrTrusted(options.maxUntrustedHeadPeers), trustedHead, "untrusted_request");
  }

  /**
   * The header with {@code hash}; its hash is checked, and it must pass the {@linkplain
   * Builder#headCheck head check}.
   *
   * @param hash the header's hash, not empty
   * @return the first valid answer, on the thread it arrived on; fails with a {@link
   *     PeerRequestException} NOT_FOUND when every peer said not found, else with an {@link
   *     ExchangeException} listing each peer's failure
   * @throws IllegalArgumentException if {@code hash} is empty
   */
  public CompletableFuture<H> get(Hash hash) {
    Objects.requireNonNull(hash, "hash == null");
    if (hash.isEmpty()) {
      throw new IllegalArgumentException("hash is empty");
    }
    return peers.firstSuccess(
        "header " + hash,
        peer ->
            client
                .request(peer, ExchangeWire.hashRequestFrame(hash), 1)
                .thenApply(list -> checks.byHash(hash, list)));
  }

  /**
   * The header at {@code height}, asked of every trusted peer at once (the tracked peers when there
   * are none); its height is checked, and it must pass the {@linkplain Builder#headCheck head
   * check}.
   *
   * @param height the height, positive
   * @return the first valid answer, on the thread it arrived on; fails as {@link #get(Hash)} does
   * @throws IllegalArgumentException if {@code height} is not positive
   */
  public CompletableFuture<H> getByHeight(long height) {
    if (height <= 0) {
      throw new IllegalArgumentException("height must be positive: " + height);
    }
    return peers.firstSuccess(
        "header at height " + height,
        peer ->
            client
                .request(peer, ExchangeWire.rangeRequestFrame(height, 1), 1)
                .thenApply(list -> checks.byHeight(height, list)));
  }

  /**
   * The headers {@code [from, from + amount)} as one peer answers them, <em>unverified</em>: only
   * their heights are checked (exactly the ones asked for; a short answer counts as not found). For
   * a caller that verifies them another way and cannot blame the peer, else see {@link
   * #getRangeByHeight(long, int, Function)}.
   *
   * @param from the first height
   * @param amount how many headers
   * @return the headers in height order, unmodifiable, on the thread the answer arrived on; fails
   *     as {@link #get(Hash)} does
   * @throws IllegalArgumentException if {@code from} is not positive or {@code amount} is not in
   *     {@code [1, 64]}
   */
  public CompletableFuture<List<H>> getRangeByHeight(long from, int amount) {
    return getRangeByHeight(from, amount, list -> CompletableFuture.completedFuture(null));
  }

  /**
   * The headers {@code [from, from + amount)}, each peer's answer checked by {@code check} before
   * it counts: for a caller that verifies headers another way than forwards from a trusted header,
   * e.g. by hash links down from one (the syncer's back-fill and reads below its tail). The request
   * goes to every trusted peer (else every usable one) at once and the first answer that passes
   * wins, so another peer's answer replaces a wrong one. The check is asynchronous (it may wait,
   * e.g. for the header the answer must link to, while the request's own timer no longer runs): a
   * stage that fails with (or a check that throws) a hard {@link VerifyException} says the answer
   * is provably wrong: that peer is blocked through the gater, as for an invalid answer; a soft one
   * lowers its score. Any other failure is the caller's own and blames no peer (that answer does
   * not count).
   *
   * @param from the first height
   * @param amount how many headers
   * @param check runs on the answer (heights already checked), on the thread the answer arrived on
   * @return the first answer that passed the check, in height order, unmodifiable, on the thread
   *     its check completed on; fails with a {@link PeerRequestException} NOT_FOUND when every peer
   *     said not found, else with an {@link ExchangeException} listing each answer's failure
   * @throws IllegalArgumentException if {@code from} is not positive or {@code amount} is not in
   *     {@code [1, 64]}
   */
  public CompletableFuture<List<H>> getRangeByHeight(
      long from, int amount, Function<? super List<H>, ? extends CompletionStage<?>> check) {
    Objects.requireNonNull(check, "check == null");
    if (from <= 0) {
      throw new IllegalArgumentException("from must be positive: " + from);
    }
    if (amount < 1 || amount > ExchangeProtocol.MAX_RANGE_REQUEST_SIZE) {
      throw new IllegalArgumentException(
          "amount must be in [1, " + ExchangeProtocol.MAX_RANGE_REQUEST_SIZE + "]: " + amount);
    }
    String what = "headers [" + from + ", " + (from + amount) + ")";
    return peers.firstSuccess(
        what,
        peer ->
            client
                .request(peer, ExchangeWire.rangeRequestFrame(from, amount), amount)
                .thenCompose(list -> checks.range(what, from, amount, list, check)));
  }

  /**
   * The headers {@code (from.height(), to)}, verified against {@code from} and linked to each
   * other.
   *
   * @param from the trusted header the range follows
   * @param to the first height not fetched
   * @return the headers in height order, unmodifiable; fails as {@link #streamRange} does
   * @throws IllegalArgumentException if the range is empty or longer than {@code maxRangeToList}
   */
  public CompletableFuture<List<H>> getRange(H from, long to) {
    long n = to - from.height() - 1;
    if (n > options.maxRangeToList) {
      throw new IllegalArgumentException(
          "range of "
              + n
              + " headers is over maxRangeToList "
              + options.maxRangeToList
              + "; use streamRange");
    }
    List<H> out = new ArrayList<>((int) Math.max(n, 0));
    return streamRange(
            from,
            to,
            batch -> {
              out.addAll(batch);
              return CompletableFuture.completedFuture(null);
            })
        .thenApply(v -> Collections.unmodifiableList(out));
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
   * for an invalid answer, and the returned future fails. The height may be in the batch handed
   * over or in an earlier one of this call. Any other failure of the sink only fails the future.
   *
   * @param from the trusted header the range follows; the first header fetched is verified against
   *     it
   * @param to the first height not fetched: the range is {@code [from.height() + 1, to)}
   * @param sink takes each verified batch; called by one thread at a time, never before the stage
   *     it returned for the previous batch completed
   * @return completes when every header was delivered (on the thread that finished the last
   *     delivery); fails with an {@link ExchangeException} naming the heights when a chunk failed
   *     {@code maxAttemptsPerChunk} times, no usable peer is left, or the sink failed
   * @throws IllegalArgumentException if the range is empty
   */
  public CompletableFuture<Void> streamRange(
      H from, long to, Function<List<H>, CompletionStage<Void>> sink) {
    Objects.requireNonNull(from, "from == null");
    Objects.requireNonNull(sink, "sink == null");
    RangeSession.Config config =
        RangeSession.Config.of(options, RangeSession.Config.DEFAULT_RETRY_BACKOFF);
    RangeSession<H, PeerId> session =
        new RangeSession<>(
            from,
            to,
            verification,
            peers.tracker(),
            client::rangeRequest, // the session times each request out itself
            sink::apply,
            scheduler,
            clock,
            config);
    if (checks.isSet()) {
      session.boundaryCheck(checks::failure);
    }
    CompletableFuture<Void> result = session.start();
    // Cancelling the returned future cancels the session's requests and retry timers too.
    result.whenComplete(
        (v, err) -> {
          if (result.isCancelled()) {
            session.cancel();
          }
        });
    return result;
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

    /**
     * Answers must carry this chain id (compared ignoring case); a header with another is an
     * invalid answer and its peer is blocked. Empty (the default) checks nothing.
     *
     * @param chainId the network's chain id, or empty
     * @return this builder
     */
    public Builder<H> chainId(String chainId) {
      this.chainId = Objects.requireNonNull(chainId, "chainId == null");
      return this;
    }

    /**
     * The peers asked for heads and single headers (the node's seeds); each is asked only while it
     * is not known to lack the protocol. Default none: the tracked peers are asked instead.
     *
     * @param trustedPeers the trusted peers, copied
     * @return this builder
     */
    public Builder<H> trustedPeers(List<PeerId> trustedPeers) {
      this.trustedPeers = List.copyOf(trustedPeers);
      return this;
    }

    /**
     * Where misbehaving peers are blocked (invalid answers, hard verification failures); required.
     *
     * @param gater the host's connection gater
     * @return this builder
     */
    public Builder<H> gater(ConnectionGater gater) {
      this.gater = Objects.requireNonNull(gater, "gater == null");
      return this;
    }

    /**
     * Timeouts, bounds and range-session windows. Default {@link ExchangeOptions#defaults()}.
     *
     * @param options the options
     * @return this builder
     */
    public Builder<H> options(ExchangeOptions options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * Runs request timeouts, range-session retries and pacing; required. Futures that fail by a
     * timeout complete on it.
     *
     * @param scheduler the scheduler; the caller's, never shut down by the exchange
     * @return this builder
     */
    public Builder<H> scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /**
     * The time source for header validation and verification (the from-the-future check), peer
     * scores and request timing. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder<H> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Shuffles trusted peers before each request, as go-header does. Default a new {@link Random}.
     *
     * @param random the source of randomness
     * @return this builder
     */
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
     *
     * @param check throws a {@link VerifyException} for a header that is wrong
     * @return this builder
     */
    public Builder<H> headCheck(Consumer<? super H> check) {
      this.headCheck = Objects.requireNonNull(check, "headCheck == null");
      return this;
    }

    /**
     * Where the futures of {@link Exchange#start()} and {@link Exchange#stop()} complete: the
     * node's worker pool. Default: the thread that started or stopped the exchange (both are
     * immediate).
     *
     * @param executor the callback executor
     * @return this builder
     */
    public Builder<H> callbackExecutor(Executor executor) {
      this.callbacks = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /**
     * Builds the exchange, not started.
     *
     * @return the exchange
     * @throws IllegalStateException if no gater or no scheduler was set
     */
    public Exchange<H> build() {
      if (gater == null) {
        throw new IllegalStateException(
            "Exchange needs a gater (the host's ConnectionGater) to block bad peers");
      }
      if (scheduler == null) {
        throw new IllegalStateException("Exchange needs a scheduler for timeouts and retries");
      }
      return new Exchange<>(this);
    }
  }
}
