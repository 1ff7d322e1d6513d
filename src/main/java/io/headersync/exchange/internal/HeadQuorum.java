package io.headersync.exchange.internal;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeException;
import io.headersync.exchange.HeadResult;
import io.headersync.exchange.PeerFailure;
import io.headersync.exchange.PeerRequestException;
import io.headersync.instrument.Histogram;
import io.headersync.libp2p.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchange client's head requests: asks a set of peers for their head at once and returns the
 * header a quorum agrees on ({@code ceil(2n/3)} of {@code n} peers, all of them when there are one
 * or two), else the highest answer, as go-header's {@code Exchange.Head} does. Every answer must
 * pass the {@link AnswerChecks#failure extra check}; with a trusted head it is also verified
 * against it (hard failures are dropped, a soft failure comes back with the header). Two valid
 * heads at the highest height (equivocation) fail the request rather than pick one. Records
 * go-header's {@code hdr_p2p_exch_clnt_head_time_hist}.
 *
 * <p>Threads: the future completes on the thread that completed the deciding answer (the host's
 * user executor or the request timeout's scheduler). Thread-safe; logs under the {@link Exchange}'s
 * logger.
 *
 * @param <H> the header type
 */
public final class HeadQuorum<H extends Header> {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final RequestClient<H> client;
  private final ExchangePeers peers;
  private final AnswerChecks<H> checks;
  private final Verification<H> verification;
  private final Clock clock;

  /** The height of the last conflicting heads logged (logged once per height). */
  private final AtomicLong conflictLogged = new AtomicLong(-1);

  private final Histogram headTime =
      new Histogram(
          "hdr_p2p_exch_clnt_head_time_hist",
          "exchange client head request time in seconds",
          "s",
          Histogram.SECONDS,
          "num_headers_received",
          "request_type",
          "status");

  /**
   * @param client sends the head requests
   * @param peers penalizes the peers that fail
   * @param checks every answer must pass its extra check
   * @param verification verifies answers against a trusted head
   * @param clock times the requests
   */
  public HeadQuorum(
      RequestClient<H> client,
      ExchangePeers peers,
      AnswerChecks<H> checks,
      Verification<H> verification,
      Clock clock) {
    this.client = Objects.requireNonNull(client, "client == null");
    this.peers = Objects.requireNonNull(peers, "peers == null");
    this.checks = Objects.requireNonNull(checks, "checks == null");
    this.verification = Objects.requireNonNull(verification, "verification == null");
    this.clock = Objects.requireNonNull(clock, "clock == null");
  }

  /**
   * The head request time histogram ({@code hdr_p2p_exch_clnt_head_time_hist}).
   *
   * @return the histogram
   */
  public Histogram headTime() {
    return headTime;
  }

  /**
   * Asks {@code peers} for their head.
   *
   * @param peers the peers asked, all at once
   * @param trustedHead what every answer is verified against, or null to verify nothing (answers
   *     from trusted peers)
   * @param requestType the histogram's {@code request_type}: {@code trusted_request} or {@code
   *     untrusted_request}
   * @return the quorum's head, else the highest; fails with an {@link ExchangeException} when there
   *     is no peer, no peer answered a valid head, or the highest answers conflict
   */
  public CompletableFuture<HeadResult<H>> head(
      List<PeerId> peers, @Nullable H trustedHead, String requestType) {
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
    result.whenComplete(
        (v, e) -> { // the caller cancelled: go-header's "canceled" status
          if (result.isCancelled()) {
            synchronized (votes) {
              record(started, answers.size(), requestType, "canceled");
            }
          }
        });
    for (PeerId peer : peers) {
      client
          .request(peer, ExchangeWire.headRequestFrame(), 1)
          .whenComplete(
              (list, err) -> {
                HeadResult<H> answer = null;
                String error = null;
                if (err != null) {
                  error = peer + ": " + unwrap(err).getMessage();
                  this.peers.penalize(peer, err);
                } else {
                  H h = list.get(0);
                  answer = new HeadResult<>(h, Optional.empty());
                  String invalid = checks.failure(h);
                  if (invalid != null) {
                    answer = null;
                    error = peer + ": " + invalid;
                    this.peers.penalize(
                        peer,
                        new PeerRequestException(
                            PeerFailure.INVALID,
                            "head "
                                + h.height()
                                + " from "
                                + peer
                                + " failed the head check: "
                                + invalid));
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
                          this.peers.penalize(
                              peer,
                              new PeerRequestException(
                                  PeerFailure.INVALID,
                                  "head "
                                      + h.height()
                                      + " from "
                                      + peer
                                      + " failed verification: "
                                      + e.getMessage()));
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
                      record(started, answers.size(), requestType, "ok");
                    }
                  } else {
                    errors.add(error);
                  }
                  if (pending[0] == 0 && !result.isDone()) {
                    if (answers.isEmpty()) {
                      record(started, 0, requestType, "no_headers");
                      result.completeExceptionally(
                          new ExchangeException("no peer answered the head request: " + errors));
                    } else {
                      decide(result, answers, answeredBy, started, requestType);
                    }
                  }
                }
              });
    }
    return result;
  }

  /**
   * Every peer answered and no head reached the quorum: the highest answer, unless another valid
   * answer at that height differs. Called under the request's lock.
   */
  private void decide(
      CompletableFuture<HeadResult<H>> result,
      List<HeadResult<H>> answers,
      Map<Hash, PeerId> answeredBy,
      Instant started,
      String requestType) {
    answers.sort((a, b) -> Long.compare(b.header().height(), a.header().height()));
    H top = answers.get(0).header();
    H rival =
        answers.stream()
            .map(HeadResult::header)
            .filter(h -> h.height() == top.height() && !h.hash().equals(top.hash()))
            .findFirst()
            .orElse(null);
    if (rival != null) {
      // Two headers at one height that both pass every check: the sequencer signed twice
      // (equivocation). Picking either could store a chain the network abandons; wait
      // for a head that settles it (the next header links to one of them).
      String conflict =
          "conflicting heads at height "
              + top.height()
              + ": "
              + answeredBy.get(top.hash())
              + " answers "
              + top.hash()
              + ", "
              + answeredBy.get(rival.hash())
              + " answers "
              + rival.hash()
              + " (two valid headers at one height: did the sequencer sign twice?)";
      if (conflictLogged.getAndSet(top.height()) != top.height()) {
        log.warn("{}; not syncing to either until a later head settles it", conflict);
      } else {
        log.debug("{}", conflict);
      }
      record(started, answers.size(), requestType, "no_headers");
      result.completeExceptionally(new ExchangeException(conflict));
    } else if (result.complete(answers.get(0))) {
      record(started, answers.size(), requestType, "ok");
    }
  }

  private void record(Instant started, int answers, String requestType, String status) {
    headTime.record(
        Duration.between(started, clock.instant()).toNanos() / 1e9,
        Integer.toString(answers),
        requestType,
        status);
  }
}
