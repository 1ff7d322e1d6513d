package io.headersync.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.headersync.testkit.DummyHeader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rocksdb.FlushOptions;

/**
 * Byte-level damage to the files RocksDB keeps (SST tables, MANIFEST, WAL, CURRENT): opening and
 * reading the whole store either fails with a {@link CorruptStoreException} that names what is
 * damaged, or RocksDB recovers and the store holds a contiguous prefix of the chain that was
 * written, header for header. Never a silently wrong chain.
 */
class RocksDbStoreCorruptionTest {
  private static final int IN_TABLES = 3_000;
  private static final int IN_WAL = 1_000;

  @TempDir Path dir;

  enum Damage {
    SST_BYTES_FLIPPED(".sst", false),
    SST_TRUNCATED(".sst", true),
    SST_DELETED(".sst", true),
    MANIFEST_BYTES_FLIPPED("MANIFEST-", false),
    MANIFEST_TRUNCATED("MANIFEST-", true),
    WAL_BYTES_FLIPPED(".log", false),
    WAL_TRUNCATED(".log", true),
    CURRENT_GARBLED("CURRENT", false);

    final String file;
    final boolean cut;

    Damage(String file, boolean cut) {
      this.file = file;
      this.cut = cut;
    }
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void damageIsReportedOrRecoveredNeverSilent(Damage damage) throws Exception {
    Path path = dir.resolve("db");
    List<DummyHeader> chain = writeStore(path);
    Path victim = victim(path, damage);
    damage(victim, damage);

    RocksDbStore<DummyHeader> store;
    try {
      store = RocksDbStoreTestSupport.open(path);
    } catch (CorruptStoreException e) {
      assertNamesTheDamage(e, victim, damage);
      System.out.printf("%s: open refused: %s%n", damage, e.getMessage());
      return;
    }
    try {
      long head = walk(store, chain);
      System.out.printf("%s: recovered, head %d of %d%n", damage, head, chain.size());
      if (damage == Damage.WAL_BYTES_FLIPPED || damage == Damage.WAL_TRUNCATED) {
        assertTrue(head >= IN_TABLES, "lost headers that were in the tables: head " + head);
      } else {
        assertEquals(chain.size(), head, "recovered without the damaged part yet lost headers");
      }
    } catch (CorruptStoreException e) {
      assertNamesTheDamage(e, victim, damage);
      System.out.printf("%s: read refused: %s%n", damage, e.getMessage());
    } finally {
      store.close();
    }
  }

  /**
   * Writes IN_TABLES headers into SST files, then IN_WAL more that stay in the WAL; returns the
   * chain.
   */
  private static List<DummyHeader> writeStore(Path path) throws Exception {
    List<DummyHeader> chain = new ArrayList<>();
    DummyHeader h = DummyHeader.genesis("corrupt", 1, Instant.parse("2026-01-01T00:00:00Z"));
    chain.add(h);
    while (chain.size() < IN_TABLES + IN_WAL) {
      h = h.next();
      chain.add(h);
    }
    try (RocksDbStore<DummyHeader> s = RocksDbStoreTestSupport.open(path)) {
      s.append(chain.subList(0, IN_TABLES)).get(60, TimeUnit.SECONDS);
    }
    RocksDbStoreTestSupport.withRawDb(
        path,
        db -> {
          try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo);
          }
        });
    try (RocksDbStore<DummyHeader> s = RocksDbStoreTestSupport.open(path)) {
      s.append(chain.subList(IN_TABLES, chain.size())).get(60, TimeUnit.SECONDS);
      s.flush();
    }
    return chain;
  }

  /** The largest file of the damage's kind. */
  private static Path victim(Path path, Damage damage) throws IOException {
    try (Stream<Path> files = Files.list(path)) {
      return files
          .filter(f -> f.getFileName().toString().contains(damage.file))
          .max(Comparator.comparingLong(RocksDbStoreCorruptionTest::size))
          .orElseThrow(() -> new AssertionError("no " + damage.file + " file in " + path));
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void damage(Path victim, Damage damage) throws IOException {
    long size = Files.size(victim);
    if (damage == Damage.SST_DELETED) {
      Files.delete(victim);
      return;
    }
    try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
      if (damage.cut) {
        f.setLength(size / 2);
        return;
      }
      // 64 bytes in the middle (the whole file when it is smaller), each flipped.
      long from = Math.max(0, size / 2 - 32);
      int n = (int) Math.min(64, size - from);
      byte[] b = new byte[n];
      f.seek(from);
      f.readFully(b);
      for (int i = 0; i < n; i++) {
        b[i] = (byte) ~b[i];
      }
      f.seek(from);
      f.write(b);
    }
  }

  /**
   * Reads every header from the tail to the head; each must be the chain's header at its height.
   */
  private static long walk(RocksDbStore<DummyHeader> store, List<DummyHeader> chain) {
    Optional<DummyHeader> head = store.head();
    Optional<DummyHeader> tail = store.tail();
    if (head.isEmpty()) {
      fail("the store opened empty: a damaged store must not look like a new one");
    }
    assertEquals(1, tail.orElseThrow().height());
    for (long height = 1; height <= head.get().height(); height += 64) {
      long to = Math.min(head.get().height() + 1, height + 64);
      List<DummyHeader> got = store.getRange(height, to);
      assertEquals(to - height, got.size(), "range " + height + ".." + to);
      for (DummyHeader g : got) {
        assertEquals(
            chain.get((int) g.height() - 1),
            g,
            "header at " + g.height() + " differs from the one written");
        assertEquals(g, store.get(g.hash()).orElseThrow(), "hash index at " + g.height());
      }
    }
    return head.get().height();
  }

  private static void assertNamesTheDamage(CorruptStoreException e, Path victim, Damage damage) {
    String m = e.getMessage();
    String name = victim.getFileName().toString();
    assertTrue(
        m.contains(name)
            || m.contains(damage.file)
            || (damage == Damage.CURRENT_GARBLED && m.contains("CURRENT")),
        "the message does not name the damaged file " + name + ": " + m);
  }
}
