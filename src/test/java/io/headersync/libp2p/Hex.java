package io.headersync.libp2p;

import java.util.HexFormat;

/** Test helper: hex in and out. */
public final class Hex {
  private Hex() {}

  public static byte[] decode(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  public static String encode(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
