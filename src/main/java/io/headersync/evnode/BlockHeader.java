package io.headersync.evnode;

import io.headersync.Hash;
import io.headersync.InvalidHeaderException;
import io.headersync.annotation.Nullable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * ev-node's block header ({@code types.Header}, protobuf {@code evnode.v1.Header}): the part of a
 * {@link SignedHeader} that is hashed and signed. Named {@code BlockHeader} so it does not clash
 * with {@link io.headersync.Header}.
 *
 * <p>Wire layout (v1.2.x, "slim"): {@code version=1, height=2, time=3, last_header_hash=4,
 * data_hash=6, app_hash=8, proposer_address=10, validator_hash=11, chain_id=12}; fields 5, 7 and 9
 * are the {@linkplain LegacyFields legacy fields}.
 *
 * <h2>Encodings and the hash</h2>
 *
 * <ul>
 *   <li>{@link #encode()} is Go's {@code MarshalBinary}: fields in number order, proto3 defaults
 *       omitted, except that {@code version} is always written (Go always sets the message, so an
 *       all-zero version is {@code 0a 00}); legacy fields, if any, follow as 5, 7, 9 after field
 *       12, where Go puts unknown fields. This is the signature payload.
 *   <li>{@link #encodeLegacy()} is Go's {@code MarshalBinaryLegacy}: fields 1 to 12 in order,
 *       height and time written even when zero, and a missing consensus hash written as 32 zero
 *       bytes.
 *   <li>{@link #hash()} is SHA-256 of the legacy layout when legacy fields are present, else of the
 *       slim encoding (Go's {@code computeHash}). Computed once and cached.
 * </ul>
 *
 * <h2>Numbers</h2>
 *
 * Heights are uint64 on the wire; this class holds only heights up to {@link Long#MAX_VALUE}
 * (decoding rejects larger ones, which Go would accept). Time is uint64 Unix nanoseconds, kept as
 * the raw bit pattern ({@link #timeNanos()}); {@link #time()} reads it as Go does, {@code
 * time.Unix(0, int64(t))}, so a value with the high bit set is a time before 1970.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * <p>Why ~640 lines: the header's fields, ev-node's two encodings of them (current and legacy), the
 * hash and the checks, which must change together to stay byte-exact with Go.
 */
public final class BlockHeader {
  /** ev-node's {@code MaxClockDrift}: how far ahead of now a header time may be, 1 minute. */
  public static final Duration MAX_CLOCK_DRIFT = Duration.ofMinutes(1);

  /**
   * ev-node's {@code maxUnknownFieldSize}: the most unknown-field bytes a header may carry, 1 MiB.
   */
  public static final int MAX_UNKNOWN_FIELDS_SIZE = 1024 * 1024;

  private final Version version;
  private final long height;
  private final long timeNanos;
  private final Hash lastHeaderHash;
  private final Hash dataHash;
  private final Hash appHash;
  private final byte[] proposerAddress;
  private final Hash validatorHash;
  private final String chainId;
  private final @Nullable LegacyFields legacy;
  private volatile @Nullable Hash hash;

  /**
   * {@link #encode()}'s bytes, computed once: the hash, the signature check and the store each need
   * them. Never handed out; {@link #encode()} returns a copy.
   */
  private volatile byte @Nullable [] slim;

  private BlockHeader(Builder b) {
    this.version = b.version;
    this.height = b.height;
    this.timeNanos = b.timeNanos;
    this.lastHeaderHash = b.lastHeaderHash;
    this.dataHash = b.dataHash;
    this.appHash = b.appHash;
    this.proposerAddress = b.proposerAddress;
    this.validatorHash = b.validatorHash;
    this.chainId = b.chainId;
    this.legacy = b.legacy == null || b.legacy.isZero() ? null : b.legacy;
  }

  /**
   * {@return a builder with every field at its zero value} Set at least the height, time, chain id
   * and proposer address: {@link #validateBasic} rejects a header without them.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding this header's fields, to derive a changed header} */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** {@return the block and app protocol versions (field 1)} */
  public Version version() {
    return version;
  }

  /** {@return the height; never negative} */
  public long height() {
    return height;
  }

  /** {@return the time as on the wire: uint64 Unix nanoseconds, as a raw bit pattern} */
  public long timeNanos() {
    return timeNanos;
  }

  /** {@return the time as Go's {@code Time()} reads it: {@code time.Unix(0, int64(timeNanos))}} */
  public Instant time() {
    return instantOfNanos(timeNanos);
  }

  /**
   * {@return the hash of the previous block's header (field 4)} It is {@link Hash#EMPTY} at the
   * chain's first block. This is the link go-header's adjacency check follows.
   */
  public Hash lastHeaderHash() {
    return lastHeaderHash;
  }

  /**
   * {@return the DA commitment of this block's data (field 6)} It is what {@link
   * Data#daCommitment()} yields for the matching {@link Data} ({@link Data#EMPTY_TXS_DATA_HASH} for
   * a block without transactions).
   */
  public Hash dataHash() {
    return dataHash;
  }

  /** {@return the execution layer's state root (app hash, field 8)} */
  public Hash appHash() {
    return appHash;
  }

  /** {@return a copy of the proposer address} */
  public byte[] proposerAddress() {
    return proposerAddress.clone();
  }

  boolean proposerAddressEquals(byte[] other) {
    return Arrays.equals(proposerAddress, other);
  }

  /**
   * {@return the validator hash (field 11)} It is empty by ev-node's default block options, and not
   * checked here.
   */
  public Hash validatorHash() {
    return validatorHash;
  }

  /** {@return the chain this header belongs to (field 12)} */
  public String chainId() {
    return chainId;
  }

  /** {@return the legacy fields 5/7/9, present only when at least one is non-empty} */
  public Optional<LegacyFields> legacy() {
    return Optional.ofNullable(legacy);
  }

  /**
   * {@return the slim protobuf encoding (Go's {@code Header.MarshalBinary}); also the signature
   * payload}
   */
  public byte[] encode() {
    return slimEncoding().clone();
  }

  /** {@link #encode()}'s bytes without a copy; callers must not modify them. */
  byte[] slimEncoding() {
    byte[] b = slim;
    if (b == null) {
      b = write(new Wire.Writer(256 + chainId.length())).toByteArray();
      slim = b;
    }
    return b;
  }

  Wire.Writer write(Wire.Writer w) {
    w.bytesField(1, version.encode())
        .uint64Proto3(2, height)
        .uint64Proto3(3, timeNanos)
        .bytesProto3(4, lastHeaderHash.toByteArray())
        .bytesProto3(6, dataHash.toByteArray())
        .bytesProto3(8, appHash.toByteArray())
        .bytesProto3(10, proposerAddress)
        .bytesProto3(11, validatorHash.toByteArray())
        .stringProto3(12, chainId);
    if (legacy != null) {
      // Go re-emits the legacy fields as unknown fields, which it writes after the known ones.
      w.bytesProto3(5, legacy.lastCommitHash().toByteArray())
          .bytesProto3(7, legacy.consensusHash().toByteArray())
          .bytesProto3(9, legacy.lastResultsHash().toByteArray());
    }
    return w;
  }

  /** {@return the legacy encoding (Go's {@code MarshalBinaryLegacy}); see the class comment} */
  public byte[] encodeLegacy() {
    LegacyFields l = legacy != null ? legacy : LegacyFields.of(Hash.EMPTY, Hash.EMPTY, Hash.EMPTY);
    byte[] consensus = l.consensusHash().isEmpty() ? new byte[32] : l.consensusHash().toByteArray();
    return new Wire.Writer(200)
        .bytesField(1, version.encode())
        .uint64Field(2, height)
        .uint64Field(3, timeNanos)
        .bytesProto3(4, lastHeaderHash.toByteArray())
        .bytesProto3(5, l.lastCommitHash().toByteArray())
        .bytesProto3(6, dataHash.toByteArray())
        .bytesProto3(7, consensus)
        .bytesProto3(8, appHash.toByteArray())
        .bytesProto3(9, l.lastResultsHash().toByteArray())
        .bytesProto3(10, proposerAddress)
        .bytesProto3(11, validatorHash.toByteArray())
        .stringProto3(12, chainId)
        .toByteArray();
  }

  /**
   * {@return the header hash: over the legacy layout when legacy fields are present, else slim}
   * Cached.
   */
  public Hash hash() {
    Hash h = hash;
    if (h == null) {
      h = legacy != null ? hashLegacy() : hashSlim();
      hash = h;
    }
    return h;
  }

  /** {@return SHA-256 of {@link #encode()} (Go's {@code HashSlim})} Not cached. */
  public Hash hashSlim() {
    return Hash.wrap(sha256(slimEncoding()));
  }

  /** {@return SHA-256 of {@link #encodeLegacy()} (Go's {@code HashLegacy})} Not cached. */
  public Hash hashLegacy() {
    return Hash.wrap(sha256(encodeLegacy()));
  }

  /**
   * ev-node's {@code Header.ValidateBasic}, which is also what go-header's {@code Validate()}
   * resolves to for {@code SignedHeader} and {@code P2PSignedHeader}: a proposer address is set,
   * the time is not zero and at most {@link #MAX_CLOCK_DRIFT} ahead of {@code clock}.
   *
   * @param clock the clock "now" is read from
   * @throws EvNodeValidationException naming the failed check
   */
  public void validateBasic(Clock clock) {
    Objects.requireNonNull(clock, "clock == null");
    if (proposerAddress.length == 0) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.NO_PROPOSER_ADDRESS, "no proposer address");
    }
    if (timeNanos == 0) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.INVALID_TIMESTAMP,
          "invalid timestamp: timestamp cannot be zero");
    }
    Instant max = clock.instant().plus(MAX_CLOCK_DRIFT);
    if (time().isAfter(max)) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.INVALID_TIMESTAMP,
          "invalid timestamp: timestamp too far in future (header: "
              + time()
              + ", max allowed: "
              + max
              + ")");
    }
  }

  static Instant instantOfNanos(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  static byte[] sha256(byte[]... parts) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is always available", e);
    }
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  // ---- decoding ------------------------------------------------------------------------------

  /**
   * Decodes a bare {@code evnode.v1.Header} (Go's {@code Header.UnmarshalBinary}).
   *
   * @param bytes the protobuf encoding, slim or legacy
   * @return the header, holding the legacy fields if the bytes carried any
   * @throws InvalidHeaderException if the bytes are malformed, naming the field
   */
  public static BlockHeader decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes == null");
    Decoder d = new Decoder();
    d.merge(new Wire.Reader(bytes, "Header"));
    return d.build("Header");
  }

  /**
   * Decodes one or more occurrences of a Header message into the same value, as protobuf merges
   * repeated occurrences of a message field.
   */
  static final class Decoder {
    final Builder b = new Builder();
    private long unknownBytes;
    private Hash lastCommit = Hash.EMPTY;
    private Hash consensus = Hash.EMPTY;
    private Hash lastResults = Hash.EMPTY;
    private long versionBlock;
    private long versionApp;

    void merge(Wire.Reader r) {
      while (r.hasMore()) {
        int tag = r.readTag();
        switch (tag) {
          case (1 << 3) | Wire.BYTES:
            {
              Wire.Reader v = r.readMessage("version", "Header.version");
              while (v.hasMore()) {
                int vt = v.readTag();
                if (vt == ((1 << 3) | Wire.VARINT)) {
                  versionBlock = v.readVarint("block");
                } else if (vt == ((2 << 3) | Wire.VARINT)) {
                  versionApp = v.readVarint("app");
                } else {
                  v.skipField(vt);
                }
              }
              break;
            }
          case (2 << 3) | Wire.VARINT:
            b.height = r.readVarint("height");
            break;
          case (3 << 3) | Wire.VARINT:
            b.timeNanos = r.readVarint("time");
            break;
          case (4 << 3) | Wire.BYTES:
            b.lastHeaderHash = Hash.wrap(r.readBytes("last_header_hash"));
            break;
          case (6 << 3) | Wire.BYTES:
            b.dataHash = Hash.wrap(r.readBytes("data_hash"));
            break;
          case (8 << 3) | Wire.BYTES:
            b.appHash = Hash.wrap(r.readBytes("app_hash"));
            break;
          case (10 << 3) | Wire.BYTES:
            b.proposerAddress = r.readBytes("proposer_address");
            break;
          case (11 << 3) | Wire.BYTES:
            b.validatorHash = Hash.wrap(r.readBytes("validator_hash"));
            break;
          case (12 << 3) | Wire.BYTES:
            b.chainId = r.readString("chain_id");
            break;
          case (5 << 3) | Wire.BYTES:
          case (7 << 3) | Wire.BYTES:
          case (9 << 3) | Wire.BYTES:
            {
              int start = r.tagStart();
              int num = tag >>> 3;
              String name =
                  num == 5
                      ? "legacy last_commit_hash (field 5)"
                      : num == 7
                          ? "legacy consensus_hash (field 7)"
                          : "legacy last_results_hash (field 9)";
              byte[] value = r.readBytes(name);
              unknownBytes += r.position() - start;
              if (value.length > LegacyFields.MAX_FIELD_SIZE) {
                throw r.error(
                    name
                        + " has "
                        + value.length
                        + " bytes, more than "
                        + LegacyFields.MAX_FIELD_SIZE);
              }
              Hash h = Hash.wrap(value);
              if (num == 5) {
                lastCommit = h;
              } else if (num == 7) {
                consensus = h;
              } else {
                lastResults = h;
              }
              break;
            }
          default:
            // Unknown fields, and known fields with a wire type Go does not expect (Go files both
            // under unknown fields): skipped, counted against ev-node's 1 MiB limit, not
            // re-emitted.
            unknownBytes += r.skipField(tag);
        }
      }
    }

    BlockHeader build(String what) {
      if (unknownBytes > MAX_UNKNOWN_FIELDS_SIZE) {
        throw new InvalidHeaderException(
            what
                + ": unknown fields too large: "
                + unknownBytes
                + " bytes (max "
                + MAX_UNKNOWN_FIELDS_SIZE
                + ")");
      }
      if (b.height < 0) {
        throw new InvalidHeaderException(
            what
                + ".height: "
                + Long.toUnsignedString(b.height)
                + " is above 2^63-1, the largest height headersync supports");
      }
      b.version = Version.of(versionBlock, versionApp);
      b.legacy = LegacyFields.of(lastCommit, consensus, lastResults);
      return new BlockHeader(b);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof BlockHeader)) {
      return false;
    }
    BlockHeader h = (BlockHeader) o;
    return height == h.height
        && timeNanos == h.timeNanos
        && version.equals(h.version)
        && lastHeaderHash.equals(h.lastHeaderHash)
        && dataHash.equals(h.dataHash)
        && appHash.equals(h.appHash)
        && Arrays.equals(proposerAddress, h.proposerAddress)
        && validatorHash.equals(h.validatorHash)
        && chainId.equals(h.chainId)
        && Objects.equals(legacy, h.legacy);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        version,
        height,
        timeNanos,
        lastHeaderHash,
        dataHash,
        appHash,
        Arrays.hashCode(proposerAddress),
        validatorHash,
        chainId,
        legacy);
  }

  @Override
  public String toString() {
    return "BlockHeader{chainId="
        + chainId
        + ", height="
        + height
        + ", time="
        + time()
        + ", lastHeaderHash="
        + lastHeaderHash
        + ", dataHash="
        + dataHash
        + (legacy != null ? ", legacy" : "")
        + "}";
  }

  /** Builds a {@link BlockHeader}; every field starts at its zero value. Not thread-safe. */
  public static final class Builder {
    private Version version = Version.ZERO;
    private long height;
    private long timeNanos;
    private Hash lastHeaderHash = Hash.EMPTY;
    private Hash dataHash = Hash.EMPTY;
    private Hash appHash = Hash.EMPTY;
    private byte[] proposerAddress = new byte[0];
    private Hash validatorHash = Hash.EMPTY;
    private String chainId = "";
    private @Nullable LegacyFields legacy;

    Builder() {}

    Builder(BlockHeader h) {
      version = h.version;
      height = h.height;
      timeNanos = h.timeNanos;
      lastHeaderHash = h.lastHeaderHash;
      dataHash = h.dataHash;
      appHash = h.appHash;
      proposerAddress = h.proposerAddress;
      validatorHash = h.validatorHash;
      chainId = h.chainId;
      legacy = h.legacy;
    }

    /**
     * Sets the protocol versions (field 1). Default {@link Version#ZERO}.
     *
     * @param version the versions
     * @return this builder
     */
    public Builder version(Version version) {
      this.version = Objects.requireNonNull(version, "version == null");
      return this;
    }

    /**
     * Sets the height (field 2). Default 0, which {@link io.headersync.Header#validate} rejects.
     *
     * @param height the height; not negative
     * @return this builder
     * @throws IllegalArgumentException if {@code height} is negative
     */
    public Builder height(long height) {
      if (height < 0) {
        throw new IllegalArgumentException("height < 0: " + height);
      }
      this.height = height;
      return this;
    }

    /**
     * Sets the time from uint64 Unix nanoseconds (a raw bit pattern).
     *
     * @param timeNanos Unix time in nanoseconds, as Go's uint64 (a value with the high bit set is a
     *     time before 1970)
     * @return this builder
     */
    public Builder timeNanos(long timeNanos) {
      this.timeNanos = timeNanos;
      return this;
    }

    /**
     * Sets the time from an instant.
     *
     * @param time the block time, to the nanosecond
     * @return this builder
     * @throws ArithmeticException if it does not fit int64 nanoseconds since 1970
     */
    public Builder time(Instant time) {
      Objects.requireNonNull(time, "time == null");
      this.timeNanos =
          Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
      return this;
    }

    /**
     * Sets the previous block's header hash (field 4). Default {@link Hash#EMPTY}, right only for
     * the chain's first block.
     *
     * @param lastHeaderHash the previous header's {@link BlockHeader#hash()}
     * @return this builder
     */
    public Builder lastHeaderHash(Hash lastHeaderHash) {
      this.lastHeaderHash = Objects.requireNonNull(lastHeaderHash, "lastHeaderHash == null");
      return this;
    }

    /**
     * Sets the DA commitment of the block's data (field 6). Default {@link Hash#EMPTY}.
     *
     * @param dataHash the data's {@link Data#daCommitment()}
     * @return this builder
     */
    public Builder dataHash(Hash dataHash) {
      this.dataHash = Objects.requireNonNull(dataHash, "dataHash == null");
      return this;
    }

    /**
     * Sets the execution layer's state root (field 8). Default {@link Hash#EMPTY}.
     *
     * @param appHash the state root
     * @return this builder
     */
    public Builder appHash(Hash appHash) {
      this.appHash = Objects.requireNonNull(appHash, "appHash == null");
      return this;
    }

    /**
     * Sets the proposer address (field 10): SHA-256 of the proposer's public key. Default empty,
     * which {@link BlockHeader#validateBasic} rejects.
     *
     * @param proposerAddress the address; copied
     * @return this builder
     */
    public Builder proposerAddress(byte[] proposerAddress) {
      this.proposerAddress =
          Objects.requireNonNull(proposerAddress, "proposerAddress == null").clone();
      return this;
    }

    /**
     * Sets the validator hash (field 11). Default {@link Hash#EMPTY}.
     *
     * @param validatorHash the hash
     * @return this builder
     */
    public Builder validatorHash(Hash validatorHash) {
      this.validatorHash = Objects.requireNonNull(validatorHash, "validatorHash == null");
      return this;
    }

    /**
     * Sets the chain id (field 12). Default empty.
     *
     * @param chainId the chain id, as in the genesis
     * @return this builder
     */
    public Builder chainId(String chainId) {
      this.chainId = Objects.requireNonNull(chainId, "chainId == null");
      return this;
    }

    /**
     * Sets or (with null) clears the legacy fields; all-empty legacy fields count as none.
     *
     * @param legacy the legacy fields 5/7/9, or null for none
     * @return this builder
     */
    public Builder legacy(@Nullable LegacyFields legacy) {
      this.legacy = legacy;
      return this;
    }

    /**
     * Builds the header. Nothing is validated here: call {@link BlockHeader#validateBasic} (or let
     * {@link SignedHeader} do it) before trusting it.
     *
     * @return the header; immutable
     */
    public BlockHeader build() {
      return new BlockHeader(this);
    }
  }
}
