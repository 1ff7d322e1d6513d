package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.libp2p.pubsub.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our FloodSub against go-libp2p-pubsub v0.16.0 FloodSub as ev-node runs it (StrictSign, default
 * message id, 5 MiB), over loopback TCP, both dial directions. Go's stderr must show no protocol
 * error.
 */
@Tag("interop")
class PubsubGoInteropTest {
  enum Dial {
    JAVA_DIALS,
    GO_DIALS
  }

  static final long T = 60;
  static final String TOPIC = "/gm-headerSync/header-sub/v0.0.1";
  static final HexFormat HEX = HexFormat.of();

  private GoPeer go;
  private Host host;
  private PubSub pubsub;
  private Subscription sub;
  private PeerId goId;

  @BeforeEach
  void start() throws Exception {
    go = new GoPeer(7);
    go.ok(
        "\"cmd\":\"pubsub-join\",\"topic\":\"" + TOPIC + "\"",
        T); // before connecting: identify lists floodsub
    byte[] seed = new byte[32];
    new Random(42).nextBytes(seed);
    PrivateKey key = PrivateKey.ed25519FromSeed(seed);
    host = Host.builder(key).listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build();
    pubsub = PubSub.builder(host, key).maxMessageSize(PubSub.EVNODE_MAX_MESSAGE_SIZE).build();
    pubsub.start().get(T, TimeUnit.SECONDS);
    sub = pubsub.subscribe(TOPIC);
    host.start().get(T, TimeUnit.SECONDS);
    goId = PeerId.parse(go.peerId());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      pubsub.close();
      host.close();
    } finally {
      go.close();
    }
    if (!go.stderr().isEmpty()) {
      System.err.println("go peer stderr:\n" + go.stderr());
    }
    String bad =
        go.stderr()
            .lines()
            .filter(l -> HostGoInteropTest.PROTOCOL_ERROR.matcher(l).find())
            .reduce("", (a, b) -> a + b + "\n");
    assertEquals("", bad, "go-libp2p logged protocol errors; its whole stderr:\n" + go.stderr());
  }

  private void connectAndLink(Dial dial) throws Exception {
    if (dial == Dial.JAVA_DIALS) {
      assertEquals(goId, host.connect(Multiaddr.parse(go.tcpAddress())).get(T, TimeUnit.SECONDS));
    } else {
      go.ok("\"cmd\":\"connect\",\"addr\":\"" + host.listenAddresses().get(0) + "\"", T);
    }
    pubsub.awaitPeer(TOPIC, goId).get(T, TimeUnit.SECONDS);
    go.ok(
        "\"cmd\":\"pubsub-wait-peer\",\"topic\":\""
            + TOPIC
            + "\",\"peer\":\""
            + host.peerId()
            + "\"",
        T);
  }

  private <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(T, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void goReceivesWhatJavaPublishes(Dial dial) throws Exception {
    connectAndLink(dial);
    for (int i = 0; i < 20; i++) {
      byte[] data = ("from java " + i).getBytes(StandardCharsets.UTF_8);
      get(pubsub.publish(TOPIC, data));
      Message ours = get(sub.next()); // our own publishes reach our subscription too
      String got = go.ok("\"cmd\":\"pubsub-next\",\"topic\":\"" + TOPIC + "\",\"millis\":30000", T);
      assertEquals(host.peerId().toString(), GoPeer.string(got, "from"), got);
      assertEquals(host.peerId().toString(), GoPeer.string(got, "receivedFrom"), got);
      assertEquals(HEX.formatHex(ours.seqno()), GoPeer.string(got, "seqno"), got);
      assertEquals(HEX.formatHex(data), GoPeer.string(got, "data"), got);
      assertTrue(got.contains("\"signed\":true") && got.contains("\"hasKey\":false"), got);
    }
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void javaReceivesWhatGoPublishes(Dial dial) throws Exception {
    connectAndLink(dial);
    long previous = 0;
    for (int i = 0; i < 20; i++) {
      byte[] data = ("from go " + i).getBytes(StandardCharsets.UTF_8);
      go.ok(
          "\"cmd\":\"pubsub-publish\",\"topic\":\""
              + TOPIC
              + "\",\"data\":\""
              + HEX.formatHex(data)
              + "\"",
          T);
      Message m = get(sub.next());
      assertArrayEquals(data, m.data());
      assertEquals(goId, m.from().orElseThrow());
      assertEquals(goId, m.receivedFrom());
      assertEquals(TOPIC, m.topic());
      assertEquals(8, m.seqno().length);
      assertTrue(m.seqnoAsLong() > previous, "Go's seqno counts up");
      previous = m.seqnoAsLong();
      assertEquals(64, m.signature().length);
      assertEquals(0, m.key().length);
    }
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void largeMessagesUnderTheEvNodeLimitPassBothWays(Dial dial) throws Exception {
    connectAndLink(dial);
    byte[] data = new byte[3 << 20];
    new Random(1).nextBytes(data);
    get(pubsub.publish(TOPIC, data));
    get(sub.next());
    String got = go.ok("\"cmd\":\"pubsub-next\",\"topic\":\"" + TOPIC + "\",\"millis\":30000", T);
    assertEquals(
        HEX.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data)),
        GoPeer.string(got, "dataSha256"));

    go.ok(
        "\"cmd\":\"pubsub-publish\",\"topic\":\""
            + TOPIC
            + "\",\"data\":\""
            + HEX.formatHex(data)
            + "\"",
        T);
    assertArrayEquals(data, get(sub.next()).data());
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void peersListEachOther(Dial dial) throws Exception {
    connectAndLink(dial);
    assertEquals(java.util.Set.of(goId), get(pubsub.peers(TOPIC)));
    String peers = go.ok("\"cmd\":\"pubsub-peers\",\"topic\":\"" + TOPIC + "\"", T);
    assertEquals(java.util.List.of(host.peerId().toString()), GoPeer.strings(peers, "peers"));
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void goLearnsOfJavaWhenItJoinsAfterConnecting(Dial dial) throws Exception {
    try (GoPeer late = new GoPeer(8)) {
      PeerId lateId = PeerId.parse(late.peerId());
      if (dial == Dial.JAVA_DIALS) {
        get(host.connect(Multiaddr.parse(late.tcpAddress())));
      } else {
        late.ok("\"cmd\":\"connect\",\"addr\":\"" + host.listenAddresses().get(0) + "\"", T);
      }
      // Go starts FloodSub only now: identify push tells us it speaks /floodsub/1.0.0.
      late.ok("\"cmd\":\"pubsub-join\",\"topic\":\"" + TOPIC + "\"", T);
      pubsub.awaitPeer(TOPIC, lateId).get(T, TimeUnit.SECONDS);
      late.ok(
          "\"cmd\":\"pubsub-wait-peer\",\"topic\":\""
              + TOPIC
              + "\",\"peer\":\""
              + host.peerId()
              + "\"",
          T);
      get(pubsub.publish(TOPIC, new byte[] {1, 2, 3}));
      String got =
          late.ok("\"cmd\":\"pubsub-next\",\"topic\":\"" + TOPIC + "\",\"millis\":30000", T);
      assertEquals("010203", GoPeer.string(got, "data"), got);
      String bad =
          late.stderr()
              .lines()
              .filter(l -> HostGoInteropTest.PROTOCOL_ERROR.matcher(l).find())
              .reduce("", (a, b) -> a + b + "\n");
      assertEquals("", bad, late.stderr());
    }
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void javaRelaysBetweenTwoGoNodesThatAreNotConnected(Dial dial) throws Exception {
    try (GoPeer other = new GoPeer(9)) {
      PeerId otherId = PeerId.parse(other.peerId());
      other.ok("\"cmd\":\"pubsub-join\",\"topic\":\"" + TOPIC + "\"", T);
      connectAndLink(dial);
      if (dial == Dial.JAVA_DIALS) {
        get(host.connect(Multiaddr.parse(other.tcpAddress())));
      } else {
        other.ok("\"cmd\":\"connect\",\"addr\":\"" + host.listenAddresses().get(0) + "\"", T);
      }
      pubsub.awaitPeer(TOPIC, otherId).get(T, TimeUnit.SECONDS);
      other.ok(
          "\"cmd\":\"pubsub-wait-peer\",\"topic\":\""
              + TOPIC
              + "\",\"peer\":\""
              + host.peerId()
              + "\"",
          T);
      String goPeers = go.ok("\"cmd\":\"peers\"", T);
      assertEquals(java.util.List.of(host.peerId().toString()), GoPeer.strings(goPeers, "peers"));

      for (int i = 0; i < 10; i++) {
        String hex = HEX.formatHex(("relay " + i).getBytes(StandardCharsets.UTF_8));
        go.ok("\"cmd\":\"pubsub-publish\",\"topic\":\"" + TOPIC + "\",\"data\":\"" + hex + "\"", T);
        go.ok(
            "\"cmd\":\"pubsub-next\",\"topic\":\"" + TOPIC + "\"",
            T); // Go delivers its own message to itself
        String got =
            other.ok("\"cmd\":\"pubsub-next\",\"topic\":\"" + TOPIC + "\",\"millis\":30000", T);
        assertEquals(goId.toString(), GoPeer.string(got, "from"), got);
        assertEquals(host.peerId().toString(), GoPeer.string(got, "receivedFrom"), got);
        assertEquals(hex, GoPeer.string(got, "data"), got);
        assertArrayEquals(HEX.parseHex(hex), get(sub.next()).data());

        String back = HEX.formatHex(("back " + i).getBytes(StandardCharsets.UTF_8));
        other.ok(
            "\"cmd\":\"pubsub-publish\",\"topic\":\"" + TOPIC + "\",\"data\":\"" + back + "\"", T);
        other.ok("\"cmd\":\"pubsub-next\",\"topic\":\"" + TOPIC + "\"", T);
        String gotBack =
            go.ok("\"cmd\":\"pubsub-next\",\"topic\":\"" + TOPIC + "\",\"millis\":30000", T);
        assertEquals(otherId.toString(), GoPeer.string(gotBack, "from"), gotBack);
        assertEquals(back, GoPeer.string(gotBack, "data"), gotBack);
        assertArrayEquals(HEX.parseHex(back), get(sub.next()).data());
      }
      String bad =
          other
              .stderr()
              .lines()
              .filter(l -> HostGoInteropTest.PROTOCOL_ERROR.matcher(l).find())
              .reduce("", (a, b) -> a + b + "\n");
      assertEquals("", bad, other.stderr());
    }
  }
}
