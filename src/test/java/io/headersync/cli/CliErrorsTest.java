package io.headersync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PClient;
import io.headersync.service.P2PConfig;
import io.headersync.store.RocksDbStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors that say what to do (issue 15 item 3): ports, seeds, chain id, data directories. */
class CliErrorsTest extends CliTestBase {

  private List<String> node(Path dir, String chainId, String peers, String... more) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "node",
                "--chain-id",
                chainId,
                "--peers",
                peers,
                "--data-dir",
                dir.toString(),
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--discovery",
                "off",
                "--seconds",
                "5"));
    cmd.addAll(List.of(more));
    return cmd;
  }

  private static long count(String text, String part) {
    return text.lines().filter(l -> l.contains(part)).count();
  }

  @Test
  void aPortInUseIsReportedAtOnceWithTheAddress(@TempDir Path dir) throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String addr = "/ip4/127.0.0.1/tcp/" + taken.getLocalPort();
      List<String> cmd = node(dir, "gm", "/ip4/127.0.0.1/tcp/1/p2p/" + peerId());
      cmd.set(cmd.indexOf("/ip4/127.0.0.1/tcp/0"), addr);
      assertEquals(1, main.run(cmd));
      assertTrue(
          err()
              .startsWith(
                  "headersync node: cannot listen on "
                      + addr
                      + ": address already in use; another "
                      + "node on this host? Give another --listen, e.g. /ip4/127.0.0.1/tcp/"
                      + (taken.getLocalPort() + 1)),
          err());
      assertEquals(1, err().lines().count(), err());
    }
  }

  @Test
  void aRefusedSeedIsReportedOnceWithItsCause(@TempDir Path dir) throws IOException {
    // A port bound but not listening: a dial is refused, and no one else (our own node) can take
    // it.
    try (Socket bound = new Socket()) {
      bound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = bound.getLocalPort();
      String seed = "/ip4/127.0.0.1/tcp/" + port + "/p2p/" + peerId();
      assertEquals(1, main.run(node(dir, "gm", seed)));
      // Linux may pair our dial's ephemeral port with the target port itself (a TCP self-connect,
      // which
      // then fails in the handshake): the refusal this test is about did not happen; try another
      // day.
      org.junit.jupiter.api.Assumptions.assumeFalse(
          err().contains("connection closed during the upgrade"),
          "a TCP self-connect to " + port + ": " + err());
      assertRefused(seed, port);
    }
  }

  private void assertRefused(String seed, int port) {
    assertEquals(
        1, count(err(), "connection refused: nothing listens at 127.0.0.1:" + port), err());
    assertTrue(err().contains("headersync node: seed " + seed + ": connection refused"), err());
    assertTrue(
        err().contains("no seed can be used (see above) and the store is empty: fix --peers"),
        err());
    assertFalse(err().contains("no dialable address"), err());
    assertEquals(2, err().lines().count(), err());
  }

  @Test
  void aWrongPeerIdAndAWrongChainIdAreNamed(@TempDir Path dir) throws Exception {
    P2PClient p2p =
        P2PClient.create(
            P2PConfig.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build(),
            NetworkProfile.SEED);
    HeaderSyncService<P2PSignedHeader> headers =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
            .p2p(p2p)
            .blockTime(Duration.ofMillis(100))
            .build();
    try {
      p2p.start().get(10, TimeUnit.SECONDS);
      headers.start().get(10, TimeUnit.SECONDS);
      Multiaddr addr = p2p.addresses().get(0);
      String wrongId = addr.withoutPeerId() + "/p2p/" + peerId();
      assertEquals(1, main.run(node(dir.resolve("a"), "gm", wrongId)));
      assertEquals(1, count(err(), "another peer answers at 127.0.0.1:"), err());
      assertTrue(err().contains("wrong /p2p/ id in --peers?"), err());
      err.reset();
      assertEquals(1, main.run(node(dir.resolve("b"), "wrongchain", addr.toString())));
      assertTrue(
          err()
              .contains(
                  "it does not serve /wrongchain/header-ex/v0.0.3 but /gm/header-ex/v0.0.3: is this "
                      + "the right --chain-id (and --profile)?"),
          err());
      assertEquals(2, err().lines().count(), err());
    } finally {
      headers.close();
      p2p.close();
    }
  }

  @Test
  void dataDirProblemsNameTheReason(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("afile"), "x");
    assertEquals(1, main.run(node(file, "gm", "/ip4/127.0.0.1/tcp/1/p2p/" + peerId())));
    assertTrue(
        err().contains("--data-dir " + file.toAbsolutePath() + " is a file, not a directory"),
        err());
    err.reset();
    assertEquals(
        1, main.run(node(file.resolve("sub"), "gm", "/ip4/127.0.0.1/tcp/1/p2p/" + peerId())));
    assertTrue(
        err().contains("is a file, not a directory") || err().contains("Not a directory"), err());
    err.reset();
    // A store another node holds open: said at once, with who holds it.
    Path busy = dir.resolve("busy");
    try (RocksDbStore<P2PSignedHeader> held =
        RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER).path(busy.resolve("headers")).build()) {
      assertEquals(1, main.run(node(busy, "gm", "/ip4/127.0.0.1/tcp/1/p2p/" + peerId())));
      assertTrue(
          err()
              .contains(
                  "--data-dir "
                      + busy.toAbsolutePath()
                      + " is in use: its store headers/ is locked by "
                      + "this process (pid "
                      + ProcessHandle.current().pid()
                      + "); stop that node or choose another --data-dir"),
          err());
    }
  }

  private static String peerId() {
    return PrivateKey.generateEd25519(new SecureRandom()).peerId().toString();
  }
}
