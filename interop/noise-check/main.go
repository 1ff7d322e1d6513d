// Command noise-check exercises go-libp2p v0.48's Noise transport and go-multistream against
// another implementation over TCP: it negotiates /noise with multistream-select (proposing
// /tls/1.0.0 first when dialing, as go-libp2p does), runs the handshake (checking the expected
// peer id when dialing) and echoes / checks 200000 bytes of application data.
//
// Mode host-dial builds a default go-libp2p host (TLS + Noise, yamux) and connects to a
// multiaddr; it prints the connect error, which shows how far the upgrade got.
//
// Mode host-listen runs a default go-libp2p host on the given multiaddr until stdin closes.
//
// usage: noise-check dial <host:port> <peerid> | listen <host:port> | host-dial <multiaddr> |
// host-listen <multiaddr>
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	tptu "github.com/libp2p/go-libp2p/p2p/net/upgrader"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	ma "github.com/multiformats/go-multiaddr"
	mss "github.com/multiformats/go-multistream"
)

func must(err error) {
	if err != nil {
		fmt.Println("ERROR:", err)
		os.Exit(1)
	}
}

func main() {
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	must(err)
	// Offer yamux in the early-muxer extension, as a default go-libp2p host does.
	tpt, err := noise.New(noise.ID, priv, []tptu.StreamMuxer{{ID: "/yamux/1.0.0"}})
	must(err)
	self, _ := peer.IDFromPrivateKey(priv)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	switch os.Args[1] {
	case "host-listen":
		h, err := libp2p.New(libp2p.ListenAddrStrings(os.Args[2]))
		must(err)
		for _, a := range h.Addrs() {
			fmt.Println("LISTEN", a, h.ID())
			break
		}
		// Serve until stdin closes (the test ends) or the deadline passes.
		go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
		<-ctx.Done()
	case "host-dial":
		h, err := libp2p.New(libp2p.NoListenAddrs)
		must(err)
		fmt.Println("SELF", h.ID())
		a, err := ma.NewMultiaddr(os.Args[2])
		must(err)
		ai, err := peer.AddrInfoFromP2pAddr(a)
		must(err)
		fmt.Println("CONNECT", h.Connect(ctx, *ai))
	case "dial":
		conn, err := net.Dial("tcp", os.Args[2])
		must(err)
		pid, err := peer.Decode(os.Args[3])
		must(err)
		proto, err := mss.SelectOneOf([]string{"/tls/1.0.0", "/noise"}, conn)
		must(err)
		fmt.Println("selected", proto)
		sc, err := tpt.SecureOutbound(ctx, conn, pid)
		must(err)
		fmt.Println("secured; remote", sc.RemotePeer(), "early muxer", fmt.Sprintf("%q", sc.ConnState().StreamMultiplexer))
		msg := make([]byte, 200000)
		for i := range msg {
			msg[i] = byte(i)
		}
		go func() { _, err := sc.Write(msg); must(err) }()
		back := make([]byte, len(msg))
		_, err = io.ReadFull(sc, back)
		must(err)
		for i := range back {
			if back[i] != msg[i] {
				must(fmt.Errorf("echo mismatch at %d", i))
			}
		}
		fmt.Println("OK echo", len(back))
	case "listen":
		l, err := net.Listen("tcp", os.Args[2])
		must(err)
		fmt.Println("LISTEN", l.Addr().String(), self)
		conn, err := l.Accept()
		must(err)
		m := mss.NewMultistreamMuxer[string]()
		m.AddHandler("/tls/1.0.0", nil)
		m.AddHandler("/noise", nil)
		proto, _, err := m.Negotiate(conn)
		must(err)
		fmt.Println("selected", proto)
		sc, err := tpt.SecureInbound(ctx, conn, "")
		must(err)
		fmt.Println("secured; remote", sc.RemotePeer(), "early muxer", fmt.Sprintf("%q", sc.ConnState().StreamMultiplexer))
		n, err := io.Copy(sc, io.LimitReader(sc, 200000))
		must(err)
		fmt.Println("OK echo", n)
		time.Sleep(200 * time.Millisecond)
	}
}
