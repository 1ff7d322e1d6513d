package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenesisTest {
  /** Written by ev-node v1.2.2's genesis.Genesis.Save (interop/evnode's aggregator). */
  static String goGenesis() throws IOException {
    try (InputStream in =
        GenesisTest.class.getResourceAsStream("/vectors/evnode-files/genesis.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void readsWhatEvNodeWroteAndWritesItByteForByte() throws IOException {
    String json = goGenesis();
    Genesis g = Genesis.parse(json);
    assertEquals("gm", g.chainId());
    assertEquals(Instant.parse("2026-12-04T21:27:46.446249020Z"), g.startTime());
    assertEquals(1, g.initialHeight());
    assertEquals(0, g.daStartHeight());
    assertEquals(50, g.daEpochForcedInclusion());
    assertArrayEquals(
        Base64.getDecoder().decode("faA0zT9SuQzJArVET/Jo2I+v1tPk3qwFQFBANX+dA3A="),
        g.proposerAddress());
    assertEquals(
        json, g.toJson(), "Go's json.MarshalIndent layout, RFC3339Nano without trailing zeros");
  }

  @Test
  void roundTripsThroughAFile(@TempDir Path dir) {
    SignerKey key = SignerKey.generate(new Random(3));
    Genesis g =
        Genesis.builder("my \"chain\"")
            .startTime(Instant.parse("2026-01-02T03:04:05Z"))
            .initialHeight(7)
            .proposer(key)
            .daStartHeight(9)
            .daEpochForcedInclusion(2)
            .build();
    Path file = dir.resolve("config/genesis.json");
    g.write(file);
    assertEquals(g, Genesis.read(file));
    assertTrue(g.isProposer(key));
    assertTrue(g.toJson().contains("\"start_time\": \"2026-01-02T03:04:05Z\""), g.toJson());
  }

  @Test
  void acceptsWhatGoAccepts() {
    // Keys in any case, unknown fields, other offsets, a null that a later key overrides.
    Genesis g =
        Genesis.parse(
            "{\"Chain_ID\":\"x\",\"extra\":{\"a\":[1,2]},\"start_time\":\"2026-01-01T01:00:00.5+01:00\","
                + "\"initial_height\":null,\"initial_height\":3,\"proposer_address\":\"AAEC\",\"da_epoch_forced_inclusion\":1}");
    assertEquals("x", g.chainId());
    assertEquals(Instant.parse("2026-01-01T00:00:00.5Z"), g.startTime());
    assertEquals(3, g.initialHeight());
    assertArrayEquals(new byte[] {0, 1, 2}, g.proposerAddress());
  }

  @Test
  void refusesBadFilesNamingTheField(@TempDir Path dir) throws IOException {
    String ok = goGenesis();
    assertField("chain_id", ok.replace("\"gm\"", "\"\""));
    assertField("chain_id", ok.replace("\"gm\"", "7"));
    assertField("start_time", ok.replace("2026-12-04T21:27:46.44624902Z", "yesterday"));
    assertField("start_time", ok.replace("2026-12-04T21:27:46.44624902Z", "0001-01-01T00:00:00Z"));
    assertField("initial_height", ok.replace("\"initial_height\": 1", "\"initial_height\": 0"));
    assertField("initial_height", ok.replace("\"initial_height\": 1", "\"initial_height\": -1"));
    assertField("initial_height", ok.replace("\"initial_height\": 1", "\"initial_height\": 1.5"));
    assertField(
        "initial_height",
        ok.replace("\"initial_height\": 1", "\"initial_height\": 18446744073709551616"));
    assertField(
        "proposer_address",
        ok.replace("faA0zT9SuQzJArVET/Jo2I+v1tPk3qwFQFBANX+dA3A=", "not base64!"));
    assertField(
        "proposer_address", ok.replace("\"faA0zT9SuQzJArVET/Jo2I+v1tPk3qwFQFBANX+dA3A=\"", "null"));
    assertField(
        "da_epoch_forced_inclusion",
        ok.replace("\"da_epoch_forced_inclusion\": 50", "\"da_epoch_forced_inclusion\": 0"));

    EvNodeFileException e =
        assertThrows(EvNodeFileException.class, () -> Genesis.parse("{\"chain_id\": \"x\""));
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    assertThrows(EvNodeFileException.class, () -> Genesis.parse("[]"));
    assertThrows(EvNodeFileException.class, () -> Genesis.parse(ok + "{}"));

    Path missing = dir.resolve("nope.json");
    e = assertThrows(EvNodeFileException.class, () -> Genesis.read(missing));
    assertTrue(e.getMessage().startsWith(missing + ": no such file"), e.getMessage());
    Path big = dir.resolve("big.json");
    Files.write(big, new byte[JsonFields.MAX_FILE_SIZE + 1]);
    assertThrows(EvNodeFileException.class, () -> Genesis.read(big));
  }

  private static void assertField(String field, String json) {
    EvNodeFileException e =
        assertThrows(EvNodeFileException.class, () -> Genesis.parse(json), json);
    assertEquals(field, e.field().orElse(null), e.getMessage());
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }
}
