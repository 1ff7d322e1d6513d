// Command peer is headersync's Go interop peer: a default go-libp2p v0.48 host (TCP, TLS + Noise,
// yamux, identify, ping) driven by JSON lines on stdin, answering with JSON lines on stdout. Java
// interop tests start it, read its "ready" line, and send it commands; it logs go-libp2p warnings and
// errors to stderr so tests can assert the Go side saw no protocol errors.
//
// Commands (each may carry an "id" that the answer repeats):
//
//	{"cmd":"connect","addr":"/ip4/127.0.0.1/tcp/4001/p2p/12D3..."}   answers the time it took in "micros"
//	{"cmd":"ping","peer":"12D3...","count":3}
//	{"cmd":"echo","peer":"12D3...","streams":8,"bytes":1048576}
//	{"cmd":"protocols","peer":"12D3..."}          what identify learnt about the peer (waits for identify)
//	{"cmd":"wait-protocol","peer":"..","protocol":"/x/1.0.0"}  answers once the peerstore lists it (identify push)
//	{"cmd":"peers"}                               connected peers
//	{"cmd":"disconnect","peer":"12D3..."}         close every connection with the peer
//	{"cmd":"block","peer":"12D3..."}              block the peer in the connection gater
//	{"cmd":"blocked"}                             peers blocked in the connection gater
//	{"cmd":"gen","count":10000,"seed":1}          append signed ev-node P2PSignedHeaders to the go-header store
//	{"cmd":"store-head"}                          the store's head
//	{"cmd":"ex-head","peer":"12D3..."}            go-header Exchange.Head with the peer as trusted peer
//	{"cmd":"ex-height","peer":"..","height":5}    Exchange.GetByHeight
//	{"cmd":"ex-hash","peer":"..","hash":"AB.."}   Exchange.Get
//	{"cmd":"ex-range","peer":"..","height":1,"to":10001}  sync (height, to) as go-header's syncer does
//	{"cmd":"raw-range","peer":"..","height":1,"count":65} one hand-made range request; frames and how it ended
//	{"cmd":"pubsub-join","topic":"/t"}           start FloodSub (StrictSign, 5 MiB) once, join and subscribe to the topic
//	{"cmd":"pubsub-publish","topic":"/t","data":"hex"}
//	{"cmd":"pubsub-next","topic":"/t","millis":5000}  the next message: from, seqno, data (hex, up to 64 KiB), size, dataSha256, receivedFrom
//	{"cmd":"pubsub-peers","topic":"/t"}          the topic's peers (ListPeers)
//	{"cmd":"pubsub-wait-peer","topic":"/t","peer":"12D3..."}  answers once the peer announced the topic
//	{"cmd":"quit"}
//
// blocks.go adds ev-node blocks (headers and data) and a Go full node's two sync services
// (blocks-gen, blocks-publish, blocks-digest, blocks-at, fn-start, fn-wait, fn-state, fn-stop).
//
// The go-header store (ev-node v1.2 P2PSignedHeader) is served by go-header's ExchangeServer on
// /<network>/header-ex/v0.0.3 as soon as a go-header command is used.
//
// The host also serves EchoProtocol: it reads until EOF, writes everything back, and closes.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"sync"
	"time"

	"github.com/ipfs/go-datastore"
	dssync "github.com/ipfs/go-datastore/sync"
	logging "github.com/ipfs/go-log/v2"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/net/conngater"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	ma "github.com/multiformats/go-multiaddr"
)

// EchoProtocol is the test protocol both sides serve.
const EchoProtocol = protocol.ID("/headersync-test/echo/1.0.0")

type request struct {
	ID       string `json:"id,omitempty"`
	Cmd      string `json:"cmd"`
	Addr     string `json:"addr,omitempty"`
	Peer     string `json:"peer,omitempty"`
	Count    int    `json:"count,omitempty"`
	Streams  int    `json:"streams,omitempty"`
	Bytes    int    `json:"bytes,omitempty"`
	Seed     int64  `json:"seed,omitempty"`
	Height   uint64 `json:"height,omitempty"`
	To       uint64 `json:"to,omitempty"`
	Hash     string `json:"hash,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	Topic    string `json:"topic,omitempty"`
	Data     string `json:"data,omitempty"`
	Millis   int    `json:"millis,omitempty"`

	// Raw is the whole command line: command sets in other files decode their own arguments from it
	// (so each file owns its arguments and this struct does not grow with every command).
	Raw json.RawMessage `json:"-"`
}

// commandSet handles the commands it knows and answers handled=false for the others. Files register
// theirs in init() with registerCommands.
type commandSet func(n *node, ctx context.Context, req request) (res map[string]any, handled bool, err error)

var commandSets []commandSet

func registerCommands(c commandSet) { commandSets = append(commandSets, c) }

type node struct {
	host   host.Host
	gater  *conngater.BasicConnectionGater
	out    *json.Encoder
	outMu  sync.Mutex
	ctx    context.Context
	logger *logging.ZapEventLogger

	network string
	chainID string
	hdrOnce sync.Once
	hdr     *headerNode

	psMu sync.Mutex
	ps   *pubsubNode
}

func main() {
	listen := flag.String("listen", "/ip4/127.0.0.1/tcp/0", "listen multiaddr")
	seed := flag.Int64("seed", 0, "seed for the host's Ed25519 identity (0: random)")
	network := flag.String("network", "", "go-header network id: protocol /<network>/header-ex/v0.0.3")
	chainID := flag.String("chain-id", "", "chain id of generated headers and of the exchange's chain-id check")
	flag.Parse()

	logging.SetupLogging(logging.Config{Stderr: true, Level: logging.LevelWarn, Format: logging.PlaintextOutput})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var keyRand io.Reader = cryptoRand()
	if *seed != 0 {
		keyRand = rand.New(rand.NewSource(*seed))
	}
	sk, _, err := crypto.GenerateEd25519Key(keyRand)
	must(err)
	gater, err := conngater.NewBasicConnectionGater(dssync.MutexWrap(datastore.NewMapDatastore()))
	must(err)
	h, err := libp2p.New(
		libp2p.Identity(sk),
		libp2p.ListenAddrStrings(*listen),
		libp2p.ConnectionGater(gater),
		libp2p.UserAgent("headersync-interop-peer"),
	)
	must(err)
	defer h.Close()

	n := &node{host: h, gater: gater, out: json.NewEncoder(os.Stdout), ctx: ctx, logger: logging.Logger("interop"),
		network: *network, chainID: *chainID}
	h.SetStreamHandler(EchoProtocol, echoHandler)
	ping.NewPingService(h)

	addrs := []string{}
	for _, a := range h.Addrs() {
		addrs = append(addrs, a.String())
	}
	n.emit(map[string]any{"event": "ready", "peer": h.ID().String(), "addrs": addrs})

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	var wg sync.WaitGroup
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			n.emit(map[string]any{"ok": false, "error": "bad command: " + err.Error()})
			continue
		}
		req.Raw = append(json.RawMessage(nil), in.Bytes()...)
		if req.Cmd == "quit" {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := n.handle(req)
			if res == nil {
				res = map[string]any{}
			}
			res["id"] = req.ID
			res["cmd"] = req.Cmd
			res["ok"] = err == nil
			if err != nil {
				res["error"] = err.Error()
			}
			n.emit(res)
		}()
	}
	wg.Wait()
}

func (n *node) emit(v map[string]any) {
	n.outMu.Lock()
	defer n.outMu.Unlock()
	_ = n.out.Encode(v)
}

func (n *node) handle(req request) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(n.ctx, 10*time.Minute)
	defer cancel()
	if res, handled, err := n.headerCommand(ctx, req); handled {
		return res, err
	}
	if res, handled, err := n.pubsubCommand(ctx, req); handled {
		return res, err
	}
	for _, c := range commandSets {
		if res, handled, err := c(n, ctx, req); handled {
			return res, err
		}
	}
	switch req.Cmd {
	case "connect":
		addr, err := ma.NewMultiaddr(req.Addr)
		if err != nil {
			return nil, err
		}
		info, err := peer.AddrInfoFromP2pAddr(addr)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		if err := n.host.Connect(ctx, *info); err != nil {
			return nil, err
		}
		return map[string]any{"peer": info.ID.String(), "micros": time.Since(start).Microseconds()}, nil
	case "disconnect":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, err
		}
		if err := n.host.Network().ClosePeer(p); err != nil {
			return nil, err
		}
		return nil, nil
	case "ping":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, err
		}
		count := max(req.Count, 1)
		rtts := []int64{}
		results := ping.Ping(ctx, n.host, p)
		for i := 0; i < count; i++ {
			r := <-results
			if r.Error != nil {
				return nil, r.Error
			}
			rtts = append(rtts, r.RTT.Microseconds())
		}
		return map[string]any{"rttMicros": rtts}, nil
	case "echo":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, err
		}
		return n.echo(ctx, p, max(req.Streams, 1), req.Bytes)
	case "wait-protocol":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, err
		}
		return nil, n.waitProtocol(ctx, p, protocol.ID(req.Protocol))
	case "protocols":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, err
		}
		// Wait for identify on every connection to the peer first, so the answer is what identify learnt.
		if ids, ok := n.host.(interface{ IDService() identify.IDService }); ok {
			for _, c := range n.host.Network().ConnsToPeer(p) {
				select {
				case <-ids.IDService().IdentifyWait(c):
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
		}
		protos, err := n.host.Peerstore().GetProtocols(p)
		if err != nil {
			return nil, err
		}
		agent, _ := n.host.Peerstore().Get(p, "AgentVersion")
		list := []string{}
		for _, pr := range protos {
			list = append(list, string(pr))
		}
		return map[string]any{"protocols": list, "agent": agent}, nil
	case "peers":
		list := []string{}
		for _, p := range n.host.Network().Peers() {
			list = append(list, p.String())
		}
		return map[string]any{"peers": list}, nil
	case "block":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, err
		}
		if err := n.gater.BlockPeer(p); err != nil {
			return nil, err
		}
		_ = n.host.Network().ClosePeer(p)
		return nil, nil
	default:
		return nil, fmt.Errorf("unknown command %q", req.Cmd)
	}
}

// echo opens `streams` concurrent echo streams to p, sends `size` seeded pseudo-random bytes on each,
// half-closes, reads the echo and compares it; it answers with the SHA-256 of all bytes sent.
func (n *node) echo(ctx context.Context, p peer.ID, streams, size int) (map[string]any, error) {
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	sums := make([][]byte, streams)
	start := time.Now()
	for i := 0; i < streams; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			payload := make([]byte, size)
			rand.New(rand.NewSource(int64(i + 1))).Read(payload)
			s, err := n.host.NewStream(ctx, p, EchoProtocol)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			writeErr := make(chan error, 1)
			go func() {
				_, err := s.Write(payload)
				if err == nil {
					err = s.CloseWrite()
				}
				writeErr <- err
			}()
			back, err := io.ReadAll(s)
			if err != nil {
				s.Reset()
				errs <- err
				return
			}
			if err := <-writeErr; err != nil {
				errs <- err
				return
			}
			if len(back) != len(payload) || sha256.Sum256(back) != sha256.Sum256(payload) {
				errs <- fmt.Errorf("stream %d: echoed %d bytes that differ from the %d sent", i, len(back), len(payload))
				return
			}
			sum := sha256.Sum256(payload)
			sums[i] = sum[:]
		}(i)
	}
	wg.Wait()
	close(errs)
	var all error
	for err := range errs {
		all = errors.Join(all, err)
	}
	if all != nil {
		return nil, all
	}
	total := sha256.New()
	for _, s := range sums {
		total.Write(s)
	}
	return map[string]any{"sha256": hex.EncodeToString(total.Sum(nil)), "millis": time.Since(start).Milliseconds()}, nil
}

func echoHandler(s network.Stream) {
	defer s.Close()
	if _, err := io.Copy(s, s); err != nil {
		s.Reset()
		return
	}
	_ = s.CloseWrite()
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fatal:", err)
		os.Exit(1)
	}
}

// waitProtocol answers once the peerstore says p supports proto, waiting for go-libp2p's
// EvtPeerProtocolsUpdated events (identify push updates the peerstore asynchronously).
func (n *node) waitProtocol(ctx context.Context, p peer.ID, proto protocol.ID) error {
	sub, err := n.host.EventBus().Subscribe(new(event.EvtPeerProtocolsUpdated))
	if err != nil {
		return err
	}
	defer sub.Close()
	for {
		if protos, err := n.host.Peerstore().SupportsProtocols(p, proto); err == nil && len(protos) > 0 {
			return nil
		}
		select {
		case <-sub.Out():
		case <-ctx.Done():
			return fmt.Errorf("peer %s never listed %s: %w", p, proto, ctx.Err())
		}
	}
}
