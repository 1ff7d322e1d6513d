package io.headersync.libp2p;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Turns a seed list (ev-node's comma-separated {@code p2p.peers}, or a list of strings) into peers
 * we can dial, the way Go's {@code peer.AddrInfoFromP2pAddr} reads them: each entry is a transport
 * address followed by {@code /p2p/<peer id>}; the security handshake must later prove that the
 * remote's key hashes to that id.
 *
 * <p>A bad entry never fails the whole list: entries that are malformed, lack a peer id, or use a
 * transport we cannot dial (QUIC, WebTransport, WebRTC, {@code dnsaddr}…) come back in {@link
 * Result#skipped()} with a {@link Reason} and a message.
 */
public final class SeedAddresses {
  /** At most this many entries are read; the rest are skipped as {@link Reason#TOO_MANY}. */
  public static final int MAX_ENTRIES = 1024;

  private SeedAddresses() {}

  /** Why an entry was skipped. */
  public enum Reason {
    /** Not a valid multiaddr (the detail says why). */
    MALFORMED,
    /** A valid multiaddr without a trailing {@code /p2p/<id>}. */
    MISSING_PEER_ID,
    /** A valid address for a transport we cannot dial. */
    UNSUPPORTED_TRANSPORT,
    /** Beyond {@link #MAX_ENTRIES}. */
    TOO_MANY
  }

  /** A dialable seed: the transport address and the peer it must authenticate as. */
  public static final class Seed {
    private final PeerId peer;
    private final Multiaddr address;

    Seed(PeerId peer, Multiaddr address) {
      this.peer = peer;
      this.address = address;
    }

    /** {@return the peer id the remote must prove} */
    public PeerId peer() {
      return peer;
    }

    /** {@return the transport address, without {@code /p2p}} */
    public Multiaddr address() {
      return address;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Seed
          && ((Seed) o).peer.equals(peer)
          && ((Seed) o).address.equals(address);
    }

    @Override
    public int hashCode() {
      return peer.hashCode() * 31 + address.hashCode();
    }

    @Override
    public String toString() {
      return address + "/p2p/" + peer;
    }
  }

  /** A skipped entry. */
  public static final class Skipped {
    private final String input;
    private final Reason reason;
    private final String detail;

    Skipped(String input, Reason reason, String detail) {
      this.input = input;
      this.reason = reason;
      this.detail = detail;
    }

    /** {@return the entry as given, trimmed} */
    public String input() {
      return input;
    }

    /** {@return why the entry was skipped} */
    public Reason reason() {
      return reason;
    }

    /** {@return a human-readable explanation} */
    public String detail() {
      return detail;
    }

    @Override
    public String toString() {
      return "skipped seed '" + input + "' (" + reason + "): " + detail;
    }
  }

  /** The outcome of reading a seed list. */
  public static final class Result {
    private final List<Seed> seeds;
    private final List<Skipped> skipped;

    Result(List<Seed> seeds, List<Skipped> skipped) {
      this.seeds = Collections.unmodifiableList(seeds);
      this.skipped = Collections.unmodifiableList(skipped);
    }

    /** {@return the dialable seeds, in input order, without duplicates} */
    public List<Seed> seeds() {
      return seeds;
    }

    /** {@return the entries that were not used, in input order} */
    public List<Skipped> skipped() {
      return skipped;
    }
  }

  /**
   * Reads a comma-separated list; blank entries are ignored and entries are trimmed.
   *
   * @param list entries separated by commas, e.g. ev-node's {@code p2p.peers}
   * @return the dialable seeds and the skipped entries; never throws for a bad entry
   */
  public static Result parseCommaSeparated(String list) {
    Objects.requireNonNull(list, "list == null");
    List<String> entries = new ArrayList<>();
    for (String e : list.split(",", -1)) {
      entries.add(e);
    }
    return parse(entries);
  }

  /**
   * Reads a list of entries; blank entries are ignored and entries are trimmed.
   *
   * @param entries the entries; null elements count as blank
   * @return the dialable seeds and the skipped entries; never throws for a bad entry
   */
  public static Result parse(Collection<String> entries) {
    Objects.requireNonNull(entries, "entries == null");
    List<Seed> seeds = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    int n = 0;
    for (String raw : entries) {
      String e = raw == null ? "" : raw.trim();
      if (e.isEmpty()) {
        continue;
      }
      if (++n > MAX_ENTRIES) {
        skipped.add(new Skipped(e, Reason.TOO_MANY, "more than " + MAX_ENTRIES + " seeds"));
        continue;
      }
      Multiaddr addr;
      try {
        addr = Multiaddr.parse(e);
      } catch (MultiaddrFormatException ex) {
        skipped.add(new Skipped(e, Reason.MALFORMED, ex.getMessage()));
        continue;
      }
      if (addr.peerId().isEmpty()) {
        skipped.add(new Skipped(e, Reason.MISSING_PEER_ID, "no trailing /p2p/<peer id>"));
        continue;
      }
      if (!addr.isTcpDialable()) {
        skipped.add(
            new Skipped(
                e,
                Reason.UNSUPPORTED_TRANSPORT,
                "not a /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port> address: " + addr.withoutPeerId()));
        continue;
      }
      Seed seed = new Seed(addr.peerId().get(), addr.withoutPeerId());
      if (!seeds.contains(seed)) {
        seeds.add(seed);
      }
    }
    return new Result(seeds, skipped);
  }
}
