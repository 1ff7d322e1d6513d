package io.headersync.libp2p.dht;

import com.google.protobuf.ByteString;
import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Libp2pException;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.MultiaddrProtocol;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.PeerStore;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.libp2p.dht.internal.Keys;
import io.headersync.libp2p.dht.internal.Lookup;
import io.headersync.libp2p.dht.internal.Messages;
import io.headersync.libp2p.dht.internal.ProviderStore;
import io.headersync.libp2p.dht.internal.RoutingTable;
import io.headersync.libp2p.dht.internal.pb.DhtProto.Message;
import io.headersync.lifecycle.AbstractService;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kademlia DHT on {@value #PROTOCOL}, wire-compatible with go-libp2p-kad-dht v0.40.0 (what ev-node
 * v1.2.2 links): varint-framed protobuf messages of at most 4 MiB, k = 20 buckets keyed by SHA-256
 * of peer ids, iterative lookups, FIND_NODE, GET_PROVIDERS / ADD_PROVIDER, PING; GET_VALUE answered
 * with closer peers only, PUT_VALUE refused (no validators). See {@code docs/protocol.md} ("Kademlia
 * DHT").
 *
 * <pre>{@code
 * Dht dht = Dht.builder(host).bootstrapPeers(seeds).build();   // before host.start(): identify lists the protocol
 * host.start().join();
 * dht.start().join();                                          // bootstrap done
 * dht.provide(Dht.namespaceKey("gm")).join();
 * List<PeerAddresses> peers = dht.findProviders(Dht.namespaceKey("gm"), 60).join();
 * }</pre>
 *
 * <h2>Routing table</h2>
 * Only peers that completed a connection and speak the DHT enter it, by Go's two paths: identify
 * lists {@value #PROTOCOL} and the peer answers a FIND_NODE for its own id; or the peer answers one
 * of our lookup requests. Closer peers named in responses are only lookup candidates; a peer whose
 * request fails is evicted. Peers that only send us requests are never added.
 *
 * <h2>Bad input</h2>
 * A malformed, oversized or invalid request ({@link DhtException} naming the reason) resets its
 * stream and is a strike against the peer: the peer leaves the routing table, and after {@link
 * DhtOptions#maxStrikes()} its DHT streams are reset on arrival. Providers, keys per peer, lookups
 * in flight, queries per lookup, candidates and closer peers per response are all bounded ({@link
 * DhtOptions}).
 *
 * <h2>Lifecycle</h2>
 * A {@link io.headersync.lifecycle.Service}. The builder registers the protocol handler (server
 * mode) and the connection listener on the host, so build it before the host starts; {@link
 * #start()} starts the timers and the first bootstrap; {@link #stop()} unregisters from the host,
 * cancels the timers, makes lookups fail and stops the scheduler it owns, also when it never
 * started. Lookups, offers and bootstraps may be asked for before {@code start()}.
 *
 * <h2>Threads</h2>
 * Stream handling and future completions run on the host's user executor ({@link Host#executor()}),
 * {@code start()} and {@code stop()} too; timers on the scheduler. State is guarded by this object's
 * lock; no user code runs under it.
 *
 * <h2>Pitfalls</h2>
 * Inbound streams are kept open after each answer until the peer closes them or {@link
 * DhtOptions#streamIdleTimeout()} passes: Go reuses one stream per peer and writes ADD_PROVIDER
 * onto it without reading, so closing after a reply loses its next message.
 */
public final class Dht extends AbstractService {
  /** The protocol id ev-node's DHT speaks (no prefix option: the {@code /ipfs} default). */
  public static final String PROTOCOL = "/ipfs/kad/1.0.0";

  private static final Logger log = LoggerFactory.getLogger(Dht.class);
  /** Go re-offers connected peers while the table holds at most this many. */
  private static final int LOW_TABLE_SIZE = 10;
  /** Go's bootstrap stops dialling after this many bootstrap peers answered. */
  private static final int MAX_BOOTSTRAPPERS = 2;
  /** Admission checks in flight at once. */
  private static final int MAX_ADMISSIONS = 64;
  /** Peers whose strikes we remember. */
  private static final int MAX_STRIKE_ENTRIES = 1024;
  /** Addresses tried when dialling a peer for a request. */
  private static final int MAX_DIAL_ADDRESSES = 4;
  /** A peer not heard from for this long is checked on refresh (kad-dht: ln(1/k)/ln(1-α/k) × 10 min). */
  private static final Duration STALE_AFTER = Duration.ofSeconds(2592);

  private final Host host;
  private final PeerStore peerStore;
  private final DhtOptions options;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final @Nullable ScheduledExecutorService ownedScheduler;
  private final Random random;
  private final List<Multiaddr> bootstrapPeers;
  private final PeerId self;
  private final byte[] localId;
  private final RoutingTable table;
  private final ProviderStore providers;
  private final Map<ByteBuffer, Instant> localProvides = new HashMap<>();
  private final Map<PeerId, Integer> strikes = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<PeerId, Integer> eldest) {
      return size() > MAX_STRIKE_ENTRIES;
    }
  };
  private final Map<PeerId, CompletableFuture<Boolean>> admitting = new HashMap<>();
  private final AtomicInteger lookupsInFlight = new AtomicInteger();
  private final AtomicInteger lookupsStarted = new AtomicInteger();
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private final ConnectionListener listener = new ConnectionListener() {
    @Override
    public void identified(PeerInfo info) {
      peerIdentified(info);
    }
  };
  /** Tests: hears each strike after it was counted. */
  volatile @Nullable Consumer<PeerId> strikeListener;
  private int refreshesCompleted;
  private boolean closed;
  /** Completes when the first bootstrap ended, or when a stop is asked for during it. */
  private final CompletableFuture<Void> firstBootstrap = new CompletableFuture<>();

  private Dht(Builder b, @Nullable ScheduledExecutorService ownedScheduler) {
    super("DHT " + b.options.mode() + " on " + b.host.peerId(), b.host.executor());
    this.host = b.host;
    this.options = b.options;
    this.clock = b.clock;
    this.random = b.random;
    this.bootstrapPeers = List.copyOf(b.bootstrapPeers);
    if (b.peerStore != null) {
      this.peerStore = b.peerStore;
    } else {
      this.peerStore = new PeerStore(b.clock);
      peerStore.attach(host);
    }
    this.scheduler = b.scheduler != null ? b.scheduler : Objects.requireNonNull(ownedScheduler);
    this.ownedScheduler = ownedScheduler;
    this.self = host.peerId();
    this.localId = Keys.kadId(self);
    this.table = new RoutingTable(localId, options.bucketSize());
    this.providers = new ProviderStore(options.maxProviderKeys(), options.maxProvidersPerKey(),
        options.maxKeysPerPeer(), options.providerValidity());
    if (options.mode() == DhtMode.SERVER) {
      host.setStreamHandler(PROTOCOL, this::serve);
    }
    host.addConnectionListener(listener);
  }

  /** A builder for a DHT on {@code host}. */
  public static Builder builder(Host host) {
    return new Builder(host);
  }

  /**
   * The provider key go-libp2p's {@code RoutingDiscovery} uses for {@code namespace}: the sha2-256
   * multihash of its UTF-8 bytes ({@code 12 20 ‖ SHA-256}), the hash of the raw CIDv1 Go builds.
   */
  public static byte[] namespaceKey(String namespace) {
    return Keys.namespaceKey(Objects.requireNonNull(namespace, "namespace == null"));
  }

  /**
   * Starts the timers and bootstraps: a {@link #bootstrap()} now (connected DHT peers are offered to
   * the table; with an empty table the bootstrap peers are dialled; then a refresh), a routing-table
   * refresh every {@link DhtOptions#refreshInterval()}, a low-peer check every {@link
   * DhtOptions#lowPeerCheckInterval()} and an hourly provider GC. The future of {@link #start()}
   * completes when the first bootstrap ended (a failed bootstrap does not fail it).
   */
  @Override
  protected CompletableFuture<Void> doStart() {
    synchronized (this) {
      timers.add(scheduler.scheduleWithFixedDelay(this::refreshQuietly, options.refreshInterval().toMillis(),
          options.refreshInterval().toMillis(), TimeUnit.MILLISECONDS));
      timers.add(scheduler.scheduleWithFixedDelay(this::fixLowPeers, options.lowPeerCheckInterval().toMillis(),
          options.lowPeerCheckInterval().toMillis(), TimeUnit.MILLISECONDS));
      long hour = Duration.ofHours(1).toMillis();
      timers.add(scheduler.scheduleWithFixedDelay(this::gcProviders, hour, hour, TimeUnit.MILLISECONDS));
    }
    bootstrap().whenComplete((v, t) -> firstBootstrap.complete(null));
    return firstBootstrap;
  }

  /** A stop during the first bootstrap does not wait for its lookups: they fail once it stopped. */
  @Override
  protected void cancelStart() {
    firstBootstrap.complete(null);
  }

  /** Stops serving and the timers; lookups in flight fail; the owned scheduler stops. */
  @Override
  protected CompletableFuture<Void> doStop() {
    release();
    return CompletableFuture.completedFuture(null);
  }

  private void release() {
    synchronized (this) {
      closed = true;
      timers.forEach(t -> t.cancel(false));
    }
    host.removeConnectionListener(listener);
    if (options.mode() == DhtMode.SERVER) {
      host.removeStreamHandler(PROTOCOL);
    }
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
  }

  /**
   * This DHT's peer id (the host's).
   *
   * @return the peer id
   */
  public PeerId peerId() {
    return self;
  }

  /**
   * Whether this DHT serves requests or only asks.
   *
   * @return the mode of its options
   */
  public DhtMode mode() {
    return options.mode();
  }

  /**
   * The peer store addresses are read from and written to.
   *
   * @return the builder's peer store, or the DHT's own
   */
  public PeerStore peerStore() {
    return peerStore;
  }

  /** The peers in the routing table. */
  public synchronized List<PeerId> routingTable() {
    return table.peers();
  }

  /**
   * How many peers the routing table holds.
   *
   * @return the size of the routing table
   */
  public synchronized int routingTableSize() {
    return table.size();
  }

  /** Lookups started since the DHT was built (refresh, provide and provider searches included). */
  public int lookupsStarted() {
    return lookupsStarted.get();
  }

  /** Strikes against {@code peer} (malformed or invalid DHT requests it sent). */
  public synchronized int strikes(PeerId peer) {
    return strikes.getOrDefault(peer, 0);
  }

  /** How many keys {@code peer} provides in our store. */
  public synchronized int providedKeys(PeerId peer) {
    return providers.keysOf(peer);
  }

  // ------------------------------------------------------------------ routing table upkeep

  /**
   * Go's admission check: sends {@code peer} a FIND_NODE for its own id and adds it to the routing
   * table if it answers. Completes with whether the peer is in the table; never exceptionally.
   */
  public CompletableFuture<Boolean> offerPeer(PeerId peer) {
    Objects.requireNonNull(peer, "peer == null");
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    synchronized (this) {
      if (closed || peer.equals(self)) {
        return CompletableFuture.completedFuture(false);
      }
      if (table.contains(peer)) {
        return CompletableFuture.completedFuture(true);
      }
      CompletableFuture<Boolean> inFlight = admitting.get(peer);
      if (inFlight != null) {
        return inFlight;
      }
      if (admitting.size() >= MAX_ADMISSIONS) {
        return CompletableFuture.completedFuture(false);
      }
      admitting.put(peer, mine);
    }
    send(peer, Messages.request(Message.MessageType.FIND_NODE, peer.bytes()).build(), true)
        .whenComplete((m, t) -> {
          boolean in;
          synchronized (this) {
            admitting.remove(peer);
            if (t != null || closed) {
              log.debug("DHT admission check of {} failed: {}", peer, t == null ? "closed" : unwrap(t).toString());
              in = false;
            } else {
              in = table.tryAdd(peer, clock.instant(), refreshesCompleted < 2);
            }
          }
          mine.complete(in);
        });
    return mine;
  }

  private void peerIdentified(PeerInfo info) {
    if (info.protocols().contains(PROTOCOL)) {
      offerPeer(info.peer());
    } else {
      synchronized (this) {
        table.remove(info.peer()); // Go's peerStoppedDHT
      }
    }
  }

  /**
   * Go's {@code fixLowPeers} plus a refresh: with at most 10 table peers, offers every connected
   * peer that speaks the DHT; with an empty table, dials the bootstrap peers (random order, until
   * two answered). Completes when the refresh that follows ended, never exceptionally.
   */
  public CompletableFuture<Void> bootstrap() {
    return offerConnectedPeers()
        .thenCompose(v -> routingTableSize() == 0 ? dialBootstrapPeers() : CompletableFuture.completedFuture(null))
        .thenCompose(v -> refresh().exceptionally(t -> null));
  }

  private void fixLowPeers() {
    boolean wasEmpty = routingTableSize() == 0;
    offerConnectedPeers()
        .thenCompose(v -> routingTableSize() == 0 ? dialBootstrapPeers() : CompletableFuture.completedFuture(null))
        .thenRun(() -> {
          if (wasEmpty && routingTableSize() > 0) {
            refreshQuietly();
          }
        });
  }

  private CompletableFuture<Void> offerConnectedPeers() {
    if (routingTableSize() > LOW_TABLE_SIZE) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<Boolean>> offers = new ArrayList<>();
    for (PeerId p : host.connectedPeers()) {
      if (host.peerProtocols(p).contains(PROTOCOL)) {
        offers.add(offerPeer(p));
      }
    }
    return CompletableFuture.allOf(offers.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> dialBootstrapPeers() {
    List<Multiaddr> order = new ArrayList<>(bootstrapPeers);
    Collections.shuffle(order, random);
    return dialBootstrap(order, 0, 0);
  }

  private CompletableFuture<Void> dialBootstrap(List<Multiaddr> order, int i, int admitted) {
    if (i >= order.size() || admitted >= MAX_BOOTSTRAPPERS || isClosed()) {
      return CompletableFuture.completedFuture(null);
    }
    Multiaddr a = order.get(i);
    PeerId p = a.peerId().orElseThrow();
    return host.connect(a)
        .thenCompose(peer -> offerPeer(p))
        .handle((ok, t) -> ok != null && ok)
        .thenCompose(ok -> dialBootstrap(order, i + 1, admitted + (ok ? 1 : 0)));
  }

  /**
   * Refreshes the routing table as Go does: checks peers not heard from for about 43 min (evicting
   * those that do not answer), then a lookup of our own id, then one lookup for a random key at
   * each common prefix length from 0 to min(the table's highest, 15). Completes when done; fails
   * with {@link DhtException} ({@code LOOKUP_FAILED}) if the table is empty.
   */
  public CompletableFuture<Void> refresh() {
    List<PeerId> stale;
    int maxCpl;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new DhtException(DhtException.Reason.CLOSED, "DHT closed"));
      }
      stale = table.staleSince(clock.instant().minus(STALE_AFTER));
      maxCpl = Math.min(table.maxCpl(), 15);
    }
    List<CompletableFuture<Void>> checks = new ArrayList<>();
    for (PeerId p : stale) {
      checks.add(send(p, Messages.request(Message.MessageType.FIND_NODE, p.bytes()).build(), true)
          .handle((m, t) -> {
            synchronized (this) {
              if (t != null) {
                table.remove(p);
              } else {
                table.tryAdd(p, clock.instant(), false);
              }
            }
            return null;
          }));
    }
    CompletableFuture<Void> chain = CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
        .thenCompose(v -> findClosestPeers(self.bytes()))
        .thenApply(peers -> null);
    for (int cpl = 0; cpl <= maxCpl; cpl++) {
      int c = cpl;
      chain = chain.thenCompose(v -> findClosestPeers(Keys.randomKeyWithCpl(localId, c, random))
          .handle((peers, t) -> null));
    }
    return chain.thenRun(() -> {
      synchronized (this) {
        refreshesCompleted++;
        if (refreshesCompleted == 2 && !closed) {
          timers.add(scheduler.schedule(() -> {
            synchronized (this) {
              table.markAllIrreplaceable();
            }
          }, 1, TimeUnit.MINUTES));
        }
      }
    });
  }

  private void refreshQuietly() {
    refresh().whenComplete((v, t) -> {
      if (t != null) {
        log.debug("DHT refresh: {}", unwrap(t).getMessage());
      }
    });
  }

  private void gcProviders() {
    synchronized (this) {
      Instant now = clock.instant();
      int n = providers.gc(now);
      localProvides.values().removeIf(exp -> !exp.isAfter(now));
      if (n > 0) {
        log.debug("DHT dropped {} expired provider records", n);
      }
    }
  }

  // ------------------------------------------------------------------ lookups

  /**
   * The k peers nearest {@code key} (a peer id's bytes or a content multihash) that answered an
   * iterative FIND_NODE lookup, nearest first.
   *
   * @return fails with {@link DhtException}: {@code LOOKUP_FAILED} if the routing table is empty,
   *     {@code LIMIT} if too many lookups are in flight, {@code CLOSED}
   */
  public CompletableFuture<List<PeerId>> findClosestPeers(byte[] key) {
    Objects.requireNonNull(key, "key == null");
    return lookup(key.clone(), Message.MessageType.FIND_NODE, m -> {}, () -> false);
  }

  /**
   * Announces that we provide {@code key}: stores ourselves as a provider, looks up the k peers
   * nearest the key and sends each an ADD_PROVIDER with our id and addresses (Go's {@code
   * Provide}). Completes with the number of peers the announcement was written to.
   *
   * @return fails with {@link DhtException}: {@code BAD_KEY}, {@code REJECTED} if we have no
   *     address to announce, {@code LIMIT}, {@code LOOKUP_FAILED} if no peer was found
   */
  public CompletableFuture<Integer> provide(byte[] key) {
    Objects.requireNonNull(key, "key == null");
    byte[] k = key.clone();
    try {
      Messages.checkProviderKey(ByteString.copyFrom(k));
    } catch (DhtException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<Multiaddr> addrs = advertisedAddresses();
    if (addrs.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DhtException(DhtException.Reason.REJECTED, "no listen address to announce as a provider"));
    }
    synchronized (this) {
      ByteBuffer bk = ByteBuffer.wrap(k);
      if (!localProvides.containsKey(bk) && localProvides.size() >= options.maxProviderKeys()) {
        return CompletableFuture.failedFuture(new DhtException(DhtException.Reason.LIMIT,
            "already providing " + localProvides.size() + " keys"));
      }
      localProvides.put(bk, clock.instant().plus(options.providerValidity()));
    }
    Message add = Messages.request(Message.MessageType.ADD_PROVIDER, k)
        .addProviderPeers(Messages.peer(self, addrs, false)).build();
    return findClosestPeers(k).thenCompose(peers -> {
      if (peers.isEmpty()) {
        return CompletableFuture.failedFuture(
            new DhtException(DhtException.Reason.LOOKUP_FAILED, "no peer answered the provide lookup"));
      }
      AtomicInteger written = new AtomicInteger();
      List<CompletableFuture<Void>> puts = new ArrayList<>();
      for (PeerId p : peers) {
        puts.add(send(p, add, false).handle((m, t) -> {
          if (t == null) {
            written.incrementAndGet();
          }
          return null;
        }));
      }
      return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).thenApply(v -> written.get());
    });
  }

  /**
   * Finds up to {@code limit} providers of {@code key} (0: up to {@link
   * DhtOptions#maxProvidersPerKey()}): the ones we stored, then those a GET_PROVIDERS lookup
   * returns, stopping once enough were found (Go's {@code FindProvidersAsync}). We are never in
   * the result.
   *
   * @return fails with {@link DhtException} as {@link #findClosestPeers}, unless some providers
   *     were found locally
   */
  public CompletableFuture<List<PeerAddresses>> findProviders(byte[] key, int limit) {
    Objects.requireNonNull(key, "key == null");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    byte[] k = key.clone();
    try {
      Messages.checkProviderKey(ByteString.copyFrom(k));
    } catch (DhtException e) {
      return CompletableFuture.failedFuture(e);
    }
    int cap = limit == 0 ? options.maxProvidersPerKey() : Math.min(limit, options.maxProvidersPerKey());
    Map<PeerId, PeerAddresses> found = new LinkedHashMap<>();
    synchronized (this) {
      for (ProviderStore.Provider p : providers.get(k, clock.instant())) {
        if (found.size() < cap && !p.peer().equals(self)) {
          found.put(p.peer(), new PeerAddresses(p.peer(), addressesOf(p.peer(), p.addresses())));
        }
      }
    }
    BooleanSupplier enough = () -> {
      synchronized (found) {
        return found.size() >= cap;
      }
    };
    if (enough.getAsBoolean()) {
      return CompletableFuture.completedFuture(List.copyOf(found.values()));
    }
    Consumer<Message> collect = resp -> {
      for (Messages.PeerEntry e : Messages.peers(resp.getProviderPeersList(), cap)) {
        if (e.peer().equals(self)) {
          continue;
        }
        peerStore.addAddresses(e.peer(), e.addresses(), PeerStore.TEMP_TTL);
        synchronized (found) {
          PeerAddresses old = found.get(e.peer());
          if (old == null ? found.size() < cap : old.addresses().isEmpty() && !e.addresses().isEmpty()) {
            found.put(e.peer(), new PeerAddresses(e.peer(), e.addresses()));
          }
        }
      }
    };
    return lookup(k, Message.MessageType.GET_PROVIDERS, collect, enough).handle((peers, t) -> {
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
    List<PeerId> seeds;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new DhtException(DhtException.Reason.CLOSED, "DHT closed"));
      }
      seeds = table.nearest(Keys.kadId(key), options.bucketSize(), p -> true);
    }
    if (seeds.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DhtException(DhtException.Reason.LOOKUP_FAILED, "failed to find any peer in the routing table"));
    }
    if (lookupsInFlight.incrementAndGet() > options.maxLookupsInFlight()) {
      lookupsInFlight.decrementAndGet();
      return CompletableFuture.failedFuture(new DhtException(DhtException.Reason.LIMIT,
          options.maxLookupsInFlight() + " lookups already in flight"));
    }
    lookupsStarted.incrementAndGet();
    Message req = Messages.request(type, key).build();
    Lookup l = new Lookup(Keys.kadId(key), self, options.bucketSize(), options.alpha(),
        options.maxQueriesPerLookup(), p -> queryPeer(p, req, onResponse), () -> isClosed() || stop.getAsBoolean());
    return l.run(seeds).whenComplete((r, t) -> lookupsInFlight.decrementAndGet());
  }

  /** One lookup request: an answer admits the peer to the table, a failure evicts it (as Go's queryPeer). */
  private CompletableFuture<List<PeerId>> queryPeer(PeerId peer, Message req, Consumer<Message> onResponse) {
    return send(peer, req, true).handle((resp, t) -> {
      if (t != null) {
        synchronized (this) {
          if (!closed) {
            table.remove(peer);
          }
        }
        throw new CompletionException(unwrap(t));
      }
      synchronized (this) {
        table.tryAdd(peer, clock.instant(), refreshesCompleted < 2);
      }
      onResponse.accept(resp);
      Set<PeerId> connected = host.connectedPeers();
      List<PeerId> closer = new ArrayList<>();
      for (Messages.PeerEntry e : Messages.peers(resp.getCloserPeersList(), options.maxCloserPeersPerResponse())) {
        if (e.peer().equals(self)) {
          continue;
        }
        peerStore.addAddresses(e.peer(), e.addresses(), PeerStore.TEMP_TTL);
        if (!e.addresses().isEmpty() || connected.contains(e.peer())) {
          closer.add(e.peer());
        }
      }
      return closer;
    });
  }

  // ------------------------------------------------------------------ client side

  /** Sends one request on a new stream; with {@code expectResponse}, reads and checks the answer. */
  private CompletableFuture<Message> send(PeerId peer, Message req, boolean expectResponse) {
    byte[] bytes = req.toByteArray();
    return connect(peer).thenCompose(v -> host.newStream(peer, PROTOCOL)).thenCompose(s -> {
      s.setDeadline(options.requestTimeout());
      CompletableFuture<Message> out = s.writeMessage(bytes).thenCompose(v -> s.closeWrite()).thenCompose(v -> {
        if (!expectResponse) {
          return CompletableFuture.completedFuture(null);
        }
        return s.readMessage(options.maxMessageSize()).thenApply(b -> parseResponse(peer, req, b));
      });
      return out.whenComplete((m, t) -> {
        if (t != null) {
          s.reset();
        } else {
          s.close();
        }
      });
    });
  }

  private Message parseResponse(PeerId peer, Message req, Optional<byte[]> bytes) {
    try {
      if (bytes.isEmpty()) {
        throw new DhtException(DhtException.Reason.MALFORMED, peer + " closed the stream without answering");
      }
      Message m = Messages.parse(bytes.get());
      if (m.getType() != req.getType()) {
        throw new DhtException(DhtException.Reason.UNEXPECTED_RESPONSE,
            peer + " answered " + req.getType() + " with " + m.getType());
      }
      return m;
    } catch (DhtException e) {
      throw new CompletionException(e);
    }
  }

  /** Connected, or dials the addresses we know for {@code peer} in turn. */
  private CompletableFuture<Void> connect(PeerId peer) {
    if (host.connectedPeers().contains(peer)) {
      return CompletableFuture.completedFuture(null);
    }
    List<Multiaddr> addrs = peerStore.addresses(peer);
    if (addrs.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DhtException(DhtException.Reason.LOOKUP_FAILED, "no address known for " + peer));
    }
    return dialInTurn(peer, addrs.subList(0, Math.min(addrs.size(), MAX_DIAL_ADDRESSES)), 0, null);
  }

  private CompletableFuture<Void> dialInTurn(PeerId peer, List<Multiaddr> addrs, int i, @Nullable Throwable last) {
    if (i >= addrs.size()) {
      return CompletableFuture.failedFuture(last != null ? last
          : new DhtException(DhtException.Reason.LOOKUP_FAILED, "no address of " + peer + " answered"));
    }
    return host.connect(addrs.get(i).withPeerId(peer))
        .handle((p, t) -> t == null ? CompletableFuture.<Void>completedFuture(null)
            : dialInTurn(peer, addrs, i + 1, unwrap(t)))
        .thenCompose(f -> f);
  }

  // ------------------------------------------------------------------ server side

  private void serve(Stream s) {
    PeerId from = s.remotePeer();
    synchronized (this) {
      if (closed || strikes.getOrDefault(from, 0) >= options.maxStrikes()) {
        s.reset();
        return;
      }
    }
    serveNext(s);
  }

  /** Reads requests until the peer closes the stream or it idles out (Go's handleNewMessage loop). */
  private void serveNext(Stream s) {
    PeerId from = s.remotePeer();
    s.setDeadline(options.streamIdleTimeout());
    s.readMessage(options.maxMessageSize()).whenComplete((bytes, t) -> {
      if (t != null) {
        Throwable c = unwrap(t);
        if (c instanceof StreamException se && se.reason() == StreamException.Reason.TOO_LARGE) {
          strike(from, new DhtException(DhtException.Reason.TOO_LARGE, "DHT message over "
              + options.maxMessageSize() + " bytes: " + se.getMessage(), se));
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
      s.writeMessage(resp.toByteArray()).whenComplete((v, t2) -> {
        if (t2 != null) {
          s.reset();
        } else {
          serveNext(s);
        }
      });
    });
  }

  private void strike(PeerId peer, DhtException e) {
    synchronized (this) {
      if (e.reason() == DhtException.Reason.REJECTED && e.getMessage().startsWith("PUT_VALUE")) {
        return; // Go resets PUT_VALUE outside pk/ipns too; a well-behaved node may send it
      }
      strikes.merge(peer, 1, Integer::sum);
      table.remove(peer);
    }
    log.debug("DHT request from {} refused: {}", peer, e.getMessage());
    Consumer<PeerId> l = strikeListener;
    if (l != null) {
      l.accept(peer);
    }
  }

  /** Answers one request; null for ADD_PROVIDER, which has no answer. */
  @Nullable Message handle(PeerId from, Message req) throws DhtException {
    switch (req.getType()) {
      case FIND_NODE -> {
        if (req.getKey().isEmpty()) {
          throw new DhtException(DhtException.Reason.BAD_KEY, "FIND_NODE with an empty key");
        }
        return Messages.response(req).addAllCloserPeers(closerPeers(req.getKey().toByteArray(), from, true)).build();
      }
      case GET_PROVIDERS -> {
        Messages.checkProviderKey(req.getKey());
        byte[] key = req.getKey().toByteArray();
        Message.Builder b = Messages.response(req).setKey(req.getKey());
        Set<PeerId> connected = host.connectedPeers();
        synchronized (this) {
          Instant now = clock.instant();
          Instant mine = localProvides.get(ByteBuffer.wrap(key));
          if (mine != null && mine.isAfter(now)) {
            b.addProviderPeers(Messages.peer(self, advertisedAddresses(), false));
          }
          for (ProviderStore.Provider p : providers.get(key, now)) {
            b.addProviderPeers(Messages.peer(p.peer(), addressesOf(p.peer(), p.addresses()),
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
          throw new DhtException(DhtException.Reason.REJECTED,
              "ADD_PROVIDER without an entry for the sender " + from + " that has an address");
        }
        ProviderStore.AddResult r;
        synchronized (this) {
          r = providers.add(req.getKey().toByteArray(), from, addrs, clock.instant());
        }
        if (r == ProviderStore.AddResult.ADDED || r == ProviderStore.AddResult.REFRESHED) {
          peerStore.addAddresses(from, addrs, PeerStore.PROVIDER_TTL);
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
        return Messages.response(req).setKey(req.getKey())
            .addAllCloserPeers(closerPeers(req.getKey().toByteArray(), from, false)).build();
      }
      case PUT_VALUE -> throw new DhtException(DhtException.Reason.REJECTED,
          "PUT_VALUE is not served (no record validators)");
      default -> throw new DhtException(DhtException.Reason.MALFORMED, "unknown DHT message type " + req.getType());
    }
  }

  /**
   * Up to k table peers nearest {@code key}, without the requester; for FIND_NODE only peers with
   * addresses, and the target itself first if its id is the key and we know its addresses (Go's
   * target exception, which also answers an admission check of us with ourselves).
   */
  private List<Message.Peer> closerPeers(byte[] key, PeerId from, boolean findNode) {
    List<PeerId> nearest;
    synchronized (this) {
      nearest = table.nearest(Keys.kadId(key), options.bucketSize(),
          p -> !p.equals(from) && (!findNode || !peerStore.addresses(p).isEmpty()));
    }
    Set<PeerId> connected = host.connectedPeers();
    List<Message.Peer> out = new ArrayList<>();
    if (findNode) {
      PeerId target = null;
      try {
        target = PeerId.fromBytes(key);
      } catch (Libp2pException e) {
        // not a peer id: a content key
      }
      if (target != null) {
        List<Multiaddr> addrs = target.equals(self) ? advertisedAddresses() : peerStore.addresses(target);
        if (!addrs.isEmpty()) {
          out.add(Messages.peer(target, addrs, target.equals(self) || connected.contains(target)));
          nearest.remove(target);
        }
      }
    }
    for (PeerId p : nearest) {
      out.add(Messages.peer(p, peerStore.addresses(p), connected.contains(p)));
    }
    return out;
  }

  private List<Multiaddr> addressesOf(PeerId peer, List<Multiaddr> recorded) {
    return recorded.isEmpty() ? peerStore.addresses(peer) : recorded;
  }

  /**
   * Our listen addresses as we announce them: an unspecified IPv4 address ({@code 0.0.0.0}) becomes
   * every IPv4 address of the machine's interfaces (loopback included, as Go's address expansion).
   */
  public List<Multiaddr> advertisedAddresses() {
    List<Multiaddr> out = new ArrayList<>();
    for (Multiaddr a : host.listenAddresses()) {
      Multiaddr t = a.withoutPeerId();
      if (t.components().size() == 2 && t.components().get(0).protocol() == MultiaddrProtocol.IP4
          && t.host().orElse("").equals("0.0.0.0")) {
        int port = t.tcpPort().orElse(0);
        for (InetAddress ip : interfaceAddresses()) {
          out.add(Multiaddr.tcp(ip.getHostAddress(), port));
        }
      } else {
        out.add(t);
      }
    }
    return out;
  }

  private static List<InetAddress> interfaceAddresses() {
    List<InetAddress> out = new ArrayList<>();
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!ni.isUp()) {
          continue;
        }
        for (InetAddress ip : Collections.list(ni.getInetAddresses())) {
          if (ip instanceof Inet4Address) {
            out.add(ip);
          }
        }
      }
    } catch (SocketException e) {
      log.debug("cannot list network interfaces: {}", e.toString());
    }
    return out;
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public String toString() {
    return "Dht{" + self + ", " + options.mode() + "}";
  }

  /**
   * Builds a {@link Dht}. Build it before the host starts, so that identify lists {@value
   * #PROTOCOL} from the first connection. Defaults: {@link DhtOptions#defaults()}; a {@link PeerStore}
   * of its own attached to the host; the system clock; a scheduler thread of its own; a new
   * {@link Random}; no bootstrap peers.
   */
  public static final class Builder {
    private final Host host;
    private DhtOptions options = DhtOptions.defaults();
    private @Nullable PeerStore peerStore;
    private Clock clock = Clock.systemUTC();
    private @Nullable ScheduledExecutorService scheduler;
    private Random random = new Random();
    private final List<Multiaddr> bootstrapPeers = new ArrayList<>();

    private Builder(Host host) {
      this.host = Objects.requireNonNull(host, "host == null");
    }

    /**
     * The DHT's options.
     *
     * @param options default {@link DhtOptions#defaults()}
     * @return this builder
     */
    public Builder options(DhtOptions options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /** The peer store to read and write addresses in (the caller attaches it to the host). */
    public Builder peerStore(PeerStore peerStore) {
      this.peerStore = Objects.requireNonNull(peerStore, "peerStore == null");
      return this;
    }

    /**
     * Time for record expiry and the routing table.
     *
     * @param clock default the system UTC clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /** Runs the DHT's timers (not owned: the caller shuts it down). */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /** Randomness for refresh keys and the bootstrap order. */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random, "random == null");
      return this;
    }

    /**
     * Peers dialled when the routing table is empty (Go's {@code BootstrapPeers}; ev-node passes its
     * seeds).
     *
     * @throws IllegalArgumentException if an address has no {@code /p2p/<peer id>}
     */
    public Builder bootstrapPeers(List<Multiaddr> peers) {
      for (Multiaddr a : peers) {
        if (a.peerId().isEmpty()) {
          throw new IllegalArgumentException("bootstrap peer " + a + " has no /p2p/<peer id>");
        }
        bootstrapPeers.add(a);
      }
      return this;
    }

    /**
     * Builds the DHT: registers its handler (server mode) and connection listener on the host. If
     * building fails, what it registered and the scheduler it made are released again.
     *
     * @return the DHT, NEW
     */
    public Dht build() {
      ScheduledExecutorService owned = scheduler != null ? null
          : Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("headersync-dht", true));
      try {
        return new Dht(this, owned);
      } catch (RuntimeException | Error e) {
        if (owned != null) {
          owned.shutdownNow();
        }
        throw e;
      }
    }
  }
}
