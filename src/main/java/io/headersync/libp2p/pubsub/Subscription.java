package io.headersync.libp2p.pubsub;

import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The messages of one topic delivered to us, in order, through a bounded queue: when the
 * application falls {@code capacity} messages behind, new messages are dropped for this
 * subscription (as Go does) and counted in {@link #dropped()}.
 *
 * <p>{@link #next()} may be called from any thread. When a message is already queued the future it
 * returns is complete at once; otherwise it completes on the callback executor. If that executor
 * refuses (it was shut down), the subscription ends: {@code next()} fails with {@link
 * CancellationException}.
 */
public final class Subscription implements AutoCloseable {
  private final String topic;
  private final int capacity;
  private final Executor callbackExecutor;
  private final Runnable onCancel;
  private final ArrayDeque<Message> queue = new ArrayDeque<>();
  private final ArrayDeque<CompletableFuture<Message>> waiters = new ArrayDeque<>();
  private boolean cancelled;
  private long dropped;

  Subscription(String topic, int capacity, Executor callbackExecutor, Runnable onCancel) {
    this.topic = topic;
    this.capacity = capacity;
    this.callbackExecutor = callbackExecutor;
    this.onCancel = onCancel;
  }

  /** {@return the topic this subscription receives} */
  public String topic() {
    return topic;
  }

  /**
   * {@return the next message} Fails with {@link CancellationException} once the subscription is
   * cancelled or the {@link PubSub} closed.
   */
  public CompletableFuture<Message> next() {
    CompletableFuture<Message> f = new CompletableFuture<>();
    Message m;
    synchronized (this) {
      if (cancelled) {
        return CompletableFuture.failedFuture(new CancellationException("subscription cancelled"));
      }
      m = queue.poll();
      if (m == null) {
        waiters.add(f);
        return f;
      }
    }
    f.complete(m);
    return f;
  }

  /**
   * {@return how many messages were dropped because the queue was full} Counted since the
   * subscription started.
   */
  public synchronized long dropped() {
    return dropped;
  }

  /** Unsubscribes; pending {@link #next()} futures fail with {@link CancellationException}. */
  public void cancel() {
    if (terminate()) {
      onCancel.run();
    }
  }

  @Override
  public void close() {
    cancel();
  }

  void deliver(Message m) {
    CompletableFuture<Message> waiter;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      waiter = waiters.poll();
      if (waiter == null) {
        if (queue.size() >= capacity) {
          dropped++;
        } else {
          queue.add(m);
        }
        return;
      }
    }
    try {
      callbackExecutor.execute(() -> waiter.complete(m));
    } catch (RejectedExecutionException e) {
      // Nobody is left to hand the message to: the subscription ends instead of completing here.
      waiter.completeExceptionally(
          new CancellationException("the callback executor refused the message"));
      terminate();
    }
  }

  /** Marks cancelled and fails waiters; true if this call did it. */
  boolean terminate() {
    ArrayDeque<CompletableFuture<Message>> toFail;
    synchronized (this) {
      if (cancelled) {
        return false;
      }
      cancelled = true;
      queue.clear();
      toFail = new ArrayDeque<>(waiters);
      waiters.clear();
    }
    for (CompletableFuture<Message> w : toFail) {
      CancellationException cancelled = new CancellationException("subscription cancelled");
      try {
        callbackExecutor.execute(() -> w.completeExceptionally(cancelled));
      } catch (RejectedExecutionException e) {
        w.completeExceptionally(cancelled); // a terminal state must reach the reader
      }
    }
    return true;
  }
}
