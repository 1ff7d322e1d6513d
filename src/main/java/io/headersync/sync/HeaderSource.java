package io.headersync.sync;

import io.headersync.Header;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.HeadResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * What the syncer needs from the network: the slice of {@link Exchange} it uses. A seam so tests
 * can drive the syncer deterministically without a network; production code always passes an {@link
 * Exchange}.
 */
interface HeaderSource<H extends Header> {
  CompletableFuture<H> head();

  CompletableFuture<HeadResult<H>> head(H trustedHead);

  CompletableFuture<H> getByHeight(long height);

  CompletableFuture<H> get(io.headersync.Hash hash);

  /**
   * Headers {@code [from, from + amount)}, {@code amount <= 64}, each answer passed to the
   * asynchronous {@code check} first: a hard {@link io.headersync.VerifyException} from it blocks
   * the peer that sent the answer and another peer's answer is used ({@link
   * Exchange#getRangeByHeight(long, int, Function)}).
   */
  CompletableFuture<List<H>> getRangeByHeight(
      long from, int amount, Function<? super List<H>, ? extends CompletionStage<?>> check);

  CompletableFuture<Void> streamRange(
      H from, long to, Function<List<H>, CompletionStage<Void>> sink);

  static <H extends Header> HeaderSource<H> of(Exchange<H> exchange) {
    return new HeaderSource<>() {
      @Override
      public CompletableFuture<H> head() {
        return exchange.head();
      }

      @Override
      public CompletableFuture<HeadResult<H>> head(H trustedHead) {
        return exchange.head(trustedHead);
      }

      @Override
      public CompletableFuture<H> getByHeight(long height) {
        return exchange.getByHeight(height);
      }

      @Override
      public CompletableFuture<H> get(io.headersync.Hash hash) {
        return exchange.get(hash);
      }

      @Override
      public CompletableFuture<List<H>> getRangeByHeight(
          long from, int amount, Function<? super List<H>, ? extends CompletionStage<?>> check) {
        return exchange.getRangeByHeight(from, amount, check);
      }

      @Override
      public CompletableFuture<Void> streamRange(
          H from, long to, Function<List<H>, CompletionStage<Void>> sink) {
        return exchange.streamRange(from, to, sink);
      }
    };
  }
}
