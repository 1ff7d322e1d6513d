package io.headersync.testkit;

import io.headersync.annotation.Nullable;
import io.headersync.evnode.Block;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.Signer;
import io.headersync.evnode.SignerKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Generates valid, signed ev-node chains for tests, deterministic from a seed: the proposer's key,
 * and the transactions when blocks carry some, come from the seed, and block times from a start
 * time and a step, so the same settings give the same blocks (the same hashes) on every run. Each
 * {@link Block} is a signed header and its data; {@link #headers(List)} and {@link #data(List)}
 * give them in the P2P envelopes the header and data stores and topics carry ({@link
 * P2PSignedHeader}, {@link P2PData}). Every block passes ev-node's checks: the header's signature
 * by the key, links by header and data hash, the data hash and metadata (see {@link HeaderSigner},
 * which signs them).
 *
 * <pre>{@code
 * EvNodeChain chain = EvNodeChain.builder("gm").seed(42).build();
 * List<Block> blocks = chain.next(100);                              // heights 1..100
 * headerStore.append(EvNodeChain.headers(blocks)).join();
 * dataStore.append(EvNodeChain.data(blocks)).join();
 * EvNodeSync light = EvNodeSync.builder("gm").proposer(chain.proposer())...;  // pins the key
 * }</pre>
 *
 * <p>Block times are in the past by default (from 2024-01-01, one second apart), which suits
 * stores, the exchange and syncing; blocks published over gossip must be recent, so give such a
 * chain a {@link Builder#startTime} near the test's clock. Not thread-safe.
 */
public final class EvNodeChain {
  /** The default time of the first block. */
  public static final Instant DEFAULT_START_TIME = Instant.parse("2024-01-01T00:00:00Z");

  private final HeaderSigner signer;
  private final Random txRandom;
  private final int txsPerBlock;
  private final int txBytes;
  private @Nullable Block head;

  private EvNodeChain(Builder b) {
    Random random = new Random(b.seed);
    this.signer = b.signer.key(SignerKey.generate(random)).build();
    this.txRandom = random;
    this.txsPerBlock = b.txsPerBlock;
    this.txBytes = b.txBytes;
  }

  /**
   * A builder for a chain of {@code chainId}: seed 1, genesis at height 1, blocks one second apart
   * from {@link #DEFAULT_START_TIME}, no transactions.
   *
   * @param chainId the chain id, not empty
   * @return a new builder
   */
  public static Builder builder(String chainId) {
    return new Builder(chainId);
  }

  /**
   * The proposer's key, derived from the seed.
   *
   * @return the key every header is signed with
   */
  public SignerKey key() {
    return signer.key();
  }

  /**
   * The proposer as headers carry it, for nodes that pin the sequencer's key ({@code
   * EvNodeSync.Builder.proposer}) or a genesis.
   *
   * @return the key's signer (public key and address)
   */
  public Signer proposer() {
    return signer.key().signer();
  }

  /**
   * The signer that makes the blocks, e.g. to fork the chain from a block ({@code
   * signer().next(block, txs)}).
   *
   * @return the chain's header signer
   */
  public HeaderSigner signer() {
    return signer;
  }

  /**
   * The next block: the genesis block first, then each following one.
   *
   * @return the block after the last one generated
   */
  public Block next() {
    Block previous = head;
    List<byte[]> txs = txs();
    Block b = previous == null ? signer.genesis(txs) : signer.next(previous, txs);
    head = b;
    return b;
  }

  /**
   * The next {@code n} blocks.
   *
   * @param n how many, at least 0
   * @return them, lowest first
   */
  public List<Block> next(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    List<Block> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  /**
   * The last block generated.
   *
   * @return the chain's head
   * @throws IllegalStateException if none was generated yet
   */
  public Block head() {
    Block b = head;
    if (b == null) {
      throw new IllegalStateException("no block generated yet");
    }
    return b;
  }

  /**
   * The headers of {@code blocks} in their P2P envelope (DA height hint 0), what a header store
   * holds.
   *
   * @param blocks blocks, e.g. from {@link #next(int)}
   * @return their headers, in order
   */
  public static List<P2PSignedHeader> headers(List<Block> blocks) {
    return blocks.stream().map(Block::p2pHeader).toList();
  }

  /**
   * The data of {@code blocks} in their P2P envelope (DA height hint 0), what a data store holds.
   *
   * @param blocks blocks, e.g. from {@link #next(int)}
   * @return their data, in order
   */
  public static List<P2PData> data(List<Block> blocks) {
    return blocks.stream().map(Block::p2pData).toList();
  }

  private List<byte[]> txs() {
    List<byte[]> txs = new ArrayList<>(txsPerBlock);
    for (int i = 0; i < txsPerBlock; i++) {
      byte[] tx = new byte[txBytes];
      txRandom.nextBytes(tx);
      txs.add(tx);
    }
    return txs;
  }

  /**
   * Configures an {@link EvNodeChain}: the seed and transactions here, heights and times on a
   * {@link HeaderSigner.Builder} (its checks and defaults). Not thread-safe.
   */
  public static final class Builder {
    private final HeaderSigner.Builder signer;
    private long seed = 1;
    private int txsPerBlock;
    private int txBytes = 32;

    private Builder(String chainId) {
      Objects.requireNonNull(chainId, "chainId == null");
      if (chainId.isEmpty()) {
        throw new IllegalArgumentException("chainId must not be empty");
      }
      this.signer = HeaderSigner.builder().chainId(chainId).startTime(DEFAULT_START_TIME);
    }

    /**
     * The seed of the proposer's key and the transactions; default 1.
     *
     * @param seed any value
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The height of the genesis block; default 1.
     *
     * @param height at least 1
     * @return this builder
     */
    public Builder initialHeight(long height) {
      signer.initialHeight(height);
      return this;
    }

    /**
     * The time of the genesis block; default {@link #DEFAULT_START_TIME}.
     *
     * @param time the first block's time
     * @return this builder
     */
    public Builder startTime(Instant time) {
      signer.startTime(time);
      return this;
    }

    /**
     * The time between blocks; default 1 s.
     *
     * @param step positive
     * @return this builder
     */
    public Builder blockTime(Duration step) {
      signer.blockTime(step);
      return this;
    }

    /**
     * Transactions in every block: {@code count} pseudo-random transactions of {@code bytes} bytes
     * each, from the seed; default none.
     *
     * @param count transactions per block, at least 0
     * @param bytes bytes per transaction, at least 1
     * @return this builder
     */
    public Builder txs(int count, int bytes) {
      if (count < 0) {
        throw new IllegalArgumentException("txs count must be >= 0, got " + count);
      }
      if (bytes < 1) {
        throw new IllegalArgumentException("txs bytes must be at least 1, got " + bytes);
      }
      this.txsPerBlock = count;
      this.txBytes = bytes;
      return this;
    }

    /**
     * The chain generator, before any block.
     *
     * @return a new generator
     */
    public EvNodeChain build() {
      return new EvNodeChain(this);
    }
  }
}
