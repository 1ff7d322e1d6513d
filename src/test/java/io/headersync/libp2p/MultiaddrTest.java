package io.headersync.libp2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultiaddrTest {
  static final String PEER = IdentityTest.ED_PEER;

  @Test
  void encodesTheReferenceExamples() {
    String a = "/ip4/1.2.3.4/tcp/26656/p2p/" + PEER;
    Multiaddr m = Multiaddr.parse(a);
    assertEquals(
        "04010203040668" + "20a50326" + "0024" + IdentityTest.ED_PUB, Hex.encode(m.bytes()));
    assertEquals(a, m.toString());
    assertEquals(m, Multiaddr.fromBytes(m.bytes()));
    assertEquals(
        "2900000000000000000000000000000001060fa1",
        Hex.encode(Multiaddr.parse("/ip6/::1/tcp/4001").bytes()));
    assertEquals(
        "360b6578616d706c652e636f6d066820",
        Hex.encode(Multiaddr.parse("/dns4/example.com/tcp/26656").bytes()));
  }

  @Test
  void extractsPeerIdAndTransportPart() {
    Multiaddr m = Multiaddr.parse("/ip4/1.2.3.4/tcp/7676/p2p/" + PEER);
    assertEquals(PeerId.parse(PEER), m.peerId().orElseThrow());
    assertEquals("/ip4/1.2.3.4/tcp/7676", m.withoutPeerId().toString());
    assertEquals(m, m.withoutPeerId().withPeerId(PeerId.parse(PEER)));
    assertTrue(m.isTcpDialable());
    assertEquals("1.2.3.4", m.host().orElseThrow());
    assertEquals(7676, m.tcpPort().getAsInt());
    assertTrue(Multiaddr.parse("/ip4/1.2.3.4/tcp/1").peerId().isEmpty());
  }

  @Test
  void acceptsIpfsAliasCidPeerIdsAndTrailingSlashes() {
    Multiaddr m = Multiaddr.parse("/ip4/1.2.3.4/tcp/7676/ipfs/" + IdentityTest.ED_CID + "//");
    assertEquals("/ip4/1.2.3.4/tcp/7676/p2p/" + PEER, m.toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/ip4/0.0.0.0/tcp/7676",
        "/ip6/2001:db8::1/tcp/65535",
        "/ip6/::ffff:1.2.3.4/tcp/1",
        "/ip6/1:0:2::3:4/tcp/1",
        "/dns/node.example.org/tcp/26656",
        "/dns6/x/tcp/0",
        "/dnsaddr/bootstrap.libp2p.io",
        "/ip4/1.2.3.4/udp/4001/quic-v1",
        "/ip4/1.2.3.4/udp/4001/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
        "/ip4/1.2.3.4/udp/4001/webrtc-direct",
        "/ip4/1.2.3.4/tcp/443/tls/sni/example.com/ws",
        "/ip4/1.2.3.4/tcp/1/wss/p2p-circuit/p2p/" + PEER,
        "/memory/1234567890",
        "/ip6zone/eth0/ip6/fe80::1/tcp/1",
        "/ip4/10.0.0.0/ipcidr/8"
      })
  void roundTripsTextAndBinary(String text) {
    Multiaddr m = Multiaddr.parse(text);
    assertEquals(text, m.toString());
    assertEquals(m, Multiaddr.fromBytes(m.bytes()));
    assertEquals(text, Multiaddr.fromBytes(m.bytes()).toString());
  }

  @Test
  void printsIp6LikeGo() {
    assertEquals("/ip6/1:0:2::3:4/tcp/1", Multiaddr.parse("/ip6/1:0:2:0:0:0:3:4/tcp/1").toString());
    assertEquals("/ip6/::/tcp/1", Multiaddr.parse("/ip6/0:0:0:0:0:0:0:0/tcp/1").toString());
    assertEquals("/ip6/::ffff:1.2.3.4", Multiaddr.parse("/ip6/1.2.3.4").toString());
    assertEquals("/ip6/2001:db8::1:0:0:1", Multiaddr.parse("/ip6/2001:db8:0:0:1:0:0:1").toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "ip4/1.2.3.4",
        "/ip4",
        "/ip4/1.2.3",
        "/ip4/1.2.3.256",
        "/ip4/01.2.3.4",
        "/ip4/example.com",
        "/ip6/1.2.3.4.5",
        "/ip6/fe80::1%eth0",
        "/tcp/65536",
        "/tcp/-1",
        "/tcp/abc",
        "/foo/bar",
        "/dns//tcp/1",
        "/p2p/QmNotAPeer",
        "/unix/tmp/sock",
        "/onion/aaimaq4ygg2iegci:80",
        "/certhash/xyz"
      })
  void rejectsMalformedText(String text) {
    MultiaddrFormatException e =
        assertThrows(MultiaddrFormatException.class, () -> Multiaddr.parse(text));
    assertFalse(e.getMessage().isEmpty());
  }

  @Test
  void namesTheProblem() {
    assertTrue(
        assertThrows(MultiaddrFormatException.class, () -> Multiaddr.parse("/ip4/1.2.3.4/tpc/1"))
            .getMessage()
            .contains("unknown protocol 'tpc'"));
    assertTrue(
        assertThrows(MultiaddrFormatException.class, () -> Multiaddr.parse("/ip4/1.2.3.4/tcp"))
            .getMessage()
            .contains("missing its value"));
  }

  @Test
  void rejectsMalformedBinary() {
    byte[] good = Multiaddr.parse("/ip4/1.2.3.4/tcp/7676/p2p/" + PEER).bytes();
    for (int i = 1; i < good.length; i++) {
      byte[] cut = Arrays.copyOf(good, i);
      if (i == 5 || i == 8) {
        continue; // component boundaries: valid prefixes
      }
      assertThrows(MultiaddrFormatException.class, () -> Multiaddr.fromBytes(cut), "cut at " + i);
    }
    assertThrows(MultiaddrFormatException.class, () -> Multiaddr.fromBytes(new byte[0]));
    assertThrows(MultiaddrFormatException.class, () -> Multiaddr.fromBytes(Hex.decode("7f")));
    assertThrows(MultiaddrFormatException.class, () -> Multiaddr.fromBytes(Hex.decode("8400")));
    assertThrows(MultiaddrFormatException.class, () -> Multiaddr.fromBytes(Hex.decode("3500")));
    assertThrows(MultiaddrFormatException.class, () -> Multiaddr.fromBytes(new byte[2000]));
    assertThrows(
        MultiaddrFormatException.class, () -> Multiaddr.fromBytes(Hex.decode("a503041300aabb")));
  }

  @Test
  void buildsTcpAddresses() {
    assertEquals("/ip4/127.0.0.1/tcp/80", Multiaddr.tcp("127.0.0.1", 80).toString());
    assertEquals("/ip6/::1/tcp/80", Multiaddr.tcp("::1", 80).toString());
    assertEquals("/dns/localhost/tcp/80", Multiaddr.tcp("localhost", 80).toString());
    assertThrows(MultiaddrFormatException.class, () -> Multiaddr.tcp("x", 70000));
  }

  @Test
  void seedListSkipsWhatItCannotDialWithoutFailing() {
    SeedAddresses.Result r =
        SeedAddresses.parseCommaSeparated(
            " /ip4/1.2.3.4/tcp/7676/p2p/"
                + PEER
                + ", ,"
                + "/ip4/1.2.3.4/udp/7676/quic-v1/p2p/"
                + PEER
                + ","
                + "/dns4/seed.example/tcp/26656/p2p/"
                + PEER
                + ","
                + "/ip4/1.2.3.4/tcp/7676,"
                + "/ip4/1.2.3.4/tcp/7676/p2p/"
                + PEER
                + ","
                + "garbage,"
                + "/dnsaddr/bootstrap.example/p2p/"
                + PEER);
    assertEquals(2, r.seeds().size());
    assertEquals("/ip4/1.2.3.4/tcp/7676", r.seeds().get(0).address().toString());
    assertEquals(PeerId.parse(PEER), r.seeds().get(0).peer());
    assertEquals("/dns4/seed.example/tcp/26656", r.seeds().get(1).address().toString());
    List<SeedAddresses.Skipped> s = r.skipped();
    assertEquals(4, s.size());
    assertEquals(SeedAddresses.Reason.UNSUPPORTED_TRANSPORT, s.get(0).reason());
    assertEquals(SeedAddresses.Reason.MISSING_PEER_ID, s.get(1).reason());
    assertEquals(SeedAddresses.Reason.MALFORMED, s.get(2).reason());
    assertEquals("garbage", s.get(2).input());
    assertEquals(SeedAddresses.Reason.UNSUPPORTED_TRANSPORT, s.get(3).reason());
  }

  /** {input, Go bytes, Go text} from go-multiaddr v0.16.1's NewMultiaddr/Bytes/String. */
  static final String[][] GO_VECTORS = {
    {
      "/ip4/1.2.3.4/tcp/7676/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
      "0401020304061dfca503260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
      "/ip4/1.2.3.4/tcp/7676/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq"
    },
    {
      "/ip6/2001:db8:0:0:1:0:0:1/tcp/4001",
      "2920010db8000000000001000000000001060fa1",
      "/ip6/2001:db8::1:0:0:1/tcp/4001"
    },
    {
      "/ip6/::ffff:1.2.3.4/tcp/1",
      "2900000000000000000000ffff01020304060001",
      "/ip6/::ffff:1.2.3.4/tcp/1"
    },
    {"/ip6/1.2.3.4/tcp/1", "2900000000000000000000ffff01020304060001", "/ip6/::ffff:1.2.3.4/tcp/1"},
    {
      "/dns/node.example.org/tcp/26656",
      "35106e6f64652e6578616d706c652e6f7267066820",
      "/dns/node.example.org/tcp/26656"
    },
    {
      "/ip4/1.2.3.4/udp/4001/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
      "040102030491020fa1cd03d103d203221220c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2",
      "/ip4/1.2.3.4/udp/4001/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g"
    },
    {
      "/ip4/1.2.3.4/udp/4001/webrtc-direct",
      "040102030491020fa19802",
      "/ip4/1.2.3.4/udp/4001/webrtc-direct"
    },
    {
      "/ip4/1.2.3.4/tcp/443/tls/sni/example.com/ws",
      "04010203040601bbc003c1030b6578616d706c652e636f6ddd03",
      "/ip4/1.2.3.4/tcp/443/tls/sni/example.com/ws"
    },
    {
      "/ip4/1.2.3.4/tcp/1/ipfs/QmZoiMqf1VcrzjDSGE4o34K13XMZfBm6WeKr1pWixbFr5Z/p2p-circuit",
      "0401020304060001a503221220aa5f5da1a21f7c4dd8c20dd8cc1fd1ceac0302cb5518dc5e6f5cfa8cde91985ca202",
      "/ip4/1.2.3.4/tcp/1/p2p/QmZoiMqf1VcrzjDSGE4o34K13XMZfBm6WeKr1pWixbFr5Z/p2p-circuit"
    },
    {"/memory/1234567890", "890600000000499602d2", "/memory/1234567890"},
    {
      "/ip4/1.2.3.4/tcp/7676/p2p/bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6/",
      "0401020304061dfca503260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
      "/ip4/1.2.3.4/tcp/7676/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq"
    },
  };

  @Test
  void matchesGoMultiaddrBytesAndText() {
    for (String[] v : GO_VECTORS) {
      Multiaddr m = Multiaddr.parse(v[0]);
      assertEquals(v[1], Hex.encode(m.bytes()), v[0]);
      assertEquals(v[2], m.toString(), v[0]);
      assertEquals(v[2], Multiaddr.fromBytes(Hex.decode(v[1])).toString(), v[0]);
    }
  }

  @Test
  void rejectsTextWhoseBinaryFormIsOverTheLimit() {
    // Found by IdentityFuzzTest#multiaddrParse: under 1024 chars, but a non-ASCII DNS name takes
    // two
    // bytes per char, so parse accepted an address that fromBytes rejects.
    String text = "/dns4/" + "\u00ff".repeat(600) + "/tcp/1";
    assertTrue(text.length() <= Multiaddr.MAX_LENGTH);
    MultiaddrFormatException e =
        assertThrows(MultiaddrFormatException.class, () -> Multiaddr.parse(text));
    assertTrue(e.getMessage().contains("longer than " + Multiaddr.MAX_LENGTH), e.getMessage());
    String fits = "/dns4/" + "\u00ff".repeat(400) + "/tcp/1";
    assertEquals(Multiaddr.parse(fits), Multiaddr.fromBytes(Multiaddr.parse(fits).bytes()));
  }
}
