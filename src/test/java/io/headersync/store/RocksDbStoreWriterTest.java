package io.headersync.store;

import static io.headersync.testkit.StoreContractTest.await;
import static io.headersync.testkit.StoreContractTest.chain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.testkit.DummyHeader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer queue of {@link RocksDbStore}: backpressure, interruption and close while an appender
 * is blocked. The writer is held still by an {@code awaitHeight} callback that waits on a latch
 * (with a direct callback executor such callbacks run on the writer thread), so the queue fills
 * deterministically.
 */
class RocksDbStoreWriterTest {
  @TempDir Path dir;

  private RocksDbStore<DummyHeader> open(int queueHeaders) {
    return RocksDbStore.builder(DummyHeader.TYPE)
        .path(dir.resolve("db"))
        .callbackExecutor(Runnable::run)
        .options(StoreOptions.builder().writeQueueHeaders(queueHeaders).build())
        .build();
  }

  /** Holds the writer thread inside a callback for height 1 until {@code release} counts down. */
  private static CountDownLatch holdWriter(RocksDbStore<DummyHeader> s, CountDownLatch release) {
    CountDownLatch held = new CountDownLatch(1);
    s.awaitHeight(1)
        .thenRun(
            () -> {
              held.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    return held;
  }

  /** Waits (without sleeping) until {@code t} parks, i.e. blocks in append. */
  private static void awaitParked(Thread t) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != Thread.State.WAITING) {
      assertTrue(System.nanoTime() < deadline, "appender did not block; state " + t.getState());
      Thread.onSpinWait();
    }
  }

  @Test
  void appendBlocksOnAFullQueueAndResumesWhenTheWriterCatchesUp() throws Exception {
    List<DummyHeader> hs = chain().next(12);
    CountDownLatch release = new CountDownLatch(1);
    try (RocksDbStore<DummyHeader> s = open(4)) {
      CountDownLatch held = holdWriter(s, release);
      s.append(hs.subList(0, 1));
      assertTrue(held.await(30, TimeUnit.SECONDS));
      s.append(hs.subList(1, 5)); // fills the queue of 4
      CompletableFuture<CompletableFuture<Void>> blocked = new CompletableFuture<>();
      Thread appender = new Thread(() -> blocked.complete(s.append(hs.subList(5, 8))), "appender");
      appender.start();
      awaitParked(appender);
      assertFalse(blocked.isDone());
      // Contiguity counts the queued and the blocked append's predecessors, not the blocked one.
      release.countDown();
      await(await(blocked));
      s.append(hs.subList(8, 12));
      s.flush();
      assertEquals(12, s.height());
    } finally {
      release.countDown();
    }
  }

  @Test
  void interruptedAppendQueuesNothing() throws Exception {
    List<DummyHeader> hs = chain().next(10);
    CountDownLatch release = new CountDownLatch(1);
    try (RocksDbStore<DummyHeader> s = open(2)) {
      CountDownLatch held = holdWriter(s, release);
      s.append(hs.subList(0, 1));
      assertTrue(held.await(30, TimeUnit.SECONDS));
      s.append(hs.subList(1, 3));
      CompletableFuture<Throwable> failed = new CompletableFuture<>();
      Thread appender =
          new Thread(
              () -> {
                try {
                  s.append(hs.subList(3, 4));
                  failed.complete(null);
                } catch (Throwable t) {
                  failed.complete(
                      Thread.currentThread().isInterrupted()
                          ? t
                          : new AssertionError("interrupt flag lost", t));
                }
              },
              "appender");
      appender.start();
      awaitParked(appender);
      appender.interrupt();
      assertInstanceOf(StoreException.class, await(failed));
      release.countDown();
      // Height 4 was not queued: the next append must be it.
      await(s.append(hs.subList(3, 10)));
      assertEquals(10, s.height());
    } finally {
      release.countDown();
    }
  }

  @Test
  void closeWakesABlockedAppenderWithAStoreException() throws Exception {
    List<DummyHeader> hs = chain().next(10);
    CountDownLatch release = new CountDownLatch(1);
    RocksDbStore<DummyHeader> s = open(2);
    try {
      CountDownLatch held = holdWriter(s, release);
      s.append(hs.subList(0, 1));
      assertTrue(held.await(30, TimeUnit.SECONDS));
      CompletableFuture<Void> queued = s.append(hs.subList(1, 3));
      CompletableFuture<Throwable> failed = new CompletableFuture<>();
      Thread appender =
          new Thread(
              () -> {
                try {
                  s.append(hs.subList(3, 4));
                  failed.complete(null);
                } catch (Throwable t) {
                  failed.complete(t);
                }
              },
              "appender");
      appender.start();
      awaitParked(appender);
      Thread closer = new Thread(s::close, "closer");
      closer.start();
      assertInstanceOf(StoreException.class, await(failed));
      release.countDown();
      closer.join(TimeUnit.SECONDS.toMillis(30));
      assertFalse(closer.isAlive());
      // Close drained what was queued before it.
      assertTrue(queued.isDone() && !queued.isCompletedExceptionally());
    } finally {
      release.countDown();
      s.close();
    }
    try (RocksDbStore<DummyHeader> r =
        RocksDbStore.builder(DummyHeader.TYPE).path(dir.resolve("db")).build()) {
      assertEquals(3, r.height());
    }
  }
}
