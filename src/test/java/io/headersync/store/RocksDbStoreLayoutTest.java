package io.headersync.store;

import static io.headersync.store.RocksDbStoreTestSupport.open;
import static io.headersync.store.RocksDbStoreTestSupport.withRawDb;
import static io.headersync.testkit.StoreContractTest.appendAndWait;
import static io.headersync.testkit.StoreContractTest.chain;
import static io.headersync.testkit.StoreContractTest.chainFrom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.StoreContractTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** RocksDB-specific behaviour: key layout, prefixes, corruption, open-time checks, threads. */
class RocksDbStoreLayoutTest {
  @TempDir Path dir;

  private final Keys keys = new Keys(RocksDbStore.DEFAULT_PREFIX);

  private Path storeWith(List<DummyHeader> headers) {
    Path path = dir.resolve("db");
    try (RocksDbStore<DummyHeader> s = open(path)) {
      appendAndWait(s, headers);
    }
    return path;
  }

  @Test
  void keysAreBinaryUnderALengthPrefixedNamespace() {
    byte[] k = keys.header(0x0102);
    byte[] expected = {8, 'h', 'e', 'a', 'd', 'e', 'r', 'E', 'x', 1, 0, 0, 0, 0, 0, 0, 1, 2};
    assertArrayEquals(expected, k);
    assertEquals(
        "headerEx/header/258 (hex 08686561646572457801" + "0000000000000102)", keys.describe(k));
    assertArrayEquals(
        new byte[] {8, 'h', 'e', 'a', 'd', 'e', 'r', 'E', 'x', 3, 'h', 'e', 'a', 'd'}, keys.head());
    assertEquals(0x0102, keys.heightOf(k));
    // The namespace of a prefix never prefixes the namespace of a longer prefix that extends it.
    Keys extra = new Keys("headerExtra");
    assertFalse(startsWith(extra.header(1), keys.headerSectionStart()));
    assertFalse(startsWith(keys.header(1), extra.headerSectionStart()));
    assertThrows(IllegalArgumentException.class, () -> new Keys(""));
    assertThrows(IllegalArgumentException.class, () -> new Keys("x".repeat(256)));
  }

  private static boolean startsWith(byte[] a, byte[] prefix) {
    return a.length >= prefix.length
        && java.util.Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
  }

  @Test
  void storesUnderPrefixesThatExtendEachOtherStayApart() throws Exception {
    try (Options o = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(o, dir.resolve("node").toString())) {
      List<DummyHeader> a = chain().next(50);
      List<DummyHeader> b =
          new io.headersync.testkit.DummyChain("other", 1, StoreContractTest.GENESIS_TIME).next(80);
      try (RocksDbStore<DummyHeader> sa =
              RocksDbStore.builder(DummyHeader.TYPE).database(db).build();
          RocksDbStore<DummyHeader> sb =
              RocksDbStore.builder(DummyHeader.TYPE).database(db).prefix("headerExtra").build()) {
        appendAndWait(sa, a);
        appendAndWait(sb, b);
      }
      try (RocksDbStore<DummyHeader> sa =
              RocksDbStore.builder(DummyHeader.TYPE).database(db).build();
          RocksDbStore<DummyHeader> sb =
              RocksDbStore.builder(DummyHeader.TYPE).database(db).prefix("headerExtra").build()) {
        StoreContractTest.assertHolds(sa, a);
        StoreContractTest.assertHolds(sb, b);
        assertFalse(sa.has(b.get(0).hash()));
        assertEquals(RocksDbStore.DEFAULT_PREFIX, sa.prefix());
      }
      // The node's RocksDB is still open and usable.
      db.put("k".getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }
  }

  @Test
  void aSecondStoreUnderTheSamePrefixIsRefusedUntilTheFirstCloses() throws Exception {
    try (Options o = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(o, dir.resolve("node").toString())) {
      RocksDbStore<DummyHeader> first = RocksDbStore.builder(DummyHeader.TYPE).database(db).build();
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> RocksDbStore.builder(DummyHeader.TYPE).database(db).build());
      assertTrue(e.getMessage().contains("headerEx"), e.getMessage());
      RocksDbStore.builder(DummyHeader.TYPE).database(db).prefix("blockEx").build().close();
      first.close();
      RocksDbStore.builder(DummyHeader.TYPE).database(db).build().close();
    }
  }

  @Test
  void garbageHeaderValueFailsWithCorruptStoreExceptionNamingTheKey() {
    List<DummyHeader> hs = chain().next(10);
    Path path = storeWith(hs);
    withRawDb(path, db -> db.put(keys.header(5), new byte[] {(byte) 0xde, (byte) 0xad}));
    try (RocksDbStore<DummyHeader> s = open(path)) {
      CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> s.getByHeight(5));
      assertTrue(e.getMessage().contains("headerEx/header/5"), e.getMessage());
      assertTrue(
          e.getMessage().contains(Keys.hex(keys.header(5), 0, keys.headerKeyLength())),
          e.getMessage());
      assertTrue(e.getMessage().contains("DummyHeader"), e.getMessage());
      assertNotNull(e.getCause());
      assertThrows(CorruptStoreException.class, () -> s.getRange(3, 8));
      assertThrows(CorruptStoreException.class, () -> s.get(hs.get(4).hash()));
      assertInstanceOf(CorruptStoreException.class, StoreContractTest.failureOf(s.awaitHeight(5)));
      // Others are fine.
      assertEquals(Optional.of(hs.get(5)), s.getByHeight(6));
      assertEquals(hs.subList(5, 10), s.getRange(6, 11));
    }
  }

  @Test
  void headerOfAnotherHeightFailsWithCorruptStoreException() {
    List<DummyHeader> hs = chain().next(10);
    Path path = storeWith(hs);
    withRawDb(path, db -> db.put(keys.header(4), hs.get(6).encode()));
    try (RocksDbStore<DummyHeader> s = open(path)) {
      CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> s.getByHeight(4));
      assertTrue(
          e.getMessage().contains("headerEx/header/4") && e.getMessage().contains("height 7"),
          e.getMessage());
    }
  }

  @Test
  void missingHeaderInsideTheRangeFailsWithCorruptStoreException() {
    List<DummyHeader> hs = chain().next(10);
    Path path = storeWith(hs);
    withRawDb(path, db -> db.delete(keys.header(6)));
    try (RocksDbStore<DummyHeader> s = open(path)) {
      CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> s.getByHeight(6));
      assertTrue(e.getMessage().contains("headerEx/header/6"), e.getMessage());
      e = assertThrows(CorruptStoreException.class, () -> s.getRange(2, 9));
      assertTrue(e.getMessage().contains("headerEx/header/6"), e.getMessage());
    }
  }

  @Test
  void hashIndexPointingElsewhereFailsWithCorruptStoreException() {
    List<DummyHeader> hs = chain().next(10);
    Path path = storeWith(hs);
    withRawDb(path, db -> db.put(keys.hash(hs.get(2).hash()), Keys.encodeHeight(8)));
    try (RocksDbStore<DummyHeader> s = open(path)) {
      CorruptStoreException e =
          assertThrows(CorruptStoreException.class, () -> s.get(hs.get(2).hash()));
      assertTrue(e.getMessage().contains("headerEx/hash/" + hs.get(2).hash()), e.getMessage());
    }
    withRawDb(path, db -> db.put(keys.hash(hs.get(3).hash()), new byte[3]));
    try (RocksDbStore<DummyHeader> s = open(path)) {
      assertThrows(CorruptStoreException.class, () -> s.has(hs.get(3).hash()));
    }
  }

  @Test
  void openRejectsAHeadPointerPastTheStoredHeaders() {
    Path path = storeWith(chain().next(10));
    withRawDb(path, db -> db.put(keys.head(), Keys.encodeHeight(11)));
    CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> open(path));
    assertTrue(
        e.getMessage().contains("headerEx/meta/head")
            && e.getMessage().contains("headerEx/header/11"),
        e.getMessage());
  }

  @Test
  void openRejectsAHeaderStoredAboveTheHead() {
    List<DummyHeader> hs = chain().next(12);
    Path path = storeWith(hs.subList(0, 10));
    withRawDb(path, db -> db.put(keys.header(12), hs.get(11).encode()));
    CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> open(path));
    assertTrue(e.getMessage().contains("headerEx/header/12"), e.getMessage());
  }

  @Test
  void openRejectsBrokenPointers() {
    Path path = storeWith(chainFrom(5).next(10));
    withRawDb(path, db -> db.delete(keys.tail()));
    assertTrue(
        assertThrows(CorruptStoreException.class, () -> open(path))
            .getMessage()
            .contains("headerEx/meta/tail"));
    withRawDb(path, db -> db.put(keys.tail(), new byte[] {1, 2, 3}));
    assertTrue(
        assertThrows(CorruptStoreException.class, () -> open(path))
            .getMessage()
            .contains("3 bytes"));
    withRawDb(path, db -> db.put(keys.tail(), Keys.encodeHeight(20)));
    assertThrows(CorruptStoreException.class, () -> open(path));
    withRawDb(
        path,
        db -> {
          db.delete(keys.tail());
          db.delete(keys.head());
        });
    // Headers but no pointers at all.
    assertTrue(
        assertThrows(CorruptStoreException.class, () -> open(path))
            .getMessage()
            .contains("headerEx/header/5"));
  }

  @Test
  void pointersAreWrittenWithTheHeaders() {
    Path path = storeWith(chainFrom(3).next(10));
    withRawDb(
        path,
        db -> {
          assertEquals(12, Keys.getLong(db.get(keys.head()), 0));
          assertEquals(3, Keys.getLong(db.get(keys.tail()), 0));
          assertEquals(
              10,
              RocksDbStoreTestSupport.scan(db, keys.headerSectionStart(), keys.headerSectionEnd())
                  .size());
          assertEquals(
              10,
              RocksDbStoreTestSupport.scan(db, keys.hashSectionStart(), keys.hashSectionEnd())
                  .size());
        });
  }

  @Test
  void flushAndCloseOnTheWriterThreadFailInsteadOfDeadlocking() {
    try (RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE)
            .path(dir.resolve("db"))
            .callbackExecutor(Runnable::run)
            .build()) {
      // With a direct callback executor, waiters registered before the append complete on the
      // writer thread, deterministically.
      CompletableFuture<Throwable> flushed =
          s.awaitHeight(2)
              .handle(
                  (v, e) -> {
                    try {
                      s.flush();
                      return null;
                    } catch (Throwable t) {
                      return t;
                    }
                  });
      appendAndWait(s, chain().next(2));
      assertInstanceOf(IllegalStateException.class, StoreContractTest.await(flushed));
      CompletableFuture<Throwable> closed =
          s.awaitHeight(3)
              .handle(
                  (v, e) -> {
                    try {
                      s.close();
                      return null;
                    } catch (Throwable t) {
                      return t;
                    }
                  });
      appendAndWait(s, chainFrom(3).next(1));
      assertInstanceOf(IllegalStateException.class, StoreContractTest.await(closed));
      assertEquals(3, s.height());
    }
  }

  @Test
  void builderNamesWhatIsMissing() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> RocksDbStore.builder(DummyHeader.TYPE).build());
    assertTrue(e.getMessage().contains("database(RocksDB) or path(Path)"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> RocksDbStore.builder(DummyHeader.TYPE).prefix("").path(dir.resolve("x")).build());
    assertThrows(NullPointerException.class, () -> RocksDbStore.builder(null));
    assertThrows(IllegalArgumentException.class, () -> StoreOptions.builder().writeQueueHeaders(0));
    assertThrows(IllegalArgumentException.class, () -> StoreOptions.builder().headerCacheSize(-1));
  }

  @Test
  void readsAreServedFromDiskWithCachesDisabled() {
    Path path = dir.resolve("db");
    List<DummyHeader> hs = chain().next(300);
    StoreOptions noCache = StoreOptions.builder().headerCacheSize(0).hashCacheSize(0).build();
    try (RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE).path(path).options(noCache).build()) {
      appendAndWait(s, hs);
      StoreContractTest.assertHolds(s, hs);
      Hash unknown = chainFrom(5000).next().hash();
      assertFalse(s.has(unknown));
    }
  }
}
