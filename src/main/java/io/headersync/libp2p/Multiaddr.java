package io.headersync.libp2p;

import io.headersync.libp2p.internal.encoding.Multibase;
import io.headersync.libp2p.internal.encoding.Uvarint;
import io.netty.util.NetUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A multiaddr: a self-describing network address such as {@code
 * /ip4/1.2.3.4/tcp/7676/p2p/12D3KooW…}. Immutable and thread-safe; equality is by binary encoding.
 *
 * <p>Binary form: {@code (uvarint(code) ‖ value)+}; fixed-size values (ip4, ip6, ports) have no
 * length prefix, variable ones are {@code uvarint(len) ‖ bytes}. Text form: {@code (/name/value)+}.
 * Both follow go-multiaddr v0.16 (trailing slashes trimmed, unknown protocol names rejected, IPv6
 * printed per RFC 5952 with v4-mapped addresses as {@code ::ffff:a.b.c.d}, {@code /ipfs} read as
 * {@code /p2p}).
 *
 * <p>Every protocol in {@link MultiaddrProtocol} parses, including ones we cannot dial (QUIC,
 * WebTransport, WebRTC…); {@link #isTcpDialable()} says whether the address is one our TCP
 * transport can use. Use {@link SeedAddresses} to turn a seed list into dialable peers without
 * failing on such entries.
 */
public final class Multiaddr {
  /** The longest multiaddr accepted, in bytes and in characters. */
  public static final int MAX_LENGTH = 1024;

  private final List<Component> components;
  private final byte[] bytes;

  private Multiaddr(List<Component> components) {
    this.components = Collections.unmodifiableList(components);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Component c : components) {
      out.writeBytes(Uvarint.encode(c.protocol.code()));
      if (c.protocol.hasValue()) {
        if (isVariable(c.protocol)) {
          out.writeBytes(Uvarint.encode(c.value.length));
        }
        out.writeBytes(c.value);
      }
    }
    this.bytes = out.toByteArray();
  }

  /**
   * Parses the text form.
   *
   * @param text the text form, e.g. {@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...}
   * @return the address
   * @throws MultiaddrFormatException naming the offending protocol or value
   */
  public static Multiaddr parse(String text) {
    Objects.requireNonNull(text, "text == null");
    if (text.length() > MAX_LENGTH) {
      throw new MultiaddrFormatException("multiaddr text longer than " + MAX_LENGTH + " chars");
    }
    String s = text;
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    s = s.substring(0, end);
    if (!s.startsWith("/")) {
      throw new MultiaddrFormatException("multiaddr '" + text + "' must begin with /");
    }
    String[] parts = s.substring(1).split("/", -1);
    List<Component> out = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      String name = parts[i];
      MultiaddrProtocol p =
          MultiaddrProtocol.forName(name)
              .orElseThrow(
                  () ->
                      new MultiaddrFormatException(
                          "multiaddr '" + text + "': unknown protocol '" + name + "'"));
      if (!p.isSupported()) {
        throw new MultiaddrFormatException(
            "multiaddr '" + text + "': protocol '" + name + "' is not supported");
      }
      if (!p.hasValue()) {
        out.add(new Component(p, new byte[0]));
        continue;
      }
      if (++i >= parts.length) {
        throw new MultiaddrFormatException(
            "multiaddr '" + text + "': protocol '" + name + "' is missing its value");
      }
      try {
        out.add(new Component(p, valueFromText(p, parts[i])));
      } catch (IllegalArgumentException e) {
        throw new MultiaddrFormatException(
            "multiaddr '"
                + text
                + "': invalid "
                + name
                + " value '"
                + parts[i]
                + "': "
                + e.getMessage(),
            e);
      }
    }
    Multiaddr m = new Multiaddr(out);
    if (m.bytes.length > MAX_LENGTH) {
      // Non-ASCII DNS names take more bytes than chars: the binary form must stay within what
      // fromBytes accepts.
      throw new MultiaddrFormatException(
          "multiaddr '"
              + text
              + "' encodes to "
              + m.bytes.length
              + " bytes, longer than "
              + MAX_LENGTH);
    }
    return m;
  }

  /**
   * Parses the binary form.
   *
   * @param bytes the binary form, as identify and the DHT carry it
   * @return the address
   * @throws MultiaddrFormatException naming the offending protocol or value
   */
  public static Multiaddr fromBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes == null");
    if (bytes.length == 0) {
      throw new MultiaddrFormatException("empty multiaddr");
    }
    if (bytes.length > MAX_LENGTH) {
      throw new MultiaddrFormatException("multiaddr longer than " + MAX_LENGTH + " bytes");
    }
    List<Component> out = new ArrayList<>();
    int[] pos = {0};
    try {
      while (pos[0] < bytes.length) {
        long code = Uvarint.read(bytes, pos, Uvarint.Format.MULTIFORMATS);
        MultiaddrProtocol p =
            MultiaddrProtocol.forCode(code)
                .orElseThrow(
                    () -> new MultiaddrFormatException("unknown multiaddr protocol code " + code));
        if (!p.isSupported()) {
          throw new MultiaddrFormatException("multiaddr protocol '" + p + "' is not supported");
        }
        int len = fixedSize(p);
        if (len < 0) {
          long l = Uvarint.read(bytes, pos, Uvarint.Format.MULTIFORMATS);
          if (l > bytes.length - pos[0]) {
            throw new MultiaddrFormatException("multiaddr '" + p + "' value is truncated");
          }
          len = (int) l;
        } else if (len > bytes.length - pos[0]) {
          throw new MultiaddrFormatException("multiaddr '" + p + "' value is truncated");
        }
        byte[] value = Arrays.copyOfRange(bytes, pos[0], pos[0] + len);
        pos[0] += len;
        try {
          validate(p, value);
        } catch (IllegalArgumentException e) {
          throw new MultiaddrFormatException(
              "invalid multiaddr " + p + " value: " + e.getMessage(), e);
        }
        out.add(new Component(p, value));
      }
    } catch (Uvarint.VarintException e) {
      throw new MultiaddrFormatException("malformed multiaddr: " + e.getMessage(), e);
    }
    return new Multiaddr(out);
  }

  /**
   * {@return {@code /ip4|ip6/<ip>/tcp/<port>} for a literal IP address, else {@code
   * /dns/<host>/tcp/<port>}} Nothing is resolved here.
   *
   * @param host an IPv4 or IPv6 literal, or a DNS name
   * @param port the TCP port, 0 to 65535
   * @throws MultiaddrFormatException if the port is out of range or the host is not a valid name
   */
  public static Multiaddr tcp(String host, int port) {
    Objects.requireNonNull(host, "host == null");
    if (port < 0 || port > 65535) {
      throw new MultiaddrFormatException("port out of range: " + port);
    }
    String proto =
        NetUtil.isValidIpV4Address(host) ? "ip4" : NetUtil.isValidIpV6Address(host) ? "ip6" : "dns";
    return parse("/" + proto + "/" + host + "/tcp/" + port);
  }

  /** {@return the components, in order} */
  public List<Component> components() {
    return components;
  }

  /** {@return the binary encoding; a copy} */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** {@return the peer id of the last component, if it is {@code /p2p}} */
  public Optional<PeerId> peerId() {
    if (components.isEmpty()) {
      return Optional.empty();
    }
    Component last = components.get(components.size() - 1);
    return last.protocol == MultiaddrProtocol.P2P
        ? Optional.of(PeerId.fromBytes(last.value))
        : Optional.empty();
  }

  /** {@return this address without a trailing {@code /p2p} component (the transport part)} */
  public Multiaddr withoutPeerId() {
    if (peerId().isEmpty()) {
      return this;
    }
    return new Multiaddr(new ArrayList<>(components.subList(0, components.size() - 1)));
  }

  /**
   * {@return this address's transport part followed by {@code /p2p/<peer>}}
   *
   * @param peer the peer the address must authenticate as; replaces any {@code /p2p} already there
   */
  public Multiaddr withPeerId(PeerId peer) {
    Objects.requireNonNull(peer, "peer == null");
    List<Component> c = new ArrayList<>(withoutPeerId().components);
    c.add(new Component(MultiaddrProtocol.P2P, peer.bytes()));
    return new Multiaddr(c);
  }

  /**
   * {@return whether this is {@code /(ip4|ip6|dns|dns4|dns6)/<host>/tcp/<port>}, optionally
   * followed by {@code /p2p/<id>}: an address our TCP transport can dial}
   */
  public boolean isTcpDialable() {
    int n = components.size();
    if (n == 3 && components.get(2).protocol == MultiaddrProtocol.P2P) {
      n = 2;
    } else if (n != 2) {
      return false;
    }
    return components.get(0).protocol.isHost()
        && components.get(1).protocol == MultiaddrProtocol.TCP;
  }

  /** {@return the host text of the first component if it is ip4, ip6, dns, dns4 or dns6} */
  public Optional<String> host() {
    if (components.isEmpty() || !components.get(0).protocol.isHost()) {
      return Optional.empty();
    }
    return Optional.of(components.get(0).valueText());
  }

  /** {@return the TCP port, if this address has a {@code /tcp} component} */
  public OptionalInt tcpPort() {
    for (Component c : components) {
      if (c.protocol == MultiaddrProtocol.TCP) {
        return OptionalInt.of(((c.value[0] & 0xFF) << 8) | (c.value[1] & 0xFF));
      }
    }
    return OptionalInt.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multiaddr && Arrays.equals(((Multiaddr) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The canonical text form. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Component c : components) {
      sb.append(c);
    }
    return sb.toString();
  }

  /** One {@code /name/value} part of a multiaddr. */
  public static final class Component {
    private final MultiaddrProtocol protocol;
    private final byte[] value;

    Component(MultiaddrProtocol protocol, byte[] value) {
      this.protocol = protocol;
      this.value = value;
    }

    /** {@return the component's protocol, e.g. {@link MultiaddrProtocol#TCP}} */
    public MultiaddrProtocol protocol() {
      return protocol;
    }

    /**
     * {@return the binary value (no length prefix); a copy, empty for protocols without a value}
     */
    public byte[] value() {
      return value.clone();
    }

    /** {@return the value as text, empty for protocols without a value} */
    public String valueText() {
      return valueToText(protocol, value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Component
          && ((Component) o).protocol == protocol
          && Arrays.equals(((Component) o).value, value);
    }

    @Override
    public int hashCode() {
      return protocol.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return protocol.hasValue()
          ? "/" + protocol.protocolName() + "/" + valueText()
          : "/" + protocol.protocolName();
    }
  }

  // ---- transcoders ----

  private static boolean isVariable(MultiaddrProtocol p) {
    return fixedSize(p) < 0;
  }

  /** Fixed value size in bytes, or -1 for length-prefixed values. */
  private static int fixedSize(MultiaddrProtocol p) {
    switch (p.kind) {
      case NONE:
        return 0;
      case IP4:
        return 4;
      case IP6:
        return 16;
      case PORT:
        return 2;
      case UINT8:
        return 1;
      case UINT64:
        return 8;
      default:
        return -1;
    }
  }

  private static byte[] valueFromText(MultiaddrProtocol p, String s) {
    byte[] v;
    switch (p.kind) {
      case IP4:
        v = parseIp4(s);
        break;
      case IP6:
        v = parseIp6(s);
        break;
      case PORT:
        {
          int port = parseUnsigned(s, 65535);
          v = new byte[] {(byte) (port >>> 8), (byte) port};
          break;
        }
      case UINT8:
        v = new byte[] {(byte) parseUnsigned(s, 255)};
        break;
      case UINT64:
        {
          long x;
          try {
            x = Long.parseUnsignedLong(s);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an unsigned 64-bit number");
          }
          v = new byte[8];
          for (int i = 7; i >= 0; i--) {
            v[i] = (byte) x;
            x >>>= 8;
          }
          break;
        }
      case STRING:
        v = s.getBytes(StandardCharsets.UTF_8);
        break;
      case P2P:
        try {
          v = PeerId.parse(s).bytes();
        } catch (PeerIdFormatException e) {
          throw new IllegalArgumentException(e.getMessage(), e);
        }
        break;
      case CERTHASH:
        v = Multibase.decode(s);
        break;
      default:
        throw new IllegalArgumentException("protocol " + p + " has no value");
    }
    validate(p, v);
    return v;
  }

  private static void validate(MultiaddrProtocol p, byte[] v) {
    switch (p.kind) {
      case STRING:
        if (v.length == 0) {
          throw new IllegalArgumentException("empty value");
        }
        for (byte b : v) {
          if (b == '/') {
            throw new IllegalArgumentException("value contains '/'");
          }
        }
        break;
      case P2P:
        try {
          PeerId.fromBytes(v);
        } catch (PeerIdFormatException e) {
          throw new IllegalArgumentException(e.getMessage(), e);
        }
        break;
      case CERTHASH:
        {
          int[] pos = {0};
          Uvarint.read(v, pos, Uvarint.Format.MULTIFORMATS);
          long len = Uvarint.read(v, pos, Uvarint.Format.MULTIFORMATS);
          if (len != v.length - pos[0]) {
            throw new IllegalArgumentException("certhash is not a valid multihash");
          }
          break;
        }
      default:
        break;
    }
  }

  private static String valueToText(MultiaddrProtocol p, byte[] v) {
    switch (p.kind) {
      case NONE:
        return "";
      case IP4:
        return (v[0] & 0xFF) + "." + (v[1] & 0xFF) + "." + (v[2] & 0xFF) + "." + (v[3] & 0xFF);
      case IP6:
        return formatIp6(v);
      case PORT:
        return Integer.toString(((v[0] & 0xFF) << 8) | (v[1] & 0xFF));
      case UINT8:
        return Integer.toString(v[0] & 0xFF);
      case UINT64:
        {
          long x = 0;
          for (byte b : v) {
            x = (x << 8) | (b & 0xFF);
          }
          return Long.toUnsignedString(x);
        }
      case STRING:
        return new String(v, StandardCharsets.UTF_8);
      case P2P:
        return PeerId.fromBytes(v).toBase58();
      case CERTHASH:
        return Multibase.encodeBase64Url(v);
      default:
        throw new IllegalStateException("unsupported protocol " + p);
    }
  }

  private static int parseUnsigned(String s, int max) {
    if (s.isEmpty() || s.length() > 10) {
      throw new IllegalArgumentException("not a number");
    }
    long x = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException("not a number");
      }
      x = x * 10 + (c - '0');
    }
    if (x > max) {
      throw new IllegalArgumentException("out of range 0.." + max);
    }
    return (int) x;
  }

  private static byte[] parseIp4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not a dotted-quad IPv4 address");
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
        throw new IllegalArgumentException("not a dotted-quad IPv4 address");
      }
      out[i] = (byte) parseUnsigned(part, 255);
    }
    return out;
  }

  private static byte[] parseIp6(String s) {
    if (s.indexOf('%') >= 0 || s.indexOf('[') >= 0) {
      throw new IllegalArgumentException("not an IPv6 address");
    }
    if (NetUtil.isValidIpV4Address(s)) {
      byte[] v4 = parseIp4(s);
      byte[] out = new byte[16];
      out[10] = (byte) 0xFF;
      out[11] = (byte) 0xFF;
      System.arraycopy(v4, 0, out, 12, 4);
      return out;
    }
    if (!NetUtil.isValidIpV6Address(s)) {
      throw new IllegalArgumentException("not an IPv6 address");
    }
    byte[] b = NetUtil.createByteArrayFromIpAddressString(s);
    if (b == null || b.length != 16) {
      throw new IllegalArgumentException("not an IPv6 address");
    }
    return b;
  }

  /** RFC 5952 text; v4-mapped addresses as {@code ::ffff:a.b.c.d} (go-multiaddr {@code ip6BtS}). */
  static String formatIp6(byte[] v) {
    boolean mapped = true;
    for (int i = 0; i < 10; i++) {
      mapped &= v[i] == 0;
    }
    if (mapped && (v[10] & 0xFF) == 0xFF && (v[11] & 0xFF) == 0xFF) {
      return "::ffff:"
          + (v[12] & 0xFF)
          + "."
          + (v[13] & 0xFF)
          + "."
          + (v[14] & 0xFF)
          + "."
          + (v[15] & 0xFF);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((v[2 * i] & 0xFF) << 8) | (v[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
