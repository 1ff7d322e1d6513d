package io.headersync.libp2p.internal;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor (an actor's mailbox over a
 * shared pool): the ordered executor of the libp2p stack (the host's connection events, pubsub's
 * router). A task that throws is logged and the next one runs. After {@value #BATCH} tasks in a row
 * the drain hands its thread back to the pool and continues in a new task, so a busy mailbox does
 * not keep a pool thread to itself.
 *
 * <p>When the delegate refuses to start a drain (it was shut down, or is saturated), {@link
 * #execute} throws that {@link RejectedExecutionException} to the caller, whose task did not run,
 * so it can fail what it was going to complete; tasks other threads queued in that same instant are
 * dropped with it (logged). Nothing ever runs on the submitting thread.
 */
public final class SerialExecutor implements Executor {
  /** Tasks run in one pool task before the drain yields its thread. */
  static final int BATCH = 64;

  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor delegate;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  /**
   * An ordered view of {@code delegate}.
   *
   * @param delegate the pool the tasks run on
   */
  public SerialExecutor(Executor delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate == null");
  }

  /**
   * Queues {@code task} behind the tasks queued before it.
   *
   * @throws RejectedExecutionException if the delegate refused to run the queue; {@code task} was
   *     dropped
   */
  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task == null");
    synchronized (tasks) {
      tasks.addLast(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      int others;
      synchronized (tasks) {
        others = tasks.size() - 1;
        tasks.clear();
        running = false;
      }
      if (others > 0) {
        log.debug("executor refused work; dropped {} queued tasks", others);
      }
      throw e;
    }
  }

  private void drain() {
    int ran = 0;
    while (true) {
      Runnable next;
      synchronized (tasks) {
        next = tasks.pollFirst();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        log.warn("task failed", e);
      }
      if (++ran >= BATCH) {
        try {
          delegate.execute(this::drain);
          return; // the queue goes on in a fresh pool task
        } catch (RejectedExecutionException e) {
          ran = 0; // the pool is going away: finish the queue on this pool thread
        }
      }
    }
  }
}
