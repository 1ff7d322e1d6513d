package io.headersync.exchange.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.exchange.ExchangeException;
import io.headersync.exchange.PeerFailure;
import io.headersync.exchange.PeerRequestException;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.ManualScheduler;
import io.headersync.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RangeSessionTest {
  private static final Instant GENESIS_TIME = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(GENESIS_TIME.plusSeconds(3600));
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final Verification<DummyHeader> verification =
      new Verification<>(DummyHeader.TYPE, clock);
  private final List<String> blocked = new ArrayList<>();
  private final PeerTracker<String> tracker =
      new PeerTracker<>(clock, 100, Duration.ofHours(1), (peer, reason) -> blocked.add(peer));
  private final List<DummyHeader> chain = new DummyChain(GENESIS_TIME).next(2000);
  private final List<DummyHeader> delivered = new ArrayList<>();
  private final RangeSession.Sink<DummyHeader> sink =
      batch -> {
        delivered.addAll(batch);
        return CompletableFuture.completedFuture(null);
      };

  /** Serves headers from {@code source} at once, counting requests and the most in flight. */
  private final class Server {
    final List<DummyHeader> source;
    int requests;
    int maxAmountServed = Integer.MAX_VALUE;

    Server(List<DummyHeader> source) {
      this.source = source;
    }

    CompletableFuture<List<DummyHeader>> serve(long from, int amount) {
      requests++;
      int n = Math.min(amount, maxAmountServed);
      int start = (int) from - 1;
      if (start >= source.size()) {
        return CompletableFuture.failedFuture(
            new PeerRequestException(PeerFailure.NOT_FOUND, "not found"));
      }
      return CompletableFuture.completedFuture(
          new ArrayList<>(source.subList(start, Math.min(start + n, source.size()))));
    }
  }

  private RangeSession<DummyHeader, String> session(
      long to,
      RangeSession.Fetcher<DummyHeader, String> fetcher,
      RangeSession.Sink<DummyHeader> sink,
      RangeSession.Config config) {
    return new RangeSession<>(
        chain.get(0), to, verification, tracker, fetcher, sink, scheduler, clock, config);
  }

  private static RangeSession.Config config(int depth, int buffered) {
    return new RangeSession.Config(
        64, depth, buffered, Duration.ofSeconds(8), 5, RangeSession.Config.DEFAULT_RETRY_BACKOFF);
  }

  @Test
  void fetchesALongRangeInOrderFromOnePeer() throws Exception {
    tracker.connected("a");
    Server a = new Server(chain);
    CompletableFuture<Void> done =
        session(2001, (p, from, n) -> a.serve(from, n), sink, RangeSession.Config.defaults())
            .start();
    done.get();
    assertChain(1, 2000);
    assertEquals(32, a.requests, "1999 headers in 64-header chunks");
  }

  @Test
  void pipelinesRequestsPerPeerUpToTheDepth() {
    tracker.connected("a");
    tracker.connected("b");
    Map<String, Deque<Runnable>> held = new HashMap<>();
    Map<String, Integer> maxInFlight = new HashMap<>();
    Server server = new Server(chain);
    RangeSession<DummyHeader, String> s =
        session(
            1001,
            (p, from, n) -> {
              CompletableFuture<List<DummyHeader>> f = new CompletableFuture<>();
              Deque<Runnable> q = held.computeIfAbsent(p, k -> new ArrayDeque<>());
              q.add(() -> f.complete(server.serve(from, n).join()));
              maxInFlight.merge(p, q.size(), Math::max);
              return f;
            },
            sink,
            config(3, 100));
    CompletableFuture<Void> done = s.start();
    assertEquals(3, held.get("a").size(), "peer a pipelined to depth 3");
    assertEquals(3, held.get("b").size(), "peer b pipelined to depth 3");
    // Complete answers newest first: delivery still happens in height order.
    while (!done.isDone()) {
      for (Deque<Runnable> q : held.values()) {
        Runnable r = q.pollLast();
        if (r != null) {
          r.run();
        }
      }
    }
    assertChain(1, 1000);
    assertEquals(3, maxInFlight.get("a"));
  }

  @Test
  void neverHoldsMoreChunksThanTheBufferAllows() {
    tracker.connected("a");
    Server server = new Server(chain);
    List<CompletableFuture<Void>> sinkStages = new ArrayList<>();
    int[] requests = {0};
    RangeSession<DummyHeader, String> s =
        session(
            2001,
            (p, from, n) -> {
              requests[0]++;
              return server.serve(from, n);
            },
            batch -> {
              delivered.addAll(batch);
              CompletableFuture<Void> f = new CompletableFuture<>();
              sinkStages.add(f);
              return f;
            },
            config(8, 5));
    CompletableFuture<Void> done = s.start();
    // The sink holds the first batch: nothing at or beyond 5 chunks past it is requested.
    assertEquals(5, requests[0]);
    assertEquals(1, sinkStages.size());
    while (!done.isDone()) {
      sinkStages.get(sinkStages.size() - 1).complete(null);
    }
    assertChain(1, 2000);
  }

  @Test
  void completesPartialAnswersFromTheNextRequest() throws Exception {
    tracker.connected("a");
    Server a = new Server(chain);
    a.maxAmountServed = 10;
    session(201, (p, from, n) -> a.serve(from, n), sink, RangeSession.Config.defaults())
        .start()
        .get();
    assertChain(1, 200);
    // Three 64-header chunks take 7 answers each, the last 7-header chunk one.
    assertEquals(22, a.requests);
  }

  @Test
  void retriesNotFoundOnAnotherPeerAndLowersTheScore() throws Exception {
    tracker.connected("behind");
    tracker.connected("good");
    Server behind = new Server(chain.subList(0, 50));
    Server good = new Server(chain);
    CompletableFuture<Void> done =
        session(
                301,
                (p, from, n) -> (p.equals("good") ? good : behind).serve(from, n),
                sink,
                config(1, 8))
            .start();
    scheduler.advance(Duration.ofSeconds(10));
    done.get();
    assertChain(1, 300);
    assertTrue(tracker.score("behind") < tracker.score("good"));
    assertTrue(blocked.isEmpty(), "NOT_FOUND never blocks");
  }

  @Test
  void blocksAPeerServingAForkedChainAndSyncsFromAnHonestOne() throws Exception {
    tracker.connected("liar");
    tracker.connected("honest");
    // Same heights, different hashes: the liar's chain does not link to our trusted header.
    List<DummyHeader> fork = new ArrayList<>(chain.subList(0, 1));
    DummyHeader h = DummyHeader.genesis("test", 2, chain.get(1).time());
    fork.add(h);
    while (fork.size() < 400) {
      h = h.next();
      fork.add(h);
    }
    Server liar = new Server(fork);
    Server honest = new Server(chain);
    CompletableFuture<Void> done =
        session(
                301,
                (p, from, n) -> (p.equals("liar") ? liar : honest).serve(from, n),
                sink,
                config(2, 8))
            .start();
    scheduler.advance(Duration.ofSeconds(10));
    done.get();
    assertChain(1, 300);
    assertEquals(List.of("liar"), blocked);
  }

  @Test
  void catchesAChunkThatDoesNotLinkToThePreviousOne() throws Exception {
    // Later chunks are checked against "from" non-adjacently, which a forked chunk passes; the link
    // check on delivery catches it. Another peer served the chunk below, and a forger can make a
    // chunk
    // that links to "from" as easily (ev-node data, unsigned headers), so which one lies cannot be
    // told
    // here: the liar is excluded from the session, not blocked, and the chunk comes from the other.
    tracker.connected("honest");
    tracker.connected("liar");
    List<DummyHeader> fork = new ArrayList<>(chain.subList(0, 64));
    DummyHeader h = chain.get(64).withTime(chain.get(64).time().plusNanos(3));
    fork.add(h);
    while (fork.size() < 300) {
      h = h.next();
      fork.add(h);
    }
    Server honest = new Server(chain);
    Server liar = new Server(fork);
    // The honest peer gets the first chunk, the liar the second.
    CompletableFuture<Void> done =
        session(
                201,
                (p, from, n) -> (p.equals("liar") ? liar : honest).serve(from, n),
                sink,
                config(1, 8))
            .start();
    scheduler.advance(Duration.ofSeconds(10));
    done.get();
    assertChain(1, 200);
    assertEquals(List.of(), blocked);
  }

  @Test
  void softVerificationFailureExcludesWithoutBlocking() throws Exception {
    tracker.connected("soft");
    tracker.connected("good");
    Server good = new Server(chain);
    List<DummyHeader> softChain = new ArrayList<>(chain);
    softChain.set(100, chain.get(100).withVerifyFailure(true));
    Server soft = new Server(softChain);
    // "soft" serves the second chunk, which is verified non-adjacently against "from": the flagged
    // header fails softly there.
    RangeSession<DummyHeader, String> s =
        session(
            201,
            (p, from, n) -> (p.equals("soft") ? soft : good).serve(from, n),
            sink,
            config(1, 8));
    CompletableFuture<Void> done = s.start();
    scheduler.advance(Duration.ofSeconds(10));
    done.get();
    assertChain(1, 200);
    assertTrue(blocked.isEmpty(), "soft failures do not block (go-header blocks them)");
  }

  @Test
  void timesOutASilentPeerAndRetriesElsewhere() throws Exception {
    tracker.connected("silent");
    tracker.connected("good");
    Server good = new Server(chain);
    List<CompletableFuture<List<DummyHeader>>> silentRequests = new ArrayList<>();
    CompletableFuture<Void> done =
        session(
                101,
                (p, from, n) -> {
                  if (p.equals("silent")) {
                    CompletableFuture<List<DummyHeader>> f = new CompletableFuture<>();
                    silentRequests.add(f);
                    return f;
                  }
                  return good.serve(from, n);
                },
                sink,
                config(1, 8))
            .start();
    assertFalse(done.isDone());
    scheduler.advance(Duration.ofSeconds(9));
    done.get();
    assertChain(1, 100);
    assertTrue(
        silentRequests.get(0).isCompletedExceptionally(), "the timed-out request was abandoned");
    assertTrue(tracker.score("silent") < PeerTracker.DEFAULT_SCORE);
  }

  @Test
  void survivesAPeerThatResetsEveryOtherRequest() throws Exception {
    tracker.connected("flaky");
    Server server = new Server(chain);
    int[] calls = {0};
    CompletableFuture<Void> done =
        session(
                2001,
                (p, from, n) ->
                    ++calls[0] % 2 == 0
                        ? CompletableFuture.failedFuture(
                            new PeerRequestException(PeerFailure.RESET, "rate limited"))
                        : server.serve(from, n),
                sink,
                RangeSession.Config.defaults())
            .start();
    for (int i = 0; i < 1000 && !done.isDone(); i++) {
      scheduler.advance(Duration.ofMillis(100));
    }
    done.get();
    assertChain(1, 2000);
  }

  @Test
  void failsNamingTheHeightsWhenEveryAttemptFails() {
    tracker.connected("a");
    CompletableFuture<Void> done =
        session(
                101,
                (p, from, n) ->
                    CompletableFuture.failedFuture(
                        new PeerRequestException(PeerFailure.RESET, "stream reset")),
                sink,
                config(1, 8))
            .start();
    scheduler.advance(Duration.ofMinutes(1));
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, done::get);
    assertInstanceOf(ExchangeException.class, e.getCause());
    assertTrue(
        e.getCause().getMessage().contains("headers [2, 66) failed 5 attempts"),
        e.getCause().getMessage());
    assertTrue(e.getCause().getMessage().contains("stream reset"), e.getCause().getMessage());
  }

  @Test
  void failsAtOnceWithoutPeers() {
    CompletableFuture<Void> done =
        session(
                101,
                (p, from, n) -> {
                  throw new AssertionError("no peer to ask");
                },
                sink,
                config(1, 8))
            .start();
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, done::get);
    assertTrue(
        e.getCause().getMessage().contains("no usable peer to request headers [2, 66)"),
        e.getCause().getMessage());
  }

  @Test
  void cancelAbandonsRequestsInFlight() {
    tracker.connected("a");
    List<CompletableFuture<List<DummyHeader>>> requests = new ArrayList<>();
    RangeSession<DummyHeader, String> s =
        session(
            1001,
            (p, from, n) -> {
              CompletableFuture<List<DummyHeader>> f = new CompletableFuture<>();
              requests.add(f);
              return f;
            },
            sink,
            config(4, 8));
    CompletableFuture<Void> done = s.start();
    assertEquals(4, requests.size());
    s.cancel();
    assertTrue(done.isCompletedExceptionally());
    org.junit.jupiter.api.Assertions.assertThrows(CancellationException.class, done::join);
    assertTrue(requests.stream().allMatch(CompletableFuture::isCancelled));
    assertEquals(0, scheduler.queued(), "request timeouts cancelled");
  }

  @Test
  void sinkFailureFailsTheSession() {
    tracker.connected("a");
    Server a = new Server(chain);
    RangeSession.Sink<DummyHeader> failing =
        batch -> CompletableFuture.failedFuture(new IllegalStateException("disk full"));
    CompletableFuture<Void> done =
        session(101, (p, from, n) -> a.serve(from, n), failing, config(1, 8)).start();
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, done::get);
    assertTrue(e.getCause().getMessage().contains("disk full"), e.getCause().getMessage());
  }

  /** A sink that fails with {@code failure} when handed its {@code failAt}-th batch (from 1). */
  private RangeSession.Sink<DummyHeader> failingSink(
      int failAt, Function<List<List<DummyHeader>>, Throwable> failure) {
    List<List<DummyHeader>> batches = new ArrayList<>();
    return batch -> {
      batches.add(batch);
      delivered.addAll(batch);
      return batches.size() < failAt
          ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(failure.apply(batches));
    };
  }

  /** Serves the chain from two peers, "a" and "b", remembering who was asked for which chunk. */
  private RangeSession.Fetcher<DummyHeader, String> twoPeers(Map<Long, String> servedBy) {
    tracker.connected("a");
    tracker.connected("b");
    Server server = new Server(chain);
    return (p, from, n) -> {
      servedBy.put(from, p);
      return server.serve(from, n);
    };
  }

  @Test
  void blocksThePeerThatServedAHeaderTheSinkNamesAsBad() {
    // Depth 1: "a" serves [2, 66), "b" [66, 130). The second batch fails, naming a header of it.
    Map<Long, String> servedBy = new HashMap<>();
    RangeSession.Sink<DummyHeader> sink =
        failingSink(
            2,
            batches ->
                new VerifyException(
                    VerifyException.Reason.TYPE_CHECK,
                    "forged",
                    false,
                    batches.get(1).get(0).height()));
    CompletableFuture<Void> done = session(1001, twoPeers(servedBy), sink, config(1, 8)).start();
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, done::get);
    assertEquals("a", servedBy.get(2L));
    assertEquals("b", servedBy.get(66L));
    assertEquals(List.of("b"), blocked);
    assertEquals(List.of("a"), tracker.usablePeers());
    assertTrue(
        e.getCause().getMessage().contains("header 66 was served by b"), e.getCause().getMessage());
    assertTrue(e.getCause().getMessage().contains("forged"), e.getCause().getMessage());
  }

  @Test
  void blamesAHeaderOfAnEarlierBatchWhenAPipelinedSinkFindsItLate() {
    // The fourth batch fails (wrapped, as a CompletableFuture chain delivers it), naming a header
    // of
    // the second.
    Map<Long, String> servedBy = new HashMap<>();
    RangeSession.Sink<DummyHeader> sink =
        failingSink(
            4,
            batches ->
                new CompletionException(
                    new VerifyException(
                        VerifyException.Reason.TYPE_CHECK,
                        "bad signature",
                        false,
                        batches.get(1).get(5).height())));
    CompletableFuture<Void> done = session(1001, twoPeers(servedBy), sink, config(1, 8)).start();
    assertTrue(done.isCompletedExceptionally());
    assertEquals("b", servedBy.get(66L));
    assertEquals(List.of("b"), blocked, "only the peer that served header 71: " + servedBy);
  }

  @Test
  void blamesThroughARunOfBatchesFromOnePeer() {
    tracker.connected("a");
    Server server = new Server(chain);
    RangeSession.Sink<DummyHeader> sink =
        failingSink(
            5,
            batches ->
                new VerifyException(VerifyException.Reason.TYPE_CHECK, "forged", false, 100));
    CompletableFuture<Void> done =
        session(1001, (p, from, n) -> server.serve(from, n), sink, config(4, 8)).start();
    assertTrue(done.isCompletedExceptionally());
    assertEquals(List.of("a"), blocked);
  }

  @Test
  void aSinkFailureThatIsNotABadHeaderBlocksNoOne() {
    List<Throwable> failures =
        List.of(
            new IllegalStateException("store is closed"),
            new CancellationException("stopped"),
            // soft: not enough to call the header wrong
            new VerifyException(VerifyException.Reason.TYPE_CHECK, "soft", true, 70),
            // hard but names no header
            new VerifyException(VerifyException.Reason.TYPE_CHECK, "no height", false),
            // names a header this session never delivered
            new VerifyException(VerifyException.Reason.TYPE_CHECK, "elsewhere", false, 5000),
            // a bad header wrapped in something else is not the signal
            new IllegalStateException(
                "wrapped",
                new VerifyException(VerifyException.Reason.TYPE_CHECK, "inner", false, 70)));
    for (Throwable failure : failures) {
      PeerTracker<String> fresh =
          new PeerTracker<>(clock, 100, Duration.ofHours(1), (peer, reason) -> blocked.add(peer));
      fresh.connected("a");
      fresh.connected("b");
      Server server = new Server(chain);
      CompletableFuture<Void> done =
          new RangeSession<>(
                  chain.get(0),
                  1001,
                  verification,
                  fresh,
                  (p, from, n) -> server.serve(from, n),
                  failingSink(2, batches -> failure),
                  scheduler,
                  clock,
                  config(1, 8))
              .start();
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, done::get);
      assertInstanceOf(ExchangeException.class, e.getCause());
      assertTrue(blocked.isEmpty(), failure + " blocked " + blocked);
      assertEquals(2, fresh.usablePeers().size());
    }
  }

  @Test
  void rejectsAnswersWithWrongHeightsAsInvalid() throws Exception {
    tracker.connected("shifted");
    tracker.connected("good");
    Server good = new Server(chain);
    CompletableFuture<Void> done =
        session(
                101,
                (p, from, n) -> p.equals("shifted") ? good.serve(from + 1, n) : good.serve(from, n),
                sink,
                config(1, 8))
            .start();
    scheduler.advance(Duration.ofSeconds(5));
    done.get();
    assertChain(1, 100);
    assertEquals(List.of("shifted"), blocked);
  }

  private long nanos() {
    Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /**
   * A peer behind a round trip that serves one request at a time at {@code rate} headers/s, on the
   * manual scheduler: answers come when the virtual time has come.
   */
  private final class DelayedServer {
    final List<DummyHeader> source;
    final Duration rtt;
    final double rate;
    long busyUntilNanos;
    int inFlight;
    int maxInFlight;
    int requests;

    DelayedServer(List<DummyHeader> source, Duration rtt, double rate) {
      this.source = source;
      this.rtt = rtt;
      this.rate = rate;
    }

    CompletableFuture<List<DummyHeader>> serve(long from, int amount) {
      requests++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      long now = nanos();
      long start = Math.max(now + rtt.toNanos() / 2, busyUntilNanos);
      busyUntilNanos = start + (long) (amount / rate * 1e9);
      CompletableFuture<List<DummyHeader>> f = new CompletableFuture<>();
      int i = (int) from - 1;
      List<DummyHeader> answer =
          new ArrayList<>(source.subList(i, Math.min(i + amount, source.size())));
      scheduler.schedule(
          () -> {
            inFlight--;
            f.complete(answer);
          },
          busyUntilNanos + rtt.toNanos() / 2 - now,
          java.util.concurrent.TimeUnit.NANOSECONDS);
      return f;
    }
  }

  @Test
  void theAdaptiveWindowFillsA50MillisecondRoundTripWithinItsBounds() throws Exception {
    List<DummyHeader> longChain = new DummyChain(GENESIS_TIME).next(40_001);
    tracker.connected("far");
    DelayedServer far = new DelayedServer(longChain, Duration.ofMillis(50), 200_000);
    int[] maxAhead = {0};
    List<DummyHeader> got = new ArrayList<>();
    RangeSession<DummyHeader, String> s =
        new RangeSession<>(
            longChain.get(0),
            40_002,
            verification,
            tracker,
            (p, from, n) -> {
              maxAhead[0] = Math.max(maxAhead[0], (int) (from + n - 2 - got.size()));
              return far.serve(from, n);
            },
            batch -> {
              got.addAll(batch);
              return CompletableFuture.completedFuture(null);
            },
            scheduler,
            clock,
            RangeSession.Config.defaults());
    long t0 = nanos();
    CompletableFuture<Void> done = s.start();
    while (!done.isDone()) {
      scheduler.advance(Duration.ofMillis(1));
    }
    done.get();
    assertEquals(40_000, got.size());
    assertTrue(longChain.subList(1, 40_001).equals(got), "the chain, in order");
    double seconds = (nanos() - t0) / 1e9;
    // A fixed 16 requests of 64 headers per 50 ms would take 2 s for these 40,000 headers.
    assertTrue(seconds < 0.8, "took " + seconds + " s; most in flight " + far.maxInFlight);
    assertTrue(far.maxInFlight > 64, "grew past the old fixed depth: " + far.maxInFlight);
    assertTrue(far.maxInFlight <= 128, "maxPerPeerDepth: " + far.maxInFlight);
    assertTrue(maxAhead[0] <= 256 * 64, "maxBufferedChunks: " + maxAhead[0] + " headers ahead");
  }

  @Test
  void aSlowPeerGetsFewerChunksOfASession() throws Exception {
    List<DummyHeader> longChain = new DummyChain(GENESIS_TIME).next(20_001);
    tracker.connected("slow"); // listed first: ties keep the order peers connected in
    tracker.connected("fast");
    DelayedServer slow = new DelayedServer(longChain, Duration.ofMillis(50), 10_000);
    DelayedServer fast = new DelayedServer(longChain, Duration.ofMillis(50), 200_000);
    List<DummyHeader> got = new ArrayList<>();
    CompletableFuture<Void> done =
        new RangeSession<>(
                longChain.get(0),
                20_002,
                verification,
                tracker,
                (p, from, n) -> (p.equals("slow") ? slow : fast).serve(from, n),
                batch -> {
                  got.addAll(batch);
                  return CompletableFuture.completedFuture(null);
                },
                scheduler,
                clock,
                RangeSession.Config.defaults())
            .start();
    while (!done.isDone()) {
      scheduler.advance(Duration.ofMillis(1));
    }
    done.get();
    assertEquals(20_000, got.size());
    assertTrue(
        slow.requests * 4 < fast.requests, "slow " + slow.requests + ", fast " + fast.requests);
  }

  /**
   * Asserts the sink received exactly {@code chain.subList(from, to)}, without printing them all.
   */
  private void assertChain(int from, int to) {
    assertEquals(to - from, delivered.size(), "headers delivered");
    for (int i = 0; i < delivered.size(); i++) {
      DummyHeader expected = chain.get(from + i);
      if (!expected.equals(delivered.get(i))) {
        throw new AssertionError(
            "delivered " + delivered.get(i) + " at position " + i + ", expected " + expected);
      }
    }
  }
}
