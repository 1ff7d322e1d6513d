/**
 * headersync: go-header's header sync (store, exchange, gossip, syncer) for the JVM, on a libp2p
 * stack of its own. Exports the API packages only; the {@code internal} packages are not exported,
 * so a user of the module path cannot reach them (on the class path, as any jar, everything stays
 * reachable, but only exported packages are API).
 */
module io.headersync {
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.transport;
  requires io.netty.handler;
  requires io.netty.codec;
  requires io.netty.resolver.dns;
  requires com.google.protobuf;
  requires org.bouncycastle.provider;
  requires tools.jackson.core;
  requires rocksdbjni;
  requires org.slf4j;

  // Optional: the command line, the metrics exporters, the test kit's store contract suite.
  requires static info.picocli;
  requires static io.opentelemetry.api;
  requires static io.prometheus.metrics.exporter.httpserver;
  requires static io.prometheus.metrics.model;
  requires static transitive org.junit
      .jupiter
      .api; // its annotations are on the contract suite's public methods

  exports io.headersync;
  exports io.headersync.annotation;
  exports io.headersync.instrument;
  exports io.headersync.lifecycle;
  exports io.headersync.service;
  exports io.headersync.store;
  exports io.headersync.exchange;
  exports io.headersync.subscriber;
  exports io.headersync.sync;
  exports io.headersync.evnode;
  exports io.headersync.metrics;
  exports io.headersync.testkit;
  exports io.headersync.libp2p;
  exports io.headersync.libp2p.pubsub;
  exports io.headersync.libp2p.dht;

  // picocli reads the command classes reflectively; protobuf's runtime reads generated messages.
  opens io.headersync.cli to
      info.picocli;
  opens io.headersync.exchange.internal to
      com.google.protobuf;
  opens io.headersync.libp2p.internal.pb to
      com.google.protobuf;
  opens io.headersync.libp2p.pubsub.internal.pb to
      com.google.protobuf;
  opens io.headersync.libp2p.dht.internal.pb to
      com.google.protobuf;
}
