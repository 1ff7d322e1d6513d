package io.headersync.cli;

import io.headersync.HeaderSyncException;
import io.headersync.libp2p.ConnectionException;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks a node makes before it starts syncing, so that what is wrong is said at once and in one
 * line: a listen port in use, and for each seed whether it can be reached, is the peer its address
 * names, and serves this chain's header exchange.
 */
final class PeerChecks {
  private PeerChecks() {}

  /**
   * Binds each TCP listen address for a moment.
   *
   * @throws HeaderSyncException naming the address, if one cannot be bound
   */
  static void listenable(List<Multiaddr> listen) {
    for (Multiaddr a : listen) {
      Optional<String> host = a.host();
      OptionalInt port = a.tcpPort();
      if (host.isEmpty() || port.isEmpty() || port.getAsInt() == 0) {
        continue;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true); // as the node's own listener: a socket in TIME_WAIT is no obstacle
        s.bind(new InetSocketAddress(host.get(), port.getAsInt()));
      } catch (BindException e) {
        throw new HeaderSyncException(
            "cannot listen on "
                + a
                + ": "
                + reason(e, "address already in use")
                + "; another node on this host? Give another --listen, e.g. "
                + Multiaddr.tcp(host.get(), port.getAsInt() + 1));
      } catch (IOException e) {
        throw new HeaderSyncException("cannot listen on " + a + ": " + reason(e, e.toString()));
      }
    }
  }

  private static String reason(IOException e, String fallback) {
    String m = e.getMessage();
    return m == null
        ? fallback
        : m.replace(" (Bind failed)", "").toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Each seed that cannot be used, with the reason in one line: a dial that failed (refused, timed
   * out, another peer at that address), or a peer that serves another chain's header exchange.
   * Seeds already connected are not dialled again.
   */
  static List<String> seedProblems(
      Host host, List<Multiaddr> seeds, String protocol, Duration timeout)
      throws InterruptedException {
    List<String> problems = new ArrayList<>();
    for (Multiaddr seed : seeds) {
      Optional<String> p = seedProblem(host, seed, protocol, timeout);
      p.ifPresent(s -> problems.add("seed " + seed + ": " + s));
    }
    return problems;
  }

  private static Optional<String> seedProblem(
      Host host, Multiaddr seed, String protocol, Duration timeout) throws InterruptedException {
    if (seed.peerId().filter(host.peerId()::equals).isPresent()) {
      return Optional.of("that is this node itself");
    }
    PeerId peer;
    try {
      peer = host.connect(seed).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return Optional.of(
          "no answer within " + timeout.toSeconds() + " s (a firewall, or the wrong address?)");
    } catch (ExecutionException | CompletionException e) {
      return Optional.of(dialFailure(e.getCause() != null ? e.getCause() : e, seed));
    }
    // identify tells what the peer serves; it follows the connection by a round trip
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<PeerInfo> info = host.peerInfo(peer);
    while (info.isEmpty() && System.nanoTime() < deadline && host.connectedPeers().contains(peer)) {
      TimeUnit.MILLISECONDS.sleep(20);
      info = host.peerInfo(peer);
    }
    if (info.isEmpty()) {
      return Optional.of(
          "connected, but it did not identify itself within " + timeout.toSeconds() + " s");
    }
    List<String> protocols = info.get().protocols();
    if (protocols.contains(protocol)) {
      return Optional.empty();
    }
    List<String> others = protocols.stream().filter(x -> x.endsWith("/header-ex/v0.0.3")).toList();
    return Optional.of(
        "it does not serve "
            + protocol
            + (others.isEmpty()
                ? " (no header exchange at all)"
                : " but " + String.join(", ", others))
            + ": is this the right --chain-id (and --profile)?");
  }

  /** One line: why a dial failed. */
  static String dialFailure(Throwable e, Multiaddr seed) {
    String where =
        seed.host().orElse("?")
            + seed.tcpPort().stream().mapToObj(p -> ":" + p).findFirst().orElse("");
    if (e instanceof ConnectionException c) {
      switch (c.reason()) {
        case PEER_ID_MISMATCH:
          return "another peer answers at "
              + where
              + ": "
              + c.getMessage()
              + " (wrong /p2p/ id in --peers?)";
        case GATED:
          return "refused by our connection gater: " + c.getMessage();
        case LIMIT:
          return "our connection limit is reached: " + c.getMessage();
        default:
          break;
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof ConnectException
          || root instanceof NoRouteToHostException
          || root instanceof UnknownHostException) {
        break;
      }
      root = root.getCause();
    }
    if (root instanceof ConnectException && String.valueOf(root.getMessage()).contains("refused")) {
      return "connection refused: nothing listens at " + where + " (is the peer running?)";
    }
    if (root instanceof NoRouteToHostException) {
      return "no route to " + where;
    }
    if (root instanceof UnknownHostException) {
      return "unknown host " + root.getMessage();
    }
    if (String.valueOf(root.getMessage())
        .toLowerCase(java.util.Locale.ROOT)
        .contains("timed out")) {
      return "timed out connecting to " + where + " (a firewall, or the wrong address?)";
    }
    String m = root.getMessage() != null ? root.getMessage() : root.toString();
    return m.length() > 200 ? m.substring(0, 200) + "…" : m;
  }
}
