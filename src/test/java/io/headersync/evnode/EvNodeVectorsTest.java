package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.InvalidHeaderException;
import io.headersync.Verification;
import io.headersync.VerifyException;
import io.headersync.testing.MiniJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Checks every vector that ev-node v1.2.2 itself generated ({@code interop/vectors}): decoding
 * gives Go's field values, re-encoding gives Go's bytes, hashes and signatures match, and
 * validation and verification accept and reject exactly what Go does.
 */
class EvNodeVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  @SuppressWarnings("unchecked")
  private static Map<String, Object> load(String name) {
    try (InputStream in = EvNodeVectorsTest.class.getResourceAsStream("/vectors/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing vector file /vectors/" + name);
      }
      return (Map<String, Object>)
          MiniJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> cases(Map<String, Object> file) {
    return (List<Map<String, Object>>) file.get("cases");
  }

  private static Clock clockOf(Map<String, Object> file) {
    return Clock.fixed(
        BlockHeader.instantOfNanos(Long.parseUnsignedLong(str(file, "now"))), ZoneOffset.UTC);
  }

  private static String str(Map<String, Object> m, String k) {
    Object v = m.get(k);
    if (!(v instanceof String)) {
      throw new IllegalStateException("vector field " + k + " is not a string: " + v);
    }
    return (String) v;
  }

  private static byte[] hex(Map<String, Object> m, String k) {
    return HEX.parseHex(str(m, k));
  }

  private static long u64(Map<String, Object> m, String k) {
    return Long.parseUnsignedLong(str(m, k));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> obj(Map<String, Object> m, String k) {
    return (Map<String, Object>) m.get(k);
  }

  private static Stream<DynamicTest> tests(String file, Checker checker) {
    Map<String, Object> f = load(file);
    Clock clock = clockOf(f);
    List<DynamicTest> out = new ArrayList<>();
    for (Map<String, Object> c : cases(f)) {
      out.add(DynamicTest.dynamicTest(str(c, "name"), () -> checker.check(c, clock)));
    }
    assertFalse(out.isEmpty(), file + " has no cases");
    return out.stream();
  }

  private interface Checker {
    void check(Map<String, Object> c, Clock clock) throws Throwable;
  }

  /** Runs {@code action} and checks it fails exactly when Go's error text is not empty. */
  private static void assertOutcome(String goError, Executable action, String what) {
    if (goError.isEmpty()) {
      try {
        action.execute();
      } catch (Throwable t) {
        fail(what + ": Go accepts, Java fails with " + t, t);
      }
      return;
    }
    EvNodeValidationException e =
        assertThrows(
            EvNodeValidationException.class,
            action,
            what + ": Go fails with \"" + goError + "\", Java accepts");
    assertEquals(reasonOf(goError), e.reason(), what + ": " + e.getMessage());
    if (!goError.contains("(")) {
      assertEquals(goError, e.getMessage(), what);
    }
  }

  /** Maps ev-node's error texts to our reasons. */
  static EvNodeValidationException.Reason reasonOf(String goError) {
    String[][] table = {
      {"no proposer address", "NO_PROPOSER_ADDRESS"},
      {"invalid timestamp", "INVALID_TIMESTAMP"},
      {"signature is empty", "SIGNATURE_EMPTY"},
      {"signer public key is missing", "SIGNER_PUB_KEY_MISSING"},
      {"signer address does not match", "SIGNER_ADDRESS_MISMATCH"},
      {"proposer address in SignedHeader", "PROPOSER_ADDRESS_MISMATCH"},
      {"signature verification failed", "SIGNATURE_VERIFICATION_FAILED"},
      {"data metadata cannot be nil", "DATA_METADATA_MISSING"},
      {"chain ID cannot be empty", "DATA_CHAIN_ID_EMPTY"},
      {"height cannot be zero", "DATA_HEIGHT_ZERO"},
      {"timestamp cannot be zero", "DATA_INVALID_TIMESTAMP"},
      {"timestamp too far in future", "DATA_INVALID_TIMESTAMP"},
      {"header and data do not match", "HEADER_DATA_MISMATCH"},
      {"dataHash from the header", "DATA_HASH_MISMATCH"},
    };
    for (String[] row : table) {
      if (goError.startsWith(row[0])) {
        return EvNodeValidationException.Reason.valueOf(row[1]);
      }
    }
    throw new IllegalStateException("unmapped Go error: " + goError);
  }

  @TestFactory
  @SuppressWarnings("unchecked")
  Stream<DynamicTest> headerSignerBuildsTheSameChainAsGo() {
    return tests(
        "chains.json",
        (c, clock) -> {
          HeaderSigner signer =
              HeaderSigner.builder()
                  .key(SignerKey.fromSeed(hex(c, "seed")))
                  .chainId(str(c, "chain_id"))
                  .version(Version.of(u64(c, "version_block"), u64(c, "version_app")))
                  .initialHeight(u64(c, "initial_height"))
                  .startTime(BlockHeader.instantOfNanos(u64(c, "start_time")))
                  .blockTime(java.time.Duration.ofNanos(u64(c, "block_time_nanos")))
                  .appHash(Hash.wrap(hex(c, "app_hash")))
                  .build();
          Block previous = null;
          for (Map<String, Object> b : (List<Map<String, Object>>) c.get("blocks")) {
            List<byte[]> txs = new ArrayList<>();
            for (String t : (List<String>) b.get("txs")) {
              txs.add(HEX.parseHex(t));
            }
            Block block = previous == null ? signer.genesis(txs) : signer.next(previous, txs);
            assertEquals(u64(b, "height"), block.height());
            assertEquals(
                str(b, "p2p_header"),
                HEX.formatHex(block.p2pHeader().encode()),
                "header at " + block.height());
            assertEquals(
                str(b, "p2p_data"),
                HEX.formatHex(block.p2pData().encode()),
                "data at " + block.height());
            assertEquals(Hash.wrap(hex(b, "hash")), block.header().hash());
            assertEquals(Hash.wrap(hex(b, "data_hash")), block.data().hash());
            previous = block;
          }
        });
  }

  @TestFactory
  Stream<DynamicTest> keysMatchGo() {
    return tests(
        "keys.json",
        (c, clock) -> {
          SignerKey key = SignerKey.fromSeed(hex(c, "seed"));
          assertArrayEquals(hex(c, "public_key_raw"), key.publicKey());
          assertArrayEquals(hex(c, "pub_key_proto"), key.libp2pPublicKey());
          assertArrayEquals(hex(c, "address"), key.address());
          assertArrayEquals(hex(c, "signature"), key.sign(hex(c, "message")));
          assertTrue(key.signer().verify(hex(c, "message"), hex(c, "signature")));
        });
  }

  @TestFactory
  Stream<DynamicTest> signedHeadersMatchGo() {
    return tests(
        "signed_headers.json",
        (c, clock) -> {
          byte[] encoded = hex(c, "encoded");
          boolean p2p = str(c, "type").equals("P2PSignedHeader");
          SignedHeader sh;
          if (p2p) {
            P2PSignedHeader p = P2PSignedHeader.decode(encoded);
            assertEquals(u64(c, "da_height_hint"), p.daHeightHint());
            assertArrayEquals(encoded, p.encode(), "re-encoding");
            assertEquals(p, EvNodeTypes.P2P_SIGNED_HEADER.decode(encoded));
            sh = p.signedHeader();
          } else {
            sh = SignedHeader.decode(encoded);
            assertArrayEquals(encoded, sh.encode(), "re-encoding");
          }
          BlockHeader h = sh.header();
          Map<String, Object> jh = obj(c, "header");
          BlockHeader.Builder rebuilt =
              BlockHeader.builder()
                  .version(Version.of(u64(jh, "version_block"), u64(jh, "version_app")))
                  .height(u64(jh, "height"))
                  .timeNanos(u64(jh, "time"))
                  .lastHeaderHash(Hash.wrap(hex(jh, "last_header_hash")))
                  .dataHash(Hash.wrap(hex(jh, "data_hash")))
                  .appHash(Hash.wrap(hex(jh, "app_hash")))
                  .proposerAddress(hex(jh, "proposer_address"))
                  .validatorHash(Hash.wrap(hex(jh, "validator_hash")))
                  .chainId(str(jh, "chain_id"));
          Map<String, Object> jl = obj(jh, "legacy");
          if (jl != null) {
            rebuilt.legacy(
                LegacyFields.of(
                    Hash.wrap(hex(jl, "last_commit_hash")),
                    Hash.wrap(hex(jl, "consensus_hash")),
                    Hash.wrap(hex(jl, "last_results_hash"))));
            assertTrue(h.legacy().isPresent());
          } else {
            assertFalse(h.legacy().isPresent());
          }
          assertEquals(rebuilt.build(), h, "decoded fields");
          assertEquals(str(jh, "chain_id"), sh.chainId());
          assertEquals(u64(jh, "height"), sh.height());
          assertEquals(u64(jh, "time"), h.timeNanos());

          assertArrayEquals(hex(c, "header_encoded"), h.encode(), "slim encoding");
          assertArrayEquals(hex(c, "header_legacy_encoded"), h.encodeLegacy(), "legacy encoding");
          assertArrayEquals(
              hex(c, "signature_payload"), sh.signaturePayload(), "signature payload");
          assertEquals(Hash.wrap(hex(c, "hash")), sh.hash(), "hash");
          assertEquals(Hash.wrap(hex(c, "hash_slim")), h.hashSlim(), "slim hash");
          assertEquals(Hash.wrap(hex(c, "hash_legacy")), h.hashLegacy(), "legacy hash");
          assertArrayEquals(hex(c, "signature"), sh.signature());
          assertArrayEquals(hex(c, "signer_address"), sh.signer().address());
          assertArrayEquals(hex(c, "signer_pub_key"), sh.signer().pubKey());
          assertArrayEquals(hex(c, "public_key_raw"), sh.signer().rawPublicKey());

          // Built from its parts, the header encodes to the same bytes.
          SignedHeader built = SignedHeader.of(rebuilt.build(), hex(c, "signature"), sh.signer());
          assertArrayEquals(
              p2p ? encoded : encoded,
              p2p ? built.toP2P(u64(c, "da_height_hint")).encode() : built.encode());

          Header asHeader = p2p ? P2PSignedHeader.decode(encoded) : sh;
          assertOutcome(str(c, "validate_error"), () -> asHeader.validate(clock), "validate");
          assertOutcome(
              str(c, "validate_basic_error"), () -> sh.validateBasic(clock), "validateBasic");
        });
  }

  @TestFactory
  Stream<DynamicTest> dataMatchesGo() {
    return tests(
        "data.json",
        (c, clock) -> {
          byte[] encoded = hex(c, "encoded");
          boolean p2p = str(c, "type").equals("P2PData");
          Data d;
          Header asHeader;
          if (p2p) {
            P2PData p = P2PData.decode(encoded);
            assertEquals(u64(c, "da_height_hint"), p.daHeightHint());
            assertArrayEquals(encoded, p.encode(), "re-encoding");
            assertEquals(p, EvNodeTypes.P2P_DATA.decode(encoded));
            d = p.data();
            asHeader = p;
          } else {
            d = Data.decode(encoded);
            assertArrayEquals(encoded, d.encode(), "re-encoding");
            asHeader = d;
          }
          assertArrayEquals(hex(c, "data_encoded"), d.encode());
          Map<String, Object> jm = obj(c, "metadata");
          Metadata m = null;
          if (jm != null) {
            m =
                Metadata.of(
                    str(jm, "chain_id"),
                    u64(jm, "height"),
                    u64(jm, "time"),
                    Hash.wrap(hex(jm, "last_data_hash")));
            assertEquals(m, d.metadata().orElseThrow());
            assertEquals(m.lastDataHash(), asHeader.lastHeaderHash());
          } else {
            assertFalse(d.metadata().isPresent());
          }
          @SuppressWarnings("unchecked")
          List<String> txs = (List<String>) c.get("txs");
          List<byte[]> expectedTxs = new ArrayList<>();
          for (String t : txs) {
            expectedTxs.add(HEX.parseHex(t));
          }
          assertEquals(expectedTxs.size(), d.txCount());
          for (int i = 0; i < expectedTxs.size(); i++) {
            assertArrayEquals(expectedTxs.get(i), d.txs().get(i));
          }
          assertEquals(d, Data.of(m, expectedTxs));
          assertEquals(Hash.wrap(hex(c, "hash")), asHeader.hash(), "hash");
          assertEquals(Hash.wrap(hex(c, "da_commitment")), d.daCommitment(), "DA commitment");
          assertEquals(Hash.wrap(hex(c, "da_commitment")), Data.daCommitment(expectedTxs));
          assertOutcome(str(c, "validate_error"), () -> asHeader.validate(clock), "validate");
        });
  }

  @TestFactory
  Stream<DynamicTest> headerDataMatchMatchesGo() {
    return tests(
        "header_data_pairs.json",
        (c, clock) -> {
          SignedHeader h = SignedHeader.decode(hex(c, "header"));
          Data d = Data.decode(hex(c, "data"));
          assertOutcome(
              str(c, "error"), () -> EvNodeTypes.validate(h, d), "validate(header, data)");
        });
  }

  @TestFactory
  Stream<DynamicTest> verifyMatchesGo() {
    return tests(
        "verify.json",
        (c, clock) -> {
          switch (str(c, "type")) {
            case "SignedHeader":
              checkVerify(c, clock, EvNodeTypes.SIGNED_HEADER);
              break;
            case "P2PSignedHeader":
              checkVerify(c, clock, EvNodeTypes.P2P_SIGNED_HEADER);
              break;
            case "Data":
              checkVerify(c, clock, EvNodeTypes.DATA);
              break;
            case "P2PData":
              checkVerify(c, clock, EvNodeTypes.P2P_DATA);
              break;
            default:
              fail("unknown type " + str(c, "type"));
          }
        });
  }

  private static <H extends Header> void checkVerify(
      Map<String, Object> c, Clock clock, HeaderType<H> type) {
    H trusted = type.decode(hex(c, "trusted"));
    H untrusted = type.decode(hex(c, "untrusted"));
    String typeError = str(c, "type_verify_error");
    if (typeError.isEmpty()) {
      type.verify(trusted, untrusted);
    } else {
      VerifyException e =
          assertThrows(VerifyException.class, () -> type.verify(trusted, untrusted));
      assertEquals(VerifyException.Reason.TYPE_CHECK, e.reason());
      // ev-node's SignedHeader.Verify returns a go-header VerifyError (its text carries the
      // prefix);
      // Data.Verify returns a plain error. Ours is always a VerifyException.
      String prefix = "header verification failed: ";
      assertEquals(typeError.startsWith(prefix) ? typeError : prefix + typeError, e.getMessage());
    }
    String headerError = str(c, "header_verify_error");
    Verification<H> verification = new Verification<>(type, clock);
    boolean typeDecides =
        headerError.isEmpty()
            || !typeError.isEmpty()
                && headerError.endsWith(typeError.replace("header verification failed: ", ""));
    if (!type.verifiesNonAdjacent() && untrusted.height() != trusted.height() + 1 && typeDecides) {
      // Where we differ on purpose: ev-node's Data.Verify judges non-adjacent pairs by a link only
      // neighbours have; our data types leave them to the mandatory checks and say so, softly.
      VerifyException e =
          assertThrows(VerifyException.class, () -> verification.verify(trusted, untrusted));
      assertEquals(VerifyException.Reason.NON_ADJACENT_UNSUPPORTED, e.reason(), e.getMessage());
      assertTrue(e.isSoft());
    } else if (headerError.isEmpty()) {
      verification.verify(trusted, untrusted);
    } else {
      VerifyException e =
          assertThrows(VerifyException.class, () -> verification.verify(trusted, untrusted));
      assertEquals(c.get("soft"), e.isSoft(), "soft: " + e.getMessage());
      if (!headerError.contains("from the future")) {
        assertEquals(headerError, e.getMessage());
      } else {
        assertEquals(VerifyException.Reason.FROM_FUTURE, e.reason());
      }
    }
    assertOutcome(
        str(c, "untrusted_validate_error"), () -> untrusted.validate(clock), "untrusted.validate");
    if (untrusted instanceof SignedHeader) {
      assertOutcome(
          str(c, "untrusted_validate_basic_error"),
          () -> ((SignedHeader) untrusted).validateBasic(clock),
          "untrusted.validateBasic");
    } else if (untrusted instanceof P2PSignedHeader) {
      assertOutcome(
          str(c, "untrusted_validate_basic_error"),
          () -> ((P2PSignedHeader) untrusted).validateBasic(clock),
          "untrusted.validateBasic");
    }
  }

  @TestFactory
  Stream<DynamicTest> decodingAcceptsAndRejectsAsGo() {
    return tests(
        "decode.json",
        (c, clock) -> {
          byte[] prefix = hex(c, "wire");
          int zeros = ((Long) c.get("wire_zeros")).intValue();
          byte[] wire = java.util.Arrays.copyOf(prefix, prefix.length + zeros);
          HeaderType<?> type = typeOf(str(c, "type"));
          if (!str(c, "divergence").isEmpty()) {
            assertTrue((Boolean) c.get("go_ok"));
            InvalidHeaderException e =
                assertThrows(InvalidHeaderException.class, () -> type.decode(wire));
            assertTrue(e.getMessage().contains("height"), e.getMessage());
            return;
          }
          if ((Boolean) c.get("go_ok")) {
            Header h;
            try {
              h = type.decode(wire);
            } catch (InvalidHeaderException e) {
              throw new AssertionError("Go decodes, Java rejects: " + e.getMessage(), e);
            }
            assertEquals(str(c, "reencoded"), HEX.formatHex(h.encode()), "re-encoding");
            assertEquals(str(c, "hash"), HEX.formatHex(h.hash().toByteArray()), "hash");
          } else {
            InvalidHeaderException e =
                assertThrows(
                    InvalidHeaderException.class,
                    () -> type.decode(wire),
                    "Go rejects with \"" + str(c, "go_error") + "\"");
            assertFalse(e.getMessage().isEmpty());
          }
        });
  }

  private static HeaderType<?> typeOf(String name) {
    switch (name) {
      case "SignedHeader":
        return EvNodeTypes.SIGNED_HEADER;
      case "P2PSignedHeader":
        return EvNodeTypes.P2P_SIGNED_HEADER;
      case "Data":
        return EvNodeTypes.DATA;
      case "P2PData":
        return EvNodeTypes.P2P_DATA;
      default:
        throw new IllegalArgumentException(name);
    }
  }
}
