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
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignerKeyFileTest {
  private static final byte[] PASS = "secret".getBytes(StandardCharsets.UTF_8);

  /**
   * Written by ev-node v1.2.2's file.CreateFileSystemSigner with passphrase "secret"
   * (interop/evnode).
   */
  private static Path goSignerDir(Path dir) throws IOException {
    try (InputStream in =
        SignerKeyFileTest.class.getResourceAsStream("/vectors/evnode-files/signer.json")) {
      Files.write(dir.resolve(SignerKeyFile.FILE_NAME), in.readAllBytes());
    }
    return dir;
  }

  @Test
  void loadsTheKeyEvNodeWroteAndItIsTheGenesisProposer(@TempDir Path dir) throws IOException {
    SignerKey key = SignerKeyFile.load(goSignerDir(dir), PASS);
    Genesis genesis = Genesis.parse(GenesisTest.goGenesis());
    assertTrue(genesis.isProposer(key), "the genesis ev-node wrote for this key names it");
    assertArrayEquals(
        Base64.getDecoder().decode("FDG/gocg61jb8qYWFwFPv9fwZOe/5ufalvcdQZwtvmA="),
        key.publicKey());
    assertArrayEquals(
        key.address(),
        SignerKeyFile.publicKey(dir).address(),
        "the public key without the passphrase");
  }

  @Test
  void roundTripsOwnerOnlyAndNeverOverwrites(@TempDir Path dir) throws IOException {
    SignerKey key = SignerKey.generate(new Random(5));
    Path file = SignerKeyFile.create(dir.resolve("keys"), key, PASS, new SecureRandom());
    assertEquals(dir.resolve("keys/signer.json"), file);
    assertArrayEquals(key.seed(), SignerKeyFile.load(file, PASS).seed());
    assertArrayEquals(key.seed(), SignerKeyFile.load(dir.resolve("keys"), PASS).seed());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    EvNodeFileException e =
        assertThrows(
            EvNodeFileException.class,
            () -> SignerKeyFile.create(file, key, PASS, new SecureRandom()));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> SignerKeyFile.create(dir.resolve("x.json"), key, new byte[0], new SecureRandom()));
  }

  @Test
  void wrongPassphraseOrTamperedFieldsAreNamed(@TempDir Path dir) throws IOException {
    goSignerDir(dir);
    EvNodeFileException e =
        assertThrows(
            EvNodeFileException.class,
            () -> SignerKeyFile.load(dir, "wrong".getBytes(StandardCharsets.UTF_8)));
    assertEquals("priv_key_encrypted", e.field().orElseThrow());
    assertTrue(e.getMessage().contains("wrong passphrase"), e.getMessage());

    String json = Files.readString(dir.resolve("signer.json"));
    Path other = dir.resolve("other.json");
    String otherPub =
        Base64.getEncoder().encodeToString(SignerKey.generate(new Random(1)).publicKey());
    Files.writeString(
        other, json.replace("FDG/gocg61jb8qYWFwFPv9fwZOe/5ufalvcdQZwtvmA=", otherPub));
    e = assertThrows(EvNodeFileException.class, () -> SignerKeyFile.load(other, PASS));
    assertEquals("pub_key", e.field().orElseThrow());
    Files.writeString(other, json.replace("\"nonce\":\"loCTXVeljSat1MG7\"", "\"nonce\":\"AAAA\""));
    e = assertThrows(EvNodeFileException.class, () -> SignerKeyFile.load(other, PASS));
    assertEquals("nonce", e.field().orElseThrow());
    Files.writeString(other, json.replace("\"pub_key\"", "\"pub\""));
    e = assertThrows(EvNodeFileException.class, () -> SignerKeyFile.load(other, PASS));
    assertEquals("pub_key", e.field().orElseThrow());
  }

  @Test
  void readsLegacyFilesWithoutSalt(@TempDir Path dir) throws Exception {
    // ev-node's fallbackDeriveKey: the passphrase padded to 32 bytes with passphrase[i % len] ^ i.
    SignerKey key = SignerKey.generate(new Random(9));
    byte[] derived = Arrays.copyOf(PASS, 32);
    for (int i = PASS.length; i < 32; i++) {
      derived[i] = (byte) (PASS[i % PASS.length] ^ i);
    }
    byte[] nonce = new byte[12];
    byte[] plain = new byte[64];
    System.arraycopy(key.seed(), 0, plain, 0, 32);
    System.arraycopy(key.publicKey(), 0, plain, 32, 32);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(derived, "AES"), new GCMParameterSpec(128, nonce));
    Base64.Encoder b64 = Base64.getEncoder();
    Path file = dir.resolve("signer.json");
    Files.writeString(
        file,
        "{\"priv_key_encrypted\":\""
            + b64.encodeToString(gcm.doFinal(plain))
            + "\",\"nonce\":\""
            + b64.encodeToString(nonce)
            + "\",\"pub_key\":\""
            + b64.encodeToString(key.publicKey())
            + "\"}");
    assertArrayEquals(key.seed(), SignerKeyFile.load(file, PASS).seed());
  }

  @Test
  void passphraseFilesAreTrimmedAndMustNotBeEmpty(@TempDir Path dir) throws IOException {
    Path p = dir.resolve("pass");
    Files.writeString(p, "  secret \n");
    assertArrayEquals(PASS, SignerKeyFile.readPassphrase(p));
    Files.writeString(p, " \n");
    assertThrows(EvNodeFileException.class, () -> SignerKeyFile.readPassphrase(p));
  }
}
