package io.headersync.libp2p.dht;

import static io.headersync.libp2p.dht.DhtState.unwrap;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.Libp2pException;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerStore;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.libp2p.dht.internal.Keys;
import io.headersync.libp2p.dht.internal.Messages;
import io.headersync.libp2p.dht.internal.ProviderStore;
import io.headersync.libp2p.dht.internal.pb.DhtProto.Message;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of a {@link Dht} (server mode only): the stream handler of {@value Dht#PROTOCOL},
 * which answers FIND_NODE, GET_PROVIDERS, ADD_PROVIDER, PING and GET_VALUE on one stream until the
 * peer closes it or it idles out, and counts strikes against peers that send bad requests. Runs on
 * the host's user executor; state under the {@link DhtState} lock.
 */
final class DhtServer {
  private static final Logger log = LoggerFactory.getLogger(Dht.class);

  /** Peers whose strikes we remember. */
  private static final int MAX_STRIKE_ENTRIES = 1024;

  private final DhtState state;

  /** Hears each strike after it was counted (outside the lock). */
  private final Consumer<PeerId> onStrike;

  /** Guarded by the state's lock. */
  private final Map<PeerId, Integer> strikes =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Integer> eldest) {
          return size() > MAX_STRIKE_ENTRIES;
        }
      };

  DhtServer(DhtState state, Consumer<PeerId> onStrike) {
    this.state = state;
    this.onStrike = onStrike;
  }

  /** Strikes against {@code peer} (malformed or invalid DHT requests it sent). */
  int strikes(PeerId peer) {
    synchronized (state) {
      return strikes.getOrDefault(peer, 0);
    }
  }

  /** The stream handler: refuses peers with too many strikes, then serves requests in turn. */
  void serve(Stream s) {
    PeerId from = s.remotePeer();
    synchronized (state) {
      if (state.closed || strikes.getOrDefault(from, 0) >= state.options.maxStrikes()) {
        s.reset();
        return;
      }
    }
    serveNext(s);
  }

  /**
   * Reads requests until the peer closes the stream or it idles out (Go's handleNewMessage loop).
   */
  private void serveNext(Stream s) {
    PeerId from = s.remotePeer();
    DhtOptions options = state.options;
    s.setDeadline(options.streamIdleTimeout());
    s.readMessage(options.maxMessageSize())
        .whenComplete(
            (bytes, t) -> {
              if (t != null) {
                Throwable c = unwrap(t);
                if (c instanceof StreamException se
                    && se.reason() == StreamException.Reason.TOO_LARGE) {
                  strike(
                      from,
                      new DhtException(
                          DhtException.Reason.TOO_LARGE,
                          "DHT message over "
                              + options.maxMessageSize()
                              + " bytes: "
                              + se.getMessage(),
                          se));
                }
                s.reset();
                return;
              }
              if (bytes.isEmpty()) {
                s.close();
                return;
              }
              Message resp;
              try {
                resp = handle(from, Messages.parse(bytes.get()));
              } catch (DhtException e) {
                strike(from, e);
                s.reset();
                return;
              }
              if (resp == null) {
                serveNext(s);
                return;
              }
              s.writeMessage(resp.toByteArray())
                  .whenComplete(
                      (v, t2) -> {
                        if (t2 != null) {
                          s.reset();
                        } else {
                          serveNext(s);
                        }
                      });
            });
  }

  private void strike(PeerId peer, DhtException e) {
    synchronized (state) {
      if (e.reason() == DhtException.Reason.REJECTED && e.getMessage().startsWith("PUT_VALUE")) {
        return; // Go resets PUT_VALUE outside pk/ipns too; a well-behaved node may send it
      }
      strikes.merge(peer, 1, Integer::sum);
      state.table.remove(peer);
    }
    log.debug("DHT request from {} refused: {}", peer, e.getMessage());
    onStrike.accept(peer);
  }

  /** Answers one request; null for ADD_PROVIDER, which has no answer. */
  @Nullable
  Message handle(PeerId from, Message req) throws DhtException {
    switch (req.getType()) {
      case FIND_NODE -> {
        if (req.getKey().isEmpty()) {
          throw new DhtException(DhtException.Reason.BAD_KEY, "FIND_NODE with an empty key");
        }
        return Messages.response(req)
            .addAllCloserPeers(closerPeers(req.getKey().toByteArray(), from, true))
            .build();
      }
      case GET_PROVIDERS -> {
        Messages.checkProviderKey(req.getKey());
        byte[] key = req.getKey().toByteArray();
        Message.Builder b = Messages.response(req).setKey(req.getKey());
        Set<PeerId> connected = state.host.connectedPeers();
        synchronized (state) {
          Instant now = state.clock.instant();
          Instant mine = state.localProvides.get(ByteBuffer.wrap(key));
          if (mine != null && mine.isAfter(now)) {
            b.addProviderPeers(Messages.peer(state.self, state.advertisedAddresses(), false));
          }
          for (ProviderStore.Provider p : state.providers.get(key, now)) {
            b.addProviderPeers(
                Messages.peer(
                    p.peer(),
                    state.addressesOf(p.peer(), p.addresses()),
                    connected.contains(p.peer())));
          }
        }
        return b.addAllCloserPeers(closerPeers(key, from, false)).build();
      }
      case ADD_PROVIDER -> {
        Messages.checkProviderKey(req.getKey());
        List<Multiaddr> addrs = null;
        for (Messages.PeerEntry e : Messages.peers(req.getProviderPeersList(), 16)) {
          if (e.peer().equals(from) && !e.addresses().isEmpty()) {
            addrs = e.addresses();
          }
        }
        if (addrs == null) {
          throw new DhtException(
              DhtException.Reason.REJECTED,
              "ADD_PROVIDER without an entry for the sender " + from + " that has an address");
        }
        ProviderStore.AddResult r;
        synchronized (state) {
          r = state.providers.add(req.getKey().toByteArray(), from, addrs, state.clock.instant());
        }
        if (r == ProviderStore.AddResult.ADDED || r == ProviderStore.AddResult.REFRESHED) {
          state.peerStore.addAddresses(from, addrs, PeerStore.PROVIDER_TTL);
        } else {
          log.debug("DHT provider record of {} dropped: {}", from, r);
        }
        return null;
      }
      case PING -> {
        return Messages.response(req).build();
      }
      case GET_VALUE -> {
        if (req.getKey().isEmpty()) {
          throw new DhtException(DhtException.Reason.BAD_KEY, "GET_VALUE with an empty key");
        }
        return Messages.response(req)
            .setKey(req.getKey())
            .addAllCloserPeers(closerPeers(req.getKey().toByteArray(), from, false))
            .build();
      }
      case PUT_VALUE ->
          throw new DhtException(
              DhtException.Reason.REJECTED, "PUT_VALUE is not served (no record validators)");
      default ->
          throw new DhtException(
              DhtException.Reason.MALFORMED, "unknown DHT message type " + req.getType());
    }
  }

  /**
   * Up to k table peers nearest {@code key}, without the requester; for FIND_NODE only peers with
   * addresses, and the target itself first if its id is the key and we know its addresses (Go's
   * target exception, which also answers an admission check of us with ourselves).
   */
  private List<Message.Peer> closerPeers(byte[] key, PeerId from, boolean findNode) {
    PeerStore peerStore = state.peerStore;
    List<PeerId> nearest;
    synchronized (state) {
      nearest =
          state.table.nearest(
              Keys.kadId(key),
              state.options.bucketSize(),
              p -> !p.equals(from) && (!findNode || !peerStore.addresses(p).isEmpty()));
    }
    Set<PeerId> connected = state.host.connectedPeers();
    List<Message.Peer> out = new ArrayList<>();
    if (findNode) {
      PeerId target = null;
      try {
        target = PeerId.fromBytes(key);
      } catch (Libp2pException e) {
        // not a peer id: a content key
      }
      if (target != null) {
        List<Multiaddr> addrs =
            target.equals(state.self) ? state.advertisedAddresses() : peerStore.addresses(target);
        if (!addrs.isEmpty()) {
          out.add(
              Messages.peer(
                  target, addrs, target.equals(state.self) || connected.contains(target)));
          nearest.remove(target);
        }
      }
    }
    for (PeerId p : nearest) {
      out.add(Messages.peer(p, peerStore.addresses(p), connected.contains(p)));
    }
    return out;
  }
}
