package io.headersync.subscriber;

import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.libp2p.pubsub.Subscription;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Accepted headers of the topic, in arrival order (go-header's {@code Subscription.NextHeader}).
 * Bounded like the pubsub subscription underneath: when the application falls behind, new headers
 * are dropped for this subscription and counted in {@link #dropped()}; the syncer, which sees every
 * header through the verifier, is not affected.
 *
 * @param <H> the header type
 */
public final class HeaderSubscription<H extends Header> implements AutoCloseable {
  private final Subscription subscription;
  private final HeaderType<H> type;
  private final Runnable onClose;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  HeaderSubscription(Subscription subscription, HeaderType<H> type, Runnable onClose) {
    this.subscription = subscription;
    this.type = type;
    this.onClose = onClose;
  }

  /**
   * {@return the next accepted header} Completes at once when one is queued, else on the pubsub
   * callback executor. Fails with {@link CancellationException} once closed.
   */
  public CompletableFuture<H> next() {
    // The validator accepted these bytes, so they decode; decoding again (a few microseconds) keeps
    // the pubsub message immutable instead of carrying Go's mutable ValidatorData.
    return subscription.next().thenApply(m -> type.decode(m.data()));
  }

  /**
   * {@return how many headers were dropped because the application did not keep up} Counted since
   * the subscription started.
   */
  public long dropped() {
    return subscription.dropped();
  }

  /**
   * Stops the subscription; pending {@link #next()} futures fail with {@link
   * CancellationException}.
   */
  @Override
  public void close() {
    subscription.close();
    if (closed.compareAndSet(false, true)) {
      onClose.run();
    }
  }
}
