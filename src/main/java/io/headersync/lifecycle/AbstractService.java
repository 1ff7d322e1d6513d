package io.headersync.lifecycle;

import io.headersync.annotation.Nullable;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The one implementation of {@link Service}'s state machine. A component supplies what starting and
 * stopping it means ({@link #doStart()}, {@link #doStop()}); this class makes the calls idempotent,
 * orders them, records the failure cause and completes the public futures on the callback executor.
 *
 * <p>The rules a subclass can rely on:
 *
 * <ul>
 *   <li>{@link #doStart()} runs at most once, on the thread that first calls {@link #start()}.
 *   <li>{@link #doStop()} runs exactly once when the component is stopped or fails: after the
 *       future of {@code doStart()} settled if it started, or without {@code doStart()} if it never
 *       started (so it must release what the constructor acquired, and cope with parts never
 *       started).
 *   <li>{@link #notifyFailed(Throwable)} reports a failure found later (a broken store, a fatal
 *       sync error): the component releases everything and ends {@link State#FAILED}. While
 *       starting, the failure is recorded and acted on once {@code doStart()}'s future settles, so
 *       a subclass should also fail that future.
 *   <li>{@link #cancelStart()} is called when a stop is requested while starting, so a long start
 *       (waiting for peers) can give up early by failing its future.
 * </ul>
 *
 * <p>Futures: {@link #start()}, {@link #stop()} and {@link #terminated()} return copies of internal
 * futures, completed on the callback executor given to the constructor. If that executor refuses
 * the task (it was shut down), the future completes on the calling thread instead: a terminal state
 * must be delivered. The terminal futures complete in one task, the start's first, then {@code
 * terminated()}, then the stop's: whoever waited for {@code stop()} finds {@code terminated()}
 * done.
 */
public abstract class AbstractService implements Service {
  private final String name;
  private final Executor callbacks;
  private final Object lock = new Object();
  private final CompletableFuture<Void> running = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile State state = State.NEW;
  private volatile @Nullable Throwable failure;
  private boolean stopRequested;
  private boolean releasing;

  /**
   * Whether the start's outcome was decided (its delivery may still be queued on the callbacks).
   */
  private boolean startDecided;

  /**
   * A component whose futures complete on {@code callbacks}.
   *
   * @param name what the component is, for messages (e.g. {@code "exchange server
   *     /gm/header-ex/v0.0.3"})
   * @param callbacks where the public futures complete: the node's worker pool
   */
  protected AbstractService(String name, Executor callbacks) {
    this.name = Objects.requireNonNull(name, "name");
    this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
  }

  /**
   * Starts the component's parts. Called at most once.
   *
   * @return a future that completes when the component runs, or fails with the reason it cannot
   */
  protected abstract CompletableFuture<Void> doStart();

  /**
   * Releases everything the component holds. Called exactly once, see the class comment; it must
   * not throw for parts that never started.
   *
   * @return a future that completes when everything is released
   */
  protected abstract CompletableFuture<Void> doStop();

  /**
   * Called once when {@link #stop()} is requested while the component is starting; does nothing by
   * default.
   */
  protected void cancelStart() {}

  /**
   * The component's name, as given to the constructor.
   *
   * @return the name used in messages
   */
  public final String name() {
    return name;
  }

  @Override
  public final CompletableFuture<Void> start() {
    boolean first;
    synchronized (lock) {
      first = state == State.NEW && !stopRequested;
      if (first) {
        state = State.STARTING;
      }
    }
    if (first) {
      call(this::doStart, "doStart()").whenComplete((v, e) -> startSettled(e));
    }
    return running.copy();
  }

  private void startSettled(@Nullable Throwable e) {
    boolean ran;
    synchronized (lock) {
      if (e != null && failure == null) {
        failure = unwrap(e);
      }
      ran = failure == null && !stopRequested;
      if (ran) {
        state = State.RUNNING;
        startDecided = true;
      }
    }
    if (ran) {
      deliver(running, null);
    } else {
      release();
    }
  }

  @Override
  public final CompletableFuture<Void> stop() {
    boolean now;
    boolean cancel;
    synchronized (lock) {
      cancel = state == State.STARTING && !stopRequested;
      stopRequested = true;
      now = state == State.NEW || state == State.RUNNING;
    }
    if (cancel) {
      try {
        cancelStart();
      } catch (RuntimeException e) {
        notifyFailed(e);
      }
    }
    if (now) {
      release();
    }
    return stopped.copy();
  }

  /**
   * Reports a failure found while the component runs (or starts): it releases everything and ends
   * {@link State#FAILED} with {@code cause} as its {@link #failure()}. The first cause wins; a
   * failure after the component stopped is ignored.
   *
   * @param cause what went wrong
   */
  protected final void notifyFailed(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    boolean now;
    synchronized (lock) {
      if (state.isTerminal()) {
        return;
      }
      if (failure == null) {
        failure = unwrap(cause);
      }
      now = state == State.NEW || state == State.RUNNING;
    }
    if (now) {
      release();
    }
  }

  private void release() {
    synchronized (lock) {
      if (releasing) {
        return;
      }
      releasing = true;
      state = State.STOPPING;
    }
    call(this::doStop, "doStop()").whenComplete((v, e) -> released(e));
  }

  /** The future {@code step} returns, or a failed one when it throws or returns null. */
  private static CompletableFuture<Void> call(Supplier<CompletableFuture<Void>> step, String what) {
    try {
      return Objects.requireNonNull(step.get(), what + " returned null");
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void released(@Nullable Throwable e) {
    Throwable stopFailure = e == null ? null : unwrap(e);
    Throwable cause;
    boolean decideStart;
    synchronized (lock) {
      if (failure == null) {
        failure = stopFailure;
      }
      cause = failure;
      state = cause == null ? State.STOPPED : State.FAILED;
      decideStart = !startDecided;
      startDecided = true;
    }
    Throwable startCause = cause != null ? cause : new ServiceStoppedException(name);
    // One task, in this order, so that whoever waited for the start or the stop finds the
    // component terminated (separate tasks could run out of order on a multi-thread pool).
    run(
        () -> {
          if (decideStart) {
            running.completeExceptionally(startCause);
          }
          terminated.complete(null);
          complete(stopped, stopFailure);
        });
  }

  private void deliver(CompletableFuture<Void> f, @Nullable Throwable cause) {
    run(() -> complete(f, cause));
  }

  private static void complete(CompletableFuture<Void> f, @Nullable Throwable cause) {
    if (cause == null) {
      f.complete(null);
    } else {
      f.completeExceptionally(cause);
    }
  }

  private void run(Runnable complete) {
    try {
      callbacks.execute(complete);
    } catch (RejectedExecutionException e) {
      complete.run(); // a terminal state must reach the caller even once the pool is gone
    }
  }

  @Override
  public final void close() {
    try {
      stop().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping " + name, e);
    } catch (ExecutionException e) {
      Throwable c = unwrap(e);
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof Error) {
        throw (Error) c;
      }
      throw new IllegalStateException(name + " failed to stop: " + c, c);
    }
  }

  @Override
  public final State state() {
    return state;
  }

  @Override
  public final Optional<Throwable> failure() {
    return state == State.FAILED ? Optional.ofNullable(failure) : Optional.empty();
  }

  @Override
  public final CompletableFuture<Void> terminated() {
    return terminated.copy();
  }

  @Override
  public String toString() {
    return name + " [" + state + "]";
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
