package io.headersync;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.PubSub;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * HeaderSyncService.Builder#p2p(P2PClient)} of the node, close it after the services.
 * Thread-safe.
 */
public final class P2PClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(P2PClient.class);

  private final P2PConfig config;
  private final ConnectionGater gater = new ConnectionGater();
  private final Host host;
  private final PubSub pubSub;
  private final ScheduledExecutorService scheduler;
  private final @Nullable ScheduledExecutorService ownedScheduler;
  private final Map<PeerId, SeedState> seeds = new HashMap<>();
  private boolean started;
  private boolean closed;

  private static final class SeedState {
    final Multiaddr address;
    Duration backoff;
    @Nullable ScheduledFuture<?> redial;
    boolean dialing;

    SeedState(Multiaddr address, Duration backoff) {
      this.address = address;
      this.backoff = backoff;
    }
  }

  private P2PClient(P2PConfig config, int defaultMaxPubsubMessageSize, @Nullable ScheduledExecutorService scheduler,
      @Nullable Executor executor, Clock clock) {
    this.config = config;
    for (PeerId p : config.blockedPeers()) {
      gater.blockPeer(p);
    }
    for (PeerId p : config.allowedPeers()) {
      gater.unblockPeer(p);
    }
    Host.Builder hb = Host.builder(config.identity()).gater(gater).clock(clock).userAgent("headersync");
    config.listen().forEach(hb::listen);
    if (config.inMemory() != null) {
      hb.inMemory(config.inMemory());
    }
    if (executor != null) {
      hb.executor(executor);
    }
    this.host = hb.build();
    int maxMessage = config.maxPubsubMessageSize() > 0 ? config.maxPubsubMessageSize() : defaultMaxPubsubMessageSize;
    PubSub.Builder pb = PubSub.builder(host, config.identity()).router(config.router()).maxMessageSize(maxMessage)
        .clock(clock);
    // Built before the host starts, so identify lists the pubsub protocols from the first connection.
    this.pubSub = pb.build();
    if (scheduler != null) {
      this.scheduler = scheduler;
      this.ownedScheduler = null;
    } else {
      ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "headersync-p2p");
        t.setDaemon(true);
        return t;
      });
      this.scheduler = s;
      this.ownedScheduler = s;
    }
    for (Multiaddr seed : config.seeds()) {
      seeds.putIfAbsent(seed.peerId().orElseThrow(), new SeedState(seed, config.seedRedialMin()));
    }
  }

  /**
   * A client for {@code config}.
   *
   * @param defaultMaxPubsubMessageSize the pubsub limit when the config leaves it to the profile
   * @param scheduler for seed re-dials (null: a daemon thread of the client's own)
   * @param executor the host's user executor (null: the host's default)
   */
  public static P2PClient create(P2PConfig config, int defaultMaxPubsubMessageSize,
      @Nullable ScheduledExecutorService scheduler, @Nullable Executor executor, Clock clock) {
    return new P2PClient(Objects.requireNonNull(config, "config == null"), defaultMaxPubsubMessageSize, scheduler,
        executor, Objects.requireNonNull(clock, "clock == null"));
  }

  /** A client for {@code config} with its own scheduler, the system clock and the profile's limits. */
  public static P2PClient create(P2PConfig config, NetworkProfile profile) {
    return create(config, profile.maxPubsubMessageSize(), null, null, Clock.systemUTC());
  }

  /**
   * Starts listening and dials the seeds (without waiting for them: a seed that is down is
   * re-dialled with backoff). Completes when the host listens. Idempotent.
   */
  public synchronized CompletableFuture<Void> start() {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("P2P client closed"));
    }
    if (started) {
      return CompletableFuture.completedFuture(null);
    }
    started = true;
    host.addConnectionListener(new ConnectionListener() {
      @Override
      public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
        seedConnected(peer);
      }

      @Override
      public void disconnected(PeerId peer) {
        seedDisconnected(peer);
      }
    });
    return host.start().thenRun(() -> {
      synchronized (this) {
        seeds.keySet().forEach(this::dial);
      }
    });
  }

  public Host host() {
    return host;
  }

  public PubSub pubSub() {
    return pubSub;
  }

  public ConnectionGater gater() {
    return gater;
  }

  public P2PConfig config() {
    return config;
  }

  /** The seeds' peer ids: the exchange's trusted peers. */
  public List<PeerId> seedPeers() {
    return config.seedPeers();
  }

  /** The addresses to give other nodes as a seed, each with our peer id. */
  public List<Multiaddr> addresses() {
    return host.listenAddresses().stream().map(a -> a.withPeerId(host.peerId())).toList();
  }

  private synchronized void dial(PeerId peer) {
    SeedState s = seeds.get(peer);
    if (closed || s == null || s.dialing || host.connectedPeers().contains(peer)) {
      return;
    }
    if (!gater.isPeerAllowed(peer)) {
      log.warn("seed {} is blocked; not dialling it", peer);
      return;
    }
    s.dialing = true;
    host.connect(s.address).whenComplete((p, e) -> {
      synchronized (this) {
        s.dialing = false;
        if (e != null && !closed) {
          log.debug("seed {} not reachable ({}); re-dialling in {}", peer, e.toString(), s.backoff);
          scheduleRedial(peer, s);
        }
      }
    });
  }

  private void scheduleRedial(PeerId peer, SeedState s) {
    if (s.redial != null && !s.redial.isDone()) {
      return;
    }
    Duration wait = s.backoff;
    s.backoff = min(s.backoff.multipliedBy(2), config.seedRedialMax());
    s.redial = scheduler.schedule(() -> dial(peer), wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void seedConnected(PeerId peer) {
    SeedState s = seeds.get(peer);
    if (s != null) {
      s.backoff = config.seedRedialMin();
      if (s.redial != null) {
        s.redial.cancel(false);
        s.redial = null;
      }
    }
  }

  private synchronized void seedDisconnected(PeerId peer) {
    SeedState s = seeds.get(peer);
    if (s != null && !closed) {
      scheduleRedial(peer, s);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Closes pubsub, then the host. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      for (SeedState s : seeds.values()) {
        if (s.redial != null) {
          s.redial.cancel(false);
        }
      }
    }
    pubSub.close();
    host.close();
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "P2PClient{" + host.peerId() + "}";
  }
}
