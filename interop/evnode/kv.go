package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/evstack/ev-node/core/execution"
)

// KV is a key-value state machine implementing ev-node's execution.Executor, the same rules as
// headersync's Java KvStateMachine (io.headersync.testkit), so that either side can produce blocks
// the other executes:
//
//   - a tx is "key=value" (UTF-8, split at the first '='); a tx without '=' or with an empty key
//     changes nothing;
//   - the state root is SHA-256 over the entries in ascending key order, each written as
//     uvarint(len(key)) key uvarint(len(value)) value; the empty state's root is SHA-256 of nothing,
//     which InitChain returns.
type KV struct {
	mu      sync.Mutex
	state   map[string]string
	mempool [][]byte
	fed     int
}

func NewKV() *KV {
	return &KV{state: map[string]string{}}
}

func (k *KV) root() []byte {
	keys := make([]string, 0, len(k.state))
	for key := range k.state {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	for _, key := range keys {
		buf.Write(binary.AppendUvarint(nil, uint64(len(key))))
		buf.WriteString(key)
		v := k.state[key]
		buf.Write(binary.AppendUvarint(nil, uint64(len(v))))
		buf.WriteString(v)
	}
	sum := sha256.Sum256(buf.Bytes())
	return sum[:]
}

func (k *KV) InitChain(_ context.Context, _ time.Time, _ uint64, _ string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.state = map[string]string{}
	return k.root(), nil
}

func (k *KV) GetTxs(_ context.Context) ([][]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	txs := k.mempool
	k.mempool = nil
	return txs, nil
}

func (k *KV) ExecuteTxs(_ context.Context, txs [][]byte, height uint64, _ time.Time, prev []byte) (execution.ExecuteResult, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if have := k.root(); !bytes.Equal(have, prev) {
		return execution.ExecuteResult{}, fmt.Errorf("block %d: previous state root %x is not ours %x", height, prev, have)
	}
	for _, tx := range txs {
		i := bytes.IndexByte(tx, '=')
		if i <= 0 {
			continue
		}
		k.state[string(tx[:i])] = string(tx[i+1:])
	}
	return execution.ExecuteResult{UpdatedStateRoot: k.root()}, nil
}

func (k *KV) SetFinal(context.Context, uint64) error { return nil }

func (k *KV) GetExecutionInfo(context.Context) (execution.ExecutionInfo, error) {
	return execution.ExecutionInfo{}, nil
}

func (k *KV) FilterTxs(_ context.Context, txs [][]byte, _, _ uint64, _ bool) ([]execution.FilterStatus, error) {
	out := make([]execution.FilterStatus, len(txs))
	for i := range out {
		out[i] = execution.FilterOK
	}
	return out, nil
}

// Feed adds perTick txs "k<n>=v<n>" to the mempool every interval until ctx ends.
func (k *KV) Feed(ctx context.Context, interval time.Duration, perTick int) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		k.mu.Lock()
		for i := 0; i < perTick; i++ {
			k.fed++
			k.mempool = append(k.mempool, []byte(fmt.Sprintf("k%d=v%d", k.fed%50, k.fed)))
		}
		k.mu.Unlock()
	}
}
