package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admission of inbound connections, before any byte is read: a budget for inbound connections in
 * total (so dials always have room), a small budget for connections still in the handshake, and
 * limits per IP address and per subnet (IPv4 /24, IPv6 /56). Loopback addresses are exempt from the
 * address limits, as in go-libp2p's resource manager; connections without an IP (in-memory) too.
 *
 * <p>When the handshake budget is full, a newcomer is not refused: the connection that has waited
 * longest <em>without sending a byte</em> is evicted for it (else the oldest one in the handshake),
 * so connections opened and left idle cannot hold every handshake slot; an honest peer writes its
 * multistream header at once and finishes in a few round trips. Thread-safe.
 *
 * @param <C> the connection handle (a channel)
 */
final class InboundAdmission<C> {
  /** What {@link #admit} decided. */
  static final class Decision<C> {
    final @Nullable String refused;
    final @Nullable C evict;

    private Decision(@Nullable String refused, @Nullable C evict) {
      this.refused = refused;
      this.evict = evict;
    }
  }

  private final int maxInbound;
  private final int maxHandshakes;
  private final int maxPerIp;
  private final int maxPerSubnet;
  private int inbound;

  /** Connections in the handshake, oldest first, with whether they sent anything yet. */
  private final LinkedHashMap<C, boolean[]> handshaking = new LinkedHashMap<>();

  private final Map<C, String[]> keys = new HashMap<>();
  private final Map<String, Integer> perIp = new HashMap<>();
  private final Map<String, Integer> perSubnet = new HashMap<>();

  InboundAdmission(int maxInbound, int maxHandshakes, int maxPerIp, int maxPerSubnet) {
    this.maxInbound = maxInbound;
    this.maxHandshakes = maxHandshakes;
    this.maxPerIp = maxPerIp;
    this.maxPerSubnet = maxPerSubnet;
  }

  /**
   * Admits {@code c} from {@code ip} (null when it has none) into the handshake, or says why not.
   * An admitted connection must be {@link #closed} once; the evicted one, if any, must be closed by
   * the caller (and reported {@link #closed} like any other).
   */
  synchronized Decision<C> admit(C c, @Nullable InetAddress ip) {
    if (inbound >= maxInbound) {
      return new Decision<>(inbound + " inbound connections open (limit " + maxInbound + ")", null);
    }
    String ipKey = null;
    String subnetKey = null;
    if (ip != null && !ip.isLoopbackAddress()) {
      byte[] a = ip.getAddress();
      ipKey =
          HexFormat.of().formatHex(a, 0, ip instanceof Inet4Address ? 4 : 8)
              + "/"
              + (ip instanceof Inet4Address ? 32 : 64);
      subnetKey =
          HexFormat.of().formatHex(a, 0, ip instanceof Inet4Address ? 3 : 7)
              + "/"
              + (ip instanceof Inet4Address ? 24 : 56);
      int fromIp = perIp.getOrDefault(ipKey, 0);
      if (fromIp >= maxPerIp) {
        return new Decision<>(
            fromIp
                + " inbound connections from "
                + ip.getHostAddress()
                + " (limit "
                + maxPerIp
                + ")",
            null);
      }
      int fromSubnet = perSubnet.getOrDefault(subnetKey, 0);
      if (fromSubnet >= maxPerSubnet) {
        return new Decision<>(
            fromSubnet
                + " inbound connections from the subnet of "
                + ip.getHostAddress()
                + " (limit "
                + maxPerSubnet
                + ")",
            null);
      }
    }
    C evict = null;
    if (handshaking.size() >= maxHandshakes) {
      evict = victim();
      handshaking.remove(evict);
    }
    inbound++;
    handshaking.put(c, new boolean[1]);
    keys.put(c, new String[] {ipKey, subnetKey});
    if (ipKey != null) {
      perIp.merge(ipKey, 1, Integer::sum);
      perSubnet.merge(subnetKey, 1, Integer::sum);
    }
    return new Decision<>(null, evict);
  }

  /** The longest waiting handshake that sent nothing, else the longest waiting one. Lock held. */
  private C victim() {
    for (Map.Entry<C, boolean[]> e : handshaking.entrySet()) {
      if (!e.getValue()[0]) {
        return e.getKey();
      }
    }
    Iterator<C> it = handshaking.keySet().iterator();
    return it.next();
  }

  /** {@code c} sent its first bytes. */
  synchronized void sent(C c) {
    boolean[] s = handshaking.get(c);
    if (s != null) {
      s[0] = true;
    }
  }

  /** {@code c} finished its handshake: it no longer holds a handshake slot. */
  synchronized void upgraded(C c) {
    handshaking.remove(c);
  }

  /** {@code c} closed: it frees every slot it held. Idempotent. */
  synchronized void closed(C c) {
    handshaking.remove(c);
    String[] k = keys.remove(c);
    if (k == null) {
      return;
    }
    inbound--;
    if (k[0] != null) {
      decrement(perIp, k[0]);
      decrement(perSubnet, k[1]);
    }
  }

  synchronized int inbound() {
    return inbound;
  }

  synchronized int handshaking() {
    return handshaking.size();
  }

  private static void decrement(Map<String, Integer> m, String key) {
    m.computeIfPresent(key, (k, v) -> v <= 1 ? null : v - 1);
  }
}
