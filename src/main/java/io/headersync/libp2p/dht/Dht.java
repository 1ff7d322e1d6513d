package io.headersync.libp2p.dht;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.PeerStore;
import io.headersync.libp2p.dht.internal.Keys;
import io.headersync.lifecycle.AbstractService;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * A Kademlia DHT on {@value #PROTOCOL}, wire-compatible with go-libp2p-kad-dht v0.40.0 (what
 * ev-node v1.2.2 links): varint-framed protobuf messages of at most 4 MiB, k = 20 buckets keyed by
 * SHA-256 of peer ids, iterative lookups, FIND_NODE, GET_PROVIDERS / ADD_PROVIDER, PING; GET_VALUE
 * answered with closer peers only, PUT_VALUE refused (no validators). See {@code docs/protocol.md}
 * ("Kademlia DHT").
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
 *
 * Only peers that completed a connection and speak the DHT enter it, by Go's two paths: identify
 * lists {@value #PROTOCOL} and the peer answers a FIND_NODE for its own id; or the peer answers one
 * of our lookup requests. Closer peers named in responses are only lookup candidates; a peer whose
 * request fails is evicted. Peers that only send us requests are never added.
 *
 * <h2>Bad input</h2>
 *
 * A malformed, oversized or invalid request ({@link DhtException} naming the reason) resets its
 * stream and is a strike against the peer: the peer leaves the routing table, and after {@link
 * DhtOptions#maxStrikes()} its DHT streams are reset on arrival. Providers, keys per peer, lookups
 * in flight, queries per lookup, candidates and closer peers per response are all bounded ({@link
 * DhtOptions}).
 *
 * <h2>Lifecycle</h2>
 *
 * A {@link io.headersync.lifecycle.Service}. The builder registers the protocol handler (server
 * mode) and the connection listener on the host, so build it before the host starts; {@link
 * #start()} starts the timers and the first bootstrap; {@link #stop()} unregisters from the host,
 * cancels the timers, makes lookups fail and stops the scheduler it owns, also when it never
 * started. Lookups, offers and bootstraps may be asked for before {@code start()}.
 *
 * <h2>Threads</h2>
 *
 * Stream handling and future completions run on the host's user executor ({@link Host#executor()}),
 * {@code start()} and {@code stop()} too; timers on the scheduler. State is guarded by one internal
 * lock (not this object's); no user code runs under it.
 *
 * <h2>Pitfalls</h2>
 *
 * Inbound streams are kept open after each answer until the peer closes them or {@link
 * DhtOptions#streamIdleTimeout()} passes: Go reuses one stream per peer and writes ADD_PROVIDER
 * onto it without reading, so closing after a reply loses its next message.
 */
public final class Dht extends AbstractService {
  /** The protocol id ev-node's DHT speaks (no prefix option: the {@code /ipfs} default). */
  public static final String PROTOCOL = "/ipfs/kad/1.0.0";

  private final DhtState state;
  private final @Nullable ScheduledExecutorService ownedScheduler;
  private final DhtServer server;
  private final DhtLookups lookups;
  private final DhtUpkeep upkeep;
  private final ConnectionListener listener =
      new ConnectionListener() {
        @Override
        public void identified(PeerInfo info) {
          upkeep.peerIdentified(info);
        }
      };

  /** Tests: hears each strike after it was counted. */
  volatile @Nullable Consumer<PeerId> strikeListener;

  /** Completes when the first bootstrap ended, or when a stop is asked for during it. */
  private final CompletableFuture<Void> firstBootstrap = new CompletableFuture<>();

  private Dht(Builder b, @Nullable ScheduledExecutorService ownedScheduler) {
    super("DHT " + b.options.mode() + " on " + b.host.peerId(), b.host.executor());
    Host host = b.host;
    PeerStore peerStore;
    if (b.peerStore != null) {
      peerStore = b.peerStore;
    } else {
      peerStore = new PeerStore(b.clock);
      peerStore.attach(host);
    }
    ScheduledExecutorService scheduler =
        b.scheduler != null ? b.scheduler : Objects.requireNonNull(ownedScheduler);
    this.ownedScheduler = ownedScheduler;
    this.state = new DhtState(host, peerStore, b.options, b.clock);
    DhtClient client = new DhtClient(state);
    this.server =
        new DhtServer(
            state,
            peer -> {
              Consumer<PeerId> l = strikeListener;
              if (l != null) {
                l.accept(peer);
              }
            });
    this.lookups = new DhtLookups(state, client);
    this.upkeep = new DhtUpkeep(state, client, lookups, scheduler, b.random, b.bootstrapPeers);
    if (b.options.mode() == DhtMode.SERVER) {
      host.setStreamHandler(PROTOCOL, server::serve);
    }
    host.addConnectionListener(listener);
  }

  /**
   * A builder for a DHT on {@code host}.
   *
   * @param host the host to serve and dial through (not owned: its owner starts and stops it)
   * @return a builder with the defaults {@link Builder} lists
   * @throws NullPointerException if {@code host} is null
   */
  public static Builder builder(Host host) {
    return new Builder(host);
  }

  /**
   * The provider key go-libp2p's {@code RoutingDiscovery} uses for {@code namespace}: the sha2-256
   * multihash of its UTF-8 bytes ({@code 12 20 ‖ SHA-256}), the hash of the raw CIDv1 Go builds.
   *
   * @param namespace the namespace, as ev-node names it (the chain id by default)
   * @return a new 34-byte array, the key for {@link #provide} and {@link #findProviders}
   * @throws NullPointerException if {@code namespace} is null
   */
  public static byte[] namespaceKey(String namespace) {
    return Keys.namespaceKey(Objects.requireNonNull(namespace, "namespace == null"));
  }

  /**
   * Starts the timers and bootstraps: a {@link #bootstrap()} now (connected DHT peers are offered
   * to the table; with an empty table the bootstrap peers are dialled; then a refresh), a
   * routing-table refresh every {@link DhtOptions#refreshInterval()}, a low-peer check every {@link
   * DhtOptions#lowPeerCheckInterval()} and an hourly provider GC. The future of {@link #start()}
   * completes when the first bootstrap ended (a failed bootstrap does not fail it).
   *
   * @return completes when the first bootstrap ended, never exceptionally
   */
  @Override
  protected CompletableFuture<Void> doStart() {
    upkeep.startTimers();
    bootstrap().whenComplete((v, t) -> firstBootstrap.complete(null));
    return firstBootstrap;
  }

  /** A stop during the first bootstrap does not wait for its lookups: they fail once it stopped. */
  @Override
  protected void cancelStart() {
    firstBootstrap.complete(null);
  }

  /**
   * Stops serving and the timers; lookups in flight fail; the owned scheduler stops.
   *
   * @return an already completed future
   */
  @Override
  protected CompletableFuture<Void> doStop() {
    release();
    return CompletableFuture.completedFuture(null);
  }

  private void release() {
    upkeep.close();
    state.host.removeConnectionListener(listener);
    if (state.options.mode() == DhtMode.SERVER) {
      state.host.removeStreamHandler(PROTOCOL);
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
    return state.self;
  }

  /**
   * Whether this DHT serves requests or only asks.
   *
   * @return the mode of its options
   */
  public DhtMode mode() {
    return state.options.mode();
  }

  /**
   * The peer store addresses are read from and written to.
   *
   * @return the builder's peer store, or the DHT's own
   */
  public PeerStore peerStore() {
    return state.peerStore;
  }

  /**
   * The peers in the routing table.
   *
   * @return a snapshot, in no particular order
   */
  public List<PeerId> routingTable() {
    synchronized (state) {
      return state.table.peers();
    }
  }

  /**
   * How many peers the routing table holds.
   *
   * @return the size of the routing table
   */
  public int routingTableSize() {
    return state.tableSize();
  }

  /**
   * Lookups started since the DHT was built (refresh, provide and provider searches included).
   *
   * @return the count; lookups refused by the in-flight limit or an empty table are not counted
   */
  public int lookupsStarted() {
    return lookups.lookupsStarted();
  }

  /**
   * Strikes against {@code peer} (malformed or invalid DHT requests it sent).
   *
   * @param peer the peer
   * @return its strikes; 0 for a peer never struck, or forgotten (1,024 peers are remembered, the
   *     least recently struck or heard from dropped first)
   */
  public int strikes(PeerId peer) {
    return server.strikes(peer);
  }

  /**
   * How many keys {@code peer} provides in our store.
   *
   * @param peer the peer
   * @return the keys with a record of {@code peer}; expired records count until the hourly GC
   */
  public int providedKeys(PeerId peer) {
    synchronized (state) {
      return state.providers.keysOf(peer);
    }
  }

  /**
   * Go's admission check: sends {@code peer} a FIND_NODE for its own id and adds it to the routing
   * table if it answers. Completes with whether the peer is in the table; never exceptionally.
   *
   * @param peer the peer to check; offering ourselves completes with false
   * @return whether the peer is in the table afterwards; completes on the host's user executor (at
   *     once if the peer is in the table, the DHT stopped, or 64 checks are in flight)
   * @throws NullPointerException if {@code peer} is null
   */
  public CompletableFuture<Boolean> offerPeer(PeerId peer) {
    Objects.requireNonNull(peer, "peer == null");
    return upkeep.offerPeer(peer);
  }

  /**
   * Go's {@code fixLowPeers} plus a refresh: with at most 10 table peers, offers every connected
   * peer that speaks the DHT; with an empty table, dials the bootstrap peers (random order, until
   * two answered). Completes when the refresh that follows ended, never exceptionally.
   *
   * @return completes when done, also if nothing could be reached
   */
  public CompletableFuture<Void> bootstrap() {
    return upkeep.bootstrap();
  }

  /**
   * Refreshes the routing table as Go does: checks peers not heard from for about 43 min (evicting
   * those that do not answer), then a lookup of our own id, then one lookup for a random key at
   * each common prefix length from 0 to min(the table's highest, 15). Completes when done; fails
   * with {@link DhtException} ({@code LOOKUP_FAILED}) if the table is empty.
   *
   * @return completes when the lookups ended; fails with {@link DhtException}: {@code
   *     LOOKUP_FAILED}, {@code LIMIT} (from the lookup of our id) or {@code CLOSED}
   */
  public CompletableFuture<Void> refresh() {
    return upkeep.refresh();
  }

  /**
   * The k peers nearest {@code key} (a peer id's bytes or a content multihash) that answered an
   * iterative FIND_NODE lookup, nearest first.
   *
   * @param key the key to look up (copied)
   * @return fails with {@link DhtException}: {@code LOOKUP_FAILED} if the routing table is empty,
   *     {@code LIMIT} if too many lookups are in flight, {@code CLOSED}
   * @throws NullPointerException if {@code key} is null
   */
  public CompletableFuture<List<PeerId>> findClosestPeers(byte[] key) {
    Objects.requireNonNull(key, "key == null");
    return lookups.findClosestPeers(key.clone());
  }

  /**
   * Announces that we provide {@code key}: stores ourselves as a provider, looks up the k peers
   * nearest the key and sends each an ADD_PROVIDER with our id and addresses (Go's {@code
   * Provide}). Completes with the number of peers the announcement was written to.
   *
   * @param key a multihash, such as {@link #namespaceKey} makes (copied)
   * @return fails with {@link DhtException}: {@code BAD_KEY}, {@code REJECTED} if we have no
   *     address to announce, {@code LIMIT}, {@code LOOKUP_FAILED} if no peer was found
   * @throws NullPointerException if {@code key} is null
   */
  public CompletableFuture<Integer> provide(byte[] key) {
    Objects.requireNonNull(key, "key == null");
    return lookups.provide(key.clone());
  }

  /**
   * Finds up to {@code limit} providers of {@code key} (0: up to {@link
   * DhtOptions#maxProvidersPerKey()}): the ones we stored, then those a GET_PROVIDERS lookup
   * returns, stopping once enough were found (Go's {@code FindProvidersAsync}). We are never in the
   * result.
   *
   * @param key a multihash, such as {@link #namespaceKey} makes (copied)
   * @param limit the most providers wanted, 0 for {@link DhtOptions#maxProvidersPerKey()}
   * @return fails with {@link DhtException} as {@link #findClosestPeers}, unless some providers
   *     were found locally
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  public CompletableFuture<List<PeerAddresses>> findProviders(byte[] key, int limit) {
    Objects.requireNonNull(key, "key == null");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    return lookups.findProviders(key.clone(), limit);
  }

  /**
   * Our listen addresses as we announce them: an unspecified IPv4 address ({@code 0.0.0.0}) becomes
   * every IPv4 address of the machine's interfaces (loopback included, as Go's address expansion).
   *
   * @return the addresses, without {@code /p2p}; empty if the host does not listen
   */
  public List<Multiaddr> advertisedAddresses() {
    return state.advertisedAddresses();
  }

  @Override
  public String toString() {
    return "Dht{" + state.self + ", " + state.options.mode() + "}";
  }

  /**
   * Builds a {@link Dht}. Build it before the host starts, so that identify lists {@value
   * #PROTOCOL} from the first connection. Defaults: {@link DhtOptions#defaults()}; a {@link
   * PeerStore} of its own attached to the host; the system clock; a scheduler thread of its own; a
   * new {@link Random}; no bootstrap peers.
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
     * @throws NullPointerException if {@code options} is null
     */
    public Builder options(DhtOptions options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * The peer store to read and write addresses in (the caller attaches it to the host).
     *
     * @param peerStore default a store of the DHT's own, attached to the host
     * @return this builder
     * @throws NullPointerException if {@code peerStore} is null
     */
    public Builder peerStore(PeerStore peerStore) {
      this.peerStore = Objects.requireNonNull(peerStore, "peerStore == null");
      return this;
    }

    /**
     * Time for record expiry and the routing table.
     *
     * @param clock default the system UTC clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Runs the DHT's timers (not owned: the caller shuts it down).
     *
     * @param scheduler default a daemon thread of the DHT's own, shut down when it stops
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /**
     * Randomness for refresh keys and the bootstrap order.
     *
     * @param random default a new {@link Random}; a seeded one makes both repeatable
     * @return this builder
     * @throws NullPointerException if {@code random} is null
     */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random, "random == null");
      return this;
    }

    /**
     * Peers dialled when the routing table is empty (Go's {@code BootstrapPeers}; ev-node passes
     * its seeds).
     *
     * @param peers addresses with {@code /p2p/<peer id>}, added to those given before
     * @return this builder
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
      ScheduledExecutorService owned =
          scheduler != null
              ? null
              : Executors.newSingleThreadScheduledExecutor(
                  new DefaultThreadFactory("headersync-dht", true));
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
