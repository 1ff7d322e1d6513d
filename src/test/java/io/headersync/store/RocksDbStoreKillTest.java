package io.headersync.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.testkit.DummyHeader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

/**
 * Kills a child JVM that is appending to a {@link RocksDbStore} with SIGKILL at several points,
 * then checks what RocksDB recovered: one contiguous range {@code [tail, head]}, a hash index entry
 * for each header and none for anything else, head equal to the highest stored height, and nothing
 * above it. The store is reopened and extended by the next run, so recovery is tested repeatedly on
 * the same data.
 *
 * <p>SIGKILL stops the process, not the machine: what RocksDB wrote to its WAL is in the OS page
 * cache, so every append the child saw complete must survive. (A power loss could lose unsynced
 * appends; that is what {@link Store#flush()} is for, and is not tested here.)
 */
class RocksDbStoreKillTest {
  private static final long WAIT_S = 180;

  @TempDir Path dir;

  @Test
  void recoversAConsistentContiguousStoreAfterSigkill() throws Exception {
    Path path = dir.resolve("db");
    Keys keys = new Keys(RocksDbStore.DEFAULT_PREFIX);
    long expectedHead = 0;
    long[] killAfter = {5_000, 1, 20_000, 3_000};
    for (int run = 0; run < killAfter.length; run++) {
      long printed = runAndKill(path, run, expectedHead, killAfter[run], 0);
      long head = checkRecovered(path, keys, 0);
      assertTrue(
          head >= printed,
          "run "
              + run
              + ": head "
              + head
              + " lost appends the child saw readable up to "
              + printed);
      assertTrue(head >= expectedHead + killAfter[run], "run " + run + ": head " + head);
      System.out.printf(
          "kill run %d: child reported %d readable, recovered head %d%n", run, printed, head);
      expectedHead = head;
    }
  }

  /**
   * The same while the child prunes behind its head (a window of 2,000 headers): appends and
   * deletions interleave in the writer, and each kill lands between or inside their batches. The
   * recovered store is contiguous, its index matches its headers, nothing is stored below the tail,
   * and it holds at most the window plus one append batch.
   */
  @Test
  void recoversAConsistentWindowAfterSigkillWhilePruning() throws Exception {
    Path path = dir.resolve("db");
    Keys keys = new Keys(RocksDbStore.DEFAULT_PREFIX);
    long window = 2_000;
    long expectedHead = 0;
    long[] killAfter = {6_000, 1, 9_000, 2_500};
    for (int run = 0; run < killAfter.length; run++) {
      long printed = runAndKill(path, run, expectedHead, killAfter[run], window);
      long head = checkRecovered(path, keys, window);
      assertTrue(
          head >= printed,
          "run "
              + run
              + ": head "
              + head
              + " lost appends the child saw readable up to "
              + printed);
      System.out.printf(
          "prune kill run %d: child reported %d readable, recovered head %d%n", run, printed, head);
      expectedHead = head;
    }
  }

  /**
   * Starts the child, waits until it reports {@code start + count} readable, kills it; returns the
   * last report.
   */
  private long runAndKill(Path path, int run, long start, long count, long window)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // java.io.tmpdir inside @TempDir: RocksDB extracts its native library there, and a SIGKILLed
    // JVM
    // cannot delete it on exit; JUnit deletes the directory instead.
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
            "-Djava.io.tmpdir=" + dir,
            "-cp",
            System.getProperty("java.class.path"),
            CrashChild.class.getName(),
            path.toString(),
            Long.toString(run),
            Long.toString(window));
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    try {
      AtomicLong last = new AtomicLong(-1);
      CompletableFuture<Long> opened = new CompletableFuture<>();
      CompletableFuture<Long> reached = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("opened ")) {
                      opened.complete(Long.parseLong(line.split(" ")[2]));
                    } else if (line.startsWith("appended ")) {
                      long h = Long.parseLong(line.substring("appended ".length()));
                      last.accumulateAndGet(h, Math::max);
                      if (h >= start + count) {
                        reached.complete(h);
                      }
                    } else {
                      reached.completeExceptionally(new AssertionError("child: " + line));
                    }
                  }
                  reached.completeExceptionally(
                      new AssertionError("child exited early with " + p.waitFor()));
                } catch (Exception e) {
                  reached.completeExceptionally(e);
                }
              },
              "child-stdout");
      reader.setDaemon(true);
      reader.start();
      assertEquals(start, opened.get(WAIT_S, TimeUnit.SECONDS), "run " + run + ": reopened head");
      reached.get(WAIT_S, TimeUnit.SECONDS);
      p.destroyForcibly(); // SIGKILL on Linux
      assertTrue(p.waitFor(WAIT_S, TimeUnit.SECONDS));
      reader.join(TimeUnit.SECONDS.toMillis(WAIT_S));
      assertEquals(137, p.exitValue(), "child was not killed by SIGKILL");
      return last.get();
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * Checks the raw keys, then that the store opens on them; returns the head. With {@code window} 0
   * the tail must be 1; otherwise the store holds at most the window plus one append (100).
   */
  private long checkRecovered(Path path, Keys keys, long window) {
    long[] headTail = new long[2];
    RocksDbStoreTestSupport.withRawDb(
        path,
        db -> {
          long head = Keys.getLong(db.get(keys.head()), 0);
          long tail = Keys.getLong(db.get(keys.tail()), 0);
          if (window == 0) {
            assertEquals(1, tail);
          } else {
            assertTrue(
                head - tail + 1 <= window + 100,
                "[" + tail + ", " + head + "] is wider than the window " + window);
          }
          Map<Long, DummyHeader> byHeight = new HashMap<>();
          long expected = tail;
          for (byte[][] kv :
              RocksDbStoreTestSupport.scan(
                  db, keys.headerSectionStart(), keys.headerSectionEnd())) {
            long h = keys.heightOf(kv[0]);
            assertEquals(expected, h, "header heights are not contiguous from the tail");
            DummyHeader header = DummyHeader.TYPE.decode(kv[1]);
            assertEquals(h, header.height());
            byHeight.put(h, header);
            expected++;
          }
          assertEquals(head, expected - 1, "the head pointer is not the highest stored height");
          List<byte[][]> index =
              RocksDbStoreTestSupport.scan(db, keys.hashSectionStart(), keys.hashSectionEnd());
          assertEquals(byHeight.size(), index.size(), "hash index entries vs headers");
          for (byte[][] kv : index) {
            long h = Keys.getLong(kv[1], 0);
            DummyHeader header = byHeight.get(h);
            assertNotNull(
                header,
                "hash index entry " + keys.describe(kv[0]) + " points at unstored height " + h);
            assertEquals(header.hash(), keys.hashOf(kv[0]));
          }
          assertMetaKeysOnly(db, keys);
          headTail[0] = head;
          headTail[1] = tail;
        });
    try (RocksDbStore<DummyHeader> s = RocksDbStoreTestSupport.open(path)) {
      assertEquals(headTail[0], s.height());
      assertEquals(headTail[1], s.tail().orElseThrow().height());
      List<DummyHeader> all = s.getRange(headTail[1], headTail[0] + 1);
      for (int i = 1; i < all.size(); i++) {
        assertEquals(
            all.get(i - 1).hash(),
            all.get(i).lastHeaderHash(),
            "chain broken at " + all.get(i).height());
      }
    }
    return headTail[0];
  }

  private static void assertMetaKeysOnly(RocksDB db, Keys keys) {
    List<byte[][]> meta =
        RocksDbStoreTestSupport.scan(db, keys.hashSectionEnd(), new byte[] {(byte) 0xff});
    assertEquals(2, meta.size(), "keys after the hash index");
    assertArrayEquals(keys.head(), meta.get(0)[0]);
    assertArrayEquals(keys.tail(), meta.get(1)[0]);
  }
}
