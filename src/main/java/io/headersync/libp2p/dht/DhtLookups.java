package io.headersync.libp2p.dht;

import static io.headersync.libp2p.dht.DhtState.unwrap;

import com.google.protobuf.ByteString;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerStore;
import io.headersync.libp2p.dht.internal.Keys;
import io.headersync.libp2p.dht.internal.Lookup;
import io.headersync.libp2p.dht.internal.Messages;
import io.headersync.libp2p.dht.internal.ProviderStore;
import io.headersync.libp2p.dht.internal.pb.DhtProto.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The iterative lookups of a {@link Dht} and what is built on them: FIND_NODE for the closest
 * peers, GET_PROVIDERS for providers, and the ADD_PROVIDER announcements of {@code provide}. Caps
 * the lookups in flight at {@link DhtOptions#maxLookupsInFlight()}; each query's answer admits the
 * peer to the routing table and its failure evicts it. Completions run on the host's user executor.
 */
final class DhtLookups {
  private final DhtState state;
  private final DhtClient client;
  private final AtomicInteger lookupsInFlight = new AtomicInteger();
  private final AtomicInteger lookupsStarted = new AtomicInteger();

  DhtLookups(DhtState state, DhtClient client) {
    this.state = state;
    this.client = client;
  }

  int lookupsStarted() {
    return lookupsStarted.get();
  }

  /** See {@link Dht#findClosestPeers}; {@code key} is not copied. */
  CompletableFuture<List<PeerId>> findClosestPeers(byte[] key) {
    return lookup(key, Message.MessageType.FIND_NODE, m -> {}, () -> false);
  }

  /** See {@link Dht#provide}; {@code k} is not copied. */
  CompletableFuture<Integer> provide(byte[] k) {
    try {
      Messages.checkProviderKey(ByteString.copyFrom(k));
    } catch (DhtException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<Multiaddr> addrs = state.advertisedAddresses();
    if (addrs.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DhtException(
              DhtException.Reason.REJECTED, "no listen address to announce as a provider"));
    }
    synchronized (state) {
      ByteBuffer bk = ByteBuffer.wrap(k);
      if (!state.localProvides.containsKey(bk)
          && state.localProvides.size() >= state.options.maxProviderKeys()) {
        return CompletableFuture.failedFuture(
            new DhtException(
                DhtException.Reason.LIMIT,
                "already providing " + state.localProvides.size() + " keys"));
      }
      state.localProvides.put(bk, state.clock.instant().plus(state.options.providerValidity()));
    }
    Message add =
        Messages.request(Message.MessageType.ADD_PROVIDER, k)
            .addProviderPeers(Messages.peer(state.self, addrs, false))
            .build();
    return findClosestPeers(k)
        .thenCompose(
            peers -> {
              if (peers.isEmpty()) {
                return CompletableFuture.failedFuture(
                    new DhtException(
                        DhtException.Reason.LOOKUP_FAILED, "no peer answered the provide lookup"));
              }
              AtomicInteger written = new AtomicInteger();
              List<CompletableFuture<Void>> puts = new ArrayList<>();
              for (PeerId p : peers) {
                puts.add(
                    client
                        .send(p, add, false)
                        .handle(
                            (m, t) -> {
                              if (t == null) {
                                written.incrementAndGet();
                              }
                              return null;
                            }));
              }
              return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new))
                  .thenApply(v -> written.get());
            });
  }

  /** See {@link Dht#findProviders}; {@code k} is not copied, {@code limit} is not negative. */
  CompletableFuture<List<PeerAddresses>> findProviders(byte[] k, int limit) {
    try {
      Messages.checkProviderKey(ByteString.copyFrom(k));
    } catch (DhtException e) {
      return CompletableFuture.failedFuture(e);
    }
    int cap =
        limit == 0
            ? state.options.maxProvidersPerKey()
            : Math.min(limit, state.options.maxProvidersPerKey());
    Map<PeerId, PeerAddresses> found = new LinkedHashMap<>();
    synchronized (state) {
      for (ProviderStore.Provider p : state.providers.get(k, state.clock.instant())) {
        if (found.size() < cap && !p.peer().equals(state.self)) {
          found.put(
              p.peer(), new PeerAddresses(p.peer(), state.addressesOf(p.peer(), p.addresses())));
        }
      }
    }
    BooleanSupplier enough =
        () -> {
          synchronized (found) {
            return found.size() >= cap;
          }
        };
    if (enough.getAsBoolean()) {
      return CompletableFuture.completedFuture(List.copyOf(found.values()));
    }
    Consumer<Message> collect =
        resp -> {
          for (Messages.PeerEntry e : Messages.peers(resp.getProviderPeersList(), cap)) {
            if (e.peer().equals(state.self)) {
              continue;
            }
            state.peerStore.addAddresses(e.peer(), e.addresses(), PeerStore.TEMP_TTL);
            synchronized (found) {
              PeerAddresses old = found.get(e.peer());
              if (old == null
                  ? found.size() < cap
                  : old.addresses().isEmpty() && !e.addresses().isEmpty()) {
                found.put(e.peer(), new PeerAddresses(e.peer(), e.addresses()));
              }
            }
          }
        };
    return lookup(k, Message.MessageType.GET_PROVIDERS, collect, enough)
        .handle(
            (peers, t) -> {
              synchronized (found) {
                if (t != null && found.isEmpty()) {
                  throw new CompletionException(unwrap(t));
                }
                return List.copyOf(found.values());
              }
            });
  }

  private CompletableFuture<List<PeerId>> lookup(
      byte[] key, Message.MessageType type, Consumer<Message> onResponse, BooleanSupplier stop) {
    DhtOptions options = state.options;
    List<PeerId> seeds;
    synchronized (state) {
      if (state.closed) {
        return CompletableFuture.failedFuture(
            new DhtException(DhtException.Reason.CLOSED, "DHT closed"));
      }
      seeds = state.table.nearest(Keys.kadId(key), options.bucketSize(), p -> true);
    }
    if (seeds.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DhtException(
              DhtException.Reason.LOOKUP_FAILED, "failed to find any peer in the routing table"));
    }
    if (lookupsInFlight.incrementAndGet() > options.maxLookupsInFlight()) {
      lookupsInFlight.decrementAndGet();
      return CompletableFuture.failedFuture(
          new DhtException(
              DhtException.Reason.LIMIT,
              options.maxLookupsInFlight() + " lookups already in flight"));
    }
    lookupsStarted.incrementAndGet();
    Message req = Messages.request(type, key).build();
    Lookup l =
        new Lookup(
            Keys.kadId(key),
            state.self,
            options.bucketSize(),
            options.alpha(),
            options.maxQueriesPerLookup(),
            p -> queryPeer(p, req, onResponse),
            () -> state.isClosed() || stop.getAsBoolean());
    return l.run(seeds).whenComplete((r, t) -> lookupsInFlight.decrementAndGet());
  }

  /**
   * One lookup request: an answer admits the peer to the table, a failure evicts it (as Go's
   * queryPeer).
   */
  private CompletableFuture<List<PeerId>> queryPeer(
      PeerId peer, Message req, Consumer<Message> onResponse) {
    return client
        .send(peer, req, true)
        .handle(
            (resp, t) -> {
              if (t != null) {
                synchronized (state) {
                  if (!state.closed) {
                    state.table.remove(peer);
                  }
                }
                throw new CompletionException(unwrap(t));
              }
              state.admit(peer);
              onResponse.accept(resp);
              Set<PeerId> connected = state.host.connectedPeers();
              List<PeerId> closer = new ArrayList<>();
              for (Messages.PeerEntry e :
                  Messages.peers(
                      resp.getCloserPeersList(), state.options.maxCloserPeersPerResponse())) {
                if (e.peer().equals(state.self)) {
                  continue;
                }
                state.peerStore.addAddresses(e.peer(), e.addresses(), PeerStore.TEMP_TTL);
                if (!e.addresses().isEmpty() || connected.contains(e.peer())) {
                  closer.add(e.peer());
                }
              }
              return closer;
            });
  }
}
