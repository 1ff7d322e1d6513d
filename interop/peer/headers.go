package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"sync"
	"time"

	"github.com/celestiaorg/go-header"
	goheaderp2p "github.com/celestiaorg/go-header/p2p"
	p2ppb "github.com/celestiaorg/go-header/p2p/pb"
	"github.com/celestiaorg/go-header/store"
	"github.com/evstack/ev-node/types"
	"github.com/ipfs/go-datastore"
	dssync "github.com/ipfs/go-datastore/sync"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// H is the header type the Go peer syncs: ev-node v1.2's P2P envelope of a signed header.
type H = *types.P2PSignedHeader

// headerNode holds the go-header side of the peer: a store of ev-node headers, the exchange server
// that serves it, and exchange clients keyed by the peer they trust.
type headerNode struct {
	mu        sync.Mutex
	network   string
	chainID   string
	store     *store.Store[H]
	server    *goheaderp2p.ExchangeServer[H]
	exchanges map[peer.ID]*goheaderp2p.Exchange[H]
}

func (n *node) headers() *headerNode {
	n.hdrOnce.Do(func() {
		st, err := store.NewStore[H](dssync.MutexWrap(datastore.NewMapDatastore()))
		must(err)
		must(st.Start(n.ctx))
		srv, err := goheaderp2p.NewExchangeServer[H](n.host, st, goheaderp2p.WithNetworkID[goheaderp2p.ServerParameters](n.network))
		must(err)
		must(srv.Start(n.ctx))
		n.hdr = &headerNode{network: n.network, chainID: n.chainID, store: st, server: srv,
			exchanges: map[peer.ID]*goheaderp2p.Exchange[H]{}}
	})
	return n.hdr
}

// generate appends `count` signed ev-node headers to the store, from height 1 (or after the head),
// one second apart from a fixed genesis time, signed with a key derived from `seed`.
func (hn *headerNode) generate(ctx context.Context, count int, seed int64) (map[string]any, error) {
	sk, pk, err := crypto.GenerateEd25519Key(rand.New(rand.NewSource(seed)))
	if err != nil {
		return nil, err
	}
	signer, err := types.NewSigner(pk)
	if err != nil {
		return nil, err
	}
	var prev *types.SignedHeader
	if head, err := hn.store.Head(ctx); err == nil {
		prev = head.SignedHeader
	}
	genesisTime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]H, 0, 1024)
	for i := 0; i < count; i++ {
		h := types.Header{
			BaseHeader:      types.BaseHeader{Height: 1, Time: uint64(genesisTime.UnixNano()), ChainID: hn.chainID},
			Version:         types.Version{Block: 11, App: 1},
			DataHash:        make([]byte, 32),
			AppHash:         make([]byte, 32),
			ProposerAddress: signer.Address,
			ValidatorHash:   signer.Address,
		}
		if prev != nil {
			h.BaseHeader.Height = prev.Height() + 1
			h.BaseHeader.Time = prev.Header.BaseHeader.Time + uint64(time.Second)
			h.LastHeaderHash = prev.Hash()
		}
		payload, err := h.MarshalBinary()
		if err != nil {
			return nil, err
		}
		sig, err := sk.Sign(payload)
		if err != nil {
			return nil, err
		}
		sh := &types.SignedHeader{Header: h, Signature: sig, Signer: signer}
		batch = append(batch, &types.P2PSignedHeader{SignedHeader: sh})
		prev = sh
		if len(batch) == cap(batch) || i == count-1 {
			if err := hn.store.Append(ctx, batch...); err != nil {
				return nil, err
			}
			// go-header's Append keeps the slice (write-behind): never reuse it.
			batch = make([]H, 0, 1024)
		}
	}
	// go-header's store writes behind: wait until its contiguous head reaches the last header.
	target := prev.Height()
	var head H
	for {
		head, err = hn.store.Head(ctx)
		if err == nil && head.Height() >= target {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("store head did not reach %d: %w", target, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return map[string]any{"height": head.Height(), "hash": head.Hash().String()}, nil
}

// newExchange starts a go-header Exchange with p as its trusted peer, on the node's context.
func (n *node) newExchange(p peer.ID) (*goheaderp2p.Exchange[H], error) {
	ex, err := goheaderp2p.NewExchange[H](n.host, peer.IDSlice{p}, n.gater,
		goheaderp2p.WithNetworkID[goheaderp2p.ClientParameters](n.network),
		goheaderp2p.WithChainID(n.chainID))
	if err != nil {
		return nil, err
	}
	if err := ex.Start(n.ctx); err != nil {
		return nil, err
	}
	return ex, nil
}

func (n *node) exchange(p peer.ID) (*goheaderp2p.Exchange[H], error) {
	hn := n.headers()
	hn.mu.Lock()
	defer hn.mu.Unlock()
	if ex, ok := hn.exchanges[p]; ok {
		return ex, nil
	}
	ex, err := n.newExchange(p)
	if err != nil {
		return nil, err
	}
	hn.exchanges[p] = ex
	return ex, nil
}

func describe(h H) map[string]any {
	return map[string]any{"height": h.Height(), "hash": h.Hash().String()}
}

// headerCommand runs the go-header commands: gen, ex-head, ex-height, ex-hash, ex-range, blocked.
func (n *node) headerCommand(ctx context.Context, req request) (map[string]any, bool, error) {
	switch req.Cmd {
	case "gen":
		res, err := n.headers().generate(ctx, max(req.Count, 1), max(req.Seed, 1))
		return res, true, err
	case "store-head":
		h, err := n.headers().store.Head(ctx)
		if err != nil {
			return nil, true, err
		}
		return describe(h), true, nil
	case "ex-head", "ex-height", "ex-hash", "ex-range":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, true, err
		}
		ex, err := n.exchange(p)
		if err != nil {
			return nil, true, err
		}
		switch req.Cmd {
		case "ex-head":
			h, err := ex.Head(ctx)
			if err != nil {
				return nil, true, err
			}
			return describe(h), true, nil
		case "ex-height":
			h, err := ex.GetByHeight(ctx, req.Height)
			if err != nil {
				return nil, true, err
			}
			return describe(h), true, nil
		case "ex-hash":
			hash, err := hex.DecodeString(req.Hash)
			if err != nil {
				return nil, true, err
			}
			h, err := ex.Get(ctx, header.Hash(hash))
			if err != nil {
				return nil, true, err
			}
			return describe(h), true, nil
		default:
			return n.fetchRange(ctx, ex, req.Height, req.To)
		}
	case "raw-range":
		p, err := peer.Decode(req.Peer)
		if err != nil {
			return nil, true, err
		}
		res, err := n.rawRange(ctx, p, req.Height, req.Count)
		return res, true, err
	case "blocked":
		list := []string{}
		for _, p := range n.gater.ListBlockedPeers() {
			list = append(list, p.String())
		}
		return map[string]any{"peers": list}, true, nil
	}
	return nil, false, nil
}

// fetchRange syncs (from, to) the way go-header's syncer does: GetRangeByHeight in batches of at
// most 64 headers, one after another, each verified against the previous batch's last header.
func (n *node) fetchRange(ctx context.Context, ex *goheaderp2p.Exchange[H], from, to uint64) (map[string]any, bool, error) {
	start := time.Now()
	trusted, err := ex.GetByHeight(ctx, from)
	if err != nil {
		return nil, true, fmt.Errorf("get trusted header %d: %w", from, err)
	}
	got := 0
	last := trusted
	for last.Height()+1 < to {
		reqTo := min(last.Height()+1+header.MaxRangeRequestSize, to)
		hs, err := ex.GetRangeByHeight(ctx, last, reqTo)
		if err != nil {
			return nil, true, fmt.Errorf("range (%d, %d): %w", last.Height(), reqTo, err)
		}
		if len(hs) == 0 {
			return nil, true, fmt.Errorf("range (%d, %d): empty", last.Height(), reqTo)
		}
		if _, err := header.VerifyRange(last, hs); err != nil {
			return nil, true, fmt.Errorf("range (%d, %d): %w", last.Height(), reqTo, err)
		}
		got += len(hs)
		last = hs[len(hs)-1]
	}
	elapsed := time.Since(start)
	return map[string]any{"headers": got, "height": last.Height(), "hash": last.Hash().String(),
		"millis": elapsed.Milliseconds(), "headersPerSecond": float64(got) / elapsed.Seconds()}, true, nil
}

// rawRange sends one HeaderRequest{origin, amount} by hand (any amount, also over 64) and reports
// what came back: the number of OK frames, whether a NOT_FOUND frame came, and how the stream ended
// ("eof" or the read error, e.g. a reset).
func (n *node) rawRange(ctx context.Context, p peer.ID, origin uint64, amount int) (map[string]any, error) {
	pid := protocol.ID("/" + n.network + "/header-ex/v0.0.3")
	if n.network == "" {
		pid = "header-ex/v0.0.3"
	}
	s, err := n.host.NewStream(ctx, p, pid)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(30 * time.Second))
	msg, err := (&p2ppb.HeaderRequest{Data: &p2ppb.HeaderRequest_Origin{Origin: origin}, Amount: uint64(amount)}).Marshal()
	if err != nil {
		return nil, err
	}
	frame := binary.AppendUvarint(nil, uint64(len(msg)))
	if _, err := s.Write(append(frame, msg...)); err != nil {
		return nil, err
	}
	if err := s.CloseWrite(); err != nil {
		return nil, err
	}
	r := bufio.NewReader(s)
	ok, notFound, end := 0, 0, "eof"
	for {
		size, err := binary.ReadUvarint(r)
		if err != nil {
			if err != io.EOF {
				end = err.Error()
			}
			break
		}
		buf := make([]byte, size)
		if _, err := io.ReadFull(r, buf); err != nil {
			end = err.Error()
			break
		}
		var resp p2ppb.HeaderResponse
		if err := resp.Unmarshal(buf); err != nil {
			return nil, err
		}
		switch resp.StatusCode {
		case p2ppb.StatusCode_OK:
			ok++
		case p2ppb.StatusCode_NOT_FOUND:
			notFound++
		}
	}
	return map[string]any{"okFrames": ok, "notFoundFrames": notFound, "end": end}, nil
}
