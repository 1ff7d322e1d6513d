package io.headersync.evnode;

import io.headersync.Hash;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.BlockRuleException.Rule;
import io.headersync.libp2p.pubsub.PubSub;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The sequencer side of a JVM rollup node: builds each next block of an ev-node chain from what the
 * node's executor decided, as ev-node's own executor does ({@code executing.CreateBlock}).
 *
 * <pre>{@code
 * BlockBuilder blocks = node.blockBuilder(genesis, key).build();   // continues after the stored head
 * Hash root = executor.initChain(...);                               // or the root after the head, on restart
 * while (running) {
 *   List<byte[]> txs = mempool.take();
 *   Block block = blocks.next(clock.instant(), txs, root);          // app hash = state root before this block
 *   root = executor.execute(txs, block.height(), block.header().time(), root);
 *   node.publish(block).get();
 * }
 * }</pre>
 *
 * <p>The caller gives the time, the transactions and the app hash; the builder sets the height,
 * {@code last_header_hash}, {@code last_data_hash}, the data hash (DA commitment of the
 * transactions), the proposer address and the data's metadata, and signs the header with the key.
 * Every block it returns passes ev-node v1.2's checks on a full node: {@code ValidateBasic}
 * (proposer, signer, signature, time), {@code AssertExpectedProposer}, {@code AssertValidSequence}
 * (chain id, height + 1, time not going back, {@code last_header_hash}; the app hash is the
 * caller's to get right) and {@code types.Validate} (metadata and data commitment). A block that
 * would break one is refused with a {@link BlockRuleException} naming the rule, before anything is
 * signed.
 *
 * <p>ev-node's {@code app_hash} of block h is the executor's state root <em>after block h−1</em>
 * (for the first block, the root {@code InitChain} returned); a full node that computes another
 * root halts with {@code invalid last app hash}.
 *
 * <p>Not supported: proposer rotation ({@code NextProposerAddress}); blocks with legacy header
 * fields. Thread-safe: {@link #next} is serialised.
 */
public final class BlockBuilder {
  /**
   * How far ahead of now a block's time may be: go-header drops gossip further ahead (ev-node
   * allows 1 min).
   */
  public static final Duration MAX_FUTURE = Duration.ofSeconds(10);

  /**
   * Room left in a gossip message for the pubsub envelope around the data (from, seqno, topic,
   * signature, key).
   */
  static final int ENVELOPE_ROOM = 1024;

  private final Genesis genesis;
  private final SignerKey key;
  private final Clock clock;
  private final Version version;
  private final Hash validatorHash;
  private final int maxDataBytes;
  private @Nullable Block last;

  private BlockBuilder(Builder b) {
    this.genesis = b.genesis;
    this.key = b.key;
    this.clock = b.clock;
    this.version = b.version;
    this.validatorHash = b.validatorHash;
    this.maxDataBytes = b.maxDataBytes;
    this.last = b.last;
  }

  /**
   * A builder for blocks of {@code genesis}'s chain signed with {@code key}, which must be its
   * proposer.
   *
   * @param genesis the chain's genesis
   * @param key the sequencer's key; {@link Builder#build()} checks it is the genesis proposer
   * @return a new builder, starting at the genesis unless {@link Builder#after} says otherwise
   */
  public static Builder builder(Genesis genesis, SignerKey key) {
    return new Builder(genesis, key);
  }

  /** {@return the height the next block will have} */
  public synchronized long nextHeight() {
    return last == null ? genesis.initialHeight() : Math.addExact(last.height(), 1);
  }

  /** {@return the last block built, or the one this builder continues after} */
  public synchronized Optional<Block> last() {
    return Optional.ofNullable(last);
  }

  /** {@return the genesis of the chain this builder makes blocks for} */
  public Genesis genesis() {
    return genesis;
  }

  /**
   * Builds, signs and returns the next block, and moves on to the one after it.
   *
   * @param time the block time: not before the previous block's (equal is allowed, as in ev-node),
   *     not before the genesis start time, at most {@link #MAX_FUTURE} ahead of the clock.
   *     ev-node's sequencer uses the genesis start time for the first block.
   * @param txs the transactions, in order (may be empty)
   * @param appHash the executor's state root after the previous block (for the first block, what
   *     {@code InitChain} returned)
   * @return the signed block with its data, linked to the previous one
   * @throws BlockRuleException naming the rule if the block would be invalid; nothing is signed and
   *     the builder does not move on
   */
  public synchronized Block next(Instant time, List<byte[]> txs, Hash appHash) {
    Objects.requireNonNull(time, "time == null");
    Objects.requireNonNull(txs, "txs == null");
    Objects.requireNonNull(appHash, "appHash == null");
    for (int i = 0; i < txs.size(); i++) {
      Objects.requireNonNull(txs.get(i), "txs[" + i + "] == null");
    }
    long height = nextHeight();
    checkTime(height, time);
    long nanos = unixNanos(height, time);
    Data data =
        Data.of(
            Metadata.of(
                genesis.chainId(), height, nanos, last == null ? Hash.EMPTY : last.data().hash()),
            txs);
    int size = data.toP2P(0).encode().length;
    if (size > maxDataBytes) {
      throw new BlockRuleException(
          Rule.SIZE,
          "block "
              + height
              + ": its data ("
              + txs.size()
              + " txs) encodes to "
              + size
              + " bytes, more than the "
              + maxDataBytes
              + " a gossip message of this network can carry");
    }
    BlockHeader header =
        BlockHeader.builder()
            .version(version)
            .chainId(genesis.chainId())
            .height(height)
            .timeNanos(nanos)
            .lastHeaderHash(last == null ? Hash.EMPTY : last.hash())
            .dataHash(Data.daCommitment(txs))
            .appHash(appHash)
            .proposerAddress(key.address())
            .validatorHash(validatorHash)
            .build();
    SignedHeader signed = SignedHeader.of(header, key.sign(header.encode()), key.signer());
    // What a full node checks first; a failure here is a bug of this class, not of the caller.
    try {
      signed.validateBasic(clock);
      EvNodeTypes.validate(signed, data);
    } catch (EvNodeValidationException e) {
      throw new IllegalStateException(
          "BlockBuilder made an invalid block " + height + ": " + e.getMessage(), e);
    }
    Block block = new Block(signed, data);
    last = block;
    return block;
  }

  private static long unixNanos(long height, Instant time) {
    try {
      long nanos =
          Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
      if (nanos > 0) {
        return nanos;
      }
    } catch (ArithmeticException e) {
      // below
    }
    throw new BlockRuleException(
        Rule.TIME,
        "block "
            + height
            + ": time "
            + time
            + " is not a positive number of Unix nanoseconds that fits 64 bits, which ev-node's header time is");
  }

  private void checkTime(long height, Instant time) {
    if (last == null && time.isBefore(genesis.startTime())) {
      throw new BlockRuleException(
          Rule.TIME,
          "block "
              + height
              + " (the first): time "
              + time
              + " is before the genesis start time "
              + genesis.startTime());
    }
    if (last != null && time.isBefore(last.header().time())) {
      throw new BlockRuleException(
          Rule.TIME,
          "block "
              + height
              + ": time "
              + time
              + " is before block "
              + last.height()
              + "'s time "
              + last.header().time()
              + " (ev-node's AssertValidSequence: the time must not go back)");
    }
    Instant limit = clock.instant().plus(MAX_FUTURE);
    if (time.isAfter(limit)) {
      throw new BlockRuleException(
          Rule.TIME,
          "block "
              + height
              + ": time "
              + time
              + " is more than "
              + MAX_FUTURE.toSeconds()
              + " s ahead of now ("
              + clock.instant()
              + "); go-header drops headers from the future");
    }
  }

  @Override
  public String toString() {
    return "BlockBuilder{chain=" + genesis.chainId() + ", next=" + nextHeight() + "}";
  }

  /** Configures a {@link BlockBuilder}. Not thread-safe. */
  public static final class Builder {
    private final Genesis genesis;
    private final SignerKey key;
    private Clock clock = Clock.systemUTC();
    private Version version = Version.ZERO;
    private Hash validatorHash = Hash.EMPTY;
    private int maxDataBytes = PubSub.EVNODE_MAX_MESSAGE_SIZE - ENVELOPE_ROOM;
    private @Nullable Block last;

    private Builder(Genesis genesis, SignerKey key) {
      this.genesis = Objects.requireNonNull(genesis, "genesis == null");
      this.key = Objects.requireNonNull(key, "key == null");
    }

    /**
     * Continue the chain after {@code block}, the last one published (e.g. from a restarted node's
     * stores, which {@link EvNodeSync#blockBuilder} reads). Default: start at the genesis.
     *
     * @param block the last block published; of the genesis chain, by its proposer
     * @return this builder
     */
    public Builder after(Block block) {
      this.last = Objects.requireNonNull(block, "block == null");
      return this;
    }

    /**
     * The clock that bounds block times from above ({@link #MAX_FUTURE}); default the system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * The header version (block, app); default {@link Version#ZERO}, what ev-node v1.2 sequencers
     * put.
     *
     * @param version the block and app versions
     * @return this builder
     */
    public Builder version(Version version) {
      this.version = Objects.requireNonNull(version, "version == null");
      return this;
    }

    /**
     * The validator hash every header carries; default empty, as ev-node's default block options.
     *
     * @param validatorHash the validator hash
     * @return this builder
     */
    public Builder validatorHash(Hash validatorHash) {
      this.validatorHash = Objects.requireNonNull(validatorHash, "validatorHash == null");
      return this;
    }

    /**
     * The largest encoded data of a block; default 5 MiB (ev-node's gossip limit) less 1 KiB for
     * the gossip envelope. {@link EvNodeSync#blockBuilder} sets the node's network limit.
     *
     * @param bytes the limit in bytes; at least 64
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is below 64
     */
    public Builder maxDataBytes(int bytes) {
      if (bytes < 64) {
        throw new IllegalArgumentException("maxDataBytes must be at least 64, got " + bytes);
      }
      this.maxDataBytes = bytes;
      return this;
    }

    /**
     * Builds the block builder.
     *
     * @return the builder, ready for {@link BlockBuilder#next}
     * @throws BlockRuleException if the key is not the genesis proposer, or the block to continue
     *     after is of another chain, below the initial height, or by another proposer
     */
    public BlockBuilder build() {
      if (!genesis.isProposer(key)) {
        throw new BlockRuleException(
            Rule.PROPOSER,
            "the key's address "
                + hex(key.address())
                + " is not the genesis proposer "
                + hex(genesis.proposerAddress())
                + ": ev-node nodes would reject its blocks (unexpected proposer)");
      }
      if (last != null) {
        SignedHeader h = last.header();
        if (!h.chainId().equals(genesis.chainId())) {
          throw new BlockRuleException(
              Rule.CHAIN_ID,
              "the block to continue after ("
                  + last.height()
                  + ") is of chain \""
                  + h.chainId()
                  + "\", the genesis is of \""
                  + genesis.chainId()
                  + "\"");
        }
        if (last.height() < genesis.initialHeight()) {
          throw new BlockRuleException(
              Rule.HEIGHT,
              "the block to continue after ("
                  + last.height()
                  + ") is below the genesis initial height "
                  + genesis.initialHeight());
        }
        if (!genesis.isProposer(h.signer())
            || !java.util.Arrays.equals(h.header().proposerAddress(), genesis.proposerAddress())) {
          throw new BlockRuleException(
              Rule.PROPOSER,
              "the block to continue after ("
                  + last.height()
                  + ") was not proposed by the genesis proposer "
                  + hex(genesis.proposerAddress()));
        }
      }
      return new BlockBuilder(this);
    }

    private static String hex(byte[] b) {
      return HexFormat.of().withUpperCase().formatHex(b);
    }
  }
}
