package io.headersync.libp2p;

import io.headersync.annotation.Nullable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the number of connected peers between a low and a high watermark, as go-libp2p's {@code
 * BasicConnMgr} does: when more than {@link Options#highWater()} peers are connected, the least
 * valuable peers are disconnected until {@link Options#lowWater()} remain. Never trimmed: peers
 * connected for less than the {@linkplain Options#gracePeriod() grace period}, peers {@linkplain
 * #protect protected} under any tag (seeds, trusted peers), and peers the {@linkplain
 * Builder#values value source} marks as protected (gossip mesh peers). The value of a peer is the
 * sum of its {@linkplain #tagPeer tags} plus its score from the value source (gossipsub's peer
 * score); the lowest go first, newest first among equals.
 *
 * <p>Differences from Go: peers are counted, not connections (a host keeps at most {@link
 * HostLimits#maxConnectionsPerPeer()} per peer); a trim runs at most once per {@linkplain
 * Options#silencePeriod() silence period} and is also checked on that period's timer, as Go's.
 *
 * <p>Bounded: entries exist for connected peers only (the host bounds them); protections and tags
 * for peers that are not connected (a seed before it is reached) are bounded by {@link
 * #MAX_PROTECTED_PEERS}. Thread-safe.
 *
 * <p>Why ~620 lines: go-libp2p's connection manager (watermarks, grace period, protection, trimming
 * by value: tags plus the gossipsub score) as one table under one lock; a third is Javadoc.
 */
public final class ConnectionManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionManager.class);

  /** Peers with protections or tags at most (connected or not). */
  public static final int MAX_PROTECTED_PEERS = 4_096;

  /**
   * Watermarks, grace and silence periods. {@link #defaults()} are go-libp2p's: 160 / 192 peers,
   * one minute of grace, 10 s between trims; change a few with {@link #toBuilder()}. Immutable.
   */
  public static final class Options {
    private static final Options DEFAULTS = builder().build();

    private final int lowWater;
    private final int highWater;
    private final Duration gracePeriod;
    private final Duration silencePeriod;

    private Options(Builder b) {
      this.lowWater = b.lowWater;
      this.highWater = b.highWater;
      this.gracePeriod = b.gracePeriod;
      this.silencePeriod = b.silencePeriod;
    }

    /**
     * go-libp2p's defaults.
     *
     * @return options with every default
     */
    public static Options defaults() {
      return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
      return new Builder();
    }

    /**
     * A builder starting from these options, to change a few.
     *
     * @return a new builder holding every setting of this one
     */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.lowWater = lowWater;
      b.highWater = highWater;
      b.gracePeriod = gracePeriod;
      b.silencePeriod = silencePeriod;
      return b;
    }

    /**
     * @return the peer count a trim brings the host down to
     */
    public int lowWater() {
      return lowWater;
    }

    /**
     * @return the peer count above which the host is trimmed
     */
    public int highWater() {
      return highWater;
    }

    /**
     * @return how long a new peer is never trimmed
     */
    public Duration gracePeriod() {
      return gracePeriod;
    }

    /**
     * @return the least time between two trims
     */
    public Duration silencePeriod() {
      return silencePeriod;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Options x
          && x.lowWater == lowWater
          && x.highWater == highWater
          && x.gracePeriod.equals(gracePeriod)
          && x.silencePeriod.equals(silencePeriod);
    }

    @Override
    public int hashCode() {
      return Objects.hash(lowWater, highWater, gracePeriod, silencePeriod);
    }

    @Override
    public String toString() {
      return "ConnectionManager.Options{lowWater="
          + lowWater
          + ", highWater="
          + highWater
          + ", gracePeriod="
          + gracePeriod
          + ", silencePeriod="
          + silencePeriod
          + "}";
    }

    /** Builds {@link Options}; starts from go-libp2p's defaults. Not thread-safe. */
    public static final class Builder {
      private int lowWater = 160;
      private int highWater = 192;
      private Duration gracePeriod = Duration.ofMinutes(1);
      private Duration silencePeriod = Duration.ofSeconds(10);

      private Builder() {}

      /**
       * The watermarks: above {@code high} connected peers the host is trimmed down to {@code low}.
       *
       * @param low the low watermark
       * @param high the high watermark
       * @return this builder
       */
      public Builder watermarks(int low, int high) {
        this.lowWater = low;
        this.highWater = high;
        return this;
      }

      /**
       * How long a new peer is never trimmed; default one minute.
       *
       * @param grace not negative
       * @return this builder
       */
      public Builder gracePeriod(Duration grace) {
        this.gracePeriod = Objects.requireNonNull(grace, "gracePeriod == null");
        return this;
      }

      /**
       * The least time between two trims, also the period of the check; default 10 s.
       *
       * @param silence positive
       * @return this builder
       */
      public Builder silencePeriod(Duration silence) {
        this.silencePeriod = Objects.requireNonNull(silence, "silencePeriod == null");
        return this;
      }

      /**
       * The options.
       *
       * @return the options
       * @throws IllegalArgumentException unless {@code 0 <= lowWater <= highWater}, the grace
       *     period is not negative and the silence period is positive, naming the setting
       */
      public Options build() {
        if (lowWater < 0 || highWater < lowWater) {
          throw new IllegalArgumentException(
              "connection manager watermarks need 0 <= low <= high, got low "
                  + lowWater
                  + ", high "
                  + highWater);
        }
        if (gracePeriod.isNegative()) {
          throw new IllegalArgumentException(
              "gracePeriod must not be negative, got " + gracePeriod);
        }
        if (silencePeriod.isZero() || silencePeriod.isNegative()) {
          throw new IllegalArgumentException(
              "silencePeriod must be positive, got " + silencePeriod);
        }
        return new Options(this);
      }
    }
  }

  /** What a value source says of a connected peer: a score to add, and whether it must be kept. */
  public record PeerValue(double score, boolean protect) {}

  private final Host host;
  private final Options options;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Supplier<? extends CompletionStage<Map<PeerId, PeerValue>>> values;
  private final ConnectionListener listener;

  /** Connected peers and when we first connected to them. Guarded by this. */
  private final Map<PeerId, Instant> connected = new HashMap<>();

  /** Protections by tag, of connected peers or not. Guarded by this. */
  private final Map<PeerId, Set<String>> protections = new HashMap<>();

  /** Tag values, of connected peers or not. Guarded by this. */
  private final Map<PeerId, Map<String, Integer>> tags = new HashMap<>();

  private @Nullable Instant lastTrim;
  private boolean trimScheduled;
  private boolean trimming;
  private boolean closed;
  private long trimmed;
  private final ScheduledFuture<?> ticker;

  private ConnectionManager(Builder b) {
    this.host = b.host;
    this.options = b.options;
    this.clock = b.clock;
    this.scheduler = Objects.requireNonNull(b.scheduler, "scheduler is required");
    this.values = b.values;
    this.listener =
        new ConnectionListener() {
          @Override
          public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
            onConnected(peer);
          }

          @Override
          public void disconnected(PeerId peer) {
            synchronized (ConnectionManager.this) {
              connected.remove(peer);
            }
          }
        };
    host.addConnectionListener(listener);
    synchronized (this) {
      for (PeerId p : host.connectedPeers()) {
        connected.putIfAbsent(p, clock.instant());
      }
    }
    long silence = options.silencePeriod().toNanos();
    this.ticker =
        scheduler.scheduleWithFixedDelay(this::maybeTrim, silence, silence, TimeUnit.NANOSECONDS);
  }

  /**
   * A manager for {@code host}; it listens to the host's connections from now on.
   *
   * @param host the host whose connections are managed
   * @return a new builder; a scheduler is required
   */
  public static Builder builder(Host host) {
    return new Builder(host);
  }

  /** {@return the watermarks and periods this manager trims by} */
  public Options options() {
    return options;
  }

  /**
   * Protects {@code peer} under {@code tag} until {@link #unprotect} of the same tag: it is never
   * trimmed.
   *
   * @param peer the peer to keep
   * @param tag why it is kept, e.g. {@code "seed"}; the same tag twice protects once
   * @throws IllegalStateException if {@link #MAX_PROTECTED_PEERS} peers have protections or tags
   *     Protecting under several tags needs as many {@code unprotect} calls.
   */
  public synchronized void protect(PeerId peer, String tag) {
    Objects.requireNonNull(peer, "peer == null");
    Objects.requireNonNull(tag, "tag == null");
    checkRoomFor(peer);
    protections.computeIfAbsent(peer, p -> new HashSet<>()).add(tag);
  }

  /**
   * Removes the protection of {@code peer} under {@code tag}; true if it is still protected by
   * another.
   *
   * @param peer the peer
   * @param tag the tag {@link #protect} was called with; an unknown tag is ignored
   * @return whether {@code peer} is still protected under another tag
   */
  public synchronized boolean unprotect(PeerId peer, String tag) {
    Set<String> set = protections.get(peer);
    if (set == null) {
      return false;
    }
    set.remove(tag);
    if (set.isEmpty()) {
      protections.remove(peer);
      return false;
    }
    return true;
  }

  /**
   * {@return whether {@code peer} is protected under some tag}
   *
   * @param peer the peer
   */
  public synchronized boolean isProtected(PeerId peer) {
    return protections.containsKey(peer);
  }

  /**
   * Sets the value of {@code tag} on {@code peer}; a peer's tags add up to its value (higher is
   * kept longer).
   *
   * @param peer the peer
   * @param tag the tag, e.g. a protocol's name; setting it again replaces its value
   * @param value what the tag adds to the peer's value; negative makes the peer trimmed sooner
   * @throws IllegalStateException if {@link #MAX_PROTECTED_PEERS} peers have protections or tags
   */
  public synchronized void tagPeer(PeerId peer, String tag, int value) {
    Objects.requireNonNull(peer, "peer == null");
    Objects.requireNonNull(tag, "tag == null");
    checkRoomFor(peer);
    tags.computeIfAbsent(peer, p -> new HashMap<>()).put(tag, value);
  }

  /**
   * Removes {@code tag} from {@code peer}.
   *
   * @param peer the peer
   * @param tag the tag to remove; an unknown tag is ignored
   */
  public synchronized void untagPeer(PeerId peer, String tag) {
    Map<String, Integer> m = tags.get(peer);
    if (m != null) {
      m.remove(tag);
      if (m.isEmpty()) {
        tags.remove(peer);
      }
    }
  }

  /** {@return how many peers are connected now, as the manager counts them} */
  public synchronized int connectedPeers() {
    return connected.size();
  }

  /** {@return how many peers trims have disconnected since the manager started} */
  public synchronized long trimmedPeers() {
    return trimmed;
  }

  private void checkRoomFor(PeerId peer) {
    if (!protections.containsKey(peer) && !tags.containsKey(peer)) {
      Set<PeerId> known = new HashSet<>(protections.keySet());
      known.addAll(tags.keySet());
      if (known.size() >= MAX_PROTECTED_PEERS) {
        throw new IllegalStateException(
            "the connection manager already holds protections or tags for "
                + MAX_PROTECTED_PEERS
                + " peers; unprotect or untag some first");
      }
    }
  }

  private void onConnected(PeerId peer) {
    boolean over;
    synchronized (this) {
      connected.putIfAbsent(peer, clock.instant());
      over = connected.size() > options.highWater();
    }
    if (over) {
      maybeTrim();
    }
  }

  /** Trims now unless a trim ran within the silence period (then it is scheduled for its end). */
  private void maybeTrim() {
    long delayNanos;
    synchronized (this) {
      if (closed || trimming || trimScheduled || connected.size() <= options.highWater()) {
        return;
      }
      Instant now = clock.instant();
      Instant next = lastTrim == null ? now : lastTrim.plus(options.silencePeriod());
      delayNanos = Math.max(0, Duration.between(now, next).toNanos());
      if (delayNanos > 0) {
        trimScheduled = true;
      }
    }
    if (delayNanos > 0) {
      try {
        scheduler.schedule(
            () -> {
              synchronized (this) {
                trimScheduled = false;
              }
              maybeTrim();
            },
            delayNanos,
            TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        log.trace("scheduler closed; no trim");
      }
      return;
    }
    trim();
  }

  /**
   * Trims now, whatever the silence period: when more than the high watermark of peers are
   * connected, disconnects the least valuable unprotected peers past their grace period until the
   * low watermark remains (or no candidate is left).
   *
   * @return completes with the number of peers disconnected
   */
  public CompletableFuture<Integer> trim() {
    synchronized (this) {
      if (closed || trimming) {
        return CompletableFuture.completedFuture(0);
      }
      trimming = true;
      lastTrim = clock.instant();
    }
    CompletionStage<Map<PeerId, PeerValue>> snapshot;
    try {
      snapshot = values.get();
    } catch (RuntimeException e) {
      snapshot = CompletableFuture.failedFuture(e);
    }
    // A value source that never answers must not stop trims for good: after 5 s, trim without
    // values.
    return snapshot
        .toCompletableFuture()
        .copy()
        .completeOnTimeout(Map.of(), 5, TimeUnit.SECONDS)
        .handle(
            (vals, err) -> {
              if (err != null) {
                log.debug("connection manager: no peer values for this trim: {}", err.toString());
              }
              return disconnectSurplus(err == null && vals != null ? vals : Map.of());
            });
  }

  private int disconnectSurplus(Map<PeerId, PeerValue> vals) {
    List<PeerId> victims;
    synchronized (this) {
      try {
        int surplus = connected.size() - options.lowWater();
        if (closed || connected.size() <= options.highWater() || surplus <= 0) {
          return 0;
        }
        Instant graceEnd = clock.instant().minus(options.gracePeriod());
        List<Candidate> candidates = new ArrayList<>();
        for (Map.Entry<PeerId, Instant> e : connected.entrySet()) {
          PeerId p = e.getKey();
          PeerValue v = vals.get(p);
          if (protections.containsKey(p)
              || (v != null && v.protect())
              || e.getValue().isAfter(graceEnd)) {
            continue;
          }
          double value = (v == null ? 0 : v.score());
          Map<String, Integer> t = tags.get(p);
          if (t != null) {
            for (int x : t.values()) {
              value += x;
            }
          }
          candidates.add(new Candidate(p, value, e.getValue()));
        }
        candidates.sort(
            Comparator.comparingDouble(Candidate::value)
                .thenComparing(Candidate::since, Comparator.reverseOrder()));
        victims = new ArrayList<>();
        for (int i = 0; i < Math.min(surplus, candidates.size()); i++) {
          victims.add(candidates.get(i).peer());
        }
        for (PeerId p : victims) {
          connected.remove(p);
        }
        trimmed += victims.size();
      } finally {
        trimming = false;
      }
    }
    if (!victims.isEmpty()) {
      log.debug(
          "connection manager: over {} peers, disconnecting {} to reach {}",
          options.highWater(),
          victims.size(),
          options.lowWater());
    }
    for (PeerId p : victims) {
      host.disconnect(p);
    }
    return victims.size();
  }

  private record Candidate(PeerId peer, double value, Instant since) {}

  /** Stops listening and trimming; connections stay as they are. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    ticker.cancel(false);
    host.removeConnectionListener(listener);
  }

  /** Builds a {@link ConnectionManager}. */
  public static final class Builder {
    private final Host host;
    private Options options = Options.defaults();
    private Clock clock = Clock.systemUTC();
    private @Nullable ScheduledExecutorService scheduler;
    private Supplier<? extends CompletionStage<Map<PeerId, PeerValue>>> values =
        () -> CompletableFuture.completedFuture(Map.of());

    private Builder(Host host) {
      this.host = Objects.requireNonNull(host, "host == null");
    }

    /**
     * Sets the watermarks and periods. Default {@link Options#defaults()}.
     *
     * @param options the options
     * @return this builder
     */
    public Builder options(Options options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * Sets the clock that connection times and grace periods are read from. Default the system UTC
     * clock; tests pass a manual one.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Runs the silence-period timer and delayed trims; required.
     *
     * @param scheduler the scheduler; the manager does not shut it down
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /**
     * Asked once per trim for the connected peers' values (e.g. {@code PubSub#connectionValues}:
     * the gossipsub score, and mesh peers protected). A failed or missing answer counts as no
     * values.
     *
     * @param values called once per trim, on the trimming thread; must not block
     * @return this builder An answer that takes longer than 5 s is not waited for. Default: no
     *     values (every peer is worth 0 plus its tags).
     */
    public Builder values(Supplier<? extends CompletionStage<Map<PeerId, PeerValue>>> values) {
      this.values = Objects.requireNonNull(values, "values == null");
      return this;
    }

    /**
     * Builds the manager, which starts listening to the host's connections at once. Close it to
     * stop.
     *
     * @return the manager
     * @throws NullPointerException if no scheduler was set
     */
    public ConnectionManager build() {
      return new ConnectionManager(this);
    }
  }
}
