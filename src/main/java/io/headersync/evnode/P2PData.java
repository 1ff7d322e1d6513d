package io.headersync.evnode;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.InvalidHeaderException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * What ev-node v1.x puts on the data topic and in data exchange responses ({@code types.P2PData},
 * protobuf {@code evnode.v1.P2PData}): {@link Data} (fields 1-2) plus {@code optional uint64
 * da_height_hint = 3}.
 *
 * <p>As for {@link P2PSignedHeader}, {@link #encode()} always writes the hint (Go sets it always),
 * decoding accepts its absence, and the hint is not part of {@link #hash()}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class P2PData implements Header {
  private final Data data;
  private final long daHeightHint;

  private P2PData(Data data, long daHeightHint) {
    this.data = data;
    this.daHeightHint = daHeightHint;
  }

  /**
   * {@return {@code data} wrapped with a DA height hint}
   *
   * @param data the block data
   * @param daHeightHint the DA height the data was posted at (a uint64 bit pattern); 0 for none
   */
  public static P2PData of(Data data, long daHeightHint) {
    return new P2PData(Objects.requireNonNull(data, "data == null"), daHeightHint);
  }

  /**
   * Decodes Go's {@code P2PData.MarshalBinary} output, or a plain {@code Data}.
   *
   * @param bytes the protobuf encoding
   * @return the data; a plain {@code Data} decodes with hint 0
   * @throws InvalidHeaderException if the bytes are malformed, naming the field
   */
  public static P2PData decode(byte[] bytes) {
    Data.Decoded d = Data.decode(bytes, true, "P2PData");
    return new P2PData(d.data, d.daHeightHint);
  }

  /** {@return the block data inside the envelope} */
  public Data data() {
    return data;
  }

  /** {@return the DA height hint (uint64 bit pattern); 0 when absent} */
  public long daHeightHint() {
    return daHeightHint;
  }

  /**
   * {@return a copy with another DA height hint}
   *
   * @param daHeightHint the hint; 0 for none
   */
  public P2PData withDaHeightHint(long daHeightHint) {
    return new P2PData(data, daHeightHint);
  }

  @Override
  public String chainId() {
    return data.chainId();
  }

  @Override
  public long height() {
    return data.height();
  }

  @Override
  public Hash hash() {
    return data.hash();
  }

  @Override
  public Hash lastHeaderHash() {
    return data.lastHeaderHash();
  }

  @Override
  public Instant time() {
    return data.time();
  }

  /** {@link Data#validate(Clock)}. */
  @Override
  public void validate(Clock clock) {
    data.validate(clock);
  }

  /** Go's {@code P2PData.MarshalBinary}: the data, then field 3, always. */
  @Override
  public byte[] encode() {
    return data.write(new Wire.Writer(140)).uint64Field(3, daHeightHint).toByteArray();
  }

  @Override
  public boolean isZero() {
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof P2PData
        && ((P2PData) o).daHeightHint == daHeightHint
        && ((P2PData) o).data.equals(data);
  }

  @Override
  public int hashCode() {
    return data.hashCode() * 31 + Long.hashCode(daHeightHint);
  }

  @Override
  public String toString() {
    return "P2PData{height="
        + height()
        + ", hash="
        + hash()
        + ", daHeightHint="
        + Long.toUnsignedString(daHeightHint)
        + "}";
  }
}
