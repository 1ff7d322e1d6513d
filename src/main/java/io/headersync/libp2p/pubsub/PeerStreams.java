package io.headersync.libp2p.pubsub;

import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-peer streams of a {@link PubSub}: one write-only outbound stream per peer, opened when
 * identify lists one of the router's protocols and starting with a hello of our subscriptions; the
 * peer's inbound streams, only read (uvarint-framed RPCs of at most the maximum message size); at
 * most {@code peerQueueSize} unfinished writes per peer, beyond that RPCs are dropped. Also what we
 * know of each peer's connection (direction, IP) and its subscriptions. Router thread only, but for
 * the connection listener, which hands every event to the router.
 */
final class PeerStreams {
  private static final Logger log = LoggerFactory.getLogger(PeerStreams.class);

  /** How often an outbound stream that failed is re-opened while the peer stays connected. */
  private static final int MAX_REOPENS = 3;

  private final Router router;
  private final Host host;
  private final int maxMessageSize;
  private final int peerQueueSize;
  private final AtomicLong droppedOutbound = new AtomicLong();
  private final Map<PeerId, PeerState> peers = new HashMap<>();
  private final Set<PeerId> outboundPeers = new HashSet<>();
  private final Map<PeerId, String> peerIps = new HashMap<>();
  final ConnectionListener listener = new Listener();

  private static final class PeerState {
    final Set<String> topics = new HashSet<>();
    final List<Stream> inbound = new ArrayList<>();
    @Nullable Stream outbound;
    boolean opening;
    int reopens;
    int pendingWrites;
    long rpcsHandled;

    void closeAll() {
      if (outbound != null) {
        outbound.close();
        outbound = null;
      }
      for (Stream s : inbound) {
        s.close();
      }
      inbound.clear();
    }
  }

  PeerStreams(Router router, int maxMessageSize, int peerQueueSize) {
    this.router = router;
    this.host = router.host;
    this.maxMessageSize = maxMessageSize;
    this.peerQueueSize = peerQueueSize;
  }

  // ------------------------------------------------------------------ what we know of peers

  /** Peers with an open outbound stream. */
  Collection<PeerId> readyPeers() {
    List<PeerId> ready = new ArrayList<>();
    peers.forEach(
        (p, s) -> {
          if (s.outbound != null) {
            ready.add(p);
          }
        });
    return ready;
  }

  boolean ready(PeerId peer) {
    PeerState s = peers.get(peer);
    return s != null && s.outbound != null;
  }

  Set<PeerId> knownPeers() {
    return peers.keySet();
  }

  /** The topics {@code peer} announced (empty if none or unknown). */
  Set<String> topicsOf(PeerId peer) {
    PeerState s = peers.get(peer);
    return s == null ? Set.of() : s.topics;
  }

  long rpcsHandled(PeerId peer) {
    PeerState s = peers.get(peer);
    return s == null ? -1 : s.rpcsHandled;
  }

  boolean outbound(PeerId peer) {
    return outboundPeers.contains(peer);
  }

  @Nullable
  String ip(PeerId peer) {
    return peerIps.get(peer);
  }

  long droppedOutbound() {
    return droppedOutbound.get();
  }

  // ------------------------------------------------------------------ streams

  /** Opens streams to the peers connected before the router started. */
  void openToConnected() {
    for (PeerId p : host.connectedPeers()) {
      maybeOpen(p, host.peerProtocols(p));
    }
  }

  /** Opens our outbound stream to {@code peer} if it speaks one of our protocols and has none. */
  void maybeOpen(PeerId peer, List<String> theirProtocols) {
    if (router.closed() || !host.connectedPeers().contains(peer)) {
      return;
    }
    List<String> offer = new ArrayList<>();
    for (String p : router.strategy.protocols()) {
      if (theirProtocols.contains(p)) {
        offer.add(p);
      }
    }
    if (offer.isEmpty()) {
      return;
    }
    PeerState state = peers.computeIfAbsent(peer, p -> new PeerState());
    if (state.outbound != null || state.opening) {
      return;
    }
    state.opening = true;
    host.newStream(peer, offer.toArray(String[]::new))
        .whenCompleteAsync(
            (stream, err) -> {
              state.opening = false;
              if (err != null) {
                log.debug("pubsub stream to {} failed: {}", peer, err.toString());
                return;
              }
              if (router.closed() || peers.get(peer) != state) {
                stream.reset();
                return;
              }
              state.outbound = stream;
              router.strategy.addPeer(peer, stream.protocol());
              send(peer, state, router.hello().toByteArray());
              router.checkWaiters();
            },
            router.dropping());
  }

  /**
   * The host's handler of our protocols: reads the stream on the router; reset if the router is
   * gone.
   */
  void inboundStream(Stream stream) {
    if (!router.execute(() -> onInboundStream(stream))) {
      stream.reset();
    }
  }

  private void onInboundStream(Stream stream) {
    if (router.closed()) {
      stream.reset();
      return;
    }
    PeerState state = peers.computeIfAbsent(stream.remotePeer(), p -> new PeerState());
    state.inbound.add(stream);
    readLoop(stream, state);
    // Identify may have finished before we registered; make sure we talk back.
    maybeOpen(stream.remotePeer(), host.peerProtocols(stream.remotePeer()));
  }

  private void readLoop(Stream stream, PeerState state) {
    stream
        .readMessage(maxMessageSize)
        .whenCompleteAsync(
            (frame, err) -> {
              if (err != null
                  || frame.isEmpty()
                  || router.closed()
                  || peers.get(stream.remotePeer()) != state) {
                if (err != null) {
                  log.debug("pubsub stream from {} ended: {}", stream.remotePeer(), err.toString());
                  stream.reset();
                } else {
                  stream.close();
                }
                state.inbound.remove(stream);
                return;
              }
              PubsubProto.RPC rpc;
              try {
                rpc = PubsubProto.RPC.parseFrom(frame.get());
              } catch (InvalidProtocolBufferException e) {
                log.debug("malformed pubsub RPC from {}: {}", stream.remotePeer(), e.getMessage());
                stream.reset();
                state.inbound.remove(stream);
                return;
              }
              router.handleRpc(stream.remotePeer(), state.topics, rpc);
              state.rpcsHandled++;
              router.checkRpcWaiters();
              router.checkMeshWaiters();
              readLoop(stream, state);
            },
            router.dropping());
  }

  /**
   * Queues {@code rpc} to {@code peer}; false when it was dropped because the peer's queue is full.
   */
  boolean send(PeerId peer, byte[] rpc) {
    PeerState s = peers.get(peer);
    return s == null || send(peer, s, rpc);
  }

  private boolean send(PeerId peer, PeerState state, byte[] rpc) {
    Stream out = state.outbound;
    if (out == null) {
      return true;
    }
    if (state.pendingWrites >= peerQueueSize) {
      // A slow peer: Go drops RPCs when its per-peer queue (32) is full; so do we.
      droppedOutbound.incrementAndGet();
      return false;
    }
    state.pendingWrites++;
    out.writeMessage(rpc)
        .whenCompleteAsync(
            (v, err) -> {
              state.pendingWrites--;
              if (err != null && state.outbound == out) {
                log.debug("pubsub write to {} failed: {}", peer, err.toString());
                out.reset();
                state.outbound = null;
                // Go re-opens its writer while the peer stays connected; so do we, a few times.
                if (state.reopens < MAX_REOPENS && peers.get(peer) == state) {
                  state.reopens++;
                  maybeOpen(peer, host.peerProtocols(peer));
                }
              }
            },
            router.dropping());
    return true;
  }

  private void disconnected(PeerId peer) {
    PeerState s = peers.remove(peer);
    if (s != null) {
      s.closeAll();
    }
    router.strategy.removePeer(peer);
    outboundPeers.remove(peer);
    peerIps.remove(peer);
  }

  /** Closes every stream (the router is closing). */
  void closeAll() {
    for (PeerState s : peers.values()) {
      s.closeAll();
    }
    peers.clear();
  }

  /** The IP of an {@code /ip4/...} or {@code /ip6/...} address, or null. */
  private static @Nullable String ipOf(Multiaddr address) {
    String[] parts = address.toString().split("/");
    return parts.length > 2 && (parts[1].equals("ip4") || parts[1].equals("ip6")) ? parts[2] : null;
  }

  /** Hands the host's connection events to the router. */
  private final class Listener implements ConnectionListener {
    @Override
    public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
      router.execute(
          () -> {
            if (outbound) {
              outboundPeers.add(peer);
            }
            String ip = ipOf(remoteAddress);
            if (ip != null) {
              peerIps.put(peer, ip);
            }
          });
    }

    @Override
    public void identified(PeerInfo info) {
      router.execute(() -> maybeOpen(info.peer(), info.protocols()));
    }

    @Override
    public void disconnected(PeerId peer) {
      router.execute(() -> PeerStreams.this.disconnected(peer));
    }
  }
}
