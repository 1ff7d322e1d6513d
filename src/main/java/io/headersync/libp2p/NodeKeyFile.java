package io.headersync.libp2p;

import io.headersync.libp2p.internal.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Node key files, in two formats:
 *
 * <ul>
 *   <li>{@link #load}/{@link #save}: the raw libp2p {@code PrivateKey} protobuf bytes ({@code
 *       crypto.MarshalPrivateKey}), what go-libp2p tools and go-header examples store;
 *   <li>{@link #loadEvNodeJson}/{@link #saveEvNodeJson}: ev-node's {@code node_key.json} ({@code
 *       pkg/p2p/key/nodekey.go} in ev-node v1.2.x): {@code {"priv_key":"<base64
 *       seed‖pub>","pub_key":"<base64 pub>"}}, Go's {@code encoding/json} rendering of the raw key
 *       bytes.
 * </ul>
 *
 * Files are written with permissions {@code 0600} where the file system supports POSIX permissions,
 * via a temporary file and an atomic rename.
 */
public final class NodeKeyFile {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private NodeKeyFile() {}

  /**
   * Reads a key file.
   *
   * @param file the key file: the protobuf-encoded libp2p private key, as {@link #save} writes it
   * @return the node's key
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
   * @param file where to write; parent directories must exist
   * @param key the node's key
   * @throws UncheckedIOException if the file cannot be written
   */
  public static void save(Path file, PrivateKey key) {
    Objects.requireNonNull(key, "key == null");
    write(file, key.bytes());
  }

  /**
   * Reads an ev-node {@code node_key.json}.
   *
   * @param file ev-node's {@code config/node_key.json}
   * @return the node's key
   * @throws UncheckedIOException if the file cannot be read
   * @throws KeyFormatException if it is not such a file, or its two keys do not match
   */
  public static PrivateKey loadEvNodeJson(Path file) {
    Objects.requireNonNull(file, "file == null");
    byte[] json;
    try {
      if (Files.size(file) > PublicKey.MAX_ENCODED_LENGTH) {
        throw new KeyFormatException("key file " + file + " is too large to be a node key");
      }
      json = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key file " + file, e);
    }
    java.util.Map<String, String> fields = stringFields(json, file);
    byte[] priv = base64Field(fields, "priv_key", file);
    byte[] pub = base64Field(fields, "pub_key", file);
    PrivateKey key;
    try {
      key = PrivateKey.ed25519FromRaw(priv);
    } catch (KeyFormatException e) {
      throw new KeyFormatException("key file " + file + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(priv, (byte) 0);
    }
    if (!Arrays.equals(pub, key.publicKey().raw())) {
      throw new KeyFormatException("key file " + file + ": pub_key does not match priv_key");
    }
    return key;
  }

  /**
   * Writes {@code key} as an ev-node {@code node_key.json} (as Go's {@code json.Marshal}).
   *
   * @param file where to write, replacing it; parent directories must exist
   * @param key an Ed25519 key
   */
  public static void saveEvNodeJson(Path file, PrivateKey key) {
    Objects.requireNonNull(key, "key == null");
    Base64.Encoder b64 = Base64.getEncoder();
    byte[] raw = key.raw();
    String json =
        "{\"priv_key\":\""
            + b64.encodeToString(raw)
            + "\",\"pub_key\":\""
            + b64.encodeToString(key.publicKey().raw())
            + "\"}";
    Arrays.fill(raw, (byte) 0);
    write(file, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The string members of the JSON object {@code json}, read as Go's {@code encoding/json} reads
   * them into a struct: keys matched without regard to case, the last of a repeated key wins,
   * members of other types skipped.
   */
  private static java.util.Map<String, String> stringFields(byte[] json, Path file) {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new KeyFormatException("key file " + file + " is not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
        String name = p.currentName().toLowerCase(java.util.Locale.ROOT);
        if (p.nextToken() == JsonToken.VALUE_STRING) {
          out.put(name, p.getString());
        } else {
          p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new KeyFormatException("key file " + file + " is not a single JSON object");
      }
    } catch (JacksonException e) {
      throw new KeyFormatException(
          "key file " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    return out;
  }

  private static byte[] base64Field(java.util.Map<String, String> fields, String name, Path file) {
    String value = fields.get(name);
    if (value == null) {
      throw new KeyFormatException("key file " + file + " has no \"" + name + "\" field");
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new KeyFormatException("key file " + file + ": bad base64 in " + name, e);
    }
  }

  private static void write(Path file, byte[] content) {
    try {
      PrivateFiles.writeAtomically(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write key file " + file, e);
    }
  }

  /**
   * Loads the key in {@code file}, or generates one with {@code random} and saves it if the file
   * does not exist.
   *
   * @param file the key file
   * @param random the source of a new key
   * @return the key in the file, or the one just generated and saved A stable identity across
   *     restarts.
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
