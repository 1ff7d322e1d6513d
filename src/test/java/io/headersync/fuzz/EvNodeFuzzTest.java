package io.headersync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.headersync.Header;
import io.headersync.InvalidHeaderException;
import io.headersync.evnode.Data;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignedHeader;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Function;

/**
 * ev-node headers and data from peers (gossip payloads, exchange bodies): decode, then what the
 * syncer and subscriber do with a decoded value (validate with a fixed clock, hash, re-encode, and
 * the signature check for headers).
 */
class EvNodeFuzzTest {
  /** The vectors' "now" (2026-01-02T00:00:00Z): the seed headers are valid at this time. */
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1767312000L), ZoneOffset.UTC);

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void p2pSignedHeader(byte[] input) {
    P2PSignedHeader h = decodeAndCheck(input, P2PSignedHeader::decode);
    if (h != null) {
      signature(h::verifySignature);
    }
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void signedHeader(byte[] input) {
    SignedHeader h = decodeAndCheck(input, SignedHeader::decode);
    if (h != null) {
      signature(h::verifySignature);
    }
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void p2pData(byte[] input) {
    decodeAndCheck(input, P2PData::decode);
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void data(byte[] input) {
    Data d = decodeAndCheck(input, Data::decode);
    if (d != null) {
      Data.daCommitment(d.txs());
    }
  }

  private static <H extends Header> H decodeAndCheck(byte[] input, Function<byte[], H> decode) {
    H h;
    try {
      h = decode.apply(input);
    } catch (RuntimeException e) {
      Fuzz.expect(e, InvalidHeaderException.class);
      return null;
    }
    h.hash();
    h.lastHeaderHash();
    h.chainId();
    h.time();
    h.isZero();
    if (h.height() < 0) {
      throw new AssertionError("negative height " + h.height());
    }
    byte[] encoded = h.encode();
    H again = decode.apply(encoded);
    if (!again.hash().equals(h.hash())) {
      throw new AssertionError("re-encoding changed the hash");
    }
    try {
      h.validate(CLOCK);
    } catch (RuntimeException e) {
      Fuzz.expect(e, InvalidHeaderException.class);
    }
    return h;
  }

  private static void signature(Runnable verify) {
    try {
      verify.run();
    } catch (RuntimeException e) {
      Fuzz.expect(e, InvalidHeaderException.class);
    }
  }
}
