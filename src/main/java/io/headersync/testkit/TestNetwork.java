package io.headersync.testkit;

import io.headersync.annotation.Nullable;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.SignerKey;
import io.headersync.internal.Await;
import io.headersync.internal.Futures;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.lifecycle.AbstractService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An in-memory network of header sync nodes for tests: one sequencer signing ev-node blocks and any
 * number of full and light nodes that use it as their seed. Every node is an {@link EvNodeSync}
 * running the real stack on an {@link InMemoryNetwork}; stores are in memory. Identities and the
 * sequencer's signing key come from the seed, so runs are repeatable.
 *
 * <p>Lifecycle: a {@link io.headersync.lifecycle.Service}, running from {@link #create} on (nodes
 * are started as they are added). {@link #stop()} stops every node, the last added first, then the
 * in-memory network; a stopped network adds no nodes. Its futures complete on the thread that
 * finished the transition (a node's stop, or the caller). Not meant for production use.
 */
public final class TestNetwork extends AbstractService {
  private final String chainId;
  private final NetworkProfile profile;
  private final Duration blockTime;
  private final Clock clock;
  private final Random random;
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<TestNode> nodes = new ArrayList<>();
  private @Nullable TestNode sequencer;

  private TestNetwork(
      String chainId, NetworkProfile profile, Duration blockTime, Clock clock, long seed) {
    super("test network of " + chainId, Runnable::run);
    this.chainId = chainId;
    this.profile = profile;
    this.blockTime = blockTime;
    this.clock = clock;
    this.random = new Random(seed);
  }

  /**
   * {@return a network for {@code chainId} with the {@link NetworkProfile#SEED} names and a 100 ms
   * block time}
   *
   * @param chainId the chain id of the genesis the network's nodes share
   */
  public static TestNetwork create(String chainId) {
    return create(chainId, NetworkProfile.SEED, Duration.ofMillis(100), Clock.systemUTC(), 1);
  }

  /**
   * {@return a network}
   *
   * @param clock the clock of the services and of block times (blocks must be recent for gossip to
   *     be accepted, so a fixed clock needs advancing between blocks)
   * @param seed the seed of identities and the sequencer's key
   * @param chainId the chain id of the genesis the network's nodes share
   * @param profile the topic and protocol names and network limits
   * @param blockTime the time between blocks the sequencer produces and the syncers expect
   */
  public static TestNetwork create(
      String chainId, NetworkProfile profile, Duration blockTime, Clock clock, long seed) {
    TestNetwork net =
        new TestNetwork(
            Objects.requireNonNull(chainId, "chainId == null"),
            Objects.requireNonNull(profile, "profile == null"),
            Objects.requireNonNull(blockTime, "blockTime == null"),
            Objects.requireNonNull(clock, "clock == null"),
            seed);
    net.start(); // nothing to wait for: running at once
    return net;
  }

  /** Nothing to start: nodes start as they are added. */
  @Override
  protected CompletableFuture<Void> doStart() {
    return CompletableFuture.completedFuture(null);
  }

  /** Stops every node, the last added first, then closes the in-memory network. */
  @Override
  protected CompletableFuture<Void> doStop() {
    List<Supplier<CompletableFuture<Void>>> parts = new ArrayList<>();
    synchronized (this) {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        parts.add(nodes.get(i)::stop);
      }
      nodes.clear();
    }
    parts.add(
        () -> {
          network.close();
          return CompletableFuture.completedFuture(null);
        });
    return Futures.stopInOrder(parts);
  }

  /** {@return the chain id every node of this network runs} */
  public String chainId() {
    return chainId;
  }

  /** {@return the names and limits every node of this network uses} */
  public NetworkProfile profile() {
    return profile;
  }

  /**
   * {@return the in-memory network, for nodes a test builds itself ({@link
   * io.headersync.service.P2PConfig.Builder#inMemory})}
   */
  public InMemoryNetwork inMemoryNetwork() {
    return network;
  }

  /** {@return the nodes started so far, in order} */
  public synchronized List<TestNode> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * Starts the sequencer: header and data services without trusted peers; its first produced block
   * initialises its stores.
   *
   * @return the running sequencer; {@link TestNode#produce} makes its blocks
   * @throws IllegalStateException if there is one already
   */
  public synchronized TestNode sequencer() {
    if (sequencer != null) {
      throw new IllegalStateException("the network has a sequencer already");
    }
    byte[] keySeed = new byte[SignerKey.SEED_SIZE];
    random.nextBytes(keySeed);
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.fromSeed(keySeed))
            .chainId(chainId)
            .clock(clock)
            .blockTime(blockTime)
            .build();
    sequencer = start("sequencer", EvNodeSync.Role.SEQUENCER, signer);
    return sequencer;
  }

  /**
   * Starts a full node (headers and data) seeded with the sequencer.
   *
   * @return the running node
   */
  public synchronized TestNode fullNode() {
    return start("full-" + nodes.size(), EvNodeSync.Role.FULL, null);
  }

  /**
   * Starts a light node (headers only) seeded with the sequencer.
   *
   * @return the running node
   */
  public synchronized TestNode lightNode() {
    return start("light-" + nodes.size(), EvNodeSync.Role.LIGHT, null);
  }

  /**
   * Starts a full or light node seeded with the sequencer, with {@code options} applied to its
   * builder after the network's settings, e.g. {@code b -> b.proposer(net.sequencer().proposer())}
   * for a node that pins the sequencer's key, or a trusted hash.
   *
   * @param role {@link EvNodeSync.Role#FULL} or {@link EvNodeSync.Role#LIGHT}
   * @param options changes to the node's builder, applied last
   * @return the running node
   * @throws IllegalArgumentException for {@link EvNodeSync.Role#SEQUENCER} (use {@link
   *     #sequencer()})
   * @throws io.headersync.HeaderSyncException if the node does not start, naming the step
   */
  public synchronized TestNode node(EvNodeSync.Role role, Consumer<EvNodeSync.Builder> options) {
    Objects.requireNonNull(options, "options == null");
    if (Objects.requireNonNull(role, "role == null") == EvNodeSync.Role.SEQUENCER) {
      throw new IllegalArgumentException("a network has one sequencer: use sequencer()");
    }
    return start(
        (role == EvNodeSync.Role.FULL ? "full-" : "light-") + nodes.size(), role, null, options);
  }

  private TestNode start(String name, EvNodeSync.Role role, @Nullable HeaderSigner signer) {
    return start(name, role, signer, b -> {});
  }

  private TestNode start(
      String name,
      EvNodeSync.Role role,
      @Nullable HeaderSigner signer,
      Consumer<EvNodeSync.Builder> options) {
    if (state() != State.RUNNING) {
      throw new IllegalStateException(name() + " is " + state() + ": it adds no nodes");
    }
    byte[] idSeed = new byte[32];
    random.nextBytes(idSeed);
    P2PConfig.Builder config =
        P2PConfig.builder()
            .identity(PrivateKey.ed25519FromSeed(idSeed))
            .inMemory(network)
            .listen(Multiaddr.parse("/memory/0"));
    if (role != EvNodeSync.Role.SEQUENCER) {
      if (sequencer == null) {
        throw new IllegalStateException("start the sequencer before " + name + ": it is the seed");
      }
      sequencer.p2p().addresses().forEach(config::seed);
    }
    EvNodeSync.Builder builder =
        EvNodeSync.builder(chainId)
            .role(role)
            .profile(profile)
            .p2p(config.build())
            .blockTime(blockTime)
            .clock(clock)
            .random(random)
            .initTimeout(Duration.ofSeconds(10));
    options.accept(builder);
    EvNodeSync node = builder.build();
    try {
      Await.await(node.start(), name + " start", Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    TestNode testNode = new TestNode(name, node, signer);
    nodes.add(testNode);
    return testNode;
  }
}
