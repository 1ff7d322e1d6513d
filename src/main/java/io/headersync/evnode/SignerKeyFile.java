package io.headersync.evnode;

import io.headersync.libp2p.internal.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * ev-node's file signer key, {@code signer.json} ({@code pkg/signer/file} in ev-node v1.2), which
 * an ev-node aggregator loads with {@code --evnode.signer.passphrase_file}:
 *
 * <pre>{"priv_key_encrypted":"…","nonce":"…","pub_key":"…","salt":"…"}</pre>
 *
 * <p>All four are standard base64. {@code priv_key_encrypted} is AES-256-GCM (12-byte {@code
 * nonce}, 16-byte tag appended, no associated data) of the 64-byte libp2p Ed25519 private key (seed
 * ‖ public key), under a key derived from the passphrase with Argon2id (3 passes, 32 MiB, 4 lanes,
 * 16-byte {@code salt}); a file without {@code salt} uses ev-node's legacy derivation (the
 * passphrase, padded). {@code pub_key} is the raw 32-byte public key.
 *
 * <p>A path may name the file or the directory that holds it, as ev-node's {@code signer_path}
 * does.
 */
public final class SignerKeyFile {
  /** The file's name in a signer directory. */
  public static final String FILE_NAME = "signer.json";

  private static final int SALT_SIZE = 16;
  private static final int NONCE_SIZE = 12;
  private static final int TAG_BITS = 128;
  private static final int LIBP2P_KEY_SIZE = 64;

  private SignerKeyFile() {}

  /**
   * {@return {@code path} itself, or {@code path/signer.json} if {@code path} is a directory}
   * Nothing is read: a missing file resolves to itself.
   *
   * @param path a key file or the directory holding {@code signer.json}, as ev-node's {@code
   *     signer_path}
   */
  public static Path resolve(Path path) {
    Objects.requireNonNull(path, "path == null");
    return Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
  }

  /**
   * Decrypts the key with {@code passphrase} (the UTF-8 bytes of the passphrase; see {@link
   * #readPassphrase}).
   *
   * @param path the key file, or its directory ({@link #resolve})
   * @param passphrase the passphrase's UTF-8 bytes
   * @return the decrypted Ed25519 key
   * @throws EvNodeFileException if the file is missing or malformed, the passphrase is wrong, or
   *     the decrypted key does not match {@code pub_key}
   */
  public static SignerKey load(Path path, byte[] passphrase) {
    Objects.requireNonNull(passphrase, "passphrase == null");
    Path file = resolve(path);
    JsonFields f = JsonFields.read(file);
    byte[] ciphertext = required(f, "priv_key_encrypted");
    byte[] nonce = required(f, "nonce");
    byte[] publicKey = publicKeyField(f);
    byte[] salt = f.bytes("salt");
    if (nonce.length != NONCE_SIZE) {
      throw f.problem("nonce", "is " + nonce.length + " bytes, AES-GCM takes " + NONCE_SIZE);
    }
    byte[] derived =
        salt == null || salt.length == 0 ? legacyKey(file, passphrase) : argon2(passphrase, salt);
    byte[] plain;
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(derived, "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      plain = gcm.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new EvNodeFileException(
          file, "priv_key_encrypted", "does not decrypt: wrong passphrase?", e);
    } catch (GeneralSecurityException e) {
      throw new EvNodeFileException(
          file, "priv_key_encrypted", "does not decrypt: " + e.getMessage(), e);
    } finally {
      Arrays.fill(derived, (byte) 0);
    }
    try {
      if (plain.length != LIBP2P_KEY_SIZE) {
        throw f.problem(
            "priv_key_encrypted",
            "decrypts to "
                + plain.length
                + " bytes, not a "
                + LIBP2P_KEY_SIZE
                + "-byte Ed25519 private key");
      }
      SignerKey key = SignerKey.fromSeed(Arrays.copyOf(plain, SignerKey.SEED_SIZE));
      if (!Arrays.equals(
          key.publicKey(), Arrays.copyOfRange(plain, SignerKey.SEED_SIZE, LIBP2P_KEY_SIZE))) {
        throw f.problem(
            "priv_key_encrypted", "the private key's public half does not belong to its seed");
      }
      if (!Arrays.equals(key.publicKey(), publicKey)) {
        throw f.problem("pub_key", "is not the public key of the encrypted private key");
      }
      return key;
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /**
   * {@return the signer of the key in the file, read from {@code pub_key} without the passphrase
   * (e.g. to write a genesis naming it)}
   *
   * @param path the key file, or its directory ({@link #resolve})
   * @throws EvNodeFileException if the file is missing or {@code pub_key} is not a 32-byte key
   */
  public static Signer publicKey(Path path) {
    Path file = resolve(path);
    return Signer.ofEd25519(publicKeyField(JsonFields.read(file)));
  }

  /**
   * Writes {@code key} encrypted with {@code passphrase} to {@code path}: the file itself when its
   * name ends in {@code .json}, else {@code signer.json} in that directory, as ev-node's {@code
   * signer_path} (directories are created). Owner-only, as ev-node's {@code
   * CreateFileSystemSigner}: a fresh salt and nonce from {@code random}, Argon2id. Refuses to
   * replace an existing file, as ev-node does.
   *
   * @param path a {@code .json} file, or the directory to write {@code signer.json} into
   * @param key the key to store
   * @param passphrase the passphrase's UTF-8 bytes; not empty
   * @param random where the salt and nonce come from
   * @return the file written
   * @throws EvNodeFileException if the file exists or cannot be written
   * @throws IllegalArgumentException if the passphrase is empty
   */
  public static Path create(Path path, SignerKey key, byte[] passphrase, SecureRandom random) {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(passphrase, "passphrase == null");
    Objects.requireNonNull(random, "random == null");
    if (passphrase.length == 0) {
      throw new IllegalArgumentException(
          "the passphrase is empty: ev-node requires one for a file signer");
    }
    Path file =
        path.getFileName() != null
                && path.getFileName().toString().endsWith(".json")
                && !Files.isDirectory(path)
            ? path
            : path.resolve(FILE_NAME);
    if (Files.exists(file)) {
      throw new EvNodeFileException(
          file, null, "already exists; ev-node does not overwrite a signer key either", null);
    }
    byte[] salt = new byte[SALT_SIZE];
    byte[] nonce = new byte[NONCE_SIZE];
    random.nextBytes(salt);
    random.nextBytes(nonce);
    byte[] plain = new byte[LIBP2P_KEY_SIZE];
    byte[] derived = argon2(passphrase, salt);
    byte[] ciphertext;
    try {
      byte[] seed = key.seed();
      System.arraycopy(seed, 0, plain, 0, SignerKey.SEED_SIZE);
      Arrays.fill(seed, (byte) 0);
      System.arraycopy(
          key.publicKey(), 0, plain, SignerKey.SEED_SIZE, LIBP2P_KEY_SIZE - SignerKey.SEED_SIZE);
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(derived, "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      ciphertext = gcm.doFinal(plain);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JDK", e);
    } finally {
      Arrays.fill(plain, (byte) 0);
      Arrays.fill(derived, (byte) 0);
    }
    // Go's json.Marshal of keyData: fields in declaration order, compact.
    String json =
        "{\"priv_key_encrypted\":\""
            + JsonFields.base64(ciphertext)
            + "\",\"nonce\":\""
            + JsonFields.base64(nonce)
            + "\",\"pub_key\":\""
            + JsonFields.base64(key.publicKey())
            + "\",\"salt\":\""
            + JsonFields.base64(salt)
            + "\"}";
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      PrivateFiles.writeAtomically(file, json.getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new EvNodeFileException(file, null, "cannot write it: " + e, e);
    }
    return file;
  }

  /**
   * {@return a passphrase file as ev-node reads {@code --evnode.signer.passphrase_file}: its
   * content with surrounding white space trimmed, as UTF-8 bytes}
   *
   * @param file the passphrase file
   * @throws EvNodeFileException if the file cannot be read or is empty
   */
  public static byte[] readPassphrase(Path file) {
    Objects.requireNonNull(file, "file == null");
    String s;
    try {
      if (Files.size(file) > JsonFields.MAX_FILE_SIZE) {
        throw new EvNodeFileException(
            file,
            null,
            "larger than " + JsonFields.MAX_FILE_SIZE + " bytes: not a passphrase",
            null);
      }
      s = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      throw new EvNodeFileException(file, null, "no such passphrase file", e);
    } catch (IOException e) {
      throw new EvNodeFileException(file, null, "cannot read the passphrase: " + e, e);
    }
    if (s.isEmpty()) {
      throw new EvNodeFileException(file, null, "the passphrase file is empty", null);
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] required(JsonFields f, String field) {
    byte[] b = f.bytes(field);
    if (b == null || b.length == 0) {
      throw f.problem(field, "missing");
    }
    return b;
  }

  private static byte[] publicKeyField(JsonFields f) {
    byte[] pub = required(f, "pub_key");
    if (pub.length != SignerKey.PUBLIC_KEY_SIZE) {
      throw f.problem(
          "pub_key",
          "is " + pub.length + " bytes, an Ed25519 public key has " + SignerKey.PUBLIC_KEY_SIZE);
    }
    return pub;
  }

  /** ev-node's {@code deriveKeyArgon2}: Argon2id v1.3, t=3, m=32 MiB, p=4, 32 bytes. */
  static byte[] argon2(byte[] passphrase, byte[] salt) {
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withIterations(3)
            .withMemoryAsKB(32 * 1024)
            .withParallelism(4)
            .withSalt(salt)
            .build());
    byte[] out = new byte[32];
    gen.generateBytes(passphrase, out);
    return out;
  }

  /**
   * ev-node's {@code fallbackDeriveKey} for files without a salt (Go panics on an empty passphrase;
   * we refuse).
   */
  private static byte[] legacyKey(Path file, byte[] passphrase) {
    if (passphrase.length == 0) {
      throw new EvNodeFileException(
          file, "salt", "absent (a legacy key file) and the passphrase is empty", null);
    }
    byte[] key = Arrays.copyOf(passphrase, 32);
    for (int i = passphrase.length; i < 32; i++) {
      key[i] = (byte) (passphrase[i % passphrase.length] ^ i);
    }
    return key;
  }
}
