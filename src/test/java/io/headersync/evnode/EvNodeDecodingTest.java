package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.InvalidHeaderException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Strict, bounded decoding: malformed input fails with an {@link InvalidHeaderException} naming the
 * field.
 */
class EvNodeDecodingTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Block block() {
    SignerKey key = SignerKey.fromSeed(new byte[32]);
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(key)
            .chainId("test")
            .startTime(T0)
            .version(Version.of(11, 1))
            .appHash(Hash.wrap(new byte[32]))
            .build();
    Block genesis = signer.genesis(List.of());
    return signer.next(genesis, List.of("tx-1".getBytes(), new byte[0], "tx-3".getBytes()));
  }

  private static byte[] field(int num, int type, byte[] payload) {
    Wire.Writer w = new Wire.Writer(16).tag(num, type);
    if (type == Wire.BYTES) {
      w.varint(payload.length);
    }
    return w.raw(payload).toByteArray();
  }

  private static byte[] cat(byte[]... parts) {
    Wire.Writer w = new Wire.Writer(64);
    for (byte[] p : parts) {
      w.raw(p);
    }
    return w.toByteArray();
  }

  private static byte[] varint(long v) {
    return new Wire.Writer(10).varint(v).toByteArray();
  }

  private static InvalidHeaderException rejects(HeaderType<?> type, byte[] bytes) {
    return assertThrows(InvalidHeaderException.class, () -> type.decode(bytes));
  }

  @Test
  void encodeReturnsAFreshCopyOfTheCachedEncoding() {
    SignedHeader signed = block().header();
    BlockHeader h = signed.header();
    byte[] first = h.encode();
    Hash hash = h.hash();
    Arrays.fill(first, (byte) 0);
    byte[] second = h.encode();
    assertFalse(Arrays.equals(first, second), "a caller's change must not reach the header");
    assertEquals(hash, h.hashSlim());
    assertArrayEquals(second, BlockHeader.decode(second).encode());
    signed.verifySignature(); // checks the cached bytes, which the change did not reach
  }

  @Test
  void rejectsEveryTruncationThatCutsAFieldAndNeverThrowsAnythingElse() {
    byte[] encoded = block().p2pHeader().encode();
    int rejected = 0;
    for (int cut = 0; cut < encoded.length; cut++) {
      byte[] prefix = Arrays.copyOf(encoded, cut);
      try {
        EvNodeTypes.P2P_SIGNED_HEADER.decode(prefix);
      } catch (InvalidHeaderException e) {
        rejected++;
        assertTrue(e.getMessage().startsWith("P2PSignedHeader"), e.getMessage());
      }
    }
    // Only cuts at the boundaries after the header, the signature and the signer decode.
    assertTrue(rejected >= encoded.length - 3, "rejected " + rejected + " of " + encoded.length);
  }

  @Test
  void truncatedHeaderNamesTheField() {
    byte[] encoded = block().header().encode();
    // Keep the outer length of field 1 intact but cut inside: length runs past the end.
    InvalidHeaderException e = rejects(EvNodeTypes.SIGNED_HEADER, Arrays.copyOf(encoded, 10));
    assertTrue(e.getMessage().contains("header: length"), e.getMessage());
  }

  @Test
  void rejectsVarintLongerThanTenBytesAsOverflow() {
    byte[] wire =
        cat(field(1, Wire.BYTES, cat(new byte[] {0x10}, HEX.parseHex("ffffffffffffffffffff01"))));
    InvalidHeaderException e = rejects(EvNodeTypes.SIGNED_HEADER, wire);
    assertTrue(
        e.getMessage().contains("SignedHeader.header: height: varint overflows 64 bits"),
        e.getMessage());
  }

  @Test
  void rejectsVarintOverflowingSixtyFourBits() {
    byte[] wire =
        cat(field(1, Wire.BYTES, cat(new byte[] {0x10}, HEX.parseHex("ffffffffffffffffff02"))));
    InvalidHeaderException e = rejects(EvNodeTypes.SIGNED_HEADER, wire);
    assertTrue(e.getMessage().contains("height: varint overflows 64 bits"), e.getMessage());
  }

  @Test
  void rejectsInvalidWireTypes() {
    byte[] good = block().header().encode();
    InvalidHeaderException seven =
        rejects(EvNodeTypes.SIGNED_HEADER, cat(good, new byte[] {0x0f, 0}));
    assertTrue(seven.getMessage().contains("field 1 has invalid wire type 7"), seven.getMessage());
    InvalidHeaderException endGroup =
        rejects(EvNodeTypes.SIGNED_HEADER, cat(good, new byte[] {0x0c}));
    assertTrue(
        endGroup.getMessage().contains("end-group without a start-group"), endGroup.getMessage());
    InvalidHeaderException zero = rejects(EvNodeTypes.DATA, new byte[] {0x00, 0x00});
    assertTrue(zero.getMessage().contains("invalid field number 0"), zero.getMessage());
  }

  @Test
  void knownFieldWithAnotherValidWireTypeIsAnUnknownFieldAsInGo() {
    // height (2) sent as bytes: Go files it under unknown fields, so height stays 0.
    byte[] header = cat(field(2, Wire.BYTES, new byte[] {1, 2}), field(3, Wire.VARINT, varint(5)));
    SignedHeader sh = SignedHeader.decode(field(1, Wire.BYTES, header));
    assertEquals(0, sh.height());
    assertEquals(5, sh.header().timeNanos());
    // The header field itself sent as a varint: no header at all.
    InvalidHeaderException e = rejects(EvNodeTypes.SIGNED_HEADER, field(1, Wire.VARINT, varint(1)));
    assertTrue(e.getMessage().contains("SignedHeader.header: missing"), e.getMessage());
  }

  @Test
  void rejectsHeightAboveInt64() {
    byte[] header = field(2, Wire.VARINT, varint(Long.MIN_VALUE)); // 2^63
    InvalidHeaderException e = rejects(EvNodeTypes.P2P_SIGNED_HEADER, field(1, Wire.BYTES, header));
    assertEquals(
        "P2PSignedHeader.header.height: 9223372036854775808 is above 2^63-1, the largest height"
            + " headersync supports",
        e.getMessage());
    byte[] metadata = field(2, Wire.VARINT, varint(-1L)); // 2^64-1
    InvalidHeaderException d = rejects(EvNodeTypes.P2P_DATA, field(1, Wire.BYTES, metadata));
    assertTrue(
        d.getMessage().startsWith("P2PData.metadata.height: 18446744073709551615"), d.getMessage());
  }

  @Test
  void acceptsHeightAboveInt64WhenALaterValueReplacesIt() {
    // Last value wins, as in protobuf; only the final height is checked.
    byte[] header =
        cat(field(2, Wire.VARINT, varint(Long.MIN_VALUE)), field(2, Wire.VARINT, varint(7)));
    assertEquals(7, SignedHeader.decode(field(1, Wire.BYTES, header)).height());
  }

  @Test
  void rejectsOversizedLegacyFields() {
    byte[] header = field(7, Wire.BYTES, new byte[LegacyFields.MAX_FIELD_SIZE + 1]);
    InvalidHeaderException e = rejects(EvNodeTypes.SIGNED_HEADER, field(1, Wire.BYTES, header));
    assertTrue(
        e.getMessage().contains("legacy consensus_hash (field 7) has 1025 bytes, more than 1024"),
        e.getMessage());
    byte[] ok = field(7, Wire.BYTES, new byte[LegacyFields.MAX_FIELD_SIZE]);
    SignedHeader sh = SignedHeader.decode(field(1, Wire.BYTES, ok));
    assertEquals(1024, sh.header().legacy().orElseThrow().consensusHash().size());
  }

  @Test
  void rejectsMoreThanOneMebibyteOfUnknownHeaderFields() {
    byte[] big = field(100, Wire.BYTES, new byte[BlockHeader.MAX_UNKNOWN_FIELDS_SIZE]);
    InvalidHeaderException e = rejects(EvNodeTypes.SIGNED_HEADER, field(1, Wire.BYTES, big));
    assertTrue(
        e.getMessage().contains("unknown fields too large: 1048581 bytes (max 1048576)"),
        e.getMessage());
  }

  @Test
  void rejectsInvalidUtf8ChainId() {
    byte[] header = field(12, Wire.BYTES, new byte[] {(byte) 0xc3, 0x28});
    InvalidHeaderException e = rejects(EvNodeTypes.SIGNED_HEADER, field(1, Wire.BYTES, header));
    assertTrue(e.getMessage().contains("chain_id: string contains invalid UTF-8"), e.getMessage());
  }

  @Test
  void rejectsMalformedSignerPublicKeys() {
    byte[] header = field(1, Wire.BYTES, new byte[0]);
    byte[] shortKey = cat(field(1, Wire.VARINT, varint(1)), field(2, Wire.BYTES, new byte[31]));
    InvalidHeaderException e =
        rejects(
            EvNodeTypes.SIGNED_HEADER,
            cat(header, field(3, Wire.BYTES, field(2, Wire.BYTES, shortKey))));
    assertTrue(
        e.getMessage().contains("Ed25519 public key must have 32 bytes, not 31"), e.getMessage());
    byte[] unknownType = cat(field(1, Wire.VARINT, varint(9)), field(2, Wire.BYTES, new byte[32]));
    e =
        rejects(
            EvNodeTypes.SIGNED_HEADER,
            cat(header, field(3, Wire.BYTES, field(2, Wire.BYTES, unknownType))));
    assertTrue(
        e.getMessage().contains("SignedHeader.signer.pub_key: required field Type"),
        e.getMessage());
  }

  @Test
  void neverThrowsAnythingButInvalidHeaderExceptionOnCorruptedInput() {
    Random random = new Random(42);
    List<byte[]> samples = List.of(block().p2pHeader().encode(), block().p2pData().encode());
    List<HeaderType<?>> types =
        List.of(
            EvNodeTypes.P2P_SIGNED_HEADER,
            EvNodeTypes.SIGNED_HEADER,
            EvNodeTypes.P2P_DATA,
            EvNodeTypes.DATA);
    for (int i = 0; i < 3000; i++) {
      byte[] b = samples.get(i % 2).clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      for (HeaderType<?> type : types) {
        try {
          Header h = type.decode(b);
          h.hash();
          h.encode();
        } catch (InvalidHeaderException expected) {
          assertFalse(expected.getMessage().isEmpty());
        }
      }
    }
  }

  @Test
  void p2pEnvelopeAlwaysCarriesTheHintAndAcceptsItsAbsence() {
    SignedHeader sh = block().header();
    byte[] plain = sh.encode();
    byte[] p2p = sh.toP2P(0).encode();
    assertArrayEquals(cat(plain, new byte[] {0x20, 0x00}), p2p);
    P2PSignedHeader decoded = P2PSignedHeader.decode(plain);
    assertEquals(0, decoded.daHeightHint());
    assertEquals(sh, decoded.signedHeader());
    assertEquals(-1L, P2PSignedHeader.decode(sh.toP2P(-1L).encode()).daHeightHint());
    Data data = block().data();
    assertArrayEquals(cat(data.encode(), new byte[] {0x18, 0x05}), data.toP2P(5).encode());
    assertEquals(data, P2PData.decode(data.encode()).data());
  }

  @Test
  void hashIsComputedOnceAndExcludesSignatureAndHint() {
    SignedHeader sh = block().header();
    assertSame(sh.hash(), sh.hash());
    assertEquals(sh.hash(), sh.withSignature(new byte[64]).hash());
    assertEquals(sh.hash(), sh.toP2P(99).hash());
    assertEquals(sh.hash(), Hash.wrap(BlockHeader.sha256(sh.header().encode())));
    Data d = block().data();
    assertSame(d.hash(), d.hash());
    assertEquals(d.hash(), d.toP2P(3).hash());
  }

  @Test
  void legacyHeaderHashesOverLegacyLayoutAndVerifiesALegacySignature() {
    SignerKey key = SignerKey.generate(new Random(7));
    BlockHeader h =
        BlockHeader.builder()
            .chainId("c")
            .height(5)
            .time(T0)
            .proposerAddress(key.address())
            .legacy(
                LegacyFields.of(Hash.wrap(new byte[] {1}), Hash.EMPTY, Hash.wrap(new byte[] {9})))
            .build();
    assertEquals(Hash.wrap(BlockHeader.sha256(h.encodeLegacy())), h.hash());
    assertFalse(h.hash().equals(h.hashSlim()));
    SignedHeader signedLegacy = SignedHeader.of(h, key.sign(h.encodeLegacy()), key.signer());
    signedLegacy.verifySignature();
    SignedHeader decoded = SignedHeader.decode(signedLegacy.encode());
    assertEquals(signedLegacy, decoded);
    decoded.verifySignature();
    // Legacy layout writes height and time even when zero, and 32 zero bytes for a missing
    // consensus hash.
    byte[] zero = BlockHeader.builder().build().encodeLegacy();
    assertEquals("0a0010001800" + "3a20" + "00".repeat(32), HEX.formatHex(zero));
    // All-empty legacy fields are no legacy fields.
    assertFalse(
        BlockHeader.builder()
            .legacy(LegacyFields.of(Hash.EMPTY, Hash.EMPTY, Hash.EMPTY))
            .build()
            .legacy()
            .isPresent());
  }

  @Test
  void emptyTxsDataHashIsEvNodeConstant() {
    assertEquals(
        "6E340B9CFFB37A989CA544E6BB780A2C78901D3FB33738768511A30617AFA01D",
        Data.EMPTY_TXS_DATA_HASH.toString());
    assertEquals(Data.EMPTY_TXS_DATA_HASH, Data.of(null, List.of()).daCommitment());
  }

  @Test
  void timeWithHighBitSetReadsAsBefore1970AsInGo() {
    BlockHeader h = BlockHeader.builder().timeNanos(-1L).build();
    assertEquals(Instant.EPOCH.minusNanos(1), h.time());
    assertEquals(
        -1L,
        SignedHeader.decode(SignedHeader.of(h, new byte[0], Signer.EMPTY).encode())
            .header()
            .timeNanos());
  }

  @Test
  void signerWithoutKeyIsDroppedAsInGo() {
    byte[] wire =
        cat(
            field(1, Wire.BYTES, new byte[0]),
            field(3, Wire.BYTES, field(1, Wire.BYTES, new byte[] {1})));
    SignedHeader sh = SignedHeader.decode(wire);
    assertSame(Signer.EMPTY, sh.signer());
    assertEquals("0a020a001a00", HEX.formatHex(sh.encode()));
  }

  @Test
  void clockDriftIsOneMinute() {
    assertEquals(Duration.ofMinutes(1), BlockHeader.MAX_CLOCK_DRIFT);
  }
}
