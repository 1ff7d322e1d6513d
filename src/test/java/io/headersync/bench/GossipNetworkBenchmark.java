package io.headersync.bench;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.pubsub.GossipSubParams;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.libp2p.pubsub.Subscription;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Gossipsub at scale on the in-memory transport: {@code hosts} hosts, each dialing {@code degree}
 * random others, all subscribed to one topic; {@code messages} messages from random publishers.
 * Checks that every message reaches every subscriber's application exactly once and prints the
 * duplicates per message (RPC copies received beyond the first, summed over hosts) and the p50/p99
 * delivery latency (publish call to the subscriber's callback).
 *
 * <pre>
 * mvn -B -Pbench -DskipTests verify exec:exec -Dbench.main=io.headersync.bench.GossipNetworkBenchmark \
 *     [-Dbench.args="50 8 1000 25"]   # hosts, degree, messages, messages per second
 * </pre>
 *
 * {@link GossipNetworkBenchmarkTest} runs a small network of it deterministically.
 */
public final class GossipNetworkBenchmark implements AutoCloseable {
  static final String TOPIC = "/bench/header-sub/v0.0.1";

  private final InMemoryNetwork network = new InMemoryNetwork();
  final List<Host> hosts = new ArrayList<>();
  final List<PubSub> pubsubs = new ArrayList<>();
  private final List<Subscription> subs = new ArrayList<>();
  private final Random random;

  /** received[host][message]: deliveries to the application. */
  private final int[][] received;

  private final long[] publishedAt;
  private final long[][] latencyNanos;
  private final AtomicLong appDuplicates = new AtomicLong();
  private final AtomicLong deliveries = new AtomicLong();
  private final List<CompletableFuture<Void>> allReceived = new ArrayList<>();
  private final Set<Long> edges = new HashSet<>();

  /**
   * @param scheduler the heartbeat scheduler for every host, or null for each host's own (real
   *     time)
   */
  GossipNetworkBenchmark(
      int hostCount, int messages, long seed, ScheduledExecutorService scheduler, Clock clock)
      throws Exception {
    this.random = new Random(seed);
    this.received = new int[hostCount][messages];
    this.publishedAt = new long[messages];
    this.latencyNanos = new long[hostCount][messages];
    for (int i = 0; i < hostCount; i++) {
      byte[] s = new byte[32];
      random.nextBytes(s);
      PrivateKey key = PrivateKey.ed25519FromSeed(s);
      Host h = Host.builder(key).inMemory(network).listen(Multiaddr.parse("/memory/0")).build();
      PubSub.Builder b =
          PubSub.builder(h, key)
              .gossipSub(GossipSubParams.defaults())
              .clock(clock)
              .random(new Random(seed + i));
      if (scheduler != null) {
        b.scheduler(scheduler);
      }
      PubSub p = b.build();
      hosts.add(h);
      pubsubs.add(p);
      p.start().get(30, TimeUnit.SECONDS);
      h.start().get(30, TimeUnit.SECONDS);
      Subscription sub = p.subscribe(TOPIC);
      subs.add(sub);
      CompletableFuture<Void> done = new CompletableFuture<>();
      allReceived.add(done);
      int host = i;
      consume(sub, m -> onMessage(host, m, done));
    }
  }

  private static void consume(Subscription sub, Consumer<Message> sink) {
    sub.next()
        .thenAccept(
            m -> {
              sink.accept(m);
              consume(sub, sink);
            });
  }

  private void onMessage(int host, Message m, CompletableFuture<Void> done) {
    long now = System.nanoTime();
    int index = ByteBuffer.wrap(m.data()).getInt();
    synchronized (received[host]) {
      if (++received[host][index] > 1) {
        appDuplicates.incrementAndGet();
        return;
      }
      latencyNanos[host][index] = now - publishedAt[index];
      if (deliveriesOf(host) == received[host].length) {
        done.complete(null);
      }
    }
    deliveries.incrementAndGet();
  }

  private int deliveriesOf(int host) {
    int n = 0;
    for (int c : received[host]) {
      n += c > 0 ? 1 : 0;
    }
    return n;
  }

  /**
   * Each host dials {@code degree} random others it is not connected to yet (fewer if fewer are
   * left).
   */
  void connect(int degree) throws Exception {
    int n = hosts.size();
    List<CompletableFuture<Void>> linked = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      List<Integer> free = new ArrayList<>();
      for (int b = 0; b < n; b++) {
        if (b != a && !edges.contains(edge(a, b, n))) {
          free.add(b);
        }
      }
      java.util.Collections.shuffle(free, random);
      for (int b : free.subList(0, Math.min(degree, free.size()))) {
        edges.add(edge(a, b, n));
        hosts.get(a).connect(hosts.get(b).listenAddresses().get(0)).get(30, TimeUnit.SECONDS);
        linked.add(pubsubs.get(a).awaitPeer(TOPIC, hosts.get(b).peerId()));
        linked.add(pubsubs.get(b).awaitPeer(TOPIC, hosts.get(a).peerId()));
      }
    }
    CompletableFuture.allOf(linked.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
  }

  private static long edge(int a, int b, int n) {
    return (long) Math.min(a, b) * n + Math.max(a, b);
  }

  /** The hosts {@code host} is connected to. */
  List<Integer> neighbours(int host) {
    List<Integer> out = new ArrayList<>();
    Set<PeerId> connected = hosts.get(host).connectedPeers();
    for (int i = 0; i < hosts.size(); i++) {
      if (connected.contains(hosts.get(i).peerId())) {
        out.add(i);
      }
    }
    return out;
  }

  /** Publishes message {@code index} from a random host; its payload carries the index. */
  void publish(int index) throws Exception {
    byte[] data = ByteBuffer.allocate(64).putInt(index).array();
    publishedAt[index] = System.nanoTime();
    pubsubs.get(random.nextInt(pubsubs.size())).publish(TOPIC, data).get(30, TimeUnit.SECONDS);
  }

  /** Completes when every host has every message. */
  CompletableFuture<Void> allDelivered() {
    return CompletableFuture.allOf(allReceived.toArray(CompletableFuture[]::new));
  }

  long appDuplicates() {
    return appDuplicates.get();
  }

  long deliveries() {
    return deliveries.get();
  }

  /** Messages missing, summed over hosts. */
  long missing() {
    long m = 0;
    for (int h = 0; h < received.length; h++) {
      synchronized (received[h]) {
        m += received[h].length - deliveriesOf(h);
      }
    }
    return m;
  }

  /**
   * What the hosts dropped: RPCs to full peer queues, throttled validations, full subscriptions.
   */
  String drops() {
    long outbound = 0;
    long throttled = 0;
    long subscription = 0;
    for (PubSub p : pubsubs) {
      outbound += p.stats().droppedOutbound();
      throttled += p.stats().throttled();
    }
    for (Subscription s : subs) {
      subscription += s.dropped();
    }
    return "outbound RPCs "
        + outbound
        + ", throttled "
        + throttled
        + ", subscription overflow "
        + subscription;
  }

  /** RPC copies received beyond the first, over all hosts, per message. */
  double duplicatesPerMessage() {
    long d = 0;
    for (PubSub p : pubsubs) {
      d += p.stats().duplicates();
    }
    return (double) d / publishedAt.length;
  }

  /**
   * Latency percentile in microseconds over every (host, message) delivery, the publisher's own
   * included.
   */
  long latencyMicros(double percentile) {
    long[] all = Arrays.stream(latencyNanos).flatMapToLong(Arrays::stream).sorted().toArray();
    int i = (int) Math.min(all.length - 1, Math.ceil(percentile / 100 * all.length) - 1);
    return TimeUnit.NANOSECONDS.toMicros(all[Math.max(0, i)]);
  }

  @Override
  public void close() {
    subs.forEach(Subscription::cancel);
    pubsubs.forEach(PubSub::close);
    hosts.forEach(Host::close);
    network.close();
  }

  public static void main(String[] args) throws Exception {
    // The bench profile passes JMH's default arguments when -Dbench.args is not given: then
    // defaults.
    boolean ours = args.length > 0 && args[0].matches("[0-9]+");
    int hostCount = ours ? Integer.parseInt(args[0]) : 50;
    int degree = ours && args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int messages = ours && args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int rate = ours && args.length > 3 ? Integer.parseInt(args[3]) : 25;
    System.out.printf(
        "gossipsub: %d hosts, each dialing %d random others, %d messages at %d/s%n",
        hostCount, degree, messages, rate);
    try (GossipNetworkBenchmark net =
        new GossipNetworkBenchmark(hostCount, messages, 1, null, Clock.systemUTC())) {
      long t0 = System.nanoTime();
      net.connect(degree);
      System.out.printf(
          "connected in %d ms; letting 3 heartbeats build the meshes%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      TimeUnit.SECONDS.sleep(3);
      long start = System.nanoTime();
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      for (int i = 0; i < messages; i++) {
        long due = start + i * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait); // paces the publishers
        }
        net.publish(i);
      }
      try {
        net.allDelivered().get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        System.out.printf(
            "NOT all delivered: %d (host, message) deliveries missing%n", net.missing());
      }
      long expected = (long) hostCount * messages;
      System.out.printf(
          "delivered %d of %d (host, message) pairs, %d delivered twice to an application%n",
          net.deliveries(), expected, net.appDuplicates());
      System.out.printf(
          "duplicates per message (RPC copies beyond the first, all hosts): %.1f%n",
          net.duplicatesPerMessage());
      System.out.printf(
          "delivery latency: p50 %d us, p99 %d us%n", net.latencyMicros(50), net.latencyMicros(99));
      System.out.println("drops: " + net.drops());
      if (net.deliveries() != expected || net.appDuplicates() != 0) {
        System.exit(1);
      }
    }
  }
}
