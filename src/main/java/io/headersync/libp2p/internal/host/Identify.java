package io.headersync.libp2p.internal.host;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.annotation.Nullable;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.libp2p.internal.pb.IdentifyProto;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Identify ({@value #PROTOCOL}) and identify push ({@value #PUSH}): asks every new connection's
 * peer what it is, answers the same question, and pushes our protocols to peers that accept pushes
 * when the handler table changes (also to a peer whose identify finished after a change).
 */
public final class Identify {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(Identify.class);

  /** Identify's protocol id. */
  public static final String PROTOCOL = "/ipfs/id/1.0.0";

  /** Identify push's protocol id. */
  public static final String PUSH = "/ipfs/id/push/1.0.0";

  /** The protocol version we announce. */
  public static final String PROTOCOL_VERSION = "ipfs/0.1.0";

  /** The longest identify message read (a longer one fails the identify stream). */
  public static final int MAX_MESSAGE = 8192;

  /** At most this many identify messages are read from one stream and merged. */
  public static final int MAX_MESSAGES = 10;

  private final HostRuntime rt;
  private final Connections connections;
  private final Streams streams;
  private final Supplier<List<Multiaddr>> boundAddresses;

  /** Incremented whenever the handler table changes. */
  private final AtomicLong protocolsVersion = new AtomicLong();

  Identify(
      HostRuntime rt,
      Connections connections,
      Streams streams,
      Supplier<List<Multiaddr>> boundAddresses) {
    this.rt = rt;
    this.connections = connections;
    this.streams = streams;
    this.boundAddresses = boundAddresses;
  }

  /** Asks the peer of a newly registered connection (event loop). */
  void identify(Connection conn) {
    long versionAtStart = protocolsVersion.get();
    streams
        .open(conn, List.of(PROTOCOL))
        .thenCompose(
            s -> {
              s.setDeadline(rt.config.limits().identifyTimeout());
              IdentifyProto.Identify.Builder merged = IdentifyProto.Identify.newBuilder();
              return read(s, merged, 0)
                  .whenComplete((v, t) -> s.close())
                  .thenApply(v -> merged.build());
            })
        .whenComplete(
            (msg, t) -> {
              if (t != null) {
                log.debug("identify with {} failed: {}", conn.remotePeer(), t.toString());
                conn.identified.complete(null);
                return;
              }
              connections.identified(toPeerInfo(conn.remotePeer(), msg));
              conn.identified.complete(null);
              if (protocolsVersion.get() != versionAtStart) {
                // our handlers changed while we did not know yet whether the peer takes pushes
                push(conn);
              }
            });
  }

  private static CompletableFuture<Void> read(
      Stream s, IdentifyProto.Identify.Builder merged, int count) {
    return s.readMessage(MAX_MESSAGE)
        .thenCompose(
            m -> {
              if (m.isEmpty()) {
                return CompletableFuture.completedFuture(null);
              }
              try {
                merged.mergeFrom(m.get());
              } catch (InvalidProtocolBufferException e) {
                throw new CompletionException(
                    new StreamException(
                        StreamException.Reason.CLOSED, "malformed identify message", e));
              }
              if (count + 1 >= MAX_MESSAGES) {
                return CompletableFuture.completedFuture(null);
              }
              return read(s, merged, count + 1);
            });
  }

  /**
   * What a peer's (merged) identify message says; addresses we cannot parse are skipped. Never
   * throws for peer input. Public for the fuzz harness ({@code
   * io.headersync.fuzz.IdentityFuzzTest}).
   *
   * @param peer the peer the message came from
   * @param msg its merged identify messages
   * @return what we know of the peer
   */
  public static PeerInfo toPeerInfo(PeerId peer, IdentifyProto.Identify msg) {
    List<Multiaddr> addrs = new ArrayList<>();
    for (ByteString b : msg.getListenAddrsList()) {
      try {
        addrs.add(Multiaddr.fromBytes(b.toByteArray()));
      } catch (RuntimeException e) {
        // an address we cannot parse (a transport we do not know): skip it
      }
    }
    Optional<Multiaddr> observed = Optional.empty();
    if (msg.hasObservedAddr()) {
      try {
        observed = Optional.of(Multiaddr.fromBytes(msg.getObservedAddr().toByteArray()));
      } catch (RuntimeException e) {
        // skip
      }
    }
    return new PeerInfo(
        peer,
        msg.getProtocolsList(),
        msg.getAgentVersion(),
        msg.getProtocolVersion(),
        addrs,
        observed);
  }

  private IdentifyProto.Identify message(Connection conn) {
    IdentifyProto.Identify.Builder msg =
        IdentifyProto.Identify.newBuilder()
            .setProtocolVersion(PROTOCOL_VERSION)
            .setAgentVersion(rt.config.userAgent())
            .setPublicKey(ByteString.copyFrom(rt.config.identity().publicKey().bytes()))
            .setObservedAddr(ByteString.copyFrom(conn.remoteAddress().bytes()))
            .addAllProtocols(streams.protocols());
    for (Multiaddr a : boundAddresses.get()) {
      msg.addListenAddrs(ByteString.copyFrom(a.bytes()));
    }
    return msg.build();
  }

  /** Serves {@value #PROTOCOL}: our identify message, then a half-close. */
  void serve(Stream s) {
    StreamBridge b = (StreamBridge) s;
    s.setDeadline(rt.config.limits().identifyTimeout());
    send(s, message(b.connection()));
  }

  private static void send(Stream s, IdentifyProto.Identify msg) {
    s.writeMessage(msg.toByteArray())
        .thenCompose(v -> s.closeWrite())
        .whenComplete(
            (v, t) -> {
              if (t != null) {
                s.reset();
              } else {
                s.close();
              }
            });
  }

  /**
   * The handler table changed: tells every connected peer that accepts {@value #PUSH} our
   * protocols.
   */
  void protocolsChanged() {
    protocolsVersion.incrementAndGet();
    push(null);
  }

  /** Pushes to {@code only}, or to every peer when null. */
  private void push(@Nullable Connection only) {
    if (!rt.running()) {
      return;
    }
    List<Connection> targets =
        connections.onePerPeer(
            c -> (only == null || only == c) && connections.supports(c.remotePeer(), PUSH));
    for (Connection c : targets) {
      streams
          .open(c, List.of(PUSH))
          .whenComplete(
              (s, t) -> {
                if (t != null) {
                  log.debug("identify push to {} failed: {}", c.remotePeer(), t.toString());
                  return;
                }
                s.setDeadline(rt.config.limits().identifyTimeout());
                send(s, message(c));
              });
    }
  }

  /** Serves {@value #PUSH}: fields the peer sent replace what its identify said. */
  void servePush(Stream s) {
    s.setDeadline(rt.config.limits().identifyTimeout());
    IdentifyProto.Identify.Builder merged = IdentifyProto.Identify.newBuilder();
    read(s, merged, 0)
        .whenComplete(
            (v, t) -> {
              if (t != null) {
                s.reset();
                return;
              }
              s.close();
              IdentifyProto.Identify msg = merged.build();
              PeerInfo pushed = toPeerInfo(s.remotePeer(), msg);
              connections.pushed(
                  s.remotePeer(),
                  old ->
                      old == null
                          ? pushed
                          : new PeerInfo(
                              pushed.peer(),
                              pushed.protocols(),
                              msg.hasAgentVersion() ? pushed.agentVersion() : old.agentVersion(),
                              msg.hasProtocolVersion()
                                  ? pushed.protocolVersion()
                                  : old.protocolVersion(),
                              msg.getListenAddrsCount() > 0
                                  ? pushed.listenAddresses()
                                  : old.listenAddresses(),
                              pushed.observedAddress().or(old::observedAddress)));
            });
  }
}
