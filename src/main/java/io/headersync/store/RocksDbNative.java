package io.headersync.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.JarEntry;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library from a per-user cache instead of a new copy in the temp directory
 * per JVM. RocksJava unpacks its 17 MB library into {@code java.io.tmpdir} on every start and
 * deletes it only on a clean exit, so killed JVMs and test runs leave copies behind. We unpack it
 * once into {@code $XDG_CACHE_HOME/headersync} (default {@code ~/.cache/headersync}), in a
 * directory named by the library's CRC and size in the RocksDB jar (a new RocksDB version gets a
 * new directory), written atomically, and load it from there. The system property {@code
 * headersync.rocksdb.libdir} names another directory; {@code none} leaves it to RocksJava. Any
 * failure falls back to RocksJava's own loading, so this never makes RocksDB unusable.
 */
final class RocksDbNative {
  private static final Logger log = LoggerFactory.getLogger(RocksDbNative.class);
  private static volatile boolean done;

  private RocksDbNative() {}

  /** Loads the library once per JVM, before any RocksDB class needs it. */
  static void load() {
    if (done) {
      return;
    }
    synchronized (RocksDbNative.class) {
      if (done) {
        return;
      }
      try {
        Path dir = cachedLibraryDir();
        if (dir != null) {
          RocksDB.loadLibrary(List.of(dir.toString()));
        } else {
          RocksDB.loadLibrary();
        }
      } catch (Throwable e) {
        log.debug(
            "loading RocksDB from the per-user cache failed ({}); RocksJava unpacks it itself",
            e.toString());
        RocksDB.loadLibrary();
      }
      done = true;
    }
  }

  /**
   * The directory holding the unpacked library (unpacked now if needed), or null to let RocksJava
   * load it.
   */
  private static Path cachedLibraryDir() throws IOException {
    String configured = System.getProperty("headersync.rocksdb.libdir");
    if ("none".equals(configured)) {
      return null;
    }
    String file = Environment.getJniLibraryFileName("rocksdb");
    URL resource = RocksDB.class.getClassLoader().getResource(file);
    if (resource == null) {
      return null; // not in the jar (a system-wide RocksDB, or another packaging): RocksJava knows
    }
    URLConnection connection = resource.openConnection();
    if (!(connection instanceof JarURLConnection)) {
      return null;
    }
    JarEntry entry = ((JarURLConnection) connection).getJarEntry();
    if (entry.getSize() <= 0 || entry.getCrc() < 0) {
      return null;
    }
    Path base = configured != null ? Path.of(configured) : defaultCacheDir();
    Path dir =
        base.resolve("rocksdbjni-" + Long.toHexString(entry.getCrc()) + "-" + entry.getSize());
    // RocksDB.loadLibrary(paths) looks in each path for getJniLibraryFileName("rocksdbjni")
    // (librocksdbjnijni-linux64.so: "jni" twice), not for the jar entry's name: unpack under that.
    Path lib = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
    if (Files.isRegularFile(lib) && Files.size(lib) == entry.getSize()) {
      return dir;
    }
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file, ".part");
    try {
      try (InputStream in = connection.getInputStream()) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      if (Files.size(tmp) != entry.getSize()) {
        throw new IOException(
            "unpacked " + Files.size(tmp) + " bytes of " + file + ", expected " + entry.getSize());
      }
      try {
        Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        // another JVM won the race with the same bytes
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    log.debug("unpacked RocksDB's native library to {}", lib);
    return dir;
  }

  private static Path defaultCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path root =
        xdg != null && !xdg.isEmpty()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return root.resolve("headersync");
  }
}
