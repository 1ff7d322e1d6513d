package io.headersync.evnode;

import io.headersync.Hash;
import io.headersync.annotation.Nullable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Produces test and demo chains of valid ev-node blocks (ev-node's {@code executor.CreateBlock}),
 * each a {@link SignedHeader} and its {@link Data}, from fixed rules: a constant app hash and times
 * from a start time and a step, or a clock. Stateless: {@link #next} takes the previous block, so a
 * test can fork a chain. A sequencer whose executor decides each block's time, transactions and app
 * hash uses a {@link BlockBuilder}, which also enforces ev-node's sequence rules.
 *
 * <ul>
 *   <li>The genesis block is at the configured initial height (any height &ge; 1) with an empty
 *       last-header hash and no last-data hash.
 *   <li>Each next block is at the previous height + 1; its {@code last_header_hash} is the previous
 *       header's hash and its data's {@code last_data_hash} the previous data's hash.
 *   <li>Times come either from a fixed start time plus a step per height ({@link
 *       Builder#startTime}, {@link Builder#blockTime}), or from a {@link Clock}, which must move
 *       strictly forward.
 *   <li>{@code data_hash} is the DA commitment of the transactions ({@link
 *       Data#EMPTY_TXS_DATA_HASH} for none); the data's metadata repeats chain id, height and time,
 *       so {@link EvNodeTypes#validate(SignedHeader, Data)} passes.
 *   <li>The proposer address is the key's address, and the signature is Ed25519 over the slim
 *       header bytes, so {@link SignedHeader#validateBasic(Clock)} passes.
 * </ul>
 *
 * <p>Immutable and thread-safe; the chain state lives in the {@link Block}s it returns.
 */
public final class HeaderSigner {
  private final SignerKey key;
  private final String chainId;
  private final Version version;
  private final long initialHeight;
  private final @Nullable Instant startTime;
  private final Duration blockTime;
  private final @Nullable Clock clock;
  private final Hash appHash;
  private final Hash validatorHash;

  private HeaderSigner(Builder b) {
    this.key = b.key;
    this.chainId = b.chainId;
    this.version = b.version;
    this.initialHeight = b.initialHeight;
    this.startTime = b.startTime;
    this.blockTime = b.blockTime;
    this.clock = b.clock;
    this.appHash = b.appHash;
    this.validatorHash = b.validatorHash;
  }

  /** {@return a builder; set at least the key, the chain id and a start time or a clock} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the key that signs} */
  public SignerKey key() {
    return key;
  }

  /**
   * Signs {@code header} as it is (Ed25519 over its slim encoding) and attaches this key's signer.
   *
   * @param header the header to sign
   * @return the signed header It does not check the header: a header with another proposer address
   *     than this key's signs fine and then fails {@link SignedHeader#validateBasic(Clock)}.
   */
  public SignedHeader sign(BlockHeader header) {
    Objects.requireNonNull(header, "header == null");
    return SignedHeader.of(header, key.sign(header.encode()), key.signer());
  }

  /**
   * {@return the genesis block at the initial height, with {@code txs} (may be empty)}
   *
   * @param txs the transactions, in block order; each array is copied
   */
  public Block genesis(List<byte[]> txs) {
    Instant time = clock != null ? clock.instant() : Objects.requireNonNull(startTime);
    return block(initialHeight, time, Hash.EMPTY, Hash.EMPTY, txs);
  }

  /**
   * {@return the block after {@code previous}, with {@code txs} (may be empty)}
   *
   * @param previous the block to build on; its height + 1 is the new height
   * @param txs the transactions, in block order; each array is copied
   * @throws IllegalStateException if the clock has not moved past the previous block's time
   * @throws ArithmeticException if {@code previous} is at the largest height
   */
  public Block next(Block previous, List<byte[]> txs) {
    Objects.requireNonNull(previous, "previous == null");
    long height = Math.addExact(previous.height(), 1);
    Instant time;
    if (clock != null) {
      time = clock.instant();
      if (!time.isAfter(previous.header().time())) {
        throw new IllegalStateException(
            "clock at "
                + time
                + " has not moved past the previous block's time "
                + previous.header().time()
                + " (height "
                + previous.height()
                + ")");
      }
    } else {
      time = previous.header().time().plus(blockTime);
    }
    return block(height, time, previous.header().hash(), previous.data().hash(), txs);
  }

  /**
   * {@return {@code count} blocks without transactions: the genesis block and its successors,
   * linked and signed} The times follow the configured start time and block time (or the clock).
   *
   * @param count how many blocks; 0 gives an empty list
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public List<Block> chain(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count < 0: " + count);
    }
    List<Block> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(i == 0 ? genesis(List.of()) : next(out.get(i - 1), List.of()));
    }
    return out;
  }

  private Block block(
      long height, Instant time, Hash lastHeaderHash, Hash lastDataHash, List<byte[]> txs) {
    Objects.requireNonNull(txs, "txs == null");
    BlockHeader header =
        BlockHeader.builder()
            .version(version)
            .chainId(chainId)
            .height(height)
            .time(time)
            .lastHeaderHash(lastHeaderHash)
            .dataHash(Data.daCommitment(txs))
            .appHash(appHash)
            .proposerAddress(key.address())
            .validatorHash(validatorHash)
            .build();
    Data data = Data.of(Metadata.of(chainId, height, header.timeNanos(), lastDataHash), txs);
    return new Block(sign(header), data);
  }

  /** Configures a {@link HeaderSigner}. Not thread-safe. */
  public static final class Builder {
    private @Nullable SignerKey key;
    private @Nullable String chainId;
    private Version version = Version.ZERO;
    private long initialHeight = 1;
    private @Nullable Instant startTime;
    private Duration blockTime = Duration.ofSeconds(1);
    private @Nullable Clock clock;
    private Hash appHash = Hash.EMPTY;
    private Hash validatorHash = Hash.EMPTY;

    Builder() {}

    /**
     * Sets the proposer key (required); the headers' proposer address is its address.
     *
     * @param key the proposer's Ed25519 key
     * @return this builder
     */
    public Builder key(SignerKey key) {
      this.key = Objects.requireNonNull(key, "key == null");
      return this;
    }

    /**
     * Sets the chain id every header and data carries (required, not empty).
     *
     * @param chainId the chain id, as in the genesis
     * @return this builder
     */
    public Builder chainId(String chainId) {
      this.chainId = Objects.requireNonNull(chainId, "chainId == null");
      return this;
    }

    /**
     * Sets the header version. Default {@link Version#ZERO}.
     *
     * @param version the block and app versions
     * @return this builder
     */
    public Builder version(Version version) {
      this.version = Objects.requireNonNull(version, "version == null");
      return this;
    }

    /**
     * Sets the genesis block's height. Default 1.
     *
     * @param initialHeight the height of the first block; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code initialHeight} is below 1
     */
    public Builder initialHeight(long initialHeight) {
      if (initialHeight < 1) {
        throw new IllegalArgumentException("initialHeight < 1: " + initialHeight);
      }
      this.initialHeight = initialHeight;
      return this;
    }

    /**
     * Sets the genesis block's time, when times are not read from a clock; block {@code n} after it
     * is {@code n} block times later.
     *
     * @param startTime the first block's time
     * @return this builder
     */
    public Builder startTime(Instant startTime) {
      this.startTime = Objects.requireNonNull(startTime, "startTime == null");
      return this;
    }

    /**
     * Sets the time between blocks, when times are not read from a clock. Default 1 s.
     *
     * @param blockTime the step; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code blockTime} is zero or negative
     */
    public Builder blockTime(Duration blockTime) {
      Objects.requireNonNull(blockTime, "blockTime == null");
      if (blockTime.isNegative() || blockTime.isZero()) {
        throw new IllegalArgumentException("blockTime must be positive: " + blockTime);
      }
      this.blockTime = blockTime;
      return this;
    }

    /**
     * Reads each block's time from {@code clock} instead of start time and step; the clock must
     * move strictly forward between blocks ({@link HeaderSigner#next} checks).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Sets the app hash every header carries. Default empty.
     *
     * @param appHash the app hash
     * @return this builder
     */
    public Builder appHash(Hash appHash) {
      this.appHash = Objects.requireNonNull(appHash, "appHash == null");
      return this;
    }

    /**
     * Sets the validator hash every header carries. Default empty.
     *
     * @param validatorHash the validator hash
     * @return this builder
     */
    public Builder validatorHash(Hash validatorHash) {
      this.validatorHash = Objects.requireNonNull(validatorHash, "validatorHash == null");
      return this;
    }

    /**
     * Builds the signer.
     *
     * @return the signer; immutable and thread-safe
     * @throws IllegalStateException naming what is missing: the key, the chain id, or both the
     *     start time and the clock
     */
    public HeaderSigner build() {
      if (key == null) {
        throw new IllegalStateException("HeaderSigner needs a key: call key(SignerKey)");
      }
      if (chainId == null || chainId.isEmpty()) {
        throw new IllegalStateException(
            "HeaderSigner needs a non-empty chain id: call chainId(String)");
      }
      if (startTime == null && clock == null) {
        throw new IllegalStateException(
            "HeaderSigner needs times: call startTime(Instant) or clock(Clock)");
      }
      if (startTime != null && clock != null) {
        throw new IllegalStateException(
            "HeaderSigner takes times from startTime/blockTime or a clock, not both");
      }
      return new HeaderSigner(this);
    }
  }
}
