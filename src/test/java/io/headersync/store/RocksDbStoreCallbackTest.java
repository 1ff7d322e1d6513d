package io.headersync.store;

import static io.headersync.testkit.StoreContractTest.chain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.StoreContractTest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@link RocksDbStore}'s futures complete: on the callback executor given to the builder (or
 * the store's own callback thread), never on the writer thread; work the executor refuses fails the
 * future instead of running on the writer.
 */
class RocksDbStoreCallbackTest {
  private static final long T = StoreContractTest.TIMEOUT_S;

  @TempDir Path dir;

  /** Runs the next task the store handed to its callback executor on this thread. */
  private static void runNext(BlockingQueue<Runnable> tasks) throws InterruptedException {
    Runnable task = tasks.poll(T, TimeUnit.SECONDS);
    assertNotNull(task, "the writer handed nothing to the callback executor");
    task.run();
  }

  @Test
  void futuresCompleteOnTheGivenExecutorNotOnTheWriterThread() throws Exception {
    BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    List<DummyHeader> hs = chain().next(5);
    try (RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE)
            .path(dir.resolve("db"))
            .callbackExecutor(tasks::add)
            .build()) {
      AtomicReference<Thread> appendedOn = new AtomicReference<>();
      AtomicReference<Thread> awaitedOn = new AtomicReference<>();
      CompletableFuture<DummyHeader> waiter = s.awaitHeight(3);
      CompletableFuture<Void> appended = s.append(hs);
      CompletableFuture<Void> afterAppend =
          appended.thenRun(() -> appendedOn.set(Thread.currentThread()));
      CompletableFuture<Void> afterAwait =
          waiter.thenAccept(h -> awaitedOn.set(Thread.currentThread()));
      // The writer publishes the headers, then leaves the futures to the executor: nothing ran yet.
      Runnable first = tasks.poll(T, TimeUnit.SECONDS);
      assertNotNull(first, "the writer handed nothing to the callback executor");
      assertEquals(5, s.height());
      assertFalse(appended.isDone(), "the append future completed on the writer thread");
      first.run();
      while (!afterAppend.isDone() || !afterAwait.isDone()) {
        runNext(tasks);
      }
      assertSame(Thread.currentThread(), appendedOn.get());
      assertSame(Thread.currentThread(), awaitedOn.get());
      assertEquals(hs.get(2), waiter.get());
      // A deletion's future too.
      CompletableFuture<Long> deleted = s.deleteTo(3);
      AtomicReference<Thread> deletedOn = new AtomicReference<>();
      CompletableFuture<Void> afterDelete =
          deleted.thenAccept(t -> deletedOn.set(Thread.currentThread()));
      while (!afterDelete.isDone()) {
        runNext(tasks);
      }
      assertEquals(3L, deleted.get());
      assertSame(Thread.currentThread(), deletedOn.get());
    }
  }

  @Test
  void byDefaultFuturesCompleteOnTheStoresOwnCallbackThread() throws Exception {
    try (RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE).path(dir.resolve("db")).prefix("cb").build()) {
      // Registered while the store is empty: the dependent runs on the thread that completes it.
      CompletableFuture<String> thread =
          s.awaitHeight(1).thenApply(h -> Thread.currentThread().getName());
      StoreContractTest.await(s.append(chain().next(1)));
      assertEquals("headersync-store-callbacks-cb", thread.get(T, TimeUnit.SECONDS));
    }
  }

  @Test
  void workTheExecutorRefusesFailsTheFutureInsteadOfRunningOnTheWriter() throws Exception {
    try (RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE)
            .path(dir.resolve("db"))
            .callbackExecutor(
                r -> {
                  throw new RejectedExecutionException("shut down");
                })
            .build()) {
      CompletableFuture<DummyHeader> waiter = s.awaitHeight(2);
      CompletableFuture<Void> appended = s.append(chain().next(2));
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> appended.get(T, TimeUnit.SECONDS));
      assertInstanceOf(StoreException.class, e.getCause());
      assertInstanceOf(RejectedExecutionException.class, e.getCause().getCause());
      assertTrue(
          e.getCause().getMessage().contains("callback executor refused"),
          e.getCause().getMessage());
      ExecutionException w =
          assertThrows(ExecutionException.class, () -> waiter.get(T, TimeUnit.SECONDS));
      assertInstanceOf(StoreException.class, w.getCause());
      // The write itself happened: only the completion was refused.
      assertEquals(2, s.height());
    }
  }
}
