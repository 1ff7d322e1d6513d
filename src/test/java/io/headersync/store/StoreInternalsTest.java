package io.headersync.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.StoreContractTest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Unit tests of the store's small parts: options, LRU cache, waiters, batch records. */
class StoreInternalsTest {
  @Test
  void optionsHaveTheDocumentedDefaultsAndRoundTrip() {
    StoreOptions d = StoreOptions.defaults();
    assertEquals(16_384, d.writeQueueHeaders());
    assertEquals(4_096, d.maxBatchHeaders());
    assertEquals(4_096, d.headerCacheSize());
    assertEquals(16_384, d.hashCacheSize());
    assertEquals(1_024, d.maxWaiters());
    StoreOptions o = d.toBuilder().maxWaiters(3).headerCacheSize(0).build();
    assertEquals(3, o.maxWaiters());
    assertEquals(0, o.headerCacheSize());
    assertEquals(o, o.toBuilder().build());
    assertFalse(o.equals(d));
  }

  @Test
  void waitersAreBoundedReleasedInOrderAndFreedByCancel() {
    List<DummyHeader> hs = StoreContractTest.chainFrom(10).next(5);
    AtomicReference<Bounds<DummyHeader>> bounds = new AtomicReference<>();
    HeightWaiters<DummyHeader> w = new HeightWaiters<>(3, bounds::get);
    CompletableFuture<DummyHeader> below = w.register(5);
    CompletableFuture<DummyHeader> at11 = w.register(11);
    CompletableFuture<DummyHeader> at20 = w.register(20);
    assertInstanceOf(StoreException.class, StoreContractTest.failureOf(w.register(21)));
    assertEquals(3, w.size());
    at20.cancel(false);
    assertEquals(2, w.size());
    CompletableFuture<DummyHeader> at14 = w.register(14);
    assertEquals(3, w.size());

    Bounds<DummyHeader> b = new Bounds<>(hs.get(0), hs.get(2)); // [10, 12]
    bounds.set(b);
    w.release(b, h -> hs.get((int) (h - 10)));
    assertInstanceOf(HeaderNotFoundException.class, StoreContractTest.failureOf(below));
    assertSame(hs.get(1), at11.join());
    assertFalse(at14.isDone());
    assertEquals(1, w.size());
    assertNull(w.register(12), "a stored height is read by the caller, not registered");

    w.closeAll(new StoreException("closed"));
    assertInstanceOf(StoreException.class, StoreContractTest.failureOf(at14));
    assertInstanceOf(StoreException.class, StoreContractTest.failureOf(w.register(30)));
    assertEquals(0, w.size());
  }

  @Test
  void aFailingLookupFailsOnlyItsWaiter() {
    List<DummyHeader> hs = StoreContractTest.chain().next(3);
    AtomicReference<Bounds<DummyHeader>> bounds = new AtomicReference<>();
    HeightWaiters<DummyHeader> w = new HeightWaiters<>(10, bounds::get);
    CompletableFuture<DummyHeader> two = w.register(2);
    CompletableFuture<DummyHeader> three = w.register(3);
    Bounds<DummyHeader> b = new Bounds<>(hs.get(0), hs.get(2));
    bounds.set(b);
    w.release(
        b,
        h -> {
          if (h == 2) {
            throw new CorruptStoreException("bad");
          }
          return hs.get((int) h - 1);
        });
    assertInstanceOf(CorruptStoreException.class, StoreContractTest.failureOf(two));
    assertSame(hs.get(2), three.join());
  }

  @Test
  void batchRecordsGrowAndEncodeLongLengths() {
    assertTrue(BatchRecords.SUPPORTED);
    BatchRecords r = new BatchRecords(1);
    r.put(new byte[3], new byte[70_000]); // three-byte varint
    assertEquals(1, r.count());
    assertEquals(1 + 1 + 3 + 3 + 70_000, r.size());
  }
}
