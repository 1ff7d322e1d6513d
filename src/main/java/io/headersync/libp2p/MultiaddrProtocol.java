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
  IP4(4, "ip4", Kind.IP4),
  TCP(6, "tcp", Kind.PORT),
  DCCP(33, "dccp", Kind.PORT),
  IP6(41, "ip6", Kind.IP6),
  IP6ZONE(42, "ip6zone", Kind.STRING),
  IPCIDR(43, "ipcidr", Kind.UINT8),
  DNS(53, "dns", Kind.STRING),
  DNS4(54, "dns4", Kind.STRING),
  DNS6(55, "dns6", Kind.STRING),
  DNSADDR(56, "dnsaddr", Kind.STRING),
  SCTP(132, "sctp", Kind.PORT),
  UDP(273, "udp", Kind.PORT),
  P2P_WEBRTC_DIRECT(276, "p2p-webrtc-direct", Kind.NONE),
  WEBRTC_DIRECT(280, "webrtc-direct", Kind.NONE),
  WEBRTC(281, "webrtc", Kind.NONE),
  P2P_CIRCUIT(290, "p2p-circuit", Kind.NONE),
  UDT(301, "udt", Kind.NONE),
  UTP(302, "utp", Kind.NONE),
  UNIX(400, "unix", Kind.UNSUPPORTED),
  P2P(421, "p2p", Kind.P2P),
  HTTPS(443, "https", Kind.NONE),
  ONION(444, "onion", Kind.UNSUPPORTED),
  ONION3(445, "onion3", Kind.UNSUPPORTED),
  GARLIC64(446, "garlic64", Kind.UNSUPPORTED),
  GARLIC32(447, "garlic32", Kind.UNSUPPORTED),
  TLS(448, "tls", Kind.NONE),
  SNI(449, "sni", Kind.STRING),
  NOISE(454, "noise", Kind.NONE),
  QUIC(460, "quic", Kind.NONE),
  QUIC_V1(461, "quic-v1", Kind.NONE),
  WEBTRANSPORT(465, "webtransport", Kind.NONE),
  CERTHASH(466, "certhash", Kind.CERTHASH),
  WS(477, "ws", Kind.NONE),
  WSS(478, "wss", Kind.NONE),
  HTTP(480, "http", Kind.NONE),
  HTTP_PATH(481, "http-path", Kind.UNSUPPORTED),
  MEMORY(777, "memory", Kind.UINT64),
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

  /** The multicodec code (a varint on the wire). */
  public int code() {
    return code;
  }

  /** The text name, e.g. {@code "ip4"}. */
  public String protocolName() {
    return protocolName;
  }

  /** Whether the protocol carries a value. */
  public boolean hasValue() {
    return kind != Kind.NONE;
  }

  /** Whether we can transcode the protocol's value. */
  public boolean isSupported() {
    return kind != Kind.UNSUPPORTED;
  }

  /** Looks a protocol up by name ({@code ipfs} is an alias of {@code p2p}). */
  public static Optional<MultiaddrProtocol> forName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** Looks a protocol up by code. */
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
