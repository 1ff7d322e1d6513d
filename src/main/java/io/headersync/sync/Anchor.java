package io.headersync.sync;

import io.headersync.Header;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.store.Store;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * What an anchored syncer follows: a store of already verified headers of another type (the
 * <em>anchor</em>) and the check that ties a header of the synced type to the anchor header at the
 * same height. "Data follows headers": an ev-node full node's data syncer is anchored on its header
 * store, and block data at height h is accepted iff it matches the verified header at h.
 *
 * <p>An anchored syncer differs from go-header's in three ways:
 *
 * <ul>
 *   <li>its target is the anchor store's height, not a subjective head found from the network: it
 *       never asks peers for their head and never bifurcates;
 *   <li>every header it stores passed the anchor check against the anchor header at its height
 *       (fetched ranges in parallel on the worker executor), and adjacent verification against the
 *       header below it;
 *   <li>gossip that arrives before its anchor header waits for it, for a bounded time and in a
 *       bounded number.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <H> the header type of the anchored syncer
 */
public final class Anchor<H extends Header> {
  /**
   * Checks a header against the anchor header at its height. Called on the worker executor, for
   * several headers in parallel; must be thread-safe and must not block.
   *
   * @param <A> the anchor's header type
   * @param <H> the anchored header type
   */
  @FunctionalInterface
  public interface Check<A extends Header, H extends Header> {
    /**
     * Checks that {@code header} belongs with {@code anchor}, the anchor header at its height, e.g.
     * that an ev-node data's hash is the header's {@code data_hash}.
     *
     * @param anchor the verified anchor header at {@code header}'s height
     * @param header the header being synced
     * @throws VerifyException (hard) if {@code header} does not match {@code anchor}; any other
     *     runtime exception is taken for a broken check, which fails a sync job without blaming a
     *     peer
     */
    void check(A anchor, H header);
  }

  private final Store<? extends Header> store;
  private final Matcher<H> matcher;
  private final @Nullable LongSupplier horizon;

  private interface Matcher<H> {
    /**
     * Checks {@code h} against the anchor at its height; false if the anchor has no header there.
     */
    boolean match(H h);
  }

  private Anchor(
      Store<? extends Header> store, Matcher<H> matcher, @Nullable LongSupplier horizon) {
    this.store = store;
    this.matcher = matcher;
    this.horizon = horizon;
  }

  /**
   * {@return this anchor with a <em>horizon</em>: how far ahead of the anchor store's head headers
   * may be fetched, e.g. the header syncer's target during its catch-up} The anchored syncer then
   * fetches in parallel with the anchor's syncer and checks each batch once the anchor headers at
   * its heights are stored (waiting at most {@code anchorWait} for them). Without a horizon it
   * fetches up to the anchor store's head only.
   *
   * @param horizon read at every step of a job; values below the anchor store's head are ignored
   */
  public Anchor<H> withHorizon(LongSupplier horizon) {
    return new Anchor<>(store, matcher, Objects.requireNonNull(horizon, "horizon == null"));
  }

  /** {@return how far to fetch: the anchor store's head, or the horizon when it is higher} */
  public long horizon() {
    long stored = store.height();
    return horizon == null ? stored : Math.max(stored, horizon.getAsLong());
  }

  /**
   * {@return an anchor on {@code store} with {@code check}}
   *
   * @param store the verified headers to follow, e.g. the header service's store
   * @param check what ties a synced header to the anchor header at its height
   * @param <A> the anchor's header type
   * @param <H> the anchored (synced) header type
   */
  public static <A extends Header, H extends Header> Anchor<H> of(
      Store<A> store, Check<A, ? super H> check) {
    Objects.requireNonNull(store, "store == null");
    Objects.requireNonNull(check, "check == null");
    return new Anchor<>(
        store,
        h -> {
          Optional<A> a = store.getByHeight(h.height());
          if (a.isEmpty()) {
            return false;
          }
          check.check(a.get(), h);
          return true;
        },
        null);
  }

  /** {@return the anchor store's head height; 0 when it is empty} */
  public long height() {
    return store.height();
  }

  /** {@return the anchor store's tail height; 0 when it is empty} */
  public long tailHeight() {
    return store.tail().map(Header::height).orElse(0L);
  }

  /**
   * Waits for the anchor store to hold {@code height}; see {@link Store#awaitHeight}.
   *
   * @param height the height; positive
   * @return a future that completes once the anchor header at {@code height} is stored, and fails
   *     as {@link Store#awaitHeight}'s does
   */
  public CompletableFuture<Void> awaitHeight(long height) {
    return store.awaitHeight(height).thenApply(a -> null);
  }

  /**
   * Checks {@code h} against the anchor header at its height.
   *
   * @param h the header being synced
   * @return false if the anchor has no header at {@code h}'s height (yet, or below its tail)
   * @throws VerifyException if it does not match
   */
  public boolean check(H h) {
    if (h.height() < 1) {
      return false;
    }
    return matcher.match(h);
  }

  @Override
  public String toString() {
    return "Anchor{height=" + store.height() + "}";
  }
}
