package main

// A go-header store on disk, as an ev-node v1.2.2 node keeps its data, and the process's memory:
//
//	{"cmd":"sync-start",...,"datastore":"badger","path":"/tmp/x"}
//	    (sync.go) the syncer's go-header store on a Badger datastore at the path (go-ds-badger4 with
//	    ev-node's BadgerOptions, what ev-node's store.NewDefaultKVStore opens) instead of in memory;
//	    sync-stop then closes the datastore too, after go-header's store wrote everything
//	{"cmd":"badger-compact","path":"/tmp/x"}
//	    reopens that datastore with the same options, compacts every level into one (DB.Flatten),
//	    runs the value-log GC until it has nothing left to rewrite and closes it
//	{"cmd":"mem","gc":true}
//	    the process's VmHWM, VmRSS, RssAnon and RssFile (bytes, /proc/self/status) and the Go heap
//	    in use (runtime.MemStats.HeapInuse, after a runtime.GC() when "gc" is set)

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	evstore "github.com/evstack/ev-node/pkg/store"
	badger4 "github.com/ipfs/go-ds-badger4"
)

type diskArgs struct {
	Path string `json:"path"`
	GC   bool   `json:"gc"`
}

func init() { registerCommands(diskCommand) }

// openBadger opens the datastore ev-node v1.2.2 keeps its data in: go-ds-badger4 with ev-node's
// BadgerOptions (store.NewDefaultKVStore).
func openBadger(path string) (*badger4.Datastore, error) {
	if path == "" {
		return nil, fmt.Errorf("a badger datastore needs a path")
	}
	return badger4.NewDatastore(path, evstore.BadgerOptions())
}

func diskCommand(n *node, ctx context.Context, req request) (map[string]any, bool, error) {
	switch req.Cmd {
	case "badger-compact", "mem":
	default:
		return nil, false, nil
	}
	var args diskArgs
	if err := json.Unmarshal(req.Raw, &args); err != nil {
		return nil, true, fmt.Errorf("%s: bad arguments: %w", req.Cmd, err)
	}
	if req.Cmd == "mem" {
		res, err := memory(args.GC)
		return res, true, err
	}
	d, err := openBadger(args.Path)
	if err != nil {
		return nil, true, err
	}
	lsm, vlog := d.DB.Size()
	if err := d.DB.Flatten(2); err != nil {
		_ = d.Close()
		return nil, true, fmt.Errorf("badger-compact: flatten: %w", err)
	}
	if err := d.CollectGarbage(ctx); err != nil {
		_ = d.Close()
		return nil, true, fmt.Errorf("badger-compact: value-log GC: %w", err)
	}
	lsm2, vlog2 := d.DB.Size()
	if err := d.Close(); err != nil {
		return nil, true, err
	}
	return map[string]any{"lsmBefore": lsm, "vlogBefore": vlog, "lsmAfter": lsm2, "vlogAfter": vlog2}, true, nil
}

// memory reads the process's resident set from /proc/self/status and the Go heap.
func memory(gc bool) (map[string]any, error) {
	if gc {
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res := map[string]any{"heapInuse": ms.HeapInuse, "heapAlloc": ms.HeapAlloc, "sys": ms.Sys}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		switch name {
		case "VmHWM", "VmRSS", "RssAnon", "RssFile":
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("/proc/self/status %s: %w", name, err)
			}
			res[name] = kb * 1024
		}
	}
	return res, s.Err()
}
