package io.headersync.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small pool for a component's callbacks whose tasks a test can hold back: while {@link #hold()}
 * is in force nothing runs, so a test sees that a future completes on this executor and not on the
 * thread that finished the work; {@link #release()} runs what was held. Close it after the test.
 */
public final class HeldExecutor implements Executor, AutoCloseable {
  /** The name of the pool's threads. */
  public static final String THREAD = "held-callbacks";

  private final ExecutorService pool =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, THREAD);
            t.setDaemon(true);
            return t;
          });
  private final List<Runnable> held = new ArrayList<>();
  private boolean holding;

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (holding) {
        held.add(task);
        return;
      }
    }
    pool.execute(task);
  }

  /** Holds every task from now on, until {@link #release()}. */
  public synchronized void hold() {
    holding = true;
  }

  /**
   * Runs the held tasks (on the pool) and stops holding.
   *
   * @return how many tasks were held
   */
  public int release() {
    List<Runnable> tasks;
    synchronized (this) {
      holding = false;
      tasks = new ArrayList<>(held);
      held.clear();
    }
    tasks.forEach(pool::execute);
    return tasks.size();
  }

  @Override
  public void close() {
    release();
    pool.shutdownNow();
  }
}
