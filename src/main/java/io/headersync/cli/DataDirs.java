package io.headersync.cli;

import io.headersync.HeaderSyncException;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.service.NetworkProfile;
import io.headersync.service.NetworkProfile.SyncKind;
import io.headersync.store.RocksDbReader;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A node's data directory: checks that say what is wrong, and what its stores hold. */
final class DataDirs {
  private DataDirs() {}

  /**
   * Creates {@code dir} if needed and checks it can be used, before anything opens it.
   *
   * @throws HeaderSyncException naming the reason: not a directory, permission denied, or a store
   *     in it locked by another process (with its pid when the system says)
   */
  static void prepare(Path dir) {
    Path abs = dir.toAbsolutePath();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new HeaderSyncException("--data-dir " + abs + " is a file, not a directory");
    }
    try {
      Files.createDirectories(dir);
    } catch (AccessDeniedException e) {
      throw new HeaderSyncException(
          "cannot create --data-dir " + abs + ": permission denied on " + e.getFile(), e);
    } catch (FileAlreadyExistsException | NotDirectoryException e) {
      throw new HeaderSyncException(
          "cannot create --data-dir " + abs + ": " + e.getFile() + " is a file, not a directory",
          e);
    } catch (FileSystemException e) {
      throw new HeaderSyncException(
          "cannot create --data-dir "
              + abs
              + ": "
              + (e.getReason() != null ? e.getReason() : e.toString())
              + " ("
              + e.getFile()
              + ")",
          e);
    } catch (IOException e) {
      throw new HeaderSyncException("cannot create --data-dir " + abs + ": " + e, e);
    }
    if (!Files.isWritable(dir)) {
      throw new HeaderSyncException("--data-dir " + abs + " is not writable: permission denied");
    }
    for (String store : List.of("headers", "data")) {
      Optional<String> holder = lockHolder(dir.resolve(store).resolve("LOCK"));
      if (holder.isPresent()) {
        throw new HeaderSyncException(
            "--data-dir "
                + abs
                + " is in use: its store "
                + store
                + "/ is locked by "
                + holder.get()
                + "; stop that node or choose another --data-dir");
      }
    }
  }

  /**
   * Who holds the RocksDB lock on {@code lockFile}, from {@code /proc/locks} (Linux); empty if no
   * one does or the system does not say. Only reads: opening the file to test the lock would drop a
   * lock this process holds on it (POSIX locks are per process).
   */
  static Optional<String> lockHolder(Path lockFile) {
    Path locks = Path.of("/proc/locks");
    if (!Files.isRegularFile(lockFile) || !Files.isReadable(locks)) {
      return Optional.empty();
    }
    try {
      long inode = ((Number) Files.getAttribute(lockFile, "unix:ino")).longValue();
      for (String line : Files.readAllLines(locks)) {
        // 1: POSIX  ADVISORY  WRITE 12345 fd:01:1234567 0 EOF
        String[] f = line.trim().split("\\s+");
        if (f.length < 6 || f[1].equals("->")) {
          continue;
        }
        String[] dev = f[5].split(":");
        if (dev.length == 3 && Long.parseLong(dev[2]) == inode) {
          long pid = Long.parseLong(f[4]);
          return Optional.of(
              pid == ProcessHandle.current().pid()
                  ? "this process (pid " + pid + ")"
                  : "another process, pid "
                      + pid
                      + ProcessHandle.of(pid)
                          .flatMap(p -> p.info().command())
                          .map(c -> " (" + Path.of(c).getFileName() + ")")
                          .orElse(""));
        }
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** {@code headers 1,234, data 1,230} as the stores under {@code dir} hold them, read-only. */
  static String storedHeights(Path dir, NetworkProfile profile) {
    StringBuilder sb = new StringBuilder();
    sb.append("headers ").append(height(dir.resolve("headers"), profile, SyncKind.HEADERS));
    if (RocksDbReader.isStore(dir.resolve("data"))) {
      sb.append(", data ").append(height(dir.resolve("data"), profile, SyncKind.DATA));
    }
    return sb.toString();
  }

  private static String height(Path store, NetworkProfile profile, SyncKind kind) {
    if (!RocksDbReader.isStore(store)) {
      return "0";
    }
    try (RocksDbReader r = RocksDbReader.open(store)) {
      long h =
          kind == SyncKind.HEADERS
              ? r.store(EvNodeTypes.P2P_SIGNED_HEADER, profile.storePrefix(kind))
                  .map(s -> s.height())
                  .orElse(0L)
              : r.store(EvNodeTypes.P2P_DATA, profile.storePrefix(kind))
                  .map(s -> s.height())
                  .orElse(0L);
      return String.format("%,d", h);
    }
  }
}
