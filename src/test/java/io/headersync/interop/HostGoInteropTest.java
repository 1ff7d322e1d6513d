package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.ConnectionException;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.host.EchoHandler;
import io.headersync.libp2p.host.StreamIo;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our {@link Host} against a default go-libp2p v0.48 host ({@code interop/peer}) over loopback TCP,
 * every case in both dial directions. Go's stderr must show no protocol error.
 */
@Tag("interop")
class HostGoInteropTest {
  enum Dial {
    JAVA_DIALS,
    GO_DIALS
  }

  static final long T = 60;
  static final int ECHO_STREAMS = 16;
  static final int ECHO_BYTES_PER_STREAM = 4 << 20; // 16 x 4 MiB = 64 MiB

  /** Lines in Go's log that mean something went wrong on the wire. */
  static final Pattern PROTOCOL_ERROR =
      Pattern.compile(
          "(?i)(yamux|noise|multistream|identify|protocol|stream reset|malformed|unexpected|invalid|panic)");

  private GoPeer go;
  private Host host;
  private final ConnectionGater gater = new ConnectionGater();
  private final LinkedBlockingQueue<PeerInfo> identified = new LinkedBlockingQueue<>();
  private PeerId goId;

  @BeforeEach
  void start() throws Exception {
    go = new GoPeer(7);
    byte[] seed = new byte[32];
    new Random(42).nextBytes(seed);
    host =
        Host.builder(PrivateKey.ed25519FromSeed(seed))
            .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .gater(gater)
            .build();
    host.setStreamHandler(EchoHandler.PROTOCOL, new EchoHandler());
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void identified(PeerInfo info) {
            identified.add(info);
          }
        });
    host.start().get(T, TimeUnit.SECONDS);
    goId = PeerId.parse(go.peerId());
  }

  @AfterEach
  void stop() throws Exception {
    try {
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
            .filter(l -> PROTOCOL_ERROR.matcher(l).find())
            .reduce("", (a, b) -> a + b + "\n");
    assertEquals("", bad, "go-libp2p logged protocol errors; its whole stderr:\n" + go.stderr());
  }

  private String ourAddress() {
    return host.listenAddresses().get(0).toString();
  }

  private void connect(Dial dial) throws Exception {
    if (dial == Dial.JAVA_DIALS) {
      assertEquals(goId, host.connect(Multiaddr.parse(go.tcpAddress())).get(T, TimeUnit.SECONDS));
    } else {
      go.ok("\"cmd\":\"connect\",\"addr\":\"" + ourAddress() + "\"", T);
    }
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void connectsAndExchangesIdentify(Dial dial) throws Exception {
    connect(dial);
    assertTrue(host.connectedPeers().contains(goId));
    String peers = go.ok("\"cmd\":\"peers\"", T);
    assertTrue(GoPeer.strings(peers, "peers").contains(host.peerId().toString()), peers);

    // Go's identify of us lists every protocol we serve
    String answer = go.ok("\"cmd\":\"protocols\",\"peer\":\"" + host.peerId() + "\"", T);
    List<String> theirView = GoPeer.strings(answer, "protocols");
    assertTrue(
        theirView.containsAll(host.protocols()),
        "Go saw " + theirView + ", we serve " + host.protocols());
    assertEquals(Host.DEFAULT_USER_AGENT, GoPeer.string(answer, "agent"));

    // our identify of Go
    PeerInfo info = identified.poll(T, TimeUnit.SECONDS);
    assertTrue(info != null, "no identify of the Go peer");
    assertEquals(goId, info.peer());
    assertTrue(
        info.protocols().containsAll(List.of(Host.IDENTIFY, Host.PING, EchoHandler.PROTOCOL)),
        info.protocols().toString());
    assertEquals("headersync-interop-peer", info.agentVersion());
    assertFalse(info.listenAddresses().isEmpty());
    assertEquals(info.protocols(), host.peerProtocols(goId));
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void pingsBothWays(Dial dial) throws Exception {
    connect(dial);
    String answer = go.ok("\"cmd\":\"ping\",\"peer\":\"" + host.peerId() + "\",\"count\":3", T);
    assertTrue(answer.contains("rttMicros"), answer);
    for (int i = 0; i < 3; i++) {
      assertFalse(host.ping(goId).get(T, TimeUnit.SECONDS).isNegative());
    }
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void goEchoes64MiBThroughUsOverConcurrentStreams(Dial dial) throws Exception {
    connect(dial);
    String answer =
        go.ok(
            "\"cmd\":\"echo\",\"peer\":\""
                + host.peerId()
                + "\",\"streams\":"
                + ECHO_STREAMS
                + ",\"bytes\":"
                + ECHO_BYTES_PER_STREAM,
            600);
    assertTrue(GoPeer.string(answer, "sha256") != null, answer);
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void weEcho64MiBThroughGoOverConcurrentStreams(Dial dial) throws Exception {
    connect(dial);
    List<CompletableFuture<byte[]>> digests = new ArrayList<>();
    MessageDigest all = MessageDigest.getInstance("SHA-256");
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < ECHO_STREAMS; i++) {
      byte[] data = new byte[ECHO_BYTES_PER_STREAM];
      new Random(i + 1).nextBytes(data);
      sent.update(StreamIo.sha256(data));
      digests.add(
          host.newStream(goId, EchoHandler.PROTOCOL)
              .thenCompose(s -> StreamIo.echo(s, data))
              .thenApply(StreamIo::sha256));
    }
    for (CompletableFuture<byte[]> d : digests) {
      all.update(d.get(600, TimeUnit.SECONDS));
    }
    assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(all.digest()));
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void peerWeBlockIsRefused(Dial dial) throws Exception {
    gater.blockPeer(goId);
    if (dial == Dial.JAVA_DIALS) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> host.connect(Multiaddr.parse(go.tcpAddress())).get(T, TimeUnit.SECONDS));
      assertEquals(
          ConnectionException.Reason.GATED,
          assertInstanceOf(ConnectionException.class, e.getCause()).reason());
      // without the peer id in the address the gater refuses it after the handshake
      e =
          assertThrows(
              ExecutionException.class,
              () ->
                  host.connect(Multiaddr.parse(go.tcpAddress()).withoutPeerId())
                      .get(T, TimeUnit.SECONDS));
      assertEquals(
          ConnectionException.Reason.GATED,
          assertInstanceOf(ConnectionException.class, e.getCause()).reason());
    } else {
      String answer = go.command("\"cmd\":\"connect\",\"addr\":\"" + ourAddress() + "\"", T);
      assertTrue(answer.contains("\"ok\":false"), answer);
    }
    assertFalse(host.connectedPeers().contains(goId));
    String peers = go.ok("\"cmd\":\"peers\"", T);
    assertFalse(GoPeer.strings(peers, "peers").contains(host.peerId().toString()), peers);
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void peerThatBlocksUsRefusesUs(Dial dial) throws Exception {
    go.ok("\"cmd\":\"block\",\"peer\":\"" + host.peerId() + "\"", T);
    if (dial == Dial.JAVA_DIALS) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> host.connect(Multiaddr.parse(go.tcpAddress())).get(T, TimeUnit.SECONDS));
      assertInstanceOf(ConnectionException.class, e.getCause());
    } else {
      String answer = go.command("\"cmd\":\"connect\",\"addr\":\"" + ourAddress() + "\"", T);
      assertTrue(answer.contains("\"ok\":false"), answer);
    }
    String peers = go.ok("\"cmd\":\"peers\"", T);
    assertFalse(GoPeer.strings(peers, "peers").contains(host.peerId().toString()), peers);
    assertFalse(host.connectedPeers().contains(goId));
  }

  @ParameterizedTest
  @EnumSource(Dial.class)
  void goLearnsOfHandlersAddedLaterThroughIdentifyPush(Dial dial) throws Exception {
    connect(dial);
    go.ok("\"cmd\":\"protocols\",\"peer\":\"" + host.peerId() + "\"", T);
    assertTrue(identified.poll(T, TimeUnit.SECONDS).protocols().contains(Host.IDENTIFY_PUSH));
    host.setStreamHandler("/headersync-test/late/1.0.0", s -> s.close());
    // Go applies a push asynchronously; the peer answers when go-libp2p's protocols-updated event
    // says so.
    go.ok(
        "\"cmd\":\"wait-protocol\",\"peer\":\""
            + host.peerId()
            + "\",\"protocol\":\"/headersync-test/late/1.0.0\"",
        T);
    List<String> seen =
        GoPeer.strings(
            go.ok("\"cmd\":\"protocols\",\"peer\":\"" + host.peerId() + "\"", T), "protocols");
    assertTrue(seen.contains("/headersync-test/late/1.0.0"), seen.toString());
  }
}
