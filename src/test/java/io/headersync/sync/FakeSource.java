package io.headersync.sync;

import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.exchange.HeadResult;
import io.headersync.exchange.PeerFailure;
import io.headersync.exchange.PeerRequestException;
import io.headersync.testkit.DummyHeader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A network-free header source over a "remote" chain, like go-header's {@code local.Exchange}:
 * ranges are verified against {@code from} and delivered in 64-header batches honouring the sink's
 * backpressure. Tests can hold range sessions ({@link #hold}) and make them fail ({@link
 * #failNextRanges}).
 */
final class FakeSource implements HeaderSource<DummyHeader> {
  final TreeMap<Long, DummyHeader> remote = new TreeMap<>();
  private final Verification<DummyHeader> verification;
  int headCalls;
  int trustedHeadCalls;
  int rangeCalls;
  int getByHeightCalls;
  int getByHashCalls;
  int rangeByHeightCalls;

  /** Headers {@link #getRangeByHeight} serves instead of the remote chain's (a lying peer). */
  final Map<Long, DummyHeader> forged = new java.util.HashMap<>();

  int failNextRanges;
  boolean hold;

  /** Range sessions held back while {@link #hold} was set: their result and how to start them. */
  final List<Held> held = new ArrayList<>();

  /** How the sinks' stages failed, as the range session saw them. */
  final List<Throwable> sinkFailures = new ArrayList<>();

  record Held(CompletableFuture<Void> result, Runnable start) {}

  /** Starts every held session. */
  void release() {
    hold = false;
    List<Held> all = new ArrayList<>(held);
    held.clear();
    all.forEach(h -> h.start().run());
  }

  FakeSource(Clock clock) {
    this.verification = new Verification<>(DummyHeader.TYPE, clock);
  }

  void add(List<DummyHeader> headers) {
    headers.forEach(h -> remote.put(h.height(), h));
  }

  @Override
  public synchronized CompletableFuture<DummyHeader> head() {
    headCalls++;
    return CompletableFuture.completedFuture(remote.lastEntry().getValue());
  }

  @Override
  public synchronized CompletableFuture<HeadResult<DummyHeader>> head(DummyHeader trustedHead) {
    trustedHeadCalls++;
    DummyHeader h = remote.lastEntry().getValue();
    try {
      verification.verify(trustedHead, h);
    } catch (VerifyException e) {
      if (e.isSoft()) {
        return CompletableFuture.completedFuture(new HeadResult<>(h, Optional.of(e)));
      }
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.completedFuture(new HeadResult<>(h, Optional.empty()));
  }

  @Override
  public synchronized CompletableFuture<DummyHeader> getByHeight(long height) {
    getByHeightCalls++;
    DummyHeader h = remote.get(height);
    return h == null
        ? CompletableFuture.failedFuture(
            new PeerRequestException(PeerFailure.NOT_FOUND, "no " + height))
        : CompletableFuture.completedFuture(h);
  }

  @Override
  public synchronized CompletableFuture<DummyHeader> get(io.headersync.Hash hash) {
    getByHashCalls++;
    for (DummyHeader h : remote.values()) {
      if (h.hash().equals(hash)) {
        return CompletableFuture.completedFuture(h);
      }
    }
    return CompletableFuture.failedFuture(
        new PeerRequestException(PeerFailure.NOT_FOUND, "no " + hash));
  }

  @Override
  public synchronized CompletableFuture<List<DummyHeader>> getRangeByHeight(
      long from,
      int amount,
      Function<? super List<DummyHeader>, ? extends CompletionStage<?>> check) {
    rangeByHeightCalls++;
    List<DummyHeader> out = new ArrayList<>();
    for (long h = from; h < from + amount; h++) {
      DummyHeader x = forged.containsKey(h) ? forged.get(h) : remote.get(h);
      if (x == null) {
        return CompletableFuture.failedFuture(
            new PeerRequestException(PeerFailure.NOT_FOUND, "no " + h));
      }
      out.add(x);
    }
    // As the exchange: a hard failure would block the one peer this source stands for.
    try {
      return check.apply(out).toCompletableFuture().thenApply(v -> out);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public synchronized CompletableFuture<Void> streamRange(
      DummyHeader from, long to, Function<List<DummyHeader>, CompletionStage<Void>> sink) {
    rangeCalls++;
    CompletableFuture<Void> result = new CompletableFuture<>();
    if (failNextRanges > 0) {
      failNextRanges--;
      result.completeExceptionally(
          new PeerRequestException(PeerFailure.TIMEOUT, "simulated timeout"));
      return result;
    }
    if (hold) {
      held.add(new Held(result, () -> start(from, to, sink, result)));
      return result;
    }
    start(from, to, sink, result);
    return result;
  }

  private synchronized void start(
      DummyHeader from,
      long to,
      Function<List<DummyHeader>, CompletionStage<Void>> sink,
      CompletableFuture<Void> result) {
    List<DummyHeader> all = new ArrayList<>();
    for (Map.Entry<Long, DummyHeader> e :
        remote.subMap(from.height() + 1, true, to, false).entrySet()) {
      all.add(e.getValue());
    }
    if (all.size() != to - from.height() - 1) {
      result.completeExceptionally(
          new PeerRequestException(PeerFailure.NOT_FOUND, "range not available"));
      return;
    }
    deliver(from, all, 0, sink, result);
  }

  private void deliver(
      DummyHeader trusted,
      List<DummyHeader> all,
      int offset,
      Function<List<DummyHeader>, CompletionStage<Void>> sink,
      CompletableFuture<Void> result) {
    if (result.isDone()) {
      return;
    }
    if (offset >= all.size()) {
      result.complete(null);
      return;
    }
    List<DummyHeader> batch = all.subList(offset, Math.min(offset + 64, all.size()));
    Verification.RangeResult<DummyHeader> r = verification.verifyRange(trusted, batch);
    if (!r.isComplete()) {
      result.completeExceptionally(r.error().get());
      return;
    }
    sink.apply(List.copyOf(batch))
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                sinkFailures.add(err);
                result.completeExceptionally(err);
              } else {
                deliver(batch.get(batch.size() - 1), all, offset + batch.size(), sink, result);
              }
            });
  }
}
