package io.headersync.testkit;

import io.headersync.Hash;
import io.headersync.libp2p.internal.encoding.Uvarint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A key-value state machine for demos and tests of a sequencer: the executor behind {@code
 * headersync node --role sequencer --kv} and the interop tests, with the same rules as the Go
 * executor of {@code interop/evnode} (which a real ev-node node runs), so that either side can
 * execute the other's blocks and agree on every app hash.
 *
 * <ul>
 *   <li>A transaction is {@code key=value} in UTF-8, split at the first {@code '='}; one without
 *       {@code '='} or with an empty key changes nothing.
 *   <li>The state root is SHA-256 over the entries in ascending key order (by UTF-8 bytes), each as
 *       {@code uvarint(len(key)) key uvarint(len(value)) value}; the empty state's root, which
 *       {@link #initChain()} returns, is SHA-256 of nothing.
 * </ul>
 *
 * <p>The state lives in memory and grows with the keys written. Not thread-safe.
 */
public final class KvStateMachine {
  /**
   * Keys and values as raw bytes, one char per byte (ISO-8859-1): String order is then Go's byte
   * order.
   */
  private final TreeMap<String, String> state = new TreeMap<>();

  /**
   * Empties the state (ev-node's {@code InitChain}).
   *
   * @return the root of the empty state, the first block's app hash
   */
  public Hash initChain() {
    state.clear();
    return root();
  }

  /**
   * Applies {@code txs} in order (ev-node's {@code ExecuteTxs}).
   *
   * @param txs the transactions, each {@code key=value} in UTF-8
   * @return the new state root, the next block's app hash
   */
  public Hash execute(List<byte[]> txs) {
    Objects.requireNonNull(txs, "txs == null");
    for (byte[] tx : txs) {
      String s = new String(tx, StandardCharsets.ISO_8859_1);
      int i = s.indexOf('=');
      if (i > 0) {
        state.put(s.substring(0, i), s.substring(i + 1));
      }
    }
    return root();
  }

  /** {@return the state root} */
  public Hash root() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : state.entrySet()) {
      writeBytes(out, e.getKey().getBytes(StandardCharsets.ISO_8859_1));
      writeBytes(out, e.getValue().getBytes(StandardCharsets.ISO_8859_1));
    }
    try {
      return Hash.wrap(MessageDigest.getInstance("SHA-256").digest(out.toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is required of every JDK", e);
    }
  }

  /**
   * {@return the value of {@code key} (UTF-8), if set}
   *
   * @param key the key
   */
  public Optional<String> get(String key) {
    String raw =
        state.get(new String(key.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    return Optional.ofNullable(raw)
        .map(v -> new String(v.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
  }

  /** {@return how many keys are set} */
  public int size() {
    return state.size();
  }

  private static void writeBytes(ByteArrayOutputStream out, byte[] b) {
    byte[] length = Uvarint.encode(b.length);
    out.write(length, 0, length.length);
    out.write(b, 0, b.length);
  }
}
