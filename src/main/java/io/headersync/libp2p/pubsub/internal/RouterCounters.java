package io.headersync.libp2p.pubsub.internal;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of a router, written on the router thread and read from any thread. */
public final class RouterCounters {
  public final AtomicLong messagesReceived = new AtomicLong();
  public final AtomicLong duplicates = new AtomicLong();
  public final AtomicLong delivered = new AtomicLong();
  public final AtomicLong rejected = new AtomicLong();
  public final AtomicLong ignored = new AtomicLong();
  public final AtomicLong graylistedRpcs = new AtomicLong();
  public final AtomicLong graftsReceived = new AtomicLong();
  public final AtomicLong prunesReceived = new AtomicLong();
  public final AtomicLong gossipIgnored = new AtomicLong();
  public final AtomicLong controlTruncated = new AtomicLong();
  public final AtomicLong brokenPromises = new AtomicLong();
  public final AtomicLong idontwantSent = new AtomicLong();
  public final AtomicLong skippedForIdontwant = new AtomicLong();
  public final AtomicLong pxRecordsAccepted = new AtomicLong();
  public final AtomicLong backoffEvicted = new AtomicLong();
}
