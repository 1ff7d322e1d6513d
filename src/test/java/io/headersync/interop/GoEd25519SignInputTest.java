package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.KeyType;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.PublicKey;
import io.headersync.libp2p.internal.crypto.GoEd25519;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Go's own Ed25519 test vectors, {@code $GOROOT/src/crypto/ed25519/testdata/sign.input.gz} (128
 * lines in Go 1.26 of {@code seed+public:public:message:signature+message:}, read from the Go
 * installation the interop profile builds with, not copied): our signature equals Go's, byte for
 * byte, and our Go-exact verify accepts it and rejects it with one bit flipped.
 */
@Tag("interop")
class GoEd25519SignInputTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void signsAndVerifiesEveryLineOfGosSignInput() throws Exception {
    Path goroot =
        Path.of(
            new String(
                    new ProcessBuilder("go", "env", "GOROOT")
                        .start()
                        .getInputStream()
                        .readAllBytes(),
                    StandardCharsets.UTF_8)
                .trim());
    Path file = goroot.resolve("src/crypto/ed25519/testdata/sign.input.gz");
    assertTrue(Files.isRegularFile(file), "no " + file);
    int lines = 0;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.US_ASCII))) {
      for (String line; (line = r.readLine()) != null; lines++) {
        String[] parts = line.split(":", -1);
        byte[] seed = Arrays.copyOf(HEX.parseHex(parts[0]), 32);
        byte[] pub = HEX.parseHex(parts[1]);
        byte[] msg = HEX.parseHex(parts[2]);
        byte[] sig = Arrays.copyOf(HEX.parseHex(parts[3]), 64);
        PrivateKey key = PrivateKey.ed25519FromSeed(seed);
        assertArrayEquals(pub, key.publicKey().raw(), "public key, line " + lines);
        assertArrayEquals(sig, key.sign(msg), "signature, line " + lines);
        assertTrue(GoEd25519.verify(pub, msg, sig), "verify, line " + lines);
        assertTrue(
            PublicKey.fromRaw(KeyType.ED25519, pub).verify(msg, sig),
            "PublicKey.verify, line " + lines);
        sig[lines % 64] ^= 1;
        assertFalse(GoEd25519.verify(pub, msg, sig), "a flipped bit verifies, line " + lines);
      }
    }
    assertTrue(lines >= 128, "only " + lines + " lines"); // Go 1.26 ships 128 lines
  }
}
