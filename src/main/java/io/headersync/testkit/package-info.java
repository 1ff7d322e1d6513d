/**
 * What users' tests need to run header sync without a real network: {@link
 * io.headersync.testkit.TestNetwork}, an in-memory network on which a sequencer producing signed
 * ev-node blocks and full and light nodes start in a few lines, all running the real stack (libp2p
 * with Noise and Yamux over in-memory channels, pubsub, exchange, syncer).
 *
 * <pre>{@code
 * try (TestNetwork net = TestNetwork.create("gm")) {
 *   TestNode sequencer = net.sequencer();
 *   sequencer.produce(10);
 *   TestNode full = net.fullNode();
 *   full.awaitHeight(10, Duration.ofSeconds(10));
 * }
 * }</pre>
 */
@NonNullByDefault
package io.headersync.testkit;

import io.headersync.annotation.NonNullByDefault;
