package io.headersync.evnode;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.VerifyException;
import io.headersync.sync.Anchor;
import java.util.Objects;
import java.util.function.Function;

/**
 * The {@link HeaderType}s of the ev-node types, and ev-node's header/data match check.
 *
 * <p>Use {@link #P2P_SIGNED_HEADER} and {@link #P2P_DATA} for ev-node v1.x networks: they are what
 * travels on the {@code <chainId>-headerSync} and {@code <chainId>-dataSync} topics and exchange
 * protocols. {@link #SIGNED_HEADER} and {@link #DATA} decode the plain messages.
 *
 * <h2>Verification (ev-node v1.2.2)</h2>
 *
 * <ul>
 *   <li>Headers ({@code SignedHeader.Verify}): only when {@code untrusted} is adjacent ({@code
 *       trusted.height() + 1}), {@code trusted.hash()} must equal {@code
 *       untrusted.lastHeaderHash()}; non-adjacent pairs pass. No signature check.
 *   <li>Data ({@code Data.Verify}): {@code trusted.hash()} must equal {@code untrusted}'s {@code
 *       last_data_hash}. ev-node v1.2.2 asks it of every pair, adjacent or not, so go-header fails
 *       every non-adjacent pair and bisects towards it one height per round (thousands of failed
 *       verifications for a gap of a few hundred blocks). The data types here declare {@link
 *       HeaderType#verifiesNonAdjacent()} {@code false}: only adjacent pairs reach the check, and
 *       the syncer never bifurcates over data.
 *   <li>Data against its header ({@link #DATA_MATCHES_HEADER}): what a full node checks before it
 *       stores data, anchored on its verified header store.
 * </ul>
 *
 * Failures are {@link VerifyException.Reason#TYPE_CHECK}, hard; {@code Verification} makes them
 * soft for non-adjacent pairs.
 */
public final class EvNodeTypes {
  /** {@code evnode.v1.P2PSignedHeader}: the header topic payload of ev-node v1.x. */
  public static final HeaderType<P2PSignedHeader> P2P_SIGNED_HEADER =
      new Type<>("P2PSignedHeader", P2PSignedHeader::decode, EvNodeTypes::verifyHeaders, true);

  /** {@code evnode.v1.SignedHeader}. */
  public static final HeaderType<SignedHeader> SIGNED_HEADER =
      new Type<>("SignedHeader", SignedHeader::decode, EvNodeTypes::verifyHeaders, true);

  /** {@code evnode.v1.P2PData}: the data topic payload of ev-node v1.x. */
  public static final HeaderType<P2PData> P2P_DATA =
      new Type<>("P2PData", P2PData::decode, EvNodeTypes::verifyData, false);

  /** {@code evnode.v1.Data}. */
  public static final HeaderType<Data> DATA =
      new Type<>("Data", Data::decode, EvNodeTypes::verifyData, false);

  /**
   * Block data checked against the verified header at its height, for a data service anchored on
   * the header store ({@code HeaderSyncService.Builder.anchor}): {@link #validate} (metadata chain
   * id, height and time equal to the header's; {@code data_hash} equal to the data's DA commitment,
   * {@link Data#EMPTY_TXS_DATA_HASH} for a block without transactions). A mismatch is a hard {@link
   * VerifyException} naming the height; the {@code last_data_hash} link to the data below is the
   * syncer's adjacent verification.
   */
  public static final Anchor.Check<P2PSignedHeader, P2PData> DATA_MATCHES_HEADER =
      (header, data) -> {
        try {
          validate(header.signedHeader(), data.data());
        } catch (EvNodeValidationException e) {
          throw new VerifyException(
              VerifyException.Reason.TYPE_CHECK,
              "data "
                  + data.height()
                  + " ("
                  + data.hash()
                  + ") does not match header "
                  + header.height()
                  + " ("
                  + header.hash()
                  + "): "
                  + e.getMessage(),
              false,
              data.height());
        }
      };

  private EvNodeTypes() {}

  /**
   * ev-node's {@code types.Validate(header, data)}: when the data has metadata, its chain id,
   * height and time must equal the header's ({@code last_data_hash} is not compared); and the
   * header's {@code data_hash} must equal {@link Data#daCommitment()}.
   *
   * @param header the block's signed header
   * @param data the block's data
   * @throws EvNodeValidationException {@code HEADER_DATA_MISMATCH} or {@code DATA_HASH_MISMATCH}
   */
  public static void validate(SignedHeader header, Data data) {
    Objects.requireNonNull(header, "header == null");
    Objects.requireNonNull(data, "data == null");
    if (data.metadata().isPresent()) {
      Metadata m = data.metadata().get();
      if (!header.chainId().equals(m.chainId())
          || header.height() != m.height()
          || header.header().timeNanos() != m.timeNanos()) {
        throw new EvNodeValidationException(
            EvNodeValidationException.Reason.HEADER_DATA_MISMATCH, "header and data do not match");
      }
    }
    if (!data.daCommitment().equals(header.header().dataHash())) {
      throw new EvNodeValidationException(
          EvNodeValidationException.Reason.DATA_HASH_MISMATCH,
          "dataHash from the header does not match with hash of the block's data");
    }
  }

  private static void verifyHeaders(Header trusted, Header untrusted) {
    if (trusted.height() + 1 != untrusted.height()) {
      return;
    }
    Hash hash = trusted.hash();
    if (!hash.equals(untrusted.lastHeaderHash())) {
      throw new VerifyException(
          VerifyException.Reason.TYPE_CHECK,
          "verification error at height "
              + trusted.height()
              + ": last header hash mismatch: expected "
              + hash
              + ", but got "
              + untrusted.lastHeaderHash(),
          false);
    }
  }

  private static void verifyData(Header trusted, Header untrusted) {
    if (!trusted.hash().equals(untrusted.lastHeaderHash())) {
      throw new VerifyException(
          VerifyException.Reason.TYPE_CHECK,
          "data hash of the trusted data does not match with last data hash of the untrusted data",
          false);
    }
  }

  private interface Verifier {
    void verify(Header trusted, Header untrusted);
  }

  private static final class Type<H extends Header> implements HeaderType<H> {
    private final String name;
    private final Function<byte[], H> decoder;
    private final Verifier verifier;
    private final boolean verifiesNonAdjacent;

    Type(String name, Function<byte[], H> decoder, Verifier verifier, boolean verifiesNonAdjacent) {
      this.name = name;
      this.decoder = decoder;
      this.verifier = verifier;
      this.verifiesNonAdjacent = verifiesNonAdjacent;
    }

    @Override
    public boolean verifiesNonAdjacent() {
      return verifiesNonAdjacent;
    }

    @Override
    public H decode(byte[] bytes) {
      return decoder.apply(Objects.requireNonNull(bytes, "bytes == null"));
    }

    @Override
    public void verify(H trusted, H untrusted) {
      Objects.requireNonNull(trusted, "trusted == null");
      Objects.requireNonNull(untrusted, "untrusted == null");
      verifier.verify(trusted, untrusted);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
