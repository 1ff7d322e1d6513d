// Command dht is a go-libp2p-kad-dht v0.40.0 node (what ev-node v1.2.2 links; built with -tags kaddht042
// -modfile=go.kaddht042.mod, v0.42.2, the newest the Go module proxy serves) set up as ev-node's
// pkg/p2p client sets it up: dht.New(ctx, host, Mode(ModeServer), BootstrapPeers(...)),
// Bootstrap, and go-libp2p's RoutingDiscovery for Advertise / FindPeers. Interop tests
// (io.headersync.libp2p.dht.DhtGoInteropTest) start it, read its "ready" line and drive it with one
// JSON command per line on stdin; each answer is one JSON line on stdout carrying the command's id:
//
//	{"id":"1","cmd":"connect","addr":"/ip4/127.0.0.1/tcp/4001/p2p/12D3..."}  dial a peer
//	{"id":"2","cmd":"table"}                        routing table peer ids ("peers")
//	{"id":"3","cmd":"refresh"}                      <-RefreshRoutingTable()
//	{"id":"4","cmd":"advertise","ns":"testchain"}   RoutingDiscovery.Advertise(ns, TTL(1h))
//	{"id":"5","cmd":"find","ns":"testchain","count":60}  FindPeers(ns, Limit(count)): "peers" and "addrs"
//	{"id":"6","cmd":"await-table","count":1}        until the routing table holds count peers (10 s)
//	{"id":"7","cmd":"connected"}                    peers with an open connection ("peers")
//	{"cmd":"quit"}
package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/discovery"
	"github.com/libp2p/go-libp2p/core/peer"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	ma "github.com/multiformats/go-multiaddr"
)

type command struct {
	ID    string `json:"id,omitempty"`
	Cmd   string `json:"cmd"`
	Addr  string `json:"addr,omitempty"`
	NS    string `json:"ns,omitempty"`
	Count int    `json:"count,omitempty"`
}

func main() {
	seed := flag.Int64("seed", 1, "identity seed")
	bootstrap := flag.String("bootstrap", "", "comma-separated bootstrap multiaddrs (ev-node's p2p.peers)")
	flag.Parse()

	var s [32]byte
	binary.BigEndian.PutUint64(s[:8], uint64(*seed))
	copy(s[8:], "headersync-interop-dht")
	priv, _, err := crypto.KeyPairFromStdKey(ptr(ed25519.NewKeyFromSeed(s[:])))
	check(err)

	ctx := context.Background()
	h, err := libp2p.New(libp2p.Identity(priv), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	check(err)
	var boot []peer.AddrInfo
	for _, a := range strings.Split(*bootstrap, ",") {
		if a == "" {
			continue
		}
		info, err := peer.AddrInfoFromString(a)
		check(err)
		boot = append(boot, *info)
	}
	kad, err := newDHT(ctx, h, dht.Mode(dht.ModeServer), dht.BootstrapPeers(boot...))
	check(err)
	check(kad.Bootstrap(ctx))
	disc := drouting.NewRoutingDiscovery(kad)

	out := json.NewEncoder(os.Stdout)
	addrs := []string{}
	for _, a := range h.Addrs() {
		addrs = append(addrs, a.String())
	}
	check(out.Encode(map[string]any{"event": "ready", "peer": h.ID().String(), "addrs": addrs}))

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var c command
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "bad command:", err)
			continue
		}
		answer := map[string]any{"id": c.ID, "ok": true}
		switch c.Cmd {
		case "quit":
			kad.Close()
			h.Close()
			return
		case "connect":
			info, err := peer.AddrInfoFromP2pAddr(ma.StringCast(c.Addr))
			if err == nil {
				cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				err = h.Connect(cctx, *info)
				cancel()
			}
			fail(answer, err)
		case "table":
			answer["peers"] = ids(kad.RoutingTable().ListPeers())
		case "await-table":
			// Until the routing table holds count peers (10 s at most): Go admits a peer
			// asynchronously after identify, so a refresh right after start can find it empty.
			deadline := time.Now().Add(10 * time.Second)
			for kad.RoutingTable().Size() < c.Count && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			answer["peers"] = ids(kad.RoutingTable().ListPeers())
			if kad.RoutingTable().Size() < c.Count {
				answer["ok"] = false
				answer["error"] = "routing table still below the count"
			}
		case "connected":
			answer["peers"] = ids(h.Network().Peers())
		case "refresh":
			fail(answer, <-kad.RefreshRoutingTable())
		case "advertise":
			actx, cancel := context.WithTimeout(ctx, 60*time.Second)
			ttl, err := disc.Advertise(actx, c.NS, discovery.TTL(time.Hour))
			cancel()
			answer["ttl"] = ttl.String()
			fail(answer, err)
		case "find":
			fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			ch, err := disc.FindPeers(fctx, c.NS, discovery.Limit(c.Count))
			found := []string{}
			foundAddrs := []string{}
			if err == nil {
				for p := range ch {
					found = append(found, p.ID.String())
					for _, a := range p.Addrs {
						foundAddrs = append(foundAddrs, a.String()+"/p2p/"+p.ID.String())
					}
				}
			}
			cancel()
			answer["peers"] = found
			answer["addrs"] = foundAddrs
			fail(answer, err)
		default:
			answer["ok"] = false
			answer["error"] = "unknown command " + c.Cmd
		}
		check(out.Encode(answer))
	}
}

func ids(ps []peer.ID) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func fail(answer map[string]any, err error) {
	if err != nil {
		answer["ok"] = false
		answer["error"] = err.Error()
	}
}

func ptr(k ed25519.PrivateKey) *ed25519.PrivateKey { return &k }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fatal:", err)
		os.Exit(1)
	}
}
