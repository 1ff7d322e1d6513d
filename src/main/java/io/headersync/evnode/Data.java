package io.headersync.evnode;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.InvalidHeaderException;
import io.headersync.annotation.Nullable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * ev-node block data ({@code types.Data}, protobuf {@code evnode.v1.Data}: {@code Metadata metadata
 * = 1; repeated bytes txs = 2}), which go-header syncs on the data topic just like headers.
 *
 * <h2>Hashes</h2>
 *
 * <ul>
 *   <li>{@link #hash()} (go-header's hash, and what the next data's {@code last_data_hash} links
 *       to) is {@code sha256(0x00 || encode())}: a Merkle leaf hash of the whole encoding, metadata
 *       included. Cached.
 *   <li>{@link #daCommitment()} is {@code sha256(0x00 || proto(Data{txs}))}: the same without the
 *       metadata. A header's {@code data_hash} must equal it ({@link EvNodeTypes#validate}). For no
 *       transactions it is {@link #EMPTY_TXS_DATA_HASH}.
 * </ul>
 *
 * <h2>Missing metadata</h2>
 *
 * Metadata is optional on the wire. Without it Go's {@code ChainID()}, {@code Height()} and {@code
 * Time()} would dereference nil and panic; here they return {@code ""}, 0 and the Unix epoch, and
 * {@link #validate(Clock)} fails as Go's does ("data metadata cannot be nil"). A present but
 * all-zero metadata is kept and re-encoded as {@code 0a 00}, as Go does.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Data implements Header {
  /**
   * The data hash of a block without transactions, ev-node's {@code DataHashForEmptyTxs}: {@code
   * sha256(0x00)} = {@code 6e340b9c...afa01d}.
   */
  public static final Hash EMPTY_TXS_DATA_HASH = Hash.wrap(BlockHeader.sha256(new byte[] {0}));

  private static final byte[] LEAF_PREFIX = {0};

  private final @Nullable Metadata metadata;
  private final byte[][] txs;
  private volatile @Nullable Hash hash;

  private Data(@Nullable Metadata metadata, byte[][] txs) {
    this.metadata = metadata;
    this.txs = txs;
  }

  /**
   * {@return data with {@code metadata} and {@code txs}}
   *
   * @param metadata chain id, height, time and last data hash; null for none, which {@link
   *     #validate(Clock)} rejects
   * @param txs the transactions, in order; each array is copied
   * @throws NullPointerException if {@code txs} or one of its elements is null
   */
  public static Data of(@Nullable Metadata metadata, List<byte[]> txs) {
    Objects.requireNonNull(txs, "txs == null");
    byte[][] copy = new byte[txs.size()][];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = Objects.requireNonNull(txs.get(i), "txs contains null").clone();
    }
    return new Data(metadata, copy);
  }

  /**
   * Decodes Go's {@code Data.MarshalBinary} output.
   *
   * @param bytes the protobuf encoding
   * @return the data
   * @throws InvalidHeaderException if the bytes are malformed, naming the field
   */
  public static Data decode(byte[] bytes) {
    return decode(bytes, false, "Data").data;
  }

  /** {@return the metadata, absent if the encoding had none} */
  public Optional<Metadata> metadata() {
    return Optional.ofNullable(metadata);
  }

  /**
   * {@return copies of the transactions, in order} Use {@link #txCount()} to count them without
   * copying.
   */
  public List<byte[]> txs() {
    List<byte[]> out = new ArrayList<>(txs.length);
    for (byte[] tx : txs) {
      out.add(tx.clone());
    }
    return Collections.unmodifiableList(out);
  }

  /** {@return the number of transactions} */
  public int txCount() {
    return txs.length;
  }

  /**
   * {@return a copy of this data with other metadata and the same transactions}
   *
   * @param metadata the new metadata; null for none
   */
  public Data withMetadata(@Nullable Metadata metadata) {
    return new Data(metadata, txs);
  }

  /**
   * {@return this data in the P2P envelope with {@code daHeightHint} (a uint64 bit pattern; 0 for
   * none)}
   *
   * @param daHeightHint the DA height the data was posted at, or 0
   */
  public P2PData toP2P(long daHeightHint) {
    return P2PData.of(this, daHeightHint);
  }

  @Override
  public String chainId() {
    return metadata == null ? "" : metadata.chainId();
  }

  @Override
  public long height() {
    return metadata == null ? 0 : metadata.height();
  }

  /** {@code sha256(0x00 || encode())}; see the class comment. Cached. */
  @Override
  public Hash hash() {
    Hash h = hash;
    if (h == null) {
      h = Hash.wrap(BlockHeader.sha256(LEAF_PREFIX, encode()));
      hash = h;
    }
    return h;
  }

  /** The previous data's hash ({@code last_data_hash}); empty without metadata. */
  @Override
  public Hash lastHeaderHash() {
    return metadata == null ? Hash.EMPTY : metadata.lastDataHash();
  }

  @Override
  public Instant time() {
    return metadata == null ? Instant.EPOCH : metadata.time();
  }

  /**
   * {@return the DA commitment, {@code sha256(0x00 || proto(Data{txs}))}: what a header's {@code
   * data_hash} must be} {@link #EMPTY_TXS_DATA_HASH} when there are no transactions.
   */
  public Hash daCommitment() {
    return daCommitment(txs);
  }

  /**
   * {@return the DA commitment of {@code txs}, as {@link #daCommitment()}}
   *
   * @param txs the transactions, in order
   */
  public static Hash daCommitment(List<byte[]> txs) {
    return daCommitment(txs.toArray(new byte[0][]));
  }

  private static Hash daCommitment(byte[][] txs) {
    if (txs.length == 0) {
      return EMPTY_TXS_DATA_HASH;
    }
    return Hash.wrap(
        BlockHeader.sha256(LEAF_PREFIX, writeTxs(new Wire.Writer(64), txs).toByteArray()));
  }

  private static Wire.Writer writeTxs(Wire.Writer w, byte[][] txs) {
    for (byte[] tx : txs) {
      w.bytesField(2, tx);
    }
    return w;
  }

  /**
   * ev-node's {@code Data.Validate} (what go-header calls): metadata present, chain id not empty,
   * height not zero, time not zero and at most {@link BlockHeader#MAX_CLOCK_DRIFT} ahead of {@code
   * clock}.
   *
   * @throws EvNodeValidationException naming the failed check
   */
  @Override
  public void validate(Clock clock) {
    Objects.requireNonNull(clock, "clock == null");
    if (metadata == null) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.DATA_METADATA_MISSING, "data metadata cannot be nil");
    }
    if (metadata.chainId().isEmpty()) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.DATA_CHAIN_ID_EMPTY, "chain ID cannot be empty");
    }
    if (metadata.height() == 0) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.DATA_HEIGHT_ZERO, "height cannot be zero");
    }
    if (metadata.timeNanos() == 0) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.DATA_INVALID_TIMESTAMP, "timestamp cannot be zero");
    }
    if (metadata.time().isAfter(clock.instant().plus(BlockHeader.MAX_CLOCK_DRIFT))) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.DATA_INVALID_TIMESTAMP, "timestamp too far in future");
    }
  }

  /**
   * Go's {@code Data.MarshalBinary}: metadata if present, then every transaction (empty ones too).
   */
  @Override
  public byte[] encode() {
    return write(new Wire.Writer(128)).toByteArray();
  }

  Wire.Writer write(Wire.Writer w) {
    if (metadata != null) {
      w.bytesField(1, metadata.encode());
    }
    return writeTxs(w, txs);
  }

  /** Never zero: Go's {@code IsZero} is a nil check. */
  @Override
  public boolean isZero() {
    return false;
  }

  // ---- decoding ------------------------------------------------------------------------------

  static final class Decoded {
    final Data data;
    final long daHeightHint;

    Decoded(Data data, long daHeightHint) {
      this.data = data;
      this.daHeightHint = daHeightHint;
    }
  }

  static Decoded decode(byte[] bytes, boolean p2p, String what) {
    Objects.requireNonNull(bytes, "bytes == null");
    Wire.Reader r = new Wire.Reader(bytes, what);
    Metadata.Decoder metadata = null;
    List<byte[]> txs = new ArrayList<>();
    long hint = 0;
    while (r.hasMore()) {
      int tag = r.readTag();
      if (tag == ((1 << 3) | Wire.BYTES)) {
        if (metadata == null) {
          metadata = new Metadata.Decoder();
        }
        metadata.merge(r.readMessage("metadata", what + ".metadata"));
      } else if (tag == ((2 << 3) | Wire.BYTES)) {
        txs.add(r.readBytes("txs[" + txs.size() + "]"));
      } else if (p2p && tag == ((3 << 3) | Wire.VARINT)) {
        hint = r.readVarint("da_height_hint");
      } else {
        r.skipField(tag);
      }
    }
    Metadata m = metadata == null ? null : metadata.build(what + ".metadata");
    return new Decoded(new Data(m, txs.toArray(new byte[0][])), hint);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof Data
        && Objects.equals(metadata, ((Data) o).metadata)
        && Arrays.deepEquals(txs, ((Data) o).txs);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(metadata) * 31 + Arrays.deepHashCode(txs);
  }

  @Override
  public String toString() {
    return "Data{height=" + height() + ", txs=" + txs.length + ", hash=" + hash() + "}";
  }
}
