package io.headersync.testkit;

import io.headersync.HeaderSyncService;
import io.headersync.NetworkProfile;
import io.headersync.NetworkProfile.SyncKind;
import io.headersync.P2PClient;
import io.headersync.P2PConfig;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory network of header sync nodes for tests: one sequencer signing ev-node blocks and
 * any number of full and light nodes that use it as their seed. Every node runs the real stack
 * ({@link HeaderSyncService} over a {@link P2PClient} on an {@link InMemoryNetwork}); stores are in
 * memory. Identities and the sequencer's signing key come from the seed, so runs are repeatable.
 *
 * <p>Closing the network closes every node. Not meant for production use.
 */
public final class TestNetwork implements AutoCloseable {
  private final String chainId;
  private final NetworkProfile profile;
  private final Duration blockTime;
  private final Clock clock;
  private final Random random;
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<TestNode> nodes = new ArrayList<>();
  private @Nullable TestNode sequencer;

  private TestNetwork(String chainId, NetworkProfile profile, Duration blockTime, Clock clock, long seed) {
    this.chainId = chainId;
    this.profile = profile;
    this.blockTime = blockTime;
    this.clock = clock;
    this.random = new Random(seed);
  }

  /** A network for {@code chainId} with the {@link NetworkProfile#SEED} names and a 100 ms block time. */
  public static TestNetwork create(String chainId) {
    return create(chainId, NetworkProfile.SEED, Duration.ofMillis(100), Clock.systemUTC(), 1);
  }

  /**
   * A network.
   *
   * @param clock the clock of the services and of block times (blocks must be recent for gossip to
   *     be accepted, so a fixed clock needs advancing between blocks)
   * @param seed the seed of identities and the sequencer's key
   */
  public static TestNetwork create(String chainId, NetworkProfile profile, Duration blockTime, Clock clock, long seed) {
    return new TestNetwork(Objects.requireNonNull(chainId, "chainId == null"),
        Objects.requireNonNull(profile, "profile == null"), Objects.requireNonNull(blockTime, "blockTime == null"),
        Objects.requireNonNull(clock, "clock == null"), seed);
  }

  public String chainId() {
    return chainId;
  }

  public NetworkProfile profile() {
    return profile;
  }

  /** The in-memory network, for nodes a test builds itself ({@link io.headersync.P2PConfig.Builder#inMemory}). */
  public InMemoryNetwork inMemoryNetwork() {
    return network;
  }

  /** The nodes started so far, in order. */
  public synchronized List<TestNode> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * Starts the sequencer: header and data services without trusted peers; its first produced block
   * initialises its stores.
   *
   * @throws IllegalStateException if there is one already
   */
  public synchronized TestNode sequencer() {
    if (sequencer != null) {
      throw new IllegalStateException("the network has a sequencer already");
    }
    byte[] keySeed = new byte[SignerKey.SEED_SIZE];
    random.nextBytes(keySeed);
    HeaderSigner signer = HeaderSigner.builder()
        .key(SignerKey.fromSeed(keySeed))
        .chainId(chainId)
        .clock(clock)
        .blockTime(blockTime)
        .build();
    sequencer = start("sequencer", TestNode.Role.SEQUENCER, signer);
    return sequencer;
  }

  /** Starts a full node (headers and data) seeded with the sequencer. */
  public synchronized TestNode fullNode() {
    return start("full-" + nodes.size(), TestNode.Role.FULL, null);
  }

  /** Starts a light node (headers only) seeded with the sequencer. */
  public synchronized TestNode lightNode() {
    return start("light-" + nodes.size(), TestNode.Role.LIGHT, null);
  }

  private TestNode start(String name, TestNode.Role role, @Nullable HeaderSigner signer) {
    byte[] idSeed = new byte[32];
    random.nextBytes(idSeed);
    P2PConfig.Builder config = P2PConfig.builder()
        .identity(PrivateKey.ed25519FromSeed(idSeed))
        .inMemory(network)
        .listen(Multiaddr.parse("/memory/0"));
    if (role != TestNode.Role.SEQUENCER) {
      if (sequencer == null) {
        throw new IllegalStateException("start the sequencer before " + name + ": it is the seed");
      }
      sequencer.p2p().addresses().forEach(config::seed);
    }
    P2PClient p2p = P2PClient.create(config.build(), profile.maxPubsubMessageSize(), null, null, clock);
    try {
      HeaderSyncService<P2PSignedHeader> headers = service(EvNodeTypes.P2P_SIGNED_HEADER, SyncKind.HEADERS, p2p);
      HeaderSyncService<P2PData> data = role == TestNode.Role.LIGHT ? null
          : service(EvNodeTypes.P2P_DATA, SyncKind.DATA, p2p);
      // The services register their protocols after the host started: identify push tells peers.
      await(p2p.start(), name + " P2P start");
      await(headers.start(), name + " header service start");
      if (data != null) {
        await(data.start(), name + " data service start");
      }
      TestNode node = new TestNode(name, role, p2p, headers, data, signer);
      nodes.add(node);
      return node;
    } catch (RuntimeException e) {
      p2p.close();
      throw e;
    }
  }

  private <H extends io.headersync.Header> HeaderSyncService<H> service(
      io.headersync.HeaderType<H> type, SyncKind kind, P2PClient p2p) {
    return HeaderSyncService.builder(type, chainId)
        .profile(profile)
        .kind(kind)
        .p2p(p2p)
        .blockTime(blockTime)
        .clock(clock)
        .random(new Random(random.nextLong()))
        .initTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static void await(java.util.concurrent.CompletableFuture<?> f, String what) {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + " took more than 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }

  /** Closes every node, then the in-memory network. */
  @Override
  public synchronized void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
    network.close();
  }
}
