package io.headersync.evnode;

import io.headersync.Hash;
import java.util.Objects;

/**
 * One ev-node block: a {@link SignedHeader} and its {@link Data}, what a sequencer {@link
 * EvNodeSync#publish publishes}. Made by a {@link BlockBuilder} (or {@link HeaderSigner} for test
 * chains), or checked with {@link #of}. Immutable.
 */
public final class Block {
  private final SignedHeader header;
  private final Data data;

  Block(SignedHeader header, Data data) {
    this.header = header;
    this.data = data;
  }

  /**
   * {@return the block of {@code header} and {@code data}, e.g. read back from a node's stores}
   *
   * @param header the signed header
   * @param data the block's data
   * @throws EvNodeValidationException if the data does not belong to the header (ev-node's {@code
   *     types.Validate}: chain id, height, time and the data hash)
   */
  public static Block of(SignedHeader header, Data data) {
    Objects.requireNonNull(header, "header == null");
    Objects.requireNonNull(data, "data == null");
    EvNodeTypes.validate(header, data);
    return new Block(header, data);
  }

  /** {@return the signed header} */
  public SignedHeader header() {
    return header;
  }

  /** {@return the block's data: metadata and transactions} */
  public Data data() {
    return data;
  }

  /** {@return the block height, the header's and the data's} */
  public long height() {
    return header.height();
  }

  /** {@return the header's hash, which the next block's {@code last_header_hash} names} */
  public Hash hash() {
    return header.hash();
  }

  /**
   * {@return the header in its P2P envelope, with DA height hint 0 (as a sequencer broadcasts it)}
   */
  public P2PSignedHeader p2pHeader() {
    return header.toP2P(0);
  }

  /** {@return the data in its P2P envelope, with DA height hint 0} */
  public P2PData p2pData() {
    return data.toP2P(0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Block b && header.equals(b.header) && data.equals(b.data);
  }

  @Override
  public int hashCode() {
    return header.hashCode() * 31 + data.hashCode();
  }

  @Override
  public String toString() {
    return "Block{height=" + height() + ", hash=" + header.hash() + ", txs=" + data.txCount() + "}";
  }
}
