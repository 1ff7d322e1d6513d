/**
 * What users' tests need to test their own code against header sync, with no real network, no ports
 * and no waiting on wall-clock time:
 *
 * <ul>
 *   <li>{@link io.headersync.testkit.TestNetwork}: an in-memory network on which a sequencer
 *       producing signed ev-node blocks and full and light nodes ({@link
 *       io.headersync.testkit.TestNode}) start in a few lines, all running the real stack (libp2p
 *       with Noise and Yamux over in-memory channels, pubsub, exchange, syncer);
 *   <li>{@link io.headersync.testkit.StoreContractTest}: the {@code Store} contract as a JUnit
 *       Jupiter suite to extend for your own store (needs {@code junit-jupiter-api}, an optional
 *       dependency);
 *   <li>{@link io.headersync.testkit.MutableClock} and {@link
 *       io.headersync.testkit.ManualScheduler}: time and timers the test moves;
 *   <li>chain generators, deterministic from their arguments or a seed: {@link
 *       io.headersync.testkit.EvNodeChain} (signed ev-node blocks with their key) and {@link
 *       io.headersync.testkit.DummyChain} of the small {@link io.headersync.testkit.DummyHeader}
 *       type for code generic over the header;
 *   <li>{@link io.headersync.testkit.KvStateMachine}: a demo executor.
 * </ul>
 *
 * <pre>{@code
 * try (TestNetwork net = TestNetwork.create("gm")) {
 *   TestNode sequencer = net.sequencer();
 *   sequencer.produce(10);
 *   TestNode full = net.fullNode();
 *   full.awaitHeight(10, Duration.ofSeconds(10));
 * }
 *
 * class MyStoreTest extends StoreContractTest {           // the Store contract on your store
 *   @Override
 *   protected Store<DummyHeader> createStore(StoreOptions options) {
 *     return new MyStore<>(DummyHeader.TYPE, options);
 *   }
 * }
 *
 * EvNodeChain chain = EvNodeChain.builder("gm").seed(42).build();
 * List<Block> blocks = chain.next(100);                   // signed, linked, the same on every run
 * MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
 * ManualScheduler scheduler = new ManualScheduler(clock); // give both to the component under test
 * scheduler.advance(Duration.ofSeconds(30));              // its timers run, in order, on this thread
 * }</pre>
 */
@NonNullByDefault
package io.headersync.testkit;

import io.headersync.annotation.NonNullByDefault;
