package io.headersync.libp2p.dht;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.lifecycle.AbstractService;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the peers of a namespace through a {@link Dht}, as ev-node does with go-libp2p's routing
 * discovery: {@linkplain #advertise() advertises} the namespace (ADD_PROVIDER of {@link
 * Dht#namespaceKey}) and re-advertises it after 7/8 of the TTL (after 2 min on failure), and
 * {@linkplain #findAndDial() searches} it (GET_PROVIDERS, up to {@code findLimit} providers) and
 * dials each provider it is not connected to, through the host and so through its connection gater.
 * Unlike ev-node, which searches once at start, it searches again whenever fewer than the low
 * watermark of peers are connected, and stops dialling at the high watermark.
 *
 * <p>A {@link io.headersync.lifecycle.Service}: {@link #start()} starts the DHT (if it is not
 * started yet), then advertises and searches in the background; {@link #stop()} cancels the timers
 * (the DHT is not the discovery's: its owner stops it).
 *
 * <p>Thread-safe; timers run on the scheduler, network completions and the futures of {@code
 * start()} and {@code stop()} on the host's user executor.
 */
public final class Discovery extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(Discovery.class);

  /** Discovered peers remembered (for {@link #discoveredPeers()}). */
  private static final int MAX_REMEMBERED = 1024;

  private final Dht dht;
  private final Host host;
  private final DiscoveryOptions options;
  private final String namespace;
  private final byte[] key;
  private final ScheduledExecutorService scheduler;
  private final Set<PeerId> discovered = new LinkedHashSet<>();
  private @Nullable ScheduledFuture<?> advertiseTimer;
  private @Nullable ScheduledFuture<?> checkTimer;
  private boolean searching;
  private boolean closed;

  /**
   * A discovery of the namespace the options name, NEW until {@link #start()}.
   *
   * @param dht the DHT to advertise and search in (not owned)
   * @param host the host to dial through (not owned)
   * @param options its namespace must be set ({@link DiscoveryOptions#withNamespace})
   * @param scheduler runs the timers (not owned)
   * @throws IllegalArgumentException if the options name no namespace
   */
  public Discovery(
      Dht dht, Host host, DiscoveryOptions options, ScheduledExecutorService scheduler) {
    super(
        "discovery of " + namespaceOf(options),
        Objects.requireNonNull(host, "host == null").executor());
    this.dht = Objects.requireNonNull(dht, "dht == null");
    this.host = host;
    this.options = options;
    this.namespace = namespaceOf(options);
    this.key = Dht.namespaceKey(namespace);
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
  }

  private static String namespaceOf(DiscoveryOptions options) {
    return Objects.requireNonNull(options, "options == null")
        .namespace()
        .orElseThrow(() -> new IllegalArgumentException("discovery options name no namespace"));
  }

  /**
   * The namespace advertised and searched.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  /**
   * Starts the DHT (bootstrap), then advertises and searches (ev-node's order: refresh, Advertise,
   * FindPeers), then checks the watermarks every {@code checkInterval}. The future of {@link
   * #start()} completes at once: the discovery runs in the background.
   */
  @Override
  protected synchronized CompletableFuture<Void> doStart() {
    dht.start()
        .whenComplete(
            (v, t) -> {
              advertiseLoop();
              findAndDial();
            });
    long every = options.checkInterval().toMillis();
    checkTimer =
        scheduler.scheduleWithFixedDelay(
            this::checkWatermarks, every, every, TimeUnit.MILLISECONDS);
    return CompletableFuture.completedFuture(null);
  }

  /** Cancels the timers; searches and dials in flight end by themselves. */
  @Override
  protected synchronized CompletableFuture<Void> doStop() {
    closed = true;
    if (advertiseTimer != null) {
      advertiseTimer.cancel(false);
    }
    if (checkTimer != null) {
      checkTimer.cancel(false);
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Peers found through the namespace: the chain's providers the DHT returned, whether this node
   * dialled them or was already connected to them (through the DHT's own lookups, say).
   *
   * @return the most recent {@value #MAX_REMEMBERED}
   */
  public synchronized Set<PeerId> discoveredPeers() {
    return Set.copyOf(discovered);
  }

  /**
   * Advertises the namespace once.
   *
   * @return the number of peers the provider record was sent to; fails as {@link Dht#provide}
   */
  public CompletableFuture<Integer> advertise() {
    return dht.provide(key);
  }

  private void advertiseLoop() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    advertise()
        .whenComplete(
            (n, t) -> {
              synchronized (this) {
                if (closed) {
                  return;
                }
                if (t != null) {
                  log.debug(
                      "advertising {} failed ({}); again in {}",
                      namespace,
                      t.getMessage(),
                      options.advertiseRetry());
                } else {
                  log.debug("advertised {} to {} peers", namespace, n);
                }
                long wait =
                    (t != null ? options.advertiseRetry() : options.readvertiseAfter()).toMillis();
                advertiseTimer =
                    scheduler.schedule(this::advertiseLoop, wait, TimeUnit.MILLISECONDS);
              }
            });
  }

  private void checkWatermarks() {
    if (host.connectedPeers().size() < options.lowWater()) {
      findAndDial();
    }
  }

  /**
   * Searches the namespace for up to {@code findLimit} providers and dials those we are not
   * connected to, while fewer than the high watermark are connected (one search at a time).
   * Completes with the peers newly connected; never exceptionally.
   *
   * @return the providers dialled successfully; empty, and already complete, if the discovery is
   *     stopped or a search is running; empty if the search failed (logged at debug)
   */
  public CompletableFuture<List<PeerId>> findAndDial() {
    synchronized (this) {
      if (closed || searching) {
        return CompletableFuture.completedFuture(List.of());
      }
      searching = true;
    }
    return dht.findProviders(key, options.findLimit())
        .handle(
            (found, t) -> {
              if (t != null) {
                log.debug("searching {} failed: {}", namespace, t.getMessage());
                return List.<PeerAddresses>of();
              }
              return found;
            })
        .thenCompose(this::dialAll)
        .whenComplete(
            (r, t) -> {
              synchronized (this) {
                searching = false;
              }
            });
  }

  private CompletableFuture<List<PeerId>> dialAll(List<PeerAddresses> found) {
    Set<PeerId> connected = host.connectedPeers();
    int room = options.highWater() - connected.size();
    List<CompletableFuture<PeerId>> dials = new ArrayList<>();
    synchronized (this) {
      for (PeerAddresses p : found) {
        if (!p.peer().equals(host.peerId())) {
          remember(p.peer());
        }
      }
    }
    for (PeerAddresses p : found) {
      if (dials.size() >= room) {
        break;
      }
      if (p.peer().equals(host.peerId()) || connected.contains(p.peer())) {
        continue;
      }
      dials.add(dial(p, 0, null));
    }
    return CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              List<PeerId> out = new ArrayList<>();
              for (CompletableFuture<PeerId> d : dials) {
                PeerId p = d.join();
                if (p != null) {
                  out.add(p);
                }
              }
              return out;
            });
  }

  /**
   * Records {@code p} as the most recently discovered peer, forgetting the oldest beyond the cap.
   */
  private void remember(PeerId p) {
    discovered.remove(p);
    discovered.add(p);
    if (discovered.size() > MAX_REMEMBERED) {
      discovered.remove(discovered.iterator().next());
    }
  }

  /**
   * Dials the addresses of {@code p} in turn through the host (and its gater); null if none worked.
   */
  private CompletableFuture<PeerId> dial(PeerAddresses p, int i, @Nullable Throwable last) {
    List<Multiaddr> addrs = p.addresses();
    if (i >= Math.min(addrs.size(), 4)) {
      if (last != null) {
        log.debug(
            "cannot dial discovered peer {}: {}",
            p.peer(),
            last instanceof CompletionException c && c.getCause() != null
                ? c.getCause().getMessage()
                : last.getMessage());
      }
      return CompletableFuture.completedFuture(null);
    }
    return host.connect(addrs.get(i).withPeerId(p.peer()))
        .handle(
            (peer, t) -> t == null ? CompletableFuture.completedFuture(peer) : dial(p, i + 1, t))
        .thenCompose(f -> f);
  }
}
