package io.headersync.service;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionManager;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.SeedAddresses;
import io.headersync.libp2p.dht.DhtOptions;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.libp2p.pubsub.PeerScoreParams;
import io.headersync.libp2p.pubsub.PeerScoreThresholds;
import io.headersync.libp2p.pubsub.RouterKind;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a {@link P2PClient} joins the network (ev-node's {@code P2PConfig}): identity, listen
 * addresses, seeds, blocked and allowed peers, the pubsub router.
 *
 * <p>Seeds are multiaddrs ending in {@code /p2p/<peer id>}; they are dialled at start, re-dialled
 * with backoff (1 s doubling to 30 s, as ev-node v1.1+) while disconnected, and they are the
 * exchange's trusted peers. Blocked peers are refused by the connection gater; allowed peers are
 * then unblocked (ev-node applies {@code BlockedPeers} with {@code BlockPeer}, then {@code
 * AllowedPeers} with {@code UnblockPeer}: "allowed" overrides "blocked", it is not an allowlist).
 */
public final class P2PConfig {
  /** ev-node's default listen address. */
  public static final Multiaddr DEFAULT_LISTEN = Multiaddr.parse("/ip4/0.0.0.0/tcp/7676");

  private final PrivateKey identity;
  private final List<Multiaddr> listen;
  private final List<Multiaddr> seeds;
  private final Set<PeerId> blockedPeers;
  private final Set<PeerId> allowedPeers;
  private final RouterKind router;
  private final @Nullable PeerScoreParams peerScore;
  private final ConnectionManager.Options connectionManager;
  private final PeerScoreThresholds scoreThresholds;
  private final int maxPubsubMessageSize;
  private final @Nullable InMemoryNetwork inMemory;
  private final Duration seedRedialMin;
  private final Duration seedRedialMax;
  private final @Nullable DiscoveryOptions discovery;
  private final DhtOptions dht;

  private P2PConfig(Builder b) {
    this.identity = b.identity != null ? b.identity : PrivateKey.generateEd25519(new SecureRandom());
    this.listen = List.copyOf(b.listen.isEmpty() ? List.of(b.inMemory != null ? Multiaddr.parse("/memory/0") : DEFAULT_LISTEN) : b.listen);
    this.seeds = List.copyOf(b.seeds);
    this.blockedPeers = Set.copyOf(b.blockedPeers);
    this.allowedPeers = Set.copyOf(b.allowedPeers);
    this.router = b.router;
    this.peerScore = b.peerScore;
    this.connectionManager = b.connectionManager;
    this.scoreThresholds = b.scoreThresholds;
    this.maxPubsubMessageSize = b.maxPubsubMessageSize;
    this.inMemory = b.inMemory;
    this.seedRedialMin = b.seedRedialMin;
    this.seedRedialMax = b.seedRedialMax;
    this.discovery = b.discovery;
    this.dht = b.dht;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from this configuration, to change a few settings: it keeps this
   * configuration's identity (a generated one included) and its listen addresses as built.
   *
   * @return a new builder holding every setting of this configuration
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.identity = identity;
    b.router = router;
    b.peerScore = peerScore;
    b.connectionManager = connectionManager;
    b.scoreThresholds = scoreThresholds;
    b.maxPubsubMessageSize = maxPubsubMessageSize;
    b.inMemory = inMemory;
    b.seedRedialMin = seedRedialMin;
    b.seedRedialMax = seedRedialMax;
    b.discovery = discovery;
    b.dht = dht;
    b.listen.addAll(listen);
    b.seeds.addAll(seeds);
    b.blockedPeers.addAll(blockedPeers);
    b.allowedPeers.addAll(allowedPeers);
    return b;
  }

  public PrivateKey identity() {
    return identity;
  }

  public List<Multiaddr> listen() {
    return listen;
  }

  /** The seeds, each with its peer id. */
  public List<Multiaddr> seeds() {
    return seeds;
  }

  /** The seeds' peer ids, in order, without duplicates. */
  public List<PeerId> seedPeers() {
    LinkedHashSet<PeerId> ids = new LinkedHashSet<>();
    for (Multiaddr m : seeds) {
      ids.add(m.peerId().orElseThrow());
    }
    return List.copyOf(ids);
  }

  public Set<PeerId> blockedPeers() {
    return blockedPeers;
  }

  public Set<PeerId> allowedPeers() {
    return allowedPeers;
  }

  public RouterKind router() {
    return router;
  }

  /** Gossipsub peer scoring, if enabled. */
  /** The connection manager's watermarks and periods. */
  public ConnectionManager.Options connectionManager() {
    return connectionManager;
  }

  public @Nullable PeerScoreParams peerScore() {
    return peerScore;
  }

  public PeerScoreThresholds scoreThresholds() {
    return scoreThresholds;
  }

  /** The pubsub RPC limit, or 0 to take it from the service's {@link NetworkProfile}. */
  public int maxPubsubMessageSize() {
    return maxPubsubMessageSize;
  }

  /** The in-memory network to join instead of TCP, if any. */
  public @Nullable InMemoryNetwork inMemory() {
    return inMemory;
  }

  public Duration seedRedialMin() {
    return seedRedialMin;
  }

  public Duration seedRedialMax() {
    return seedRedialMax;
  }

  /** Peer discovery through the Kademlia DHT, if turned on ({@link Builder#discovery}). */
  public Optional<DiscoveryOptions> discovery() {
    return Optional.ofNullable(discovery);
  }

  /** The DHT's settings (used when discovery is on). */
  public DhtOptions dht() {
    return dht;
  }

  /** Builds a {@link P2PConfig}. */
  public static final class Builder {
    private @Nullable PrivateKey identity;
    private final List<Multiaddr> listen = new ArrayList<>();
    private final List<Multiaddr> seeds = new ArrayList<>();
    private final Set<PeerId> blockedPeers = new LinkedHashSet<>();
    private final Set<PeerId> allowedPeers = new LinkedHashSet<>();
    private RouterKind router = RouterKind.GOSSIPSUB;
    private @Nullable PeerScoreParams peerScore;
    private ConnectionManager.Options connectionManager = ConnectionManager.Options.defaults();
    private PeerScoreThresholds scoreThresholds = PeerScoreThresholds.NONE;
    private int maxPubsubMessageSize;
    private @Nullable InMemoryNetwork inMemory;
    private Duration seedRedialMin = Duration.ofSeconds(1);
    private Duration seedRedialMax = Duration.ofSeconds(30);
    private @Nullable DiscoveryOptions discovery;
    private DhtOptions dht = DhtOptions.defaults();

    private Builder() {}

    /** The node's key (its peer id). Default: a fresh random Ed25519 key, a new identity each run. */
    public Builder identity(PrivateKey key) {
      this.identity = Objects.requireNonNull(key, "identity == null");
      return this;
    }

    /** Adds a listen address. Default {@link #DEFAULT_LISTEN} ({@code /memory/0} in memory). */
    public Builder listen(Multiaddr address) {
      listen.add(Objects.requireNonNull(address, "listen address == null"));
      return this;
    }

    /**
     * Adds a seed.
     *
     * @throws IllegalArgumentException if it has no {@code /p2p/<peer id>}
     */
    public Builder seed(Multiaddr address) {
      Objects.requireNonNull(address, "seed == null");
      if (address.peerId().isEmpty()) {
        throw new IllegalArgumentException("seed " + address + " has no /p2p/<peer id>");
      }
      seeds.add(address);
      return this;
    }

    /**
     * Adds ev-node's comma-separated seed list ({@code --evnode.p2p.peers}).
     *
     * @throws IllegalArgumentException naming every entry that is not a multiaddr with a peer id
     *     (ev-node logs and skips them; a library caller should know)
     */
    public Builder seeds(String commaSeparated) {
      SeedAddresses.Result r = SeedAddresses.parseCommaSeparated(Objects.requireNonNull(commaSeparated, "seeds == null"));
      if (!r.skipped().isEmpty()) {
        throw new IllegalArgumentException("bad seed entries: " + r.skipped());
      }
      for (SeedAddresses.Seed s : r.seeds()) {
        seeds.add(s.address().withoutPeerId().withPeerId(s.peer()));
      }
      return this;
    }

    public Builder blockPeer(PeerId peer) {
      blockedPeers.add(Objects.requireNonNull(peer, "peer == null"));
      return this;
    }

    public Builder allowPeer(PeerId peer) {
      allowedPeers.add(Objects.requireNonNull(peer, "peer == null"));
      return this;
    }

    /**
     * The pubsub router. Default {@link RouterKind#GOSSIPSUB} with go-libp2p-pubsub's defaults, which
     * also speaks {@code /floodsub/1.0.0} to FloodSub nodes (ev-node v1.1.1+ runs FloodSub; Rollkit
     * v0.x and celestia-node run gossipsub).
     */
    public Builder router(RouterKind kind) {
      this.router = Objects.requireNonNull(kind, "router == null");
      return this;
    }

    /**
     * Gossipsub peer scoring, off by default (as in ev-node); {@link
     * PeerScoreParams#forHeaderTopic(String)} with {@link PeerScoreThresholds#CELESTIA} is what
     * celestia-node runs on the header topic.
     */
    public Builder peerScore(PeerScoreParams params, PeerScoreThresholds thresholds) {
      this.peerScore = Objects.requireNonNull(params, "params == null");
      this.scoreThresholds = Objects.requireNonNull(thresholds, "thresholds == null");
      return this;
    }

    /** The pubsub RPC limit. Default: the service's {@link NetworkProfile#maxPubsubMessageSize()}. */
    public Builder maxPubsubMessageSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxPubsubMessageSize must be at least 1024, got " + bytes);
      }
      this.maxPubsubMessageSize = bytes;
      return this;
    }

    /** Joins an in-memory network instead of TCP (tests; see {@code io.headersync.testkit}). */
    public Builder inMemory(InMemoryNetwork network) {
      this.inMemory = Objects.requireNonNull(network, "network == null");
      return this;
    }

    /** Seed re-dial backoff: starts at {@code min}, doubles up to {@code max}. */
    public Builder seedRedial(Duration min, Duration max) {
      if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("seed redial needs 0 < min <= max, got " + min + ", " + max);
      }
      this.seedRedialMin = min;
      this.seedRedialMax = max;
      return this;
    }

    /**
     * Turns on peer discovery as ev-node runs it: a Kademlia DHT server on {@code /ipfs/kad/1.0.0}
     * bootstrapped from the seeds, the namespace (default: the chain id) advertised every 52.5 min,
     * and searched and dialled whenever fewer than the low watermark of peers are connected. Off by
     * default; {@link #noDiscovery()} turns it off again.
     */
    public Builder discovery(DiscoveryOptions options) {
      this.discovery = Objects.requireNonNull(options, "discovery == null");
      return this;
    }

    /**
     * The connection manager's watermarks and periods. Default {@link ConnectionManager.Options#defaults()}
     * (go-libp2p's: 160 / 192 peers, one minute of grace).
     */
    public Builder connectionManager(ConnectionManager.Options options) {
      this.connectionManager = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /** Turns peer discovery off (the default): only seeds and peers that dial us. */
    public Builder noDiscovery() {
      this.discovery = null;
      return this;
    }

    /** The DHT's settings when discovery is on. Default {@link DhtOptions#defaults()} (server mode). */
    public Builder dht(DhtOptions options) {
      this.dht = Objects.requireNonNull(options, "dht == null");
      return this;
    }

    public P2PConfig build() {
      return new P2PConfig(this);
    }
  }
}
