package io.headersync.libp2p.internal.encoding;

import java.util.Base64;

/**
 * The multibase prefixes we decode: {@code b}/{@code B} base32, {@code z} base58btc, {@code
 * f}/{@code F} base16, {@code u} base64url and {@code m} base64 (both unpadded), {@code U}/{@code
 * M} padded.
 */
public final class Multibase {
  private Multibase() {}

  /**
   * Decodes a multibase string.
   *
   * @throws IllegalArgumentException naming the unsupported prefix or the bad character
   */
  public static byte[] decode(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty multibase string");
    }
    char prefix = s.charAt(0);
    String body = s.substring(1);
    switch (prefix) {
      case 'b':
      case 'B':
        return Base32.decode(body);
      case 'z':
        return Base58.decode(body);
      case 'f':
      case 'F':
        return hex(body);
      case 'u':
      case 'U':
        return Base64.getUrlDecoder().decode(body);
      case 'm':
      case 'M':
        return Base64.getDecoder().decode(body);
      default:
        throw new IllegalArgumentException("unsupported multibase prefix '" + prefix + "'");
    }
  }

  /** Encodes with base64url, no padding (multibase {@code u}), as Go prints certhashes. */
  public static String encodeBase64Url(byte[] data) {
    return "u" + Base64.getUrlEncoder().withoutPadding().encodeToString(data);
  }

  private static byte[] hex(String s) {
    if ((s.length() & 1) != 0) {
      throw new IllegalArgumentException("odd-length base16 string");
    }
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(s.charAt(2 * i), 16);
      int lo = Character.digit(s.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("invalid base16 character at " + (2 * i));
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }
}
