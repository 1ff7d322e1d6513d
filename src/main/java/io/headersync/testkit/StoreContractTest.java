package io.headersync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.headersync.Hash;
import io.headersync.store.HeaderNotFoundException;
import io.headersync.store.InvalidDeleteException;
import io.headersync.store.NonContiguousAppendException;
import io.headersync.store.Store;
import io.headersync.store.StoreException;
import io.headersync.store.StoreOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Store} contract as a JUnit Jupiter suite: extend it to check your own {@code Store}
 * implementation against every rule the syncer, the exchange server and the service rely on
 * (contiguous appends checked at once against queued writes, the future of an append meaning
 * readable, {@code awaitHeight}, go-header's deletion shapes and bound, prepend, close, and, for
 * stores that persist, reopening). headersync's own {@code InMemoryStore} and {@code RocksDbStore}
 * run it.
 *
 * <pre>{@code
 * class MyStoreTest extends StoreContractTest {
 *   @Override
 *   protected Store<DummyHeader> createStore(StoreOptions options) {
 *     return new MyStore<>(DummyHeader.TYPE, options);
 *   }
 * }
 * }</pre>
 *
 * <p>The suite stores {@link DummyHeader}s, so the store under test must be generic over the header
 * type (as {@code Store<H>} is). It honours the {@link StoreOptions} it is given where the contract
 * depends on them: {@code maxWaiters}, {@code maxDeleteHeaders}, and (for backpressure) the write
 * queue bounds. Stores that persist override {@link #persists()} and {@link #reopenStore}. Tests
 * wait on futures and latches, never on time; {@link #TIMEOUT_S} only turns a hang into a failure.
 * Every store a test opens is closed after it. Needs {@code org.junit.jupiter:junit-jupiter-api} on
 * the test class path (an optional dependency of headersync).
 *
 * <p>Why one class of ~1,050 lines: it is a suite of independent test methods, one per rule of the
 * contract; a user extends one class to run all of them (as Kafka's {@code
 * AbstractKeyValueStoreTest} is one class).
 */
public abstract class StoreContractTest {
  /** The time of the genesis header of {@link #chain()} and {@link #chainFrom(long)}. */
  public static final Instant GENESIS_TIME = Instant.parse("2024-01-01T00:00:00Z");

  /** Seconds a test waits for a future or a latch before it fails. */
  public static final long TIMEOUT_S = 30;

  private final List<Store<DummyHeader>> opened = new ArrayList<>();

  /** Subclasses say how to make a store. */
  protected StoreContractTest() {}

  /**
   * A new, empty store of {@link DummyHeader}s.
   *
   * @param options the limits to build it with
   * @return the store, closed by the suite after the test
   */
  protected abstract Store<DummyHeader> createStore(StoreOptions options);

  /**
   * Whether the store persists, so {@link #reopenStore} is supported and the reopening tests run.
   *
   * @return false unless overridden
   */
  protected boolean persists() {
    return false;
  }

  /**
   * Reopens the data of a closed store made by {@link #createStore}, with the same options.
   *
   * @param closed a store the test closed
   * @return a store on the same data
   * @throws UnsupportedOperationException unless overridden
   */
  protected Store<DummyHeader> reopenStore(Store<DummyHeader> closed) {
    throw new UnsupportedOperationException();
  }

  /**
   * A new store with the default options, closed after the test.
   *
   * @return a new, empty store
   */
  protected final Store<DummyHeader> newStore() {
    return newStore(StoreOptions.defaults());
  }

  /**
   * A new store with {@code options}, closed after the test.
   *
   * @param options the limits to build it with
   * @return a new, empty store
   */
  protected final Store<DummyHeader> newStore(StoreOptions options) {
    Store<DummyHeader> s = createStore(options);
    opened.add(s);
    return s;
  }

  /**
   * Reopens a closed store ({@link #reopenStore}), closed after the test.
   *
   * @param closed a store the test closed
   * @return a store on the same data
   */
  protected final Store<DummyHeader> reopen(Store<DummyHeader> closed) {
    Store<DummyHeader> s = reopenStore(closed);
    opened.add(s);
    return s;
  }

  /**
   * Closes every store the test opened (idempotent: a subclass may call it before its own cleanup).
   */
  @AfterEach
  public void closeStores() {
    for (Store<DummyHeader> s : opened) {
      s.close();
    }
  }

  /**
   * The value of {@code f}, waiting at most {@link #TIMEOUT_S}.
   *
   * @param <T> the value's type
   * @param f the future
   * @return its value
   * @throws AssertionError if it failed or did not complete in time
   */
  public static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + TIMEOUT_S + " s", e);
    }
  }

  /**
   * The cause {@code f} failed with, waiting at most {@link #TIMEOUT_S}.
   *
   * @param f the future
   * @return the cause of its failure
   * @throws AssertionError if it completed normally
   */
  public static Throwable failureOf(CompletableFuture<?> f) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> f.get(TIMEOUT_S, TimeUnit.SECONDS));
    return e.getCause();
  }

  /**
   * Appends {@code headers} to {@code s} and waits until they are readable.
   *
   * @param s the store
   * @param headers a contiguous run extending its head
   */
  public static void appendAndWait(Store<DummyHeader> s, List<DummyHeader> headers) {
    await(s.append(headers));
  }

  /**
   * A chain whose genesis is at height 1.
   *
   * @return a new chain of chain id "test" at {@link #GENESIS_TIME}
   */
  public static DummyChain chain() {
    return new DummyChain(GENESIS_TIME);
  }

  /**
   * A chain whose genesis is at {@code genesisHeight}.
   *
   * @param genesisHeight the height of its first header
   * @return a new chain of chain id "test" at {@link #GENESIS_TIME}
   */
  public static DummyChain chainFrom(long genesisHeight) {
    return new DummyChain("test", genesisHeight, GENESIS_TIME);
  }

  /**
   * Asserts the store holds exactly {@code headers}, a contiguous run, and nothing around it: head,
   * tail, height, every header by height and by hash, the range, and nothing just below or above.
   *
   * @param s the store
   * @param headers the contiguous run it should hold, lowest first
   */
  public static void assertHolds(Store<DummyHeader> s, List<DummyHeader> headers) {
    DummyHeader first = headers.get(0);
    DummyHeader last = headers.get(headers.size() - 1);
    assertEquals(Optional.of(first), s.tail());
    assertEquals(Optional.of(last), s.head());
    assertEquals(last.height(), s.height());
    for (DummyHeader h : headers) {
      assertEquals(Optional.of(h), s.getByHeight(h.height()), "height " + h.height());
      assertEquals(Optional.of(h), s.get(h.hash()), "hash at height " + h.height());
      assertTrue(s.has(h.hash()));
      assertTrue(s.hasAt(h.height()));
    }
    assertEquals(headers, s.getRange(first.height(), last.height() + 1));
    if (first.height() > 1) {
      assertFalse(s.hasAt(first.height() - 1));
      assertEquals(Optional.empty(), s.getByHeight(first.height() - 1));
    }
    assertFalse(s.hasAt(last.height() + 1));
    assertEquals(Optional.empty(), s.getByHeight(last.height() + 1));
  }

  // ---------------------------------------------------------------------------------------------

  /** Empty store has nothing. */
  @Test
  public void emptyStoreHasNothing() {
    Store<DummyHeader> s = newStore();
    DummyHeader h = chain().next();
    assertEquals(Optional.empty(), s.head());
    assertEquals(Optional.empty(), s.tail());
    assertEquals(0, s.height());
    assertEquals(Optional.empty(), s.getByHeight(1));
    assertEquals(Optional.empty(), s.get(h.hash()));
    assertFalse(s.has(h.hash()));
    assertFalse(s.hasAt(1));
    assertFalse(s.hasAt(0));
    assertThrows(HeaderNotFoundException.class, () -> s.getRange(1, 2));
  }

  /** First append initialises at any height. */
  @Test
  public void firstAppendInitialisesAtAnyHeight() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chainFrom(1_000).next(10);
    appendAndWait(s, hs);
    assertHolds(s, hs);
    assertEquals(1_000, s.tail().orElseThrow().height());
  }

  /** Contiguous appends extend the head. */
  @Test
  public void contiguousAppendsExtendTheHead() {
    Store<DummyHeader> s = newStore();
    DummyChain c = chain();
    List<DummyHeader> all = new ArrayList<>();
    for (int n : new int[] {1, 1, 5, 64, 3}) {
      List<DummyHeader> hs = c.next(n);
      appendAndWait(s, hs);
      all.addAll(hs);
      assertHolds(s, all);
    }
  }

  /** Gap append is rejected and leaves store unchanged. */
  @Test
  public void gapAppendIsRejectedAndLeavesStoreUnchanged() {
    Store<DummyHeader> s = newStore();
    DummyChain c = chain();
    List<DummyHeader> first = c.next(10);
    appendAndWait(s, first);
    DummyHeader skipped = c.next();
    List<DummyHeader> gap = c.next(2);
    NonContiguousAppendException e =
        assertThrows(NonContiguousAppendException.class, () -> s.append(gap));
    assertEquals(11, e.expectedHeight());
    assertEquals(12, e.attemptedHeight());
    assertTrue(e.getMessage().contains("11") && e.getMessage().contains("12"), e.getMessage());
    assertHolds(s, first);
    assertFalse(s.has(gap.get(0).hash()));

    // The failure does not poison later appends.
    List<DummyHeader> rest = new ArrayList<>(List.of(skipped));
    rest.addAll(gap);
    appendAndWait(s, rest);
    List<DummyHeader> all = new ArrayList<>(first);
    all.addAll(rest);
    assertHolds(s, all);
  }

  /** Overlapping append is rejected and leaves store unchanged. */
  @Test
  public void overlappingAppendIsRejectedAndLeavesStoreUnchanged() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(12);
    appendAndWait(s, hs.subList(0, 10));
    NonContiguousAppendException e =
        assertThrows(NonContiguousAppendException.class, () -> s.append(hs.subList(9, 12)));
    assertEquals(11, e.expectedHeight());
    assertEquals(10, e.attemptedHeight());
    e = assertThrows(NonContiguousAppendException.class, () -> s.append(hs.subList(4, 6)));
    assertEquals(5, e.attemptedHeight());
    assertHolds(s, hs.subList(0, 10));
    appendAndWait(s, hs.subList(10, 12));
    assertHolds(s, hs);
  }

  /** Append with gap inside is rejected whole. */
  @Test
  public void appendWithGapInsideIsRejectedWhole() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(14);
    appendAndWait(s, hs.subList(0, 10));
    List<DummyHeader> holey = List.of(hs.get(10), hs.get(12), hs.get(13));
    NonContiguousAppendException e =
        assertThrows(NonContiguousAppendException.class, () -> s.append(holey));
    assertEquals(12, e.expectedHeight());
    assertEquals(13, e.attemptedHeight());
    assertHolds(s, hs.subList(0, 10));
    assertFalse(s.has(hs.get(10).hash()));
    appendAndWait(s, hs.subList(10, 14));
    assertHolds(s, hs);
  }

  /** Rejected initial append leaves store empty. */
  @Test
  public void rejectedInitialAppendLeavesStoreEmpty() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(3);
    assertThrows(NonContiguousAppendException.class, () -> s.append(List.of(hs.get(0), hs.get(2))));
    assertEquals(0, s.height());
    assertEquals(Optional.empty(), s.head());
    appendAndWait(s, hs.subList(1, 3)); // any height initialises
    assertHolds(s, hs.subList(1, 3));
  }

  /** Append rejects empty and null. */
  @Test
  public void appendRejectsEmptyAndNull() {
    Store<DummyHeader> s = newStore();
    assertThrows(IllegalArgumentException.class, () -> s.append(List.of()));
    List<DummyHeader> withNull = new ArrayList<>();
    withNull.add(null);
    assertThrows(NullPointerException.class, () -> s.append(withNull));
    assertEquals(0, s.height());
  }

  /** Contiguity counts queued appends. */
  @Test
  public void contiguityCountsQueuedAppends() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(30);
    CompletableFuture<Void> a = s.append(hs.subList(0, 10));
    CompletableFuture<Void> b = s.append(hs.subList(10, 20));
    NonContiguousAppendException e =
        assertThrows(NonContiguousAppendException.class, () -> s.append(hs.subList(15, 16)));
    assertEquals(21, e.expectedHeight());
    CompletableFuture<Void> c = s.append(hs.subList(20, 30));
    await(CompletableFuture.allOf(a, b, c));
    assertHolds(s, hs);
  }

  /** Append future means readable. */
  @Test
  public void appendFutureMeansReadable() {
    Store<DummyHeader> s = newStore();
    DummyChain c = chain();
    for (int i = 0; i < 50; i++) {
      List<DummyHeader> hs = c.next(7);
      CompletableFuture<Optional<DummyHeader>> seen =
          s.append(hs).thenApply(v -> s.getByHeight(hs.get(6).height()));
      assertEquals(Optional.of(hs.get(6)), await(seen));
    }
  }

  /** Get range returns headers in order and rejects bad ranges. */
  @Test
  public void getRangeReturnsHeadersInOrderAndRejectsBadRanges() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chainFrom(100).next(200);
    appendAndWait(s, hs);
    assertEquals(hs.subList(0, 1), s.getRange(100, 101));
    assertEquals(hs.subList(10, 74), s.getRange(110, 174));
    assertEquals(hs, s.getRange(100, 300));
    assertThrows(IllegalArgumentException.class, () -> s.getRange(0, 5));
    assertThrows(IllegalArgumentException.class, () -> s.getRange(150, 150));
    assertThrows(IllegalArgumentException.class, () -> s.getRange(151, 150));
    HeaderNotFoundException above =
        assertThrows(HeaderNotFoundException.class, () -> s.getRange(290, 301));
    assertTrue(above.getMessage().contains("300"), above.getMessage());
    HeaderNotFoundException below =
        assertThrows(HeaderNotFoundException.class, () -> s.getRange(99, 110));
    assertTrue(below.getMessage().contains("99"), below.getMessage());
  }

  /** Get by height rejects non positive heights. */
  @Test
  public void getByHeightRejectsNonPositiveHeights() {
    Store<DummyHeader> s = newStore();
    appendAndWait(s, chain().next(2));
    assertThrows(IllegalArgumentException.class, () -> s.getByHeight(0));
    assertThrows(IllegalArgumentException.class, () -> s.getByHeight(-1));
    assertThrows(IllegalArgumentException.class, () -> s.awaitHeight(0));
  }

  /** Get and has by hash. */
  @Test
  public void getAndHasByHash() {
    Store<DummyHeader> s = newStore();
    DummyChain c = chain();
    List<DummyHeader> hs = c.next(100);
    appendAndWait(s, hs);
    for (DummyHeader h : hs) {
      assertEquals(Optional.of(h), s.get(h.hash()));
      assertTrue(s.has(h.hash()));
    }
    DummyHeader notStored = c.next();
    assertEquals(Optional.empty(), s.get(notStored.hash()));
    assertFalse(s.has(notStored.hash()));
    assertFalse(s.has(Hash.EMPTY));
    assertThrows(NullPointerException.class, () -> s.get(null));
  }

  /** Has at is true exactly between tail and head. */
  @Test
  public void hasAtIsTrueExactlyBetweenTailAndHead() {
    Store<DummyHeader> s = newStore();
    appendAndWait(s, chainFrom(50).next(11));
    assertFalse(s.hasAt(0));
    assertFalse(s.hasAt(-3));
    assertFalse(s.hasAt(49));
    assertTrue(s.hasAt(50));
    assertTrue(s.hasAt(55));
    assertTrue(s.hasAt(60));
    assertFalse(s.hasAt(61));
  }

  /**
   * Concurrent readers never see a hole below the head.
   *
   * @throws Exception if the store or a reader thread fails
   */
  @Test
  public void concurrentReadersNeverSeeAHoleBelowTheHead() throws Exception {
    Store<DummyHeader> s =
        newStore(StoreOptions.builder().headerCacheSize(16).hashCacheSize(16).build());
    List<DummyHeader> hs = chain().next(3_000);
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    int readers = 2;
    CountDownLatch readersDone = new CountDownLatch(readers);
    for (int r = 0; r < readers; r++) {
      long seed = r;
      Thread t =
          new Thread(
              () -> {
                Random rnd = new Random(seed);
                try {
                  while (!done.get()) {
                    Optional<DummyHeader> head = s.head();
                    long height = s.height();
                    if (head.isEmpty()) {
                      continue;
                    }
                    long tail = 1;
                    assertTrue(height >= head.get().height());
                    DummyHeader atHead =
                        s.getByHeight(head.get().height())
                            .orElseThrow(
                                () ->
                                    new AssertionError(
                                        "head " + head.get().height() + " not readable"));
                    assertEquals(head.get(), atHead);
                    long x = tail + (long) rnd.nextInt((int) height);
                    DummyHeader atX =
                        s.getByHeight(x)
                            .orElseThrow(
                                () -> new AssertionError("hole at " + x + " below " + height));
                    assertEquals(x, atX.height());
                    assertEquals(Optional.of(atX), s.get(atX.hash()));
                    long from = Math.max(tail, height - 63);
                    List<DummyHeader> range = s.getRange(from, height + 1);
                    assertEquals(height + 1 - from, range.size());
                    assertEquals(height, range.get(range.size() - 1).height());
                  }
                } catch (Throwable e) {
                  failures.add(e);
                } finally {
                  readersDone.countDown();
                }
              },
              "reader-" + r);
      t.start();
    }
    Random rnd = new Random(42);
    CompletableFuture<Void> last = null;
    for (int i = 0; i < hs.size(); ) {
      int n = Math.min(1 + rnd.nextInt(40), hs.size() - i);
      last = s.append(hs.subList(i, i + n));
      i += n;
    }
    await(last);
    done.set(true);
    assertTrue(readersDone.await(TIMEOUT_S, TimeUnit.SECONDS));
    if (!failures.isEmpty()) {
      AssertionError e =
          new AssertionError(failures.size() + " reader failure(s)", failures.peek());
      throw e;
    }
    assertHolds(s, hs);
  }

  /** Await height completes at once when stored. */
  @Test
  public void awaitHeightCompletesAtOnceWhenStored() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(5);
    appendAndWait(s, hs);
    CompletableFuture<DummyHeader> f = s.awaitHeight(3);
    assertTrue(f.isDone());
    assertEquals(hs.get(2), f.join());
    assertEquals(hs.get(4), s.awaitHeight(5).join());
  }

  /** Await height completes when the height is appended. */
  @Test
  public void awaitHeightCompletesWhenTheHeightIsAppended() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(10);
    CompletableFuture<DummyHeader> onEmpty = s.awaitHeight(2);
    CompletableFuture<DummyHeader> f7 = s.awaitHeight(7);
    CompletableFuture<DummyHeader> f7b = s.awaitHeight(7);
    CompletableFuture<DummyHeader> f10 = s.awaitHeight(10);
    CompletableFuture<DummyHeader> f11 = s.awaitHeight(11);
    appendAndWait(s, hs.subList(0, 3));
    assertEquals(hs.get(1), await(onEmpty));
    assertFalse(f7.isDone());
    appendAndWait(s, hs.subList(3, 9));
    assertEquals(hs.get(6), await(f7));
    assertEquals(hs.get(6), await(f7b));
    assertFalse(f10.isDone());
    appendAndWait(s, hs.subList(9, 10));
    assertEquals(hs.get(9), await(f10));
    assertFalse(f11.isDone());
  }

  /** Await height below the tail fails. */
  @Test
  public void awaitHeightBelowTheTailFails() {
    Store<DummyHeader> s = newStore();
    CompletableFuture<DummyHeader> pending = s.awaitHeight(5);
    appendAndWait(s, chainFrom(100).next(3));
    assertInstanceOf(HeaderNotFoundException.class, failureOf(pending));
    assertInstanceOf(HeaderNotFoundException.class, failureOf(s.awaitHeight(99)));
  }

  /** Cancelling a waiter frees its slot. */
  @Test
  public void cancellingAWaiterFreesItsSlot() {
    Store<DummyHeader> s = newStore(StoreOptions.builder().maxWaiters(2).build());
    CompletableFuture<DummyHeader> a = s.awaitHeight(5);
    CompletableFuture<DummyHeader> b = s.awaitHeight(6);
    CompletableFuture<DummyHeader> c = s.awaitHeight(7);
    assertInstanceOf(StoreException.class, failureOf(c));
    assertTrue(failureOf(c).getMessage().contains("2"), failureOf(c).getMessage());
    assertTrue(a.cancel(false));
    CompletableFuture<DummyHeader> d = s.awaitHeight(7);
    assertFalse(d.isDone());
    List<DummyHeader> hs = chain().next(7);
    appendAndWait(s, hs);
    assertThrows(CancellationException.class, a::join);
    assertEquals(hs.get(5), await(b));
    assertEquals(hs.get(6), await(d));
    // Completed waiters free their slots too.
    CompletableFuture<DummyHeader> e = s.awaitHeight(100);
    CompletableFuture<DummyHeader> f = s.awaitHeight(101);
    assertFalse(e.isDone());
    assertFalse(f.isDone());
  }

  /** Close fails pending waiters. */
  @Test
  public void closeFailsPendingWaiters() {
    Store<DummyHeader> s = newStore();
    appendAndWait(s, chain().next(3));
    CompletableFuture<DummyHeader> f = s.awaitHeight(10);
    s.close();
    assertInstanceOf(StoreException.class, failureOf(f));
    assertInstanceOf(StoreException.class, failureOf(s.awaitHeight(2)));
  }

  /** Closed store rejects every call. */
  @Test
  public void closedStoreRejectsEveryCall() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(4);
    appendAndWait(s, hs.subList(0, 3));
    s.close();
    s.close(); // idempotent
    assertThrows(StoreException.class, s::head);
    assertThrows(StoreException.class, s::tail);
    assertThrows(StoreException.class, s::height);
    assertThrows(StoreException.class, () -> s.getByHeight(1));
    assertThrows(StoreException.class, () -> s.get(hs.get(0).hash()));
    assertThrows(StoreException.class, () -> s.has(hs.get(0).hash()));
    assertThrows(StoreException.class, () -> s.hasAt(1));
    assertThrows(StoreException.class, () -> s.getRange(1, 2));
    assertThrows(StoreException.class, () -> s.append(hs.subList(3, 4)));
    assertThrows(StoreException.class, s::flush);
  }

  /** Close drains queued appends. */
  @Test
  public void closeDrainsQueuedAppends() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(500);
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (int i = 0; i < hs.size(); i += 5) {
      fs.add(s.append(hs.subList(i, i + 5)));
    }
    s.close();
    for (CompletableFuture<Void> f : fs) {
      assertTrue(f.isDone() && !f.isCompletedExceptionally(), "append not completed by close");
    }
    if (persists()) {
      Store<DummyHeader> r = reopen(s);
      assertHolds(r, hs);
    }
  }

  /** Many small queued appends do not deadlock under backpressure. */
  @Test
  public void manySmallQueuedAppendsDoNotDeadlockUnderBackpressure() {
    Store<DummyHeader> s =
        newStore(StoreOptions.builder().writeQueueHeaders(8).maxBatchHeaders(4).build());
    List<DummyHeader> hs = chain().next(3_000);
    CompletableFuture<Void> last = null;
    for (DummyHeader h : hs) {
      last = s.append(List.of(h));
    }
    await(last);
    assertEquals(3_000, s.height());
    // One append bigger than the whole queue is still accepted.
    DummyChain c = chain();
    c.next(3_000);
    List<DummyHeader> more = c.next(100);
    await(s.append(more));
    assertEquals(3_100, s.height());
  }

  /** Append from an append callback does not deadlock. */
  @Test
  public void appendFromAnAppendCallbackDoesNotDeadlock() {
    Store<DummyHeader> s = newStore(StoreOptions.builder().writeQueueHeaders(2).build());
    List<DummyHeader> hs = chain().next(200);
    CompletableFuture<Void> done = new CompletableFuture<>();
    appendChained(s, hs, 0, done);
    await(done);
    assertHolds(s, hs);
  }

  private static void appendChained(
      Store<DummyHeader> s, List<DummyHeader> hs, int i, CompletableFuture<Void> done) {
    if (i == hs.size()) {
      done.complete(null);
      return;
    }
    // Three appends from each callback, more than a queue of 2 holds: on a callback thread they
    // wait
    // for the writer; on the writer itself (a direct callback executor) they overfill the queue.
    int n = Math.min(3, hs.size() - i);
    CompletableFuture<Void> last = null;
    try {
      for (int k = 0; k < n; k++) {
        last = s.append(hs.subList(i + k, i + k + 1));
      }
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
      return;
    }
    last.whenComplete(
        (v, e) -> {
          if (e != null) {
            done.completeExceptionally(e);
          } else {
            appendChained(s, hs, i + n, done);
          }
        });
  }

  /** Flush waits for queued appends. */
  @Test
  public void flushWaitsForQueuedAppends() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(300);
    for (int i = 0; i < hs.size(); i += 3) {
      s.append(hs.subList(i, i + 3));
    }
    s.flush();
    assertHolds(s, hs);
  }

  /** Reopened store has the same head tail and headers. */
  @Test
  public void reopenedStoreHasTheSameHeadTailAndHeaders() {
    assumeTrue(persists(), "store does not persist");
    Store<DummyHeader> s = newStore();
    DummyChain c = chainFrom(7);
    List<DummyHeader> hs = c.next(150);
    appendAndWait(s, hs.subList(0, 100));
    appendAndWait(s, hs.subList(100, 150));
    s.close();
    Store<DummyHeader> r = reopen(s);
    assertHolds(r, hs);
    // And it keeps going from its head.
    List<DummyHeader> more = c.next(20);
    assertThrows(NonContiguousAppendException.class, () -> r.append(more.subList(1, 2)));
    appendAndWait(r, more);
    r.close();
    Store<DummyHeader> r2 = reopen(r);
    List<DummyHeader> all = new ArrayList<>(hs);
    all.addAll(more);
    assertHolds(r2, all);
  }

  /** Reopened empty store is empty. */
  @Test
  public void reopenedEmptyStoreIsEmpty() {
    assumeTrue(persists(), "store does not persist");
    Store<DummyHeader> s = newStore();
    s.close();
    Store<DummyHeader> r = reopen(s);
    assertEquals(0, r.height());
    assertEquals(Optional.empty(), r.head());
    List<DummyHeader> hs = chainFrom(42).next(3);
    appendAndWait(r, hs);
    assertHolds(r, hs);
  }

  // ---------------------------------------------------------------------------------------------
  // Deletion (go-header's store_test.go DeleteRange tests, ported, and our bound per call)

  /** Delete to moves the tail up and forgets the deleted headers. */
  @Test
  public void deleteToMovesTheTailUpAndForgetsTheDeletedHeaders() {
    // go-header TestStore_DeleteRange_Tail: 14, then a no-op below the tail, then 50, then above
    // the head.
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(101);
    appendAndWait(s, hs);
    assertEquals(14L, await(s.deleteTo(14)));
    assertHolds(s, hs.subList(13, 101));
    assertEquals(14L, await(s.deleteTo(5)), "below the tail: nothing to delete");
    assertThrows(InvalidDeleteException.class, () -> s.deleteRange(14, 5));
    assertEquals(50L, await(s.deleteTo(50)));
    assertHolds(s, hs.subList(49, 101));
    for (DummyHeader h : hs.subList(0, 49)) {
      assertEquals(Optional.empty(), s.get(h.hash()), "hash of deleted height " + h.height());
      assertFalse(s.has(h.hash()));
      assertEquals(Optional.empty(), s.getByHeight(h.height()));
    }
    InvalidDeleteException e = assertThrows(InvalidDeleteException.class, () -> s.deleteTo(103));
    assertTrue(e.getMessage().contains("head 101"), e.getMessage());
    assertThrows(InvalidDeleteException.class, () -> s.deleteTo(102), "deleteTo keeps the head");
    assertHolds(s, hs.subList(49, 101));
  }

  /** Has at follows the tail. */
  @Test
  public void hasAtFollowsTheTail() {
    // go-header TestStore_HasAt
    Store<DummyHeader> s = newStore();
    appendAndWait(s, chain().next(100));
    await(s.deleteRange(1, 50));
    assertTrue(s.hasAt(100));
    assertTrue(s.hasAt(50));
    assertFalse(s.hasAt(49));
    assertFalse(s.hasAt(10));
    assertFalse(s.hasAt(0));
  }

  /** Delete to is bounded per call. */
  @Test
  public void deleteToIsBoundedPerCall() {
    Store<DummyHeader> s = newStore(StoreOptions.builder().maxDeleteHeaders(10).build());
    List<DummyHeader> hs = chain().next(40);
    appendAndWait(s, hs);
    assertEquals(11L, await(s.deleteTo(35)));
    assertEquals(21L, await(s.deleteTo(35)));
    assertEquals(31L, await(s.deleteTo(35)));
    assertEquals(35L, await(s.deleteTo(35)));
    assertHolds(s, hs.subList(34, 40));
    InvalidDeleteException e =
        assertThrows(InvalidDeleteException.class, () -> s.deleteRange(35, 46));
    assertTrue(e.getMessage().contains("maxDeleteHeaders"), e.getMessage());
    assertEquals(35, e.from());
    assertEquals(46, e.to());
  }

  /** Delete range from the head down moves the head and appends continue from there. */
  @Test
  public void deleteRangeFromTheHeadDownMovesTheHeadAndAppendsContinueFromThere() {
    // go-header TestStore_DeleteRange "delete range from head down"
    Store<DummyHeader> s = newStore();
    DummyChain c = chain();
    List<DummyHeader> hs = c.next(21);
    appendAndWait(s, hs);
    await(s.deleteRange(16, 22));
    assertHolds(s, hs.subList(0, 15));
    for (DummyHeader h : hs.subList(15, 21)) {
      assertFalse(s.has(h.hash()), "hash of deleted height " + h.height());
    }
    // A fork replaces the deleted heights.
    List<DummyHeader> fork = new ArrayList<>();
    DummyHeader last = hs.get(14);
    for (int i = 0; i < 10; i++) {
      last = last.next().withTime(last.time().plusSeconds(7));
      fork.add(last);
    }
    assertThrows(NonContiguousAppendException.class, () -> s.append(hs.subList(20, 21)));
    appendAndWait(s, fork);
    List<DummyHeader> all = new ArrayList<>(hs.subList(0, 15));
    all.addAll(fork);
    assertHolds(s, all);
    for (DummyHeader h : hs.subList(15, 21)) {
      assertEquals(Optional.empty(), s.get(h.hash()), "replaced height " + h.height());
    }
  }

  /** Delete range of everything empties the store. */
  @Test
  public void deleteRangeOfEverythingEmptiesTheStore() {
    // go-header TestStore_DeleteRange_EmptyStore
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(100);
    appendAndWait(s, hs);
    await(s.deleteRange(1, 101));
    assertEquals(Optional.empty(), s.head());
    assertEquals(Optional.empty(), s.tail());
    assertEquals(0, s.height());
    assertFalse(s.has(hs.get(50).hash()));
    assertThrows(InvalidDeleteException.class, () -> s.deleteTo(5));
    assertThrows(InvalidDeleteException.class, () -> s.deleteRange(1, 2));
    // Initialises again at any height.
    List<DummyHeader> again = chainFrom(500).next(5);
    appendAndWait(s, again);
    assertHolds(s, again);
  }

  /** Delete range rejects ranges that would leave a gap. */
  @Test
  public void deleteRangeRejectsRangesThatWouldLeaveAGap() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chainFrom(10).next(20); // [10, 29]
    appendAndWait(s, hs);
    long[][] bad = {{15, 20}, {9, 12}, {10, 31}, {30, 31}, {0, 5}, {12, 12}, {20, 15}, {25, 29}};
    for (long[] r : bad) {
      InvalidDeleteException e =
          assertThrows(
              InvalidDeleteException.class,
              () -> s.deleteRange(r[0], r[1]),
              "[" + r[0] + ", " + r[1] + ")");
      assertTrue(e.getMessage().contains("[" + r[0] + ", " + r[1] + ")"), e.getMessage());
    }
    assertHolds(s, hs);
  }

  /** Deletion counts queued appends and deletions. */
  @Test
  public void deletionCountsQueuedAppendsAndDeletions() {
    Store<DummyHeader> s = newStore();
    DummyChain c = chain();
    List<DummyHeader> hs = c.next(300);
    CompletableFuture<Void> a1 = s.append(hs.subList(0, 100));
    CompletableFuture<Long> d1 = s.deleteTo(50);
    CompletableFuture<Void> a2 = s.append(hs.subList(100, 300));
    CompletableFuture<Long> d2 = s.deleteTo(250);
    assertThrows(
        InvalidDeleteException.class, () -> s.deleteRange(240, 260), "below the queued tail 250");
    CompletableFuture<Void> d3 = s.deleteRange(290, 301);
    assertThrows(NonContiguousAppendException.class, () -> s.append(hs.subList(299, 300)));
    await(a1);
    assertEquals(50L, await(d1));
    await(a2);
    assertEquals(250L, await(d2));
    await(d3);
    assertHolds(s, hs.subList(249, 289));
  }

  /** Await height below a moved tail fails. */
  @Test
  public void awaitHeightBelowAMovedTailFails() {
    Store<DummyHeader> s = newStore();
    appendAndWait(s, chain().next(30));
    await(s.deleteTo(20));
    assertInstanceOf(HeaderNotFoundException.class, failureOf(s.awaitHeight(5)));
    assertEquals(20, await(s.awaitHeight(20)).height());
  }

  /**
   * Readers racing pruning see nothing or the header never corruption.
   *
   * @throws Exception if the store or a reader thread fails
   */
  @Test
  public void readersRacingPruningSeeNothingOrTheHeaderNeverCorruption() throws Exception {
    Store<DummyHeader> s =
        newStore(StoreOptions.builder().headerCacheSize(16).hashCacheSize(16).build());
    List<DummyHeader> hs = chain().next(3_000);
    appendAndWait(s, hs.subList(0, 100));
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch readerDone = new CountDownLatch(1);
    Thread t =
        new Thread(
            () -> {
              Random rnd = new Random(7);
              try {
                while (!done.get()) {
                  long height = s.height();
                  long x = 1 + rnd.nextInt((int) height);
                  s.getByHeight(x).ifPresent(h -> assertEquals(x, h.height()));
                  DummyHeader h = hs.get((int) x - 1);
                  s.get(h.hash()).ifPresent(got -> assertEquals(h, got));
                  try {
                    List<DummyHeader> r = s.getRange(x, Math.min(x + 10, height + 1));
                    assertEquals(x, r.get(0).height());
                  } catch (HeaderNotFoundException expected) {
                    // deleted under us: fine, never corruption
                  }
                }
              } catch (Throwable e) {
                failures.add(e);
              } finally {
                readerDone.countDown();
              }
            },
            "reader");
    t.start();
    for (int i = 100; i < hs.size(); i += 20) {
      s.append(hs.subList(i, i + 20));
      s.deleteTo(i + 20 - 50);
    }
    await(s.deleteTo(hs.size() - 50));
    done.set(true);
    assertTrue(readerDone.await(TIMEOUT_S, TimeUnit.SECONDS));
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " reader failure(s)", failures.peek());
    }
    assertHolds(s, hs.subList(hs.size() - 51, hs.size()));
  }

  /** Closed store rejects deletion. */
  @Test
  public void closedStoreRejectsDeletion() {
    Store<DummyHeader> s = newStore();
    appendAndWait(s, chain().next(3));
    s.close();
    assertThrows(StoreException.class, () -> s.deleteTo(2));
    assertThrows(StoreException.class, () -> s.deleteRange(1, 2));
  }

  /** Reopened store keeps the moved tail and head. */
  @Test
  public void reopenedStoreKeepsTheMovedTailAndHead() {
    // go-header TestStore_DeleteRange_MoveHeadAndTail and the restart half of _EmptyStore
    assumeTrue(persists(), "store does not persist");
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(111);
    appendAndWait(s, hs);
    await(s.deleteRange(1, 102));
    await(s.deleteRange(110, 112));
    s.close();
    Store<DummyHeader> r = reopen(s);
    assertHolds(r, hs.subList(101, 109));
    await(r.deleteRange(102, 110));
    r.close();
    Store<DummyHeader> r2 = reopen(r);
    assertEquals(Optional.empty(), r2.head());
    assertEquals(Optional.empty(), r2.tail());
  }

  // ---------------------------------------------------------------------------------------------
  // Prepend (back-fill below the tail)

  /** Prepend extends the tail downwards. */
  @Test
  public void prependExtendsTheTailDownwards() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(100);
    appendAndWait(s, hs.subList(60, 100));
    await(s.prepend(hs.subList(40, 60)));
    assertHolds(s, hs.subList(40, 100));
    await(s.prepend(hs.subList(39, 40)));
    assertHolds(s, hs.subList(39, 100));
    // Appends still extend the head.
    List<DummyHeader> more = new DummyChain(GENESIS_TIME).next(101).subList(100, 101);
    appendAndWait(s, more);
    assertEquals(101, s.height());
  }

  /** Prepend must end just below the tail. */
  @Test
  public void prependMustEndJustBelowTheTail() {
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(100);
    assertThrows(
        NonContiguousAppendException.class, () -> s.prepend(hs.subList(0, 5)), "empty store");
    appendAndWait(s, hs.subList(50, 100));
    NonContiguousAppendException gap =
        assertThrows(NonContiguousAppendException.class, () -> s.prepend(hs.subList(10, 20)));
    assertEquals(50, gap.expectedHeight());
    assertThrows(
        NonContiguousAppendException.class, () -> s.prepend(hs.subList(45, 55)), "overlap");
    assertThrows(IllegalArgumentException.class, () -> s.prepend(List.of()));
    assertHolds(s, hs.subList(50, 100));
    // Counts queued writes: a queued prepend moves the tail it checks against.
    CompletableFuture<Void> a = s.prepend(hs.subList(30, 50));
    CompletableFuture<Void> b = s.prepend(hs.subList(0, 30));
    await(a);
    await(b);
    assertHolds(s, hs);
  }

  /** Reopened store keeps prepended headers. */
  @Test
  public void reopenedStoreKeepsPrependedHeaders() {
    assumeTrue(persists(), "store does not persist");
    Store<DummyHeader> s = newStore();
    List<DummyHeader> hs = chain().next(50);
    appendAndWait(s, hs.subList(20, 50));
    await(s.prepend(hs.subList(5, 20)));
    s.close();
    Store<DummyHeader> r = reopen(s);
    assertHolds(r, hs.subList(5, 50));
  }
}
