package io.headersync.lifecycle;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A component that starts, runs and stops: a host, a gossip router, an exchange server or client, a
 * syncer, a whole node. Every such component in headersync has the same life:
 *
 * <pre>
 *   NEW ──start()──▶ STARTING ──▶ RUNNING ──stop()──▶ STOPPING ──▶ STOPPED
 *    │                  │            │                    │
 *    └──stop()──────────┴────────────┴── failure ─────────┴──────▶ FAILED
 * </pre>
 *
 * <ul>
 *   <li>{@link #start()} and {@link #stop()} are idempotent and asynchronous: every call returns a
 *       future of the same transition, and a second call starts nothing new.
 *   <li>{@link #stop()} releases everything the component holds, including what its constructor or
 *       builder acquired (a RocksDB handle, a listening socket, threads it owns), whether or not it
 *       ever started. A stop requested while starting waits for the start to settle, then stops.
 *   <li>A failure, while starting or later, releases everything as a stop does, then leaves the
 *       component {@link State#FAILED} with {@link #failure()} naming the cause; the future of
 *       {@link #start()} fails with that cause if it has not completed yet.
 *   <li>{@link #close()} is {@code stop()} and a wait for it, for try-with-resources.
 * </ul>
 *
 * <p>Threads: all methods are thread-safe. The futures complete on the component's callback
 * executor (the node's worker pool, see {@code docs/architecture.md}, "Threads"), never on an I/O
 * event loop.
 */
public interface Service extends AutoCloseable {

  /** Where a component is in its life. */
  enum State {
    /** Built, not started; it may already hold resources its builder acquired. */
    NEW,
    /** {@link #start()} is running. */
    STARTING,
    /** Started: serving, syncing, listening. */
    RUNNING,
    /** {@link #stop()} is releasing what the component holds. */
    STOPPING,
    /** Stopped on request; everything released. A terminal state. */
    STOPPED,
    /** Stopped by a failure, see {@link #failure()}; everything released. A terminal state. */
    FAILED;

    /**
     * Whether this is a terminal state, {@link #STOPPED} or {@link #FAILED}.
     *
     * @return true when nothing more will happen to the component
     */
    public boolean isTerminal() {
      return this == STOPPED || this == FAILED;
    }
  }

  /**
   * Starts the component. Idempotent: every call returns a future of the one start.
   *
   * @return a future that completes when the component is {@link State#RUNNING}, or fails with the
   *     cause if it failed to start, or with a {@link ServiceStoppedException} if it was stopped
   *     first
   */
  CompletableFuture<Void> start();

  /**
   * Stops the component and releases everything it holds. Idempotent: every call returns a future
   * of the one stop. Stopping a component that never started releases what its builder acquired.
   *
   * @return a future that completes when the component is {@link State#STOPPED} or {@link
   *     State#FAILED} with everything released; it fails only when releasing something failed
   */
  CompletableFuture<Void> stop();

  /**
   * Stops the component and waits until it is stopped, for try-with-resources. Never throws a
   * checked exception; a failure to release something is rethrown as it was raised (an unchecked
   * exception) or wrapped in an {@link IllegalStateException}.
   */
  @Override
  void close();

  /**
   * Where the component is now.
   *
   * @return the current state
   */
  State state();

  /**
   * Why the component failed.
   *
   * @return the cause when the component is {@link State#FAILED}, else empty
   */
  Optional<Throwable> failure();

  /**
   * A future of the component's end that does not ask for it: it completes when the component
   * reaches {@link State#STOPPED} or {@link State#FAILED}, by a stop or a failure.
   *
   * @return a future that completes (normally, also on failure: read {@link #failure()}) once the
   *     component is terminal
   */
  CompletableFuture<Void> terminated();
}
