package io.headersync.libp2p.host;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/** Executors for tests of the executor model: one the test thread runs, one that can refuse. */
public final class TestExecutors {
  private TestExecutors() {}

  /** The delegate, until told to refuse everything (as a pool that was shut down). */
  public static final class Refusing implements Executor {
    private final Executor delegate;

    /** Set: every task is refused with a {@link RejectedExecutionException}. */
    public volatile boolean refuse;

    public Refusing(Executor delegate) {
      this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
      if (refuse) {
        throw new RejectedExecutionException("refusing for the test");
      }
      delegate.execute(task);
    }
  }

  /**
   * Queues tasks; the test thread runs them, so whatever completes on it completes on that thread.
   */
  public static final class Pumped implements Executor {
    private static final long T = 20;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    /**
     * Runs queued tasks on this thread until {@code f} is done (failing if nothing comes for 20 s).
     */
    public <V> V pump(CompletableFuture<V> f) throws Exception {
      while (!f.isDone()) {
        Runnable r = tasks.poll(T, TimeUnit.SECONDS);
        if (r == null) {
          throw new AssertionError("nothing to run, and the future is not done");
        }
        r.run();
      }
      return f.get();
    }
  }
}
