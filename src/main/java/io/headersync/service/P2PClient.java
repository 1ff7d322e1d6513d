package io.headersync.service;

import io.headersync.annotation.Nullable;
import io.headersync.internal.Backoff;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.ConnectionManager;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerStore;
import io.headersync.libp2p.dht.Dht;
import io.headersync.libp2p.dht.Discovery;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.lifecycle.AbstractService;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's libp2p side, shared by its header and data services (ev-node's {@code p2p.Client}): the
 * {@link Host}, its {@link ConnectionGater} with the blocked and allowed peers applied, the {@link
 * PubSub} router, and the seed connections, re-dialled with backoff while they are down.
 *
 * <p>Create one with {@link #create}, {@link #start()} it, hand it to every {@link
 * HeaderSyncService.Builder#p2p(P2PClient)} of the node, stop it after the services.
 *
 * <p>Lifecycle: a {@link io.headersync.lifecycle.Service}. The host, pubsub router, DHT and their
 * threads are built by {@link #create}; {@link #stop()} releases them whether or not the client
 * started (on a thread of its own: closing the host waits for its event loops). Thread-safe; the
 * lifecycle futures complete on the executor given to {@link #create} (the node's worker pool), or,
 * without one, on the thread that finished the transition (the host's own pool for a start).
 */
public final class P2PClient extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(P2PClient.class);

  /** How long {@link #start()} waits for the first dial of the seeds. */
  private static final Duration FIRST_DIAL_WAIT = Duration.ofSeconds(10);

  private final P2PConfig config;
  private final Backoff seedBackoff;
  private final ConnectionGater gater = new ConnectionGater();
  private final Host host;
  private final ConnectionManager connectionManager;
  private final PubSub pubSub;
  private final ScheduledExecutorService scheduler;
  private final @Nullable ScheduledExecutorService ownedScheduler;
  private final Map<PeerId, SeedState> seeds = new HashMap<>();

  /**
   * Peers from gossipsub peer exchange being dialled now. Guarded by itself; at most {@link
   * #MAX_PX_DIALS}.
   */
  private final Set<PeerId> pxDials = new HashSet<>();

  private final java.util.concurrent.atomic.AtomicLong pxDialed =
      new java.util.concurrent.atomic.AtomicLong();

  /** PX dials in flight at most (go-libp2p-pubsub runs 8 connectors over a queue of 128). */
  static final int MAX_PX_DIALS = 16;

  private final PeerStore peerStore;
  private final @Nullable Dht dht;
  private final @Nullable Discovery discovery;

  /** The future {@link #doStart()} returned, completed early by {@link #cancelStart()}. */
  private final CompletableFuture<Void> starting = new CompletableFuture<>();

  private static final class SeedState {
    final Multiaddr address;
    int redials; // re-dials scheduled since the last connection; the next one waits
    // seedBackoff.delay(redials + 1)
    @Nullable ScheduledFuture<?> redial;
    boolean dialing;

    SeedState(Multiaddr address) {
      this.address = address;
    }
  }

  private P2PClient(
      P2PConfig config,
      int defaultMaxPubsubMessageSize,
      @Nullable ScheduledExecutorService scheduler,
      @Nullable Executor executor,
      Clock clock,
      @Nullable String namespace) {
    super("P2P client " + config.identity().peerId(), executor != null ? executor : Runnable::run);
    this.config = config;
    this.seedBackoff = Backoff.exponential(config.seedRedialMin(), config.seedRedialMax());
    for (PeerId p : config.blockedPeers()) {
      gater.blockPeer(p);
    }
    for (PeerId p : config.allowedPeers()) {
      gater.unblockPeer(p);
    }
    Host.Builder hb =
        Host.builder(config.identity()).gater(gater).clock(clock).userAgent("headersync");
    config.listen().forEach(hb::listen);
    if (config.inMemory() != null) {
      hb.inMemory(config.inMemory());
    }
    if (executor != null) {
      hb.executor(executor);
    }
    Host builtHost = hb.build();
    // Everything below releases what it acquired when a later step fails (the host's event loops,
    // the scheduler's thread, pubsub's threads): a failed build leaves nothing running.
    ScheduledExecutorService owned = null;
    PubSub builtPubSub = null;
    Dht builtDht = null;
    try {
      int maxMessage =
          config.maxPubsubMessageSize() > 0
              ? config.maxPubsubMessageSize()
              : defaultMaxPubsubMessageSize;
      if (scheduler == null) {
        owned =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "headersync-p2p");
                  t.setDaemon(true);
                  return t;
                });
      }
      ScheduledExecutorService timers = scheduler != null ? scheduler : owned;
      PubSub.Builder pb =
          PubSub.builder(builtHost, config.identity())
              .router(config.router())
              .maxMessageSize(maxMessage)
              .clock(clock)
              .scheduler(timers);
      if (config.peerScore() != null) {
        pb.peerScore(config.peerScore(), config.scoreThresholds());
      }
      pb.peerExchangeDialer(this::dialExchangedPeers); // runs only once the host is up
      // Built before the host starts, so identify lists the pubsub protocols from the first
      // connection.
      builtPubSub = pb.build();
      PeerStore store = new PeerStore(clock);
      store.attach(builtHost);
      DiscoveryOptions d = config.discovery().orElse(null);
      Discovery builtDiscovery = null;
      if (d != null) {
        String ns = d.namespace().orElse(namespace);
        if (ns == null) {
          throw new IllegalArgumentException(
              "discovery is on but names no namespace and the client has no chain id");
        }
        // Built before the host starts too, so identify lists /ipfs/kad/1.0.0 from the first
        // connection.
        builtDht =
            Dht.builder(builtHost)
                .options(config.dht())
                .peerStore(store)
                .clock(clock)
                .scheduler(timers)
                .bootstrapPeers(config.seeds())
                .build();
        builtDiscovery = new Discovery(builtDht, builtHost, d.withNamespace(ns), timers);
      }
      // Seeds are what a node depends on to find the network: never trimmed.
      ConnectionManager manager =
          ConnectionManager.builder(builtHost)
              .options(config.connectionManager())
              .clock(clock)
              .scheduler(timers)
              .values(builtPubSub::connectionValues)
              .build();
      for (Multiaddr seed : config.seeds()) {
        manager.protect(seed.peerId().orElseThrow(), "seed");
      }
      this.connectionManager = manager;
      this.host = builtHost;
      this.scheduler = timers;
      this.ownedScheduler = owned;
      this.pubSub = builtPubSub;
      this.peerStore = store;
      this.dht = builtDht;
      this.discovery = builtDiscovery;
    } catch (RuntimeException | Error e) {
      if (builtDht != null) {
        builtDht.close();
      }
      if (builtPubSub != null) {
        builtPubSub.close();
      }
      builtHost.close();
      if (owned != null) {
        owned.shutdownNow();
      }
      throw e;
    }
    for (Multiaddr seed : config.seeds()) {
      seeds.putIfAbsent(seed.peerId().orElseThrow(), new SeedState(seed));
    }
  }

  /**
   * A client for {@code config}: builds the host, the pubsub router and (when discovery is on) the
   * DHT, starts nothing. A build that fails releases what it built.
   *
   * @param config the identity, listen addresses, seeds, peer lists and limits
   * @param defaultMaxPubsubMessageSize the pubsub limit when the config leaves it to the profile
   * @param scheduler for seed re-dials (null: a daemon thread of the client's own)
   * @param executor the host's user executor, where the lifecycle futures complete too (null: the
   *     host's default, and the lifecycle futures complete on the thread that finished the
   *     transition)
   * @param clock the clock of the host, pubsub, DHT and connection manager
   * @return the client, {@link State#NEW}: {@link #stop()} it even if it never starts
   * @throws NullPointerException if {@code config} or {@code clock} is null
   * @throws IllegalArgumentException if discovery is on and the config names no namespace (this
   *     overload has no chain id to fall back on)
   */
  public static P2PClient create(
      P2PConfig config,
      int defaultMaxPubsubMessageSize,
      @Nullable ScheduledExecutorService scheduler,
      @Nullable Executor executor,
      Clock clock) {
    return new P2PClient(
        Objects.requireNonNull(config, "config == null"),
        defaultMaxPubsubMessageSize,
        scheduler,
        executor,
        Objects.requireNonNull(clock, "clock == null"),
        null);
  }

  /**
   * As {@link #create(P2PConfig, int, ScheduledExecutorService, Executor, Clock)}, for the node of
   * chain {@code chainId}: the discovery namespace unless the config names one.
   *
   * @param config the identity, listen addresses, seeds, peer lists and limits
   * @param defaultMaxPubsubMessageSize the pubsub limit when the config leaves it to the profile
   * @param scheduler for seed re-dials (null: a daemon thread of the client's own)
   * @param executor the host's user executor, where the lifecycle futures complete too (null: the
   *     host's default, and the lifecycle futures complete on the thread that finished the
   *     transition)
   * @param clock the clock of the host, pubsub, DHT and connection manager
   * @param chainId the chain's id, the discovery namespace by default
   * @return the client, {@link State#NEW}: {@link #stop()} it even if it never starts
   * @throws NullPointerException if {@code config}, {@code clock} or {@code chainId} is null
   */
  public static P2PClient create(
      P2PConfig config,
      int defaultMaxPubsubMessageSize,
      @Nullable ScheduledExecutorService scheduler,
      @Nullable Executor executor,
      Clock clock,
      String chainId) {
    return new P2PClient(
        Objects.requireNonNull(config, "config == null"),
        defaultMaxPubsubMessageSize,
        scheduler,
        executor,
        Objects.requireNonNull(clock, "clock == null"),
        Objects.requireNonNull(chainId, "chainId == null"));
  }

  /**
   * A client for {@code config} with its own scheduler, the system clock and the profile's limits;
   * the lifecycle futures complete on the thread that finished the transition.
   *
   * @param config the identity, listen addresses, seeds, peer lists and limits
   * @param profile the network profile whose pubsub message limit applies unless the config sets
   *     one
   * @return the client, {@link State#NEW}: {@link #stop()} it even if it never starts
   * @throws NullPointerException if {@code config} or {@code profile} is null
   * @throws IllegalArgumentException if discovery is on and the config names no namespace
   */
  public static P2PClient create(P2PConfig config, NetworkProfile profile) {
    return create(config, profile.maxPubsubMessageSize(), null, null, Clock.systemUTC());
  }

  /**
   * Starts listening and dials the seeds. Completes when the host listens and the first dial of
   * every seed ended, connected or not (at most 10 s): a seed that is down does not fail the start,
   * it is re-dialled with backoff. A stop requested meanwhile stops waiting for the dials.
   */
  @Override
  protected CompletableFuture<Void> doStart() {
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
            seedConnected(peer);
          }

          @Override
          public void disconnected(PeerId peer) {
            seedDisconnected(peer);
          }
        });
    pubSub.start(); // before the host, so identify lists the pubsub protocols from the first
    // connection
    host.start()
        .thenCompose(
            v -> {
              List<CompletableFuture<Void>> dials = new java.util.ArrayList<>();
              synchronized (this) {
                seeds.keySet().forEach(p -> dials.add(dial(p)));
              }
              // Wait for the first attempt at every seed (not for success), so that the services'
              // first
              // requests find the seeds connected instead of racing the dials.
              return CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new))
                  .completeOnTimeout(null, FIRST_DIAL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            })
        .thenRun(
            () -> {
              // doStop takes the lock once the state says STOPPING: discovery starts before it is
              // closed, or not at all.
              synchronized (this) {
                if (discovery != null && !isStopping()) {
                  discovery.start();
                }
              }
            })
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                starting.completeExceptionally(e);
              } else {
                starting.complete(null);
              }
            });
    return starting;
  }

  /**
   * A stop while the seeds are dialled: the start ends now (as stopped), the dials are abandoned.
   */
  @Override
  protected void cancelStart() {
    starting.complete(null);
  }

  /** Whether a stop (or failure) is releasing, or has released, the client. */
  private boolean isStopping() {
    State s = state();
    return s == State.STOPPING || s.isTerminal();
  }

  /** {@return the libp2p host: its identity, listen addresses and connections} */
  public Host host() {
    return host;
  }

  /** {@return the gossip router the services' subscribers use; started before the host} */
  public PubSub pubSub() {
    return pubSub;
  }

  /** {@return the addresses and protocols of the peers we met (identify, the DHT)} */
  public PeerStore peerStore() {
    return peerStore;
  }

  /** {@return the Kademlia DHT, when discovery is on} */
  public Optional<Dht> dht() {
    return Optional.ofNullable(dht);
  }

  /** {@return peer discovery, when on ({@link P2PConfig.Builder#discovery})} */
  public Optional<Discovery> discovery() {
    return Optional.ofNullable(discovery);
  }

  /**
   * Dials peers a gossipsub peer offered in a PRUNE (see {@link
   * PubSub.Builder#peerExchangeDialer}): addresses from the peer store, else from a DHT lookup of
   * the peer id when discovery is on; through the host, so the gater's block list applies. Bounded
   * by {@link #MAX_PX_DIALS} in flight.
   */
  private void dialExchangedPeers(List<PeerId> offered) {
    for (PeerId p : offered) {
      if (isStopping()) {
        return;
      }
      if (host.connectedPeers().contains(p) || gater.blockedPeers().contains(p)) {
        continue;
      }
      synchronized (pxDials) {
        if (pxDials.size() >= MAX_PX_DIALS || !pxDials.add(p)) {
          continue;
        }
      }
      CompletableFuture<List<Multiaddr>> addrs =
          peerStore.addresses(p).isEmpty() && dht != null
              ? dht.findClosestPeers(p.bytes()).handle((v, e) -> peerStore.addresses(p))
              : CompletableFuture.completedFuture(peerStore.addresses(p));
      addrs
          .thenCompose(
              list -> {
                if (list.isEmpty()) {
                  return CompletableFuture.failedFuture(
                      new IllegalStateException("no address known"));
                }
                pxDialed.incrementAndGet();
                return host.connect(list.get(0).withPeerId(p));
              })
          .whenComplete(
              (v, e) -> {
                synchronized (pxDials) {
                  pxDials.remove(p);
                }
                if (e != null) {
                  log.debug("dialling {} from peer exchange failed: {}", p, e.toString());
                }
              });
    }
  }

  /** {@return how many peers from gossipsub peer exchange we dialled (with an address to dial)} */
  public long peerExchangeDials() {
    return pxDialed.get();
  }

  /**
   * Keeps the peer count between {@link P2PConfig#connectionManager()}'s watermarks; seeds are
   * protected, and so are gossip mesh peers; protect others (trusted peers) with {@link
   * ConnectionManager#protect}.
   *
   * @return the connection manager
   */
  public ConnectionManager connectionManager() {
    return connectionManager;
  }

  /**
   * The gater with the config's blocked and allowed peers; the exchange blocks peers that answer
   * invalid headers here.
   *
   * @return the connection gater, shared by every service on this client
   */
  public ConnectionGater gater() {
    return gater;
  }

  /** {@return the configuration the client was created with} */
  public P2PConfig config() {
    return config;
  }

  /** {@return the seeds' peer ids: the exchange's trusted peers by default} */
  public List<PeerId> seedPeers() {
    return config.seedPeers();
  }

  /** {@return the addresses to give other nodes as a seed, each with our peer id} */
  public List<Multiaddr> addresses() {
    return host.listenAddresses().stream().map(a -> a.withPeerId(host.peerId())).toList();
  }

  /**
   * Dials a seed unless connected or dialling; completes when this attempt ended, never
   * exceptionally.
   */
  private synchronized CompletableFuture<Void> dial(PeerId peer) {
    SeedState s = seeds.get(peer);
    if (isStopping() || s == null || s.dialing || host.connectedPeers().contains(peer)) {
      return CompletableFuture.completedFuture(null);
    }
    if (!gater.isPeerAllowed(peer)) {
      log.warn("seed {} is blocked; not dialling it", peer);
      return CompletableFuture.completedFuture(null);
    }
    s.dialing = true;
    return host.connect(s.address)
        .handle(
            (p, e) -> {
              synchronized (this) {
                s.dialing = false;
                if (e != null && !isStopping()) {
                  log.debug(
                      "seed {} not reachable ({}); re-dialling in {}",
                      peer,
                      e.toString(),
                      seedBackoff.delay(s.redials + 1));
                  scheduleRedial(peer, s);
                }
              }
              return null;
            });
  }

  private void scheduleRedial(PeerId peer, SeedState s) {
    if (s.redial != null && !s.redial.isDone()) {
      return;
    }
    Duration wait = seedBackoff.delay(++s.redials);
    s.redial =
        scheduler.schedule(
            () -> {
              dial(peer);
            },
            wait.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private synchronized void seedConnected(PeerId peer) {
    SeedState s = seeds.get(peer);
    if (s != null) {
      s.redials = 0;
      if (s.redial != null) {
        s.redial.cancel(false);
        s.redial = null;
      }
    }
  }

  private synchronized void seedDisconnected(PeerId peer) {
    SeedState s = seeds.get(peer);
    if (s != null && !isStopping()) {
      scheduleRedial(peer, s);
    }
  }

  /**
   * Releases everything {@link #create} built, in reverse order: discovery, the DHT, the connection
   * manager, pubsub, the host, the owned scheduler. On a thread of its own (closing the host waits
   * for its event loops), so that any thread may stop the client; the future fails with the first
   * part that failed to close, after every part was tried.
   */
  @Override
  protected CompletableFuture<Void> doStop() {
    synchronized (this) {
      for (SeedState s : seeds.values()) {
        if (s.redial != null) {
          s.redial.cancel(false);
        }
      }
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              RuntimeException first = null;
              List<Runnable> parts = new java.util.ArrayList<>();
              if (discovery != null) {
                parts.add(discovery::close);
              }
              if (dht != null) {
                parts.add(dht::close);
              }
              parts.add(connectionManager::close);
              parts.add(pubSub::close);
              parts.add(host::close);
              if (ownedScheduler != null) {
                parts.add(ownedScheduler::shutdownNow);
              }
              for (Runnable part : parts) {
                try {
                  part.run();
                } catch (RuntimeException e) {
                  if (first == null) {
                    first = e;
                  } else {
                    first.addSuppressed(e);
                  }
                }
              }
              if (first != null) {
                done.completeExceptionally(first);
              } else {
                done.complete(null);
              }
            },
            "headersync-p2p-stop");
    t.setDaemon(true);
    t.start();
    return done;
  }

  @Override
  public String toString() {
    return "P2PClient{" + host.peerId() + "}";
  }
}
