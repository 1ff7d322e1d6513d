// Command identity-vectors prints the Go-side values that IdentityTest and MultiaddrTest embed:
// go-libp2p v0.48 secp256k1 / ECDSA signatures and peer ids, an ev-node style node_key.json, and
// go-multiaddr bytes and text for a list of addresses (ECDSA signatures are randomized: each run
// prints a different, equally valid one). Run: go run ./identity-vectors
package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

type nodeKeyJSON struct {
	PrivKeyBytes []byte `json:"priv_key"`
	PubKeyBytes  []byte `json:"pub_key"`
}

func main() {
	signatures()
	nodeKey()
	multiaddrs()
}

func signatures() {
	msg := []byte("libp2p signature vector")
	// secp256k1
	sk := make([]byte, 32)
	for i := range sk {
		sk[i] = byte(i + 1)
	}
	spriv, err := crypto.UnmarshalSecp256k1PrivateKey(sk)
	if err != nil {
		panic(err)
	}
	ssig, _ := spriv.Sign(msg)
	spub, _ := crypto.MarshalPublicKey(spriv.GetPublic())
	sid, _ := peer.IDFromPublicKey(spriv.GetPublic())
	fmt.Println("secp256k1_pub", hex.EncodeToString(spub))
	fmt.Println("secp256k1_sig", hex.EncodeToString(ssig))
	fmt.Println("secp256k1_id", sid)
	// ECDSA P-256 with a fixed scalar
	d := new(big.Int).SetBytes(sk)
	k := &ecdsa.PrivateKey{D: d}
	k.PublicKey.Curve = elliptic.P256()
	k.PublicKey.X, k.PublicKey.Y = elliptic.P256().ScalarBaseMult(sk)
	der, _ := x509.MarshalECPrivateKey(k)
	epriv, err := crypto.UnmarshalECDSAPrivateKey(der)
	if err != nil {
		panic(err)
	}
	esig, _ := epriv.Sign(msg)
	epub, _ := crypto.MarshalPublicKey(epriv.GetPublic())
	eid, _ := peer.IDFromPublicKey(epriv.GetPublic())
	fmt.Println("ecdsa_pub", hex.EncodeToString(epub))
	fmt.Println("ecdsa_sig", hex.EncodeToString(esig))
	fmt.Println("ecdsa_id", eid)
}

func nodeKey() {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(0x40 + i)
	}
	priv, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		panic(err)
	}
	raw, _ := priv.Raw()
	pubRaw, _ := priv.GetPublic().Raw()
	j, _ := json.Marshal(nodeKeyJSON{raw, pubRaw})
	id, _ := peer.IDFromPrivateKey(priv)
	fmt.Println(string(j))
	fmt.Println(id)
}

func multiaddrs() {
	for _, s := range []string{
		"/ip4/1.2.3.4/tcp/7676/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
		"/ip6/2001:db8:0:0:1:0:0:1/tcp/4001",
		"/ip6/::ffff:1.2.3.4/tcp/1",
		"/ip6/1.2.3.4/tcp/1",
		"/dns/node.example.org/tcp/26656",
		"/ip4/1.2.3.4/udp/4001/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
		"/ip4/1.2.3.4/udp/4001/webrtc-direct",
		"/ip4/1.2.3.4/tcp/443/tls/sni/example.com/ws",
		"/ip4/1.2.3.4/tcp/1/ipfs/QmZoiMqf1VcrzjDSGE4o34K13XMZfBm6WeKr1pWixbFr5Z/p2p-circuit",
		"/memory/1234567890",
		"/ip4/1.2.3.4/tcp/7676/p2p/bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6/",
	} {
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			fmt.Println("ERR", s, err)
			continue
		}
		fmt.Printf("{\"%s\", \"%s\", \"%s\"},\n", s, hex.EncodeToString(m.Bytes()), m.String())
	}
}
