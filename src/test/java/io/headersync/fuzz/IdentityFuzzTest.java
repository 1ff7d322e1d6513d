package io.headersync.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.libp2p.KeyFormatException;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.MultiaddrFormatException;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerIdFormatException;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.PublicKey;
import io.headersync.libp2p.internal.encoding.Uvarint;
import io.headersync.libp2p.internal.encoding.Uvarint.VarintException;
import io.headersync.libp2p.internal.host.Identify;
import io.headersync.libp2p.internal.pb.IdentifyProto;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/** Multiaddrs, peer ids, public keys and identify messages from peers. */
class IdentityFuzzTest {
  private static final PeerId PEER =
      PeerId.fromBytes(
          new byte[] {
            0x12, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
            22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
          });

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void multiaddrFromBytes(byte[] input) {
    Multiaddr m;
    try {
      m = Multiaddr.fromBytes(input);
    } catch (RuntimeException e) {
      Fuzz.expect(e, MultiaddrFormatException.class);
      return;
    }
    if (!Arrays.equals(input, m.bytes())) {
      throw new AssertionError("fromBytes accepted a non-canonical encoding of " + m);
    }
    m.toString();
    m.host();
    m.tcpPort();
    m.isTcpDialable();
    m.components().forEach(c -> c.valueText());
    try {
      m.peerId();
    } catch (RuntimeException e) {
      Fuzz.expect(e, PeerIdFormatException.class, KeyFormatException.class);
    }
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void multiaddrParse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Multiaddr m;
    try {
      m = Multiaddr.parse(text);
    } catch (RuntimeException e) {
      Fuzz.expect(e, MultiaddrFormatException.class);
      return;
    }
    Multiaddr again = Multiaddr.fromBytes(m.bytes());
    if (!again.equals(m)) {
      throw new AssertionError("parse/bytes round trip changed " + text);
    }
    m.toString();
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void peerIdFromBytes(byte[] input) {
    PeerId id;
    try {
      id = PeerId.fromBytes(input);
    } catch (RuntimeException e) {
      Fuzz.expect(e, PeerIdFormatException.class);
      return;
    }
    id.toBase58();
    id.toCid();
    try {
      id.publicKey();
    } catch (RuntimeException e) {
      Fuzz.expect(e, KeyFormatException.class);
    }
    if (!PeerId.parse(id.toBase58()).equals(id)) {
      throw new AssertionError("base58 round trip changed " + id);
    }
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void peerIdParse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      PeerId.parse(text).toString();
    } catch (RuntimeException e) {
      Fuzz.expect(e, PeerIdFormatException.class);
    }
  }

  @FuzzTest(maxDuration = Fuzz.DURATION)
  void publicKey(byte[] protobuf) {
    PublicKey key;
    try {
      key = PublicKey.unmarshal(protobuf);
    } catch (RuntimeException e) {
      Fuzz.expect(e, KeyFormatException.class);
      return;
    }
    // documented: false for a wrong or malformed signature, never throws
    key.verify(protobuf, Arrays.copyOf(protobuf, 64));
    key.verify(protobuf, protobuf);
    PeerId.fromPublicKey(key).matches(key);
  }

  /**
   * Identify messages as {@code Identify} reads them: uvarint-delimited messages of at most 8 KiB
   * (at most 10), merged, then {@code toPeerInfo}. A malformed prefix or protobuf ends the stream.
   */
  @FuzzTest(maxDuration = Fuzz.DURATION)
  void identify(byte[] input) {
    IdentifyProto.Identify.Builder merged = IdentifyProto.Identify.newBuilder();
    int[] pos = {0};
    for (int i = 0; i < Identify.MAX_MESSAGES && pos[0] < input.length; i++) {
      long len;
      try {
        len = Uvarint.read(input, pos, Uvarint.Format.MULTIFORMATS);
      } catch (VarintException e) {
        return;
      }
      if (len > Identify.MAX_MESSAGE || len > input.length - pos[0]) {
        return;
      }
      try {
        merged.mergeFrom(Arrays.copyOfRange(input, pos[0], pos[0] + (int) len));
      } catch (InvalidProtocolBufferException e) {
        return; // Identify fails the identify stream
      }
      pos[0] += (int) len;
    }
    PeerInfo info = Identify.toPeerInfo(PEER, merged.build());
    info.toString();
    Optional<Multiaddr> observed = info.observedAddress();
    observed.ifPresent(Multiaddr::toString);
    info.listenAddresses().forEach(Multiaddr::toString);
  }
}
