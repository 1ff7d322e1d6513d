package io.headersync.libp2p.dht.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.libp2p.Libp2pException;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.dht.DhtException;
import io.headersync.libp2p.dht.internal.pb.DhtProto.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsing and building {@code /ipfs/kad/1.0.0} messages; peer input becomes a {@link DhtException}.
 */
public final class Messages {
  /** The longest content key Go accepts in GET_PROVIDERS / ADD_PROVIDER. */
  public static final int MAX_PROVIDER_KEY = 80;

  /** Addresses kept per peer entry of a message. */
  public static final int MAX_ADDRESSES_PER_PEER = 16;

  private Messages() {}

  /** A peer entry of a message: its id and the addresses that decoded. */
  public record PeerEntry(PeerId peer, List<Multiaddr> addresses) {}

  /**
   * Parses one message.
   *
   * @throws DhtException MALFORMED if it is not a DHT message or has an unknown type
   */
  public static Message parse(byte[] bytes) throws DhtException {
    Message m;
    try {
      m = Message.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DhtException(
          DhtException.Reason.MALFORMED, "not a DHT message: " + e.getMessage(), e);
    }
    if (m.getType() == Message.MessageType.UNRECOGNIZED) {
      throw new DhtException(
          DhtException.Reason.MALFORMED, "unknown DHT message type " + m.getTypeValue());
    }
    return m;
  }

  /**
   * Checks a content key (GET_PROVIDERS, ADD_PROVIDER): 1 to 80 bytes, as Go.
   *
   * @throws DhtException BAD_KEY otherwise
   */
  public static void checkProviderKey(ByteString key) throws DhtException {
    if (key.isEmpty() || key.size() > MAX_PROVIDER_KEY) {
      throw new DhtException(
          DhtException.Reason.BAD_KEY,
          "provider key of " + key.size() + " bytes (must be 1.." + MAX_PROVIDER_KEY + ")");
    }
  }

  /** A request as Go builds one ({@code clusterLevelRaw} 1). */
  public static Message.Builder request(Message.MessageType type, byte[] key) {
    return Message.newBuilder()
        .setType(type)
        .setKey(ByteString.copyFrom(key))
        .setClusterLevelRaw(1);
  }

  /** A response to {@code req}: same type, {@code clusterLevelRaw} echoed with 0 raised to 1. */
  public static Message.Builder response(Message req) {
    return Message.newBuilder()
        .setType(req.getType())
        .setClusterLevelRaw(Math.max(1, req.getClusterLevelRaw()));
  }

  public static Message.Peer peer(PeerId id, List<Multiaddr> addresses, boolean connected) {
    Message.Peer.Builder b =
        Message.Peer.newBuilder()
            .setId(ByteString.copyFrom(id.bytes()))
            .setConnection(
                connected
                    ? Message.ConnectionType.CONNECTED
                    : Message.ConnectionType.NOT_CONNECTED);
    for (Multiaddr a : addresses) {
      b.addAddrs(ByteString.copyFrom(a.withoutPeerId().bytes()));
    }
    return b.build();
  }

  /**
   * The entries of {@code peers}, at most {@code max}; entries whose id is not a peer id are
   * dropped, and so are addresses that do not decode (as Go), and addresses past {@value
   * #MAX_ADDRESSES_PER_PEER}.
   */
  public static List<PeerEntry> peers(List<Message.Peer> peers, int max) {
    List<PeerEntry> out = new ArrayList<>();
    for (Message.Peer p : peers) {
      if (out.size() >= max) {
        break;
      }
      PeerId id;
      try {
        id = PeerId.fromBytes(p.getId().toByteArray());
      } catch (Libp2pException e) {
        continue;
      }
      List<Multiaddr> addrs = new ArrayList<>();
      for (ByteString a : p.getAddrsList()) {
        if (addrs.size() >= MAX_ADDRESSES_PER_PEER) {
          break;
        }
        try {
          addrs.add(Multiaddr.fromBytes(a.toByteArray()).withoutPeerId());
        } catch (Libp2pException | IllegalArgumentException e) {
          // Go drops undecodable addresses silently.
        }
      }
      out.add(new PeerEntry(id, addrs));
    }
    return out;
  }
}
