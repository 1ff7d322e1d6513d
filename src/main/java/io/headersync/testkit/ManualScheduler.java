package io.headersync.testkit;

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
 * {@link #runPending()} or {@link #advance(Duration)}, and then it runs on the test's own thread,
 * in due order (tasks due at the same time in the order they were scheduled). Time is virtual: it
 * starts at 0 and moves only with {@link #advance(Duration)}, which moves the {@link MutableClock}
 * given to the constructor by the same amount, so a component's clock and its timers agree.
 *
 * <pre>{@code
 * MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
 * ManualScheduler scheduler = new ManualScheduler(clock);
 * Syncer<DummyHeader> syncer = Syncer.builder(...).clock(clock).scheduler(scheduler).build();
 * scheduler.advance(Duration.ofSeconds(30)); // runs every timer due in the next 30 s, in order
 * }</pre>
 *
 * <p>Periodic tasks run at a fixed rate (fixed delay is treated as fixed rate: a task takes no
 * virtual time). {@link #shutdown()} refuses new tasks; {@link #awaitTermination} never blocks.
 * Thread-safe, but meant to be driven by one test thread.
 */
public final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private final AtomicLong seq = new AtomicLong();
  private final MutableClock clock;
  private long nowNanos;
  private boolean shutdown;

  /**
   * A scheduler at virtual time 0 that advances {@code clock} with itself.
   *
   * @param clock the clock moved by {@link #advance(Duration)}
   */
  public ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  /**
   * The clock advanced together with this scheduler.
   *
   * @return the clock given to the constructor
   */
  public MutableClock clock() {
    return clock;
  }

  /**
   * Runs every task due now, including tasks they submit for now, without moving time.
   *
   * @return how many tasks ran
   */
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

  /**
   * Moves virtual time (and the clock) forward by {@code d}, running tasks in due order as their
   * time comes; the clock reads each task's due time while it runs.
   *
   * @param d how far to move, not negative
   */
  public synchronized void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("cannot move time back: " + d);
    }
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

  /**
   * The tasks waiting, cancelled ones excluded.
   *
   * @return how many tasks are queued
   */
  public synchronized int queued() {
    return (int) queue.stream().filter(t -> !t.isCancelled()).count();
  }

  /**
   * Queues {@code command} to run at the current virtual time (on the next {@link #runPending()}).
   */
  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  /** Queues {@code command} to run {@code delay} from now in virtual time. */
  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(
        new Task<>(
            () -> {
              command.run();
              return null;
            },
            nowNanos + Math.max(0, unit.toNanos(delay)),
            0));
  }

  /** Queues {@code callable} to run {@code delay} from now in virtual time. */
  @Override
  public synchronized <V> ScheduledFuture<V> schedule(
      Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(callable, nowNanos + Math.max(0, unit.toNanos(delay)), 0));
  }

  /**
   * Queues {@code command} to run after {@code initialDelay}, then every {@code period}, in virtual
   * time.
   */
  @Override
  public synchronized ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return enqueue(
        new Task<>(
            () -> {
              command.run();
              return null;
            },
            nowNanos + unit.toNanos(initialDelay),
            unit.toNanos(period)));
  }

  /**
   * As {@link #scheduleAtFixedRate}: tasks take no virtual time, so delay and rate are the same.
   */
  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return scheduleAtFixedRate(command, initialDelay, delay, unit);
  }

  private <V> Task<V> enqueue(Task<V> t) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("scheduler is shut down");
    }
    queue.add(t);
    return t;
  }

  /** Refuses new tasks; queued tasks still run when time moves. */
  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  /** Refuses new tasks and removes the queued ones, which it returns. */
  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> out = new ArrayList<>(queue);
    queue.clear();
    return out;
  }

  /** Whether {@link #shutdown()} or {@link #shutdownNow()} was called. */
  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  /** Whether it is shut down and nothing is queued. */
  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  /** {@link #isTerminated()}, at once: nothing runs unless the test moves time. */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task<V> extends java.util.concurrent.FutureTask<V>
      implements ScheduledFuture<V> {
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
