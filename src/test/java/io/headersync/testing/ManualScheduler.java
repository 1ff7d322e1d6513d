package io.headersync.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deterministic {@link ScheduledExecutorService} for tests: nothing runs until the test calls
 * {@link #runPending()} or {@link #advance(Duration)}, on the test's own thread. Time is virtual and
 * starts at 0; {@link #clock()} reads it.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private final AtomicLong seq = new AtomicLong();
  private final MutableClock clock;
  private long nowNanos;
  private boolean shutdown;

  public ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  /** The clock advanced together with this scheduler. */
  public MutableClock clock() {
    return clock;
  }

  /** Runs every task due now, including tasks they submit for now. Returns how many ran. */
  public synchronized int runPending() {
    int ran = 0;
    while (!queue.isEmpty() && queue.peek().due <= nowNanos) {
      Task<?> t = queue.poll();
      if (!t.isCancelled()) {
        t.run();
        ran++;
      }
    }
    return ran;
  }

  /** Moves virtual time forward, running tasks in due order as their time comes. */
  public synchronized void advance(Duration d) {
    long target = nowNanos + d.toNanos();
    while (!queue.isEmpty() && queue.peek().due <= target) {
      Task<?> t = queue.poll();
      if (t.due > nowNanos) {
        clock.advance(Duration.ofNanos(t.due - nowNanos));
        nowNanos = t.due;
      }
      if (!t.isCancelled()) {
        t.run();
      }
    }
    clock.advance(Duration.ofNanos(target - nowNanos));
    nowNanos = target;
  }

  /** Tasks waiting, cancelled ones excluded. */
  public synchronized int queued() {
    return (int) queue.stream().filter(t -> !t.isCancelled()).count();
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<>(() -> {
      command.run();
      return null;
    }, nowNanos + Math.max(0, unit.toNanos(delay)), 0));
  }

  @Override
  public synchronized <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(callable, nowNanos + Math.max(0, unit.toNanos(delay)), 0));
  }

  @Override
  public synchronized ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
      TimeUnit unit) {
    return enqueue(new Task<>(() -> {
      command.run();
      return null;
    }, nowNanos + unit.toNanos(initialDelay), unit.toNanos(period)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return scheduleAtFixedRate(command, initialDelay, delay, unit);
  }

  private <V> Task<V> enqueue(Task<V> t) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("scheduler is shut down");
    }
    queue.add(t);
    return t;
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> out = new ArrayList<>(queue);
    queue.clear();
    return out;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task<V> extends java.util.concurrent.FutureTask<V> implements ScheduledFuture<V> {
    private long due;
    private final long period;
    private final long order = seq.incrementAndGet();

    Task(Callable<V> callable, long due, long period) {
      super(callable);
      this.due = due;
      this.period = period;
    }

    @Override
    public void run() {
      if (period > 0) {
        if (runAndReset()) {
          due += period;
          queue.add(this);
        }
      } else {
        super.run();
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      synchronized (ManualScheduler.this) {
        return unit.convert(due - nowNanos, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public int compareTo(Delayed o) {
      Task<?> t = (Task<?>) o;
      int c = Long.compare(due, t.due);
      return c != 0 ? c : Long.compare(order, t.order);
    }
  }
}
