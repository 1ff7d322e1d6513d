package io.headersync.interop;

import io.headersync.Header;
import io.headersync.evnode.Block;
import io.headersync.evnode.HeaderSigner;
import io.headersync.store.Store;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * ev-node blocks with transactions for the data-sync interop tests and benchmarks, and the store
 * digest the Go peer's {@code blocks-digest} computes ({@code interop/peer/blocks.go}).
 */
public final class EvNodeBlocks {
  private EvNodeBlocks() {}

  /**
   * {@code count} blocks from the genesis: every block whose height is a multiple of {@code
   * txEvery} (0: none) carries {@code txCount} pseudo-random txs of {@code txBytes} bytes, from
   * {@code seed}.
   */
  public static List<Block> chain(
      HeaderSigner signer, int count, int txEvery, int txCount, int txBytes, long seed) {
    List<Block> out = new ArrayList<>(count);
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      List<byte[]> txs = txs(i + 1, txEvery, txCount, txBytes, random);
      out.add(i == 0 ? signer.genesis(txs) : signer.next(out.get(i - 1), txs));
    }
    return out;
  }

  /** The block after {@code previous}, with txs as {@link #chain} gives its height. */
  public static Block next(
      HeaderSigner signer, Block previous, int txEvery, int txCount, int txBytes, long seed) {
    return signer.next(
        previous, txs(previous.height() + 1, txEvery, txCount, txBytes, new Random(seed)));
  }

  private static List<byte[]> txs(
      long height, int txEvery, int txCount, int txBytes, Random random) {
    if (txEvery <= 0 || height % txEvery != 0) {
      return List.of();
    }
    List<byte[]> txs = new ArrayList<>(txCount);
    for (int j = 0; j < txCount; j++) {
      byte[] tx = new byte[txBytes];
      random.nextBytes(tx);
      txs.add(tx);
    }
    return txs;
  }

  /**
   * SHA-256 over the concatenated hashes of heights 1..{@code height} of {@code store}, lower-case
   * hex: what the Go peer's {@code blocks-digest} answers as headerDigest or dataDigest.
   *
   * @throws AssertionError if a height is missing
   */
  public static String digest(Store<? extends Header> store, long height) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (long from = 1; from <= height; from += 1000) {
      long to = Math.min(height + 1, from + 1000);
      List<? extends Header> range = store.getRange(from, to);
      if (range.size() != to - from) {
        throw new AssertionError(
            "store holds " + range.size() + " of heights [" + from + ", " + to + ")");
      }
      for (Header h : range) {
        sha.update(h.hash().toByteArray());
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
