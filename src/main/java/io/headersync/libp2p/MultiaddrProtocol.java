package io.headersync.libp2p;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The multiaddr protocols we know, with go-multiaddr v0.16's codes and names. Knowing a protocol
 * means we can transcode it between text and bytes; only some lead to an address we can dial
 * ({@link Multiaddr#isTcpDialable()}). Protocols marked unsupported ({@code unix}, {@code onion},
 * {@code garlic}, {@code http-path}) are recognised by name and code so errors can name them, but
 * are not transcoded.
 */
public enum MultiaddrProtocol {
  /** An IPv4 address, 4 bytes, e.g. {@code /ip4/127.0.0.1}. */
  IP4(4, "ip4", Kind.IP4),
  /** A TCP port, 2 bytes big-endian, e.g. {@code /tcp/4001}. */
  TCP(6, "tcp", Kind.PORT),
  /** A DCCP port, 2 bytes big-endian. */
  DCCP(33, "dccp", Kind.PORT),
  /** An IPv6 address, 16 bytes, e.g. {@code /ip6/::1}. */
  IP6(41, "ip6", Kind.IP6),
  /**
   * An IPv6 zone (scope) name, e.g. {@code /ip6zone/eth0}; must precede an {@code ip6} component.
   */
  IP6ZONE(42, "ip6zone", Kind.STRING),
  /** A CIDR prefix length, 1 byte, e.g. {@code /ip4/10.0.0.0/ipcidr/8}. */
  IPCIDR(43, "ipcidr", Kind.UINT8),
  /** A DNS name resolved to IPv4 or IPv6 addresses, e.g. {@code /dns/node.example.org}. */
  DNS(53, "dns", Kind.STRING),
  /** A DNS name resolved to IPv4 addresses only. */
  DNS4(54, "dns4", Kind.STRING),
  /** A DNS name resolved to IPv6 addresses only. */
  DNS6(55, "dns6", Kind.STRING),
  /**
   * A DNS name whose {@code _dnsaddr} TXT records hold further multiaddrs (libp2p's bootstrap
   * style).
   */
  DNSADDR(56, "dnsaddr", Kind.STRING),
  /** An SCTP port, 2 bytes big-endian. */
  SCTP(132, "sctp", Kind.PORT),
  /** A UDP port, 2 bytes big-endian, e.g. {@code /udp/4001}. */
  UDP(273, "udp", Kind.PORT),
  /** The deprecated WebRTC-direct transport marker; no value. */
  P2P_WEBRTC_DIRECT(276, "p2p-webrtc-direct", Kind.NONE),
  /** The WebRTC-direct transport marker; no value. */
  WEBRTC_DIRECT(280, "webrtc-direct", Kind.NONE),
  /** The WebRTC transport marker (browser-to-browser via a relay); no value. */
  WEBRTC(281, "webrtc", Kind.NONE),
  /**
   * A circuit-relay hop: the address reaches the peer through the relay named before it; no value.
   */
  P2P_CIRCUIT(290, "p2p-circuit", Kind.NONE),
  /** The UDT transport marker; no value. */
  UDT(301, "udt", Kind.NONE),
  /** The uTP transport marker; no value. */
  UTP(302, "utp", Kind.NONE),
  /** A Unix domain socket path; recognised, not transcoded. */
  UNIX(400, "unix", Kind.UNSUPPORTED),
  /** A peer id, e.g. {@code /p2p/12D3KooW...}; {@code ipfs} is accepted as an older name for it. */
  P2P(421, "p2p", Kind.P2P),
  /** The HTTPS marker; no value. */
  HTTPS(443, "https", Kind.NONE),
  /** A Tor onion service (v2) address; recognised, not transcoded. */
  ONION(444, "onion", Kind.UNSUPPORTED),
  /** A Tor onion service (v3) address; recognised, not transcoded. */
  ONION3(445, "onion3", Kind.UNSUPPORTED),
  /** An I2P address in base64; recognised, not transcoded. */
  GARLIC64(446, "garlic64", Kind.UNSUPPORTED),
  /** An I2P address in base32; recognised, not transcoded. */
  GARLIC32(447, "garlic32", Kind.UNSUPPORTED),
  /** The TLS security marker; no value. */
  TLS(448, "tls", Kind.NONE),
  /** A TLS server name indication, e.g. {@code /tls/sni/example.org}. */
  SNI(449, "sni", Kind.STRING),
  /** The Noise security marker; no value. */
  NOISE(454, "noise", Kind.NONE),
  /** The draft-29 QUIC transport marker; no value. */
  QUIC(460, "quic", Kind.NONE),
  /** The QUIC version 1 (RFC 9000) transport marker; no value. */
  QUIC_V1(461, "quic-v1", Kind.NONE),
  /** The WebTransport marker; no value. */
  WEBTRANSPORT(465, "webtransport", Kind.NONE),
  /** A certificate hash (multibase-encoded multihash) that WebTransport and WebRTC pin. */
  CERTHASH(466, "certhash", Kind.CERTHASH),
  /** The WebSocket marker; no value. */
  WS(477, "ws", Kind.NONE),
  /** The secure WebSocket marker; no value. */
  WSS(478, "wss", Kind.NONE),
  /** The HTTP marker; no value. */
  HTTP(480, "http", Kind.NONE),
  /** A URL-escaped HTTP path; recognised, not transcoded. */
  HTTP_PATH(481, "http-path", Kind.UNSUPPORTED),
  /** An in-memory transport address, an unsigned 64-bit number (go-libp2p's tests). */
  MEMORY(777, "memory", Kind.UINT64),
  /** The insecure plaintext security marker (tests only); no value. */
  PLAINTEXTV2(7367777, "plaintextv2", Kind.NONE);

  /** How a protocol's value is encoded. */
  enum Kind {
    NONE,
    IP4,
    IP6,
    PORT,
    UINT8,
    UINT64,
    STRING,
    P2P,
    CERTHASH,
    UNSUPPORTED
  }

  private static final Map<String, MultiaddrProtocol> BY_NAME = new HashMap<>();
  private static final Map<Long, MultiaddrProtocol> BY_CODE = new HashMap<>();

  static {
    for (MultiaddrProtocol p : values()) {
      BY_NAME.put(p.protocolName, p);
      BY_CODE.put((long) p.code, p);
    }
    BY_NAME.put("ipfs", P2P);
  }

  private final int code;
  private final String protocolName;
  final Kind kind;

  MultiaddrProtocol(int code, String name, Kind kind) {
    this.code = code;
    this.protocolName = name;
    this.kind = kind;
  }

  /** {@return the multicodec code (a varint on the wire)} */
  public int code() {
    return code;
  }

  /** {@return the text name, e.g. {@code "ip4"}} */
  public String protocolName() {
    return protocolName;
  }

  /** {@return whether the protocol carries a value} */
  public boolean hasValue() {
    return kind != Kind.NONE;
  }

  /** {@return whether we can transcode the protocol's value} */
  public boolean isSupported() {
    return kind != Kind.UNSUPPORTED;
  }

  /**
   * Looks a protocol up by name ({@code ipfs} is an alias of {@code p2p}).
   *
   * @param name the text name, as in a multiaddr's text form; case-sensitive
   * @return the protocol, or empty if go-multiaddr v0.16 has none of that name
   */
  public static Optional<MultiaddrProtocol> forName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /**
   * Looks a protocol up by code.
   *
   * @param code the multicodec code, as read from a multiaddr's bytes
   * @return the protocol, or empty if go-multiaddr v0.16 has none with that code
   */
  public static Optional<MultiaddrProtocol> forCode(long code) {
    return Optional.ofNullable(BY_CODE.get(code));
  }

  /** True for the protocols that name a host a TCP transport can dial. */
  boolean isHost() {
    return this == IP4 || this == IP6 || this == DNS || this == DNS4 || this == DNS6;
  }

  @Override
  public String toString() {
    return protocolName;
  }
}
