package io.headersync.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.testkit.DummyHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's leftover: RocksJava unpacks a 17 MB library into the temp dir per JVM. Two JVMs that
 * open a store leave nothing in their temp dir, and the second loads the copy the first unpacked
 * into the per-user cache.
 */
class RocksDbNativeTest {
  @TempDir Path dir;

  /** The child: opens a store under args[0], appends one header, closes it. */
  public static void main(String[] args) throws Exception {
    try (RocksDbStore<DummyHeader> s =
        RocksDbStore.builder(DummyHeader.TYPE).path(Path.of(args[0])).build()) {
      if (s.height() == 0) {
        s.append(List.of(DummyHeader.genesis("native", 1, Instant.parse("2026-01-01T00:00:00Z"))))
            .get(30, TimeUnit.SECONDS);
      }
      System.out.println("height " + s.height());
    }
    // While this JVM lives: RocksJava's own loader would have put its copy here (deleted at exit).
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      System.out.println(
          "in the temp dir while running: "
              + files.filter(p -> p.getFileName().toString().contains("rocksdb")).toList());
    }
  }

  @Test
  void theNativeLibraryIsUnpackedOncePerUserAndNeverIntoTheTempDir() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path cache = dir.resolve("cache");
    run(tmp, cache);
    List<Path> unpacked;
    try (Stream<Path> s = Files.walk(cache)) {
      unpacked = s.filter(p -> p.getFileName().toString().startsWith("librocksdbjni")).toList();
    }
    assertEquals(1, unpacked.size(), "unpacked: " + unpacked);
    FileTime first = Files.getLastModifiedTime(unpacked.get(0));
    Files.setLastModifiedTime(unpacked.get(0), FileTime.fromMillis(first.toMillis() - 60_000));
    FileTime marked = Files.getLastModifiedTime(unpacked.get(0));
    run(tmp, cache);
    assertEquals(marked, Files.getLastModifiedTime(unpacked.get(0)), "unpacked again");
    try (Stream<Path> s = Files.list(tmp)) {
      List<Path> left = s.filter(p -> p.getFileName().toString().contains("rocksdb")).toList();
      assertTrue(left.isEmpty(), "left in the temp dir: " + left);
    }
  }

  private void run(Path tmp, Path cache) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Djava.io.tmpdir=" + tmp,
            "-cp",
            System.getProperty("java.class.path"),
            RocksDbNativeTest.class.getName(),
            dir.resolve("db").toString());
    pb.environment().put("XDG_CACHE_HOME", cache.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("height 1"), out);
    assertTrue(out.contains("in the temp dir while running: []"), out);
  }
}
