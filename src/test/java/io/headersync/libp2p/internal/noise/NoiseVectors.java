package io.headersync.libp2p.internal.noise;

import io.headersync.libp2p.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The flat JSON written by interop/noise-vectors (string values only). */
final class NoiseVectors {
  private final Map<String, String> values = new HashMap<>();

  static NoiseVectors load(String resource) {
    try (InputStream in = NoiseVectors.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      NoiseVectors v = new NoiseVectors();
      Matcher m = Pattern.compile("\"([a-z0-9_]+)\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
      while (m.find()) {
        v.values.put(m.group(1), m.group(2));
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  byte[] bytes(String key) {
    String s = values.get(key);
    if (s == null) {
      throw new IllegalArgumentException("no vector " + key);
    }
    return Hex.decode(s);
  }
}
