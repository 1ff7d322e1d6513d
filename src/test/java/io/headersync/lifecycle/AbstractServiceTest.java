package io.headersync.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.lifecycle.Service.State;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class AbstractServiceTest {
  /**
   * Runs callbacks only when asked, so a test sees which thread and which order completes futures.
   */
  static final class QueueExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable r) {
      tasks.add(r);
    }

    void runAll() {
      Runnable r;
      while ((r = tasks.poll()) != null) {
        r.run();
      }
    }
  }

  static class Component extends AbstractService {
    final List<String> calls = new ArrayList<>();
    CompletableFuture<Void> startResult = new CompletableFuture<>();
    CompletableFuture<Void> stopResult = CompletableFuture.completedFuture(null);

    Component(Executor callbacks) {
      super("component", callbacks);
    }

    @Override
    protected CompletableFuture<Void> doStart() {
      calls.add("start");
      return startResult;
    }

    @Override
    protected CompletableFuture<Void> doStop() {
      calls.add("stop");
      return stopResult;
    }

    @Override
    protected void cancelStart() {
      calls.add("cancel");
    }

    void fail(Throwable t) {
      notifyFailed(t);
    }
  }

  private static Throwable cause(CompletableFuture<Void> f) {
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    return e.getCause();
  }

  @Test
  void startIsIdempotentAndCompletesOnTheCallbackExecutor() {
    QueueExecutor callbacks = new QueueExecutor();
    Component c = new Component(callbacks);
    CompletableFuture<Void> first = c.start();
    CompletableFuture<Void> second = c.start();
    assertEquals(State.STARTING, c.state());
    c.startResult.complete(null);
    assertEquals(State.RUNNING, c.state());
    assertFalse(
        first.isDone(),
        "completes on the callback executor, not the thread that finished the start");
    callbacks.runAll();
    assertTrue(first.isDone() && second.isDone());
    assertEquals(List.of("start"), c.calls);
    assertEquals(Optional.empty(), c.failure());
  }

  @Test
  void whoeverWaitedForTheStopFindsTheComponentTerminatedWhateverOrderThePoolRunsTasksIn() {
    // A pool that runs the newest task first: separate deliveries would complete stop() first.
    java.util.Deque<Runnable> tasks = new ArrayDeque<>();
    Component c = new Component(tasks::push);
    c.start();
    CompletableFuture<Void> start = c.start();
    java.util.concurrent.atomic.AtomicReference<String> seen =
        new java.util.concurrent.atomic.AtomicReference<>();
    CompletableFuture<Void> stop = c.stop();
    stop.whenComplete(
        (v, e) -> seen.set("terminated=" + c.terminated().isDone() + " start=" + start.isDone()));
    c.startResult.complete(null); // the start settles while the stop waits: release, then deliver
    Runnable r;
    while ((r = tasks.poll()) != null) {
      r.run();
    }
    assertEquals("terminated=true start=true", seen.get());
    assertEquals(State.STOPPED, c.state());
  }

  @Test
  void stopWhileRunningReleasesOnceAndTerminates() {
    Component c = new Component(Runnable::run);
    c.startResult.complete(null);
    c.start().join();
    CompletableFuture<Void> terminated = c.terminated();
    assertFalse(terminated.isDone());
    c.stop().join();
    c.stop().join();
    c.close();
    assertEquals(State.STOPPED, c.state());
    assertTrue(terminated.isDone());
    assertEquals(List.of("start", "stop"), c.calls);
  }

  @Test
  void stopBeforeStartReleasesWhatTheBuilderAcquiredAndStartThenFails() {
    Component c = new Component(Runnable::run);
    c.stop().join();
    assertEquals(List.of("stop"), c.calls, "doStop runs without doStart");
    assertEquals(State.STOPPED, c.state());
    assertInstanceOf(ServiceStoppedException.class, cause(c.start()));
    assertEquals(List.of("stop"), c.calls, "a stopped component does not start");
  }

  @Test
  void stopWhileStartingCancelsTheStartThenReleasesAfterItSettles() {
    Component c = new Component(Runnable::run);
    CompletableFuture<Void> started = c.start();
    CompletableFuture<Void> stopped = c.stop();
    assertEquals(List.of("start", "cancel"), c.calls);
    assertFalse(stopped.isDone(), "doStop waits for the start to settle");
    c.startResult.complete(null);
    assertTrue(stopped.isDone());
    assertEquals(List.of("start", "cancel", "stop"), c.calls);
    assertEquals(State.STOPPED, c.state());
    assertInstanceOf(ServiceStoppedException.class, cause(started));
  }

  @Test
  void aFailedStartReleasesAndLeavesTheCause() {
    Component c = new Component(Runnable::run);
    CompletableFuture<Void> started = c.start();
    IllegalStateException boom = new IllegalStateException("port in use");
    c.startResult.completeExceptionally(boom);
    assertSame(boom, cause(started));
    assertEquals(State.FAILED, c.state());
    assertSame(boom, c.failure().orElseThrow());
    assertEquals(List.of("start", "stop"), c.calls);
    c.stop().join(); // everything was released: stopping a failed component succeeds
    assertTrue(c.terminated().isDone());
  }

  @Test
  void doStartThrowingIsAFailedStart() {
    Component c =
        new Component(Runnable::run) {
          @Override
          protected CompletableFuture<Void> doStart() {
            throw new IllegalArgumentException("bad config");
          }
        };
    assertInstanceOf(IllegalArgumentException.class, cause(c.start()));
    assertEquals(State.FAILED, c.state());
    assertEquals(List.of("stop"), c.calls);
  }

  @Test
  void aFailureWhileRunningReleasesOnceAndTheFirstCauseWins() {
    Component c = new Component(Runnable::run);
    c.startResult.complete(null);
    c.start().join();
    RuntimeException first = new RuntimeException("store broken");
    c.fail(first);
    c.fail(new RuntimeException("later"));
    assertEquals(State.FAILED, c.state());
    assertSame(first, c.failure().orElseThrow());
    assertEquals(List.of("start", "stop"), c.calls);
  }

  @Test
  void aFailureWhileStartingIsActedOnOnceTheStartSettles() {
    Component c = new Component(Runnable::run);
    CompletableFuture<Void> started = c.start();
    RuntimeException cause = new RuntimeException("init timed out");
    c.fail(cause);
    assertEquals(State.STARTING, c.state());
    c.startResult.complete(null);
    assertSame(cause, cause(started));
    assertEquals(State.FAILED, c.state());
    assertEquals(List.of("start", "stop"), c.calls);
  }

  @Test
  void aFailedReleaseFailsStopAndClose() {
    Component c = new Component(Runnable::run);
    IllegalStateException cause = new IllegalStateException("flush failed");
    c.stopResult = CompletableFuture.failedFuture(cause);
    c.startResult.complete(null);
    c.start().join();
    assertSame(cause, cause(c.stop()));
    assertEquals(State.FAILED, c.state());
    assertSame(cause, assertThrows(IllegalStateException.class, c::close));
    assertTrue(c.terminated().isDone());
  }

  @Test
  void futuresCompleteEvenWhenTheCallbackExecutorIsGone() {
    Component c =
        new Component(
            r -> {
              throw new RejectedExecutionException("shut down");
            });
    CompletableFuture<Void> started = c.start();
    c.startResult.complete(null);
    assertTrue(started.isDone());
    c.close();
    assertEquals(State.STOPPED, c.state());
  }

  @Test
  void callersCannotCompleteTheComponentsFutures() {
    Component c = new Component(Runnable::run);
    c.start().complete(null);
    assertEquals(State.STARTING, c.state());
    assertFalse(c.start().isDone());
  }
}
