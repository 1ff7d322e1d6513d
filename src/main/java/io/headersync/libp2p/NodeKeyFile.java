package io.headersync.libp2p;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Set;

/**
 * A node key file: the raw libp2p {@code PrivateKey} protobuf bytes, the format go-libp2p based
 * nodes store their identity in. Files are written with permissions {@code 0600} where the file
 * system supports POSIX permissions, via a temporary file and an atomic rename.
 */
public final class NodeKeyFile {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private NodeKeyFile() {}

  /**
   * Reads a key file.
   *
   * @throws UncheckedIOException if the file cannot be read
   * @throws KeyFormatException if its content is not an Ed25519 libp2p private key
   */
  public static PrivateKey load(Path file) {
    Objects.requireNonNull(file, "file == null");
    byte[] bytes;
    try {
      if (Files.size(file) > PublicKey.MAX_ENCODED_LENGTH) {
        throw new KeyFormatException("key file " + file + " is too large to be a private key");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key file " + file, e);
    }
    try {
      return PrivateKey.unmarshal(bytes);
    } catch (KeyFormatException e) {
      throw new KeyFormatException("key file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code key} to {@code file} (replacing it), owner read/write only where supported.
   *
   * @throws UncheckedIOException if the file cannot be written
   */
  public static void save(Path file, PrivateKey key) {
    Objects.requireNonNull(file, "file == null");
    Objects.requireNonNull(key, "key == null");
    Path abs = file.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp);
      }
      Files.write(tmp, key.bytes());
      try {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write key file " + file, e);
    }
  }

  /**
   * Loads the key in {@code file}, or generates one with {@code random} and saves it if the file
   * does not exist.
   */
  public static PrivateKey loadOrCreate(Path file, SecureRandom random) {
    Objects.requireNonNull(random, "random == null");
    if (Files.exists(file)) {
      return load(file);
    }
    PrivateKey key = PrivateKey.generateEd25519(random);
    save(file, key);
    return key;
  }

}
