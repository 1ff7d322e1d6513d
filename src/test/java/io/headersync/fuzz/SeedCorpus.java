package io.headersync.fuzz;

import com.google.protobuf.ByteString;
import io.headersync.evnode.Block;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.SignerKey;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.internal.Buffers;
import io.headersync.libp2p.internal.encoding.Base32;
import io.headersync.libp2p.internal.encoding.Uvarint;
import io.headersync.libp2p.internal.multistream.MultistreamCodec;
import io.headersync.libp2p.internal.noise.HandshakeState;
import io.headersync.libp2p.internal.noise.NoiseHandshakeHandler;
import io.headersync.libp2p.internal.pb.IdentifyProto;
import io.headersync.libp2p.internal.pb.NoiseProto;
import io.headersync.libp2p.internal.yamux.YamuxFrame;
import io.headersync.libp2p.pubsub.internal.MessageSigning;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Writes the committed seed corpus (a few small valid inputs per harness, made with our own
 * encoders) into {@code src/test/resources/io/headersync/fuzz/<Class>Inputs/<method>/}. A one-off:
 * run it again only when a wire format or a harness's input layout changes, from the project root:
 * {@code java -cp target/test-classes:target/classes:<test classpath>
 * io.headersync.fuzz.SeedCorpus}.
 */
public final class SeedCorpus {
  private static final Path ROOT = Path.of("src/test/resources/io/headersync/fuzz");
  private static final byte READ_ALL = 0x7f;

  private SeedCorpus() {}

  public static void main(String[] args) throws Exception {
    PrivateKey alice = key(1);
    PrivateKey bob = key(2);
    String aliceId = alice.peerId().toBase58();

    // ---- encodings
    seed("EncodingFuzzTest", "varint", "zero", Uvarint.encode(0));
    seed("EncodingFuzzTest", "varint", "300", Uvarint.encode(300));
    seed("EncodingFuzzTest", "varint", "max", Uvarint.encode(Long.MAX_VALUE));
    seed("EncodingFuzzTest", "uvarint", "300", Uvarint.encode(300));
    seed("EncodingFuzzTest", "uvarint", "max", Uvarint.encode(-1L));
    seed("EncodingFuzzTest", "text", "base58", concat(new byte[] {0}, utf8(aliceId)));
    seed(
        "EncodingFuzzTest",
        "text",
        "base32",
        concat(new byte[] {1}, utf8(Base32.encode(utf8("headersync")))));
    seed(
        "EncodingFuzzTest",
        "text",
        "multibase",
        concat(new byte[] {2}, utf8(alice.peerId().toCid())));

    // ---- identity
    String[] addrs = {
      "/ip4/127.0.0.1/tcp/4001",
      "/ip6/::1/tcp/4001/p2p/" + aliceId,
      "/dns4/example.com/tcp/443/tls/ws",
      "/ip4/10.0.0.1/udp/4001/quic-v1"
    };
    for (int i = 0; i < addrs.length; i++) {
      try {
        seed(
            "IdentityFuzzTest",
            "multiaddrFromBytes",
            "addr" + i,
            Multiaddr.parse(addrs[i]).bytes());
        seed("IdentityFuzzTest", "multiaddrParse", "addr" + i, utf8(addrs[i]));
      } catch (RuntimeException e) {
        System.err.println("skipping " + addrs[i] + ": " + e);
      }
    }
    seed("IdentityFuzzTest", "peerIdFromBytes", "ed25519", alice.peerId().bytes());
    byte[] sha = new byte[34];
    sha[0] = 0x12;
    sha[1] = 0x20;
    seed("IdentityFuzzTest", "peerIdFromBytes", "sha256", sha);
    seed("IdentityFuzzTest", "peerIdParse", "base58", utf8(aliceId));
    seed("IdentityFuzzTest", "peerIdParse", "cid", utf8(alice.peerId().toCid()));
    seed("IdentityFuzzTest", "publicKey", "ed25519", alice.publicKey().bytes());
    IdentifyProto.Identify identify =
        IdentifyProto.Identify.newBuilder()
            .setProtocolVersion("ipfs/0.1.0")
            .setAgentVersion("headersync/0.1.0")
            .setPublicKey(ByteString.copyFrom(alice.publicKey().bytes()))
            .addListenAddrs(ByteString.copyFrom(Multiaddr.parse(addrs[0]).bytes()))
            .addListenAddrs(ByteString.copyFrom(Multiaddr.parse(addrs[1]).bytes()))
            .setObservedAddr(
                ByteString.copyFrom(Multiaddr.parse("/ip4/192.0.2.1/tcp/5000").bytes()))
            .addProtocols("/ipfs/id/1.0.0")
            .addProtocols("/ipfs/ping/1.0.0")
            .build();
    seed("IdentityFuzzTest", "identify", "one", delimited(identify.toByteArray()));
    seed(
        "IdentityFuzzTest",
        "identify",
        "two",
        concat(
            delimited(identify.toByteArray()),
            delimited(
                IdentifyProto.Identify.newBuilder()
                    .addProtocols("/meshsub/1.1.0")
                    .build()
                    .toByteArray())));

    // ---- header-ex
    seed("ExchangeFuzzTest", "request", "head", unframe(ExchangeWire.headRequestFrame()));
    seed("ExchangeFuzzTest", "request", "range", unframe(ExchangeWire.rangeRequestFrame(1, 64)));
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.fromSeed(new byte[32]))
            .chainId("headersync-test")
            .startTime(Instant.parse("2026-01-01T00:00:00Z"))
            .blockTime(Duration.ofSeconds(1))
            .build();
    List<Block> chain = signer.chain(2);
    seed(
        "ExchangeFuzzTest",
        "request",
        "hash",
        unframe(ExchangeWire.hashRequestFrame(chain.get(1).header().hash())));
    byte[] body = chain.get(1).p2pHeader().encode();
    seed("ExchangeFuzzTest", "response", "ok", unframe(ExchangeWire.okResponseFrame(body)));
    seed("ExchangeFuzzTest", "response", "notFound", unframe(ExchangeWire.notFoundFrame()));
    seed(
        "ExchangeFuzzTest",
        "responseFrames",
        "two",
        concat(
            new byte[] {READ_ALL},
            ExchangeWire.okResponseFrames(List.of(chain.get(0).p2pHeader().encode(), body))));
    seed(
        "ExchangeFuzzTest",
        "responseFrames",
        "notFound",
        concat(new byte[] {3}, ExchangeWire.notFoundFrame()));

    // ---- ev-node
    for (int i = 0; i < chain.size(); i++) {
      Block b = chain.get(i);
      seed("EvNodeFuzzTest", "signedHeader", "height" + (i + 1), b.header().encode());
      seed("EvNodeFuzzTest", "p2pSignedHeader", "height" + (i + 1), b.p2pHeader().encode());
      seed("EvNodeFuzzTest", "data", "height" + (i + 1), b.data().encode());
      seed("EvNodeFuzzTest", "p2pData", "height" + (i + 1), b.data().toP2P(7).encode());
    }
    Block withTxs = signer.next(chain.get(1), List.of(utf8("tx-1"), utf8("tx-2")));
    seed("EvNodeFuzzTest", "data", "txs", withTxs.data().encode());
    seed("EvNodeFuzzTest", "p2pData", "txs", withTxs.data().toP2P(9).encode());

    // ---- multistream
    byte[] hello = ms("/multistream/1.0.0");
    seed("MultistreamFuzzTest", "token", "header", concat(hello, ms("/noise")));
    seed(
        "MultistreamFuzzTest",
        "responder",
        "select",
        concat(new byte[] {READ_ALL}, hello, ms("/noise"), utf8("data")));
    seed(
        "MultistreamFuzzTest",
        "responder",
        "naThenSelect",
        concat(new byte[] {2}, hello, ms("/tls/1.0.0"), ms("ls"), ms("/yamux/1.0.0")));
    seed(
        "MultistreamFuzzTest",
        "initiator",
        "accept",
        concat(new byte[] {READ_ALL}, hello, ms("/noise")));
    seed(
        "MultistreamFuzzTest",
        "initiator",
        "naThenAccept",
        concat(new byte[] {READ_ALL}, hello, ms("na"), ms("/yamux/1.0.0")));

    // ---- noise (the same fixed keys and randomness as NoiseFuzzTest)
    EmbeddedChannel client =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(
                NoiseFuzzTest.config(alice, 1), true, null, s -> null, new CompletableFuture<>()));
    EmbeddedChannel server =
        new EmbeddedChannel(
            new NoiseHandshakeHandler(
                NoiseFuzzTest.config(bob, 2), false, null, s -> null, new CompletableFuture<>()));
    byte[] m1 = Buffers.drainOutbound(client);
    server.writeInbound(Unpooled.wrappedBuffer(m1));
    client.writeInbound(Unpooled.wrappedBuffer(Buffers.drainOutbound(server)));
    byte[] m3 = Buffers.drainOutbound(client);
    client.writeAndFlush(Unpooled.wrappedBuffer(utf8("after the handshake")));
    byte[] data = Buffers.drainOutbound(client);
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
    seed("NoiseFuzzTest", "responder", "m1", concat(new byte[] {READ_ALL}, m1));
    seed("NoiseFuzzTest", "responder", "m3", concat(new byte[] {(byte) 0xff}, m3, data));
    byte[] responderStatic =
        HandshakeState.publicKey(HandshakeState.generatePrivateKey(NoiseFuzzTest.random(9)));
    byte[] sig = bob.sign(concat(utf8("noise-libp2p-static-key:"), responderStatic));
    seed(
        "NoiseFuzzTest",
        "payload",
        "valid",
        NoiseProto.NoiseHandshakePayload.newBuilder()
            .setIdentityKey(ByteString.copyFrom(bob.publicKey().bytes()))
            .setIdentitySig(ByteString.copyFrom(sig))
            .build()
            .toByteArray());
    seed(
        "NoiseFuzzTest",
        "payload",
        "muxers",
        NoiseProto.NoiseHandshakePayload.newBuilder()
            .setIdentityKey(ByteString.copyFrom(bob.publicKey().bytes()))
            .setIdentitySig(ByteString.copyFrom(sig))
            .setExtensions(NoiseProto.NoiseExtensions.newBuilder().addStreamMuxers("/yamux/1.0.0"))
            .build()
            .toByteArray());
    byte[] text = utf8("sixty-four bytes of plaintext for the noise transport seed ....");
    seed(
        "NoiseFuzzTest",
        "transport",
        "frames",
        concat(new byte[] {8}, text, new byte[] {2}, Arrays.copyOf(text, 16)));

    // ---- yamux
    byte[] frames =
        concat(
            yamux(YamuxFrame.control(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 1, 0)),
            yamux(
                new YamuxFrame(
                    YamuxFrame.TYPE_DATA, 0, 1, 5, Unpooled.wrappedBuffer(utf8("hello")))),
            yamux(YamuxFrame.control(YamuxFrame.TYPE_WINDOW_UPDATE, 0, 1, 4096)),
            yamux(YamuxFrame.control(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 7)),
            yamux(YamuxFrame.control(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_FIN, 1, 0)));
    seed(
        "YamuxFuzzTest",
        "frameDecoder",
        "frames",
        concat(
            new byte[] {READ_ALL},
            frames,
            yamux(YamuxFrame.control(YamuxFrame.TYPE_GO_AWAY, 0, 0, 0))));
    seed("YamuxFuzzTest", "session", "server", concat(new byte[] {READ_ALL}, frames));
    seed(
        "YamuxFuzzTest",
        "session",
        "client",
        concat(
            new byte[] {(byte) 0xff},
            yamux(YamuxFrame.control(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0)),
            yamux(
                new YamuxFrame(
                    YamuxFrame.TYPE_DATA,
                    YamuxFrame.FLAG_RST,
                    2,
                    2,
                    Unpooled.wrappedBuffer(utf8("hi"))))));

    // ---- pubsub
    PubsubProto.RPC rpc =
        PubsubProto.RPC
            .newBuilder()
            .addSubscriptions(
                PubsubProto.RPC
                    .SubOpts
                    .newBuilder()
                    .setSubscribe(true)
                    .setTopicid("/headersync-test/header-sub/v0.0.1"))
            .addPublish(
                MessageSigning.sign(
                    alice,
                    1,
                    "/headersync-test/header-sub/v0.0.1",
                    chain.get(0).p2pHeader().encode()))
            .build();
    seed("PubSubFuzzTest", "rpc", "signed", rpc.toByteArray());
    seed(
        "PubSubFuzzTest",
        "rpc",
        "unsigned",
        PubsubProto.RPC
            .newBuilder()
            .addPublish(MessageSigning.unsigned("t", utf8("data")))
            .setControl(
                PubsubProto.ControlMessage.newBuilder()
                    .addIhave(
                        PubsubProto.ControlIHave.newBuilder()
                            .setTopicID("t")
                            .addMessageIDs(ByteString.copyFromUtf8("id")))
                    .addPrune(
                        PubsubProto.ControlPrune.newBuilder()
                            .setTopicID("t")
                            .setBackoff(60)
                            .addPeers(
                                PubsubProto.PeerInfo.newBuilder()
                                    .setPeerID(ByteString.copyFrom(alice.peerId().bytes())))))
            .build()
            .toByteArray());
  }

  static PrivateKey key(int b) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) b);
    return PrivateKey.ed25519FromSeed(seed);
  }

  private static void seed(String cls, String method, String name, byte[] bytes)
      throws IOException {
    Path dir = ROOT.resolve(cls + "Inputs").resolve(method);
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), bytes);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] delimited(byte[] message) {
    return concat(Uvarint.encode(message.length), message);
  }

  /** The message of a uvarint-framed header-ex frame. */
  private static byte[] unframe(byte[] frame) {
    int prefix = Uvarint.length(frame, 0, frame.length, Uvarint.Format.GO);
    return Arrays.copyOfRange(frame, prefix, frame.length);
  }

  private static byte[] ms(String token) {
    ByteBuf b = MultistreamCodec.encode(ByteBufAllocator.DEFAULT, token);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  private static byte[] yamux(YamuxFrame f) {
    ByteBuf b = f.encode(ByteBufAllocator.DEFAULT);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
      f.release();
    }
  }
}
