package io.headersync.evnode;

import io.headersync.annotation.Nullable;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.core.json.JsonFactory;

/**
 * The top-level fields of a small JSON object read as Go's {@code encoding/json} reads them into a
 * struct: keys match case-insensitively, the last of duplicate keys wins, unknown keys are ignored,
 * {@code null} leaves a field unset; and the few value types ev-node's files use (string, uint64,
 * base64 {@code []byte}). Files are bounded ({@link #MAX_FILE_SIZE}).
 */
final class JsonFields {
  /** The largest file read: ev-node's files are a few hundred bytes. */
  static final int MAX_FILE_SIZE = 64 * 1024;

  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final BigInteger MAX_UINT64 =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final @Nullable Path file;

  /**
   * Lower-cased key → the value: a String for strings, a BigInteger for integers, a Token
   * otherwise.
   */
  private final Map<String, Object> values = new HashMap<>();

  private enum Other {
    FRACTION,
    BOOLEAN,
    OBJECT,
    ARRAY
  }

  private JsonFields(@Nullable Path file) {
    this.file = file;
  }

  static JsonFields read(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_SIZE) {
        throw new EvNodeFileException(
            file, null, "larger than " + MAX_FILE_SIZE + " bytes: not an ev-node file", null);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new EvNodeFileException(file, null, "no such file", e);
    } catch (IOException e) {
      throw new EvNodeFileException(file, null, "cannot read it: " + e, e);
    }
    return parse(file, bytes);
  }

  static JsonFields parse(@Nullable Path file, byte[] json) {
    if (json.length > MAX_FILE_SIZE) {
      throw new EvNodeFileException(
          file, null, "larger than " + MAX_FILE_SIZE + " bytes: not an ev-node file", null);
    }
    JsonFields fields = new JsonFields(file);
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new EvNodeFileException(file, null, "not a JSON object", null);
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
        String key = p.currentName().toLowerCase(Locale.ROOT);
        JsonToken v = p.nextToken();
        Object value =
            switch (v) {
              case VALUE_STRING -> p.getString();
              case VALUE_NUMBER_INT -> p.getBigIntegerValue();
              case VALUE_NUMBER_FLOAT -> Other.FRACTION;
              case VALUE_TRUE, VALUE_FALSE -> Other.BOOLEAN;
              case VALUE_NULL -> null;
              case START_OBJECT -> Other.OBJECT;
              case START_ARRAY -> Other.ARRAY;
              default -> throw new EvNodeFileException(file, key, "unexpected " + v, null);
            };
        p.skipChildren();
        if (value == null) {
          fields.values.remove(key); // Go: null leaves the field as it was; a later key may set it
        } else {
          fields.values.put(key, value);
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new EvNodeFileException(file, null, "not a single JSON object", null);
      }
    } catch (JacksonException e) {
      throw new EvNodeFileException(
          file,
          null,
          "not valid JSON: "
              + e.getOriginalMessage()
              + " at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr(),
          e);
    }
    return fields;
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  @Nullable
  String string(String key) {
    Object v = values.get(key);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw wrongType(key, v, "a string");
  }

  /** A Go {@code uint64}; 0 when absent. */
  long uint64(String key) {
    Object v = values.get(key);
    if (v == null) {
      return 0;
    }
    if (!(v instanceof BigInteger n)) {
      throw wrongType(key, v, "an unsigned integer");
    }
    if (n.signum() < 0 || n.compareTo(MAX_UINT64) > 0) {
      throw problem(key, n + " is not an unsigned 64-bit integer");
    }
    if (n.bitLength() > 63) {
      throw problem(
          key, n + " is beyond " + Long.MAX_VALUE + ", which headersync does not support");
    }
    return n.longValue();
  }

  /** A Go {@code []byte}: standard base64; null when absent or null. */
  byte @Nullable [] bytes(String key) {
    String s = string(key);
    if (s == null) {
      return null;
    }
    try {
      return Base64.getDecoder()
          .decode(s.replace("\r", "").replace("\n", "")); // Go skips \r and \n
    } catch (IllegalArgumentException e) {
      throw problem(key, "not standard base64: " + e.getMessage());
    }
  }

  EvNodeFileException problem(String key, String what) {
    return new EvNodeFileException(file, key, what, null);
  }

  private EvNodeFileException wrongType(String key, Object v, String expected) {
    String actual =
        v instanceof String
            ? "a string"
            : v instanceof BigInteger
                ? "a number"
                : switch ((Other) v) {
                  case FRACTION -> "a fractional number";
                  case BOOLEAN -> "a boolean";
                  case OBJECT -> "an object";
                  case ARRAY -> "an array";
                };
    return problem(key, "is " + actual + ", expected " + expected);
  }

  /** {@code s} as a JSON string literal, quotes included. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    return sb.append('"').toString();
  }

  static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
