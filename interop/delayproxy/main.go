// Command delayproxy forwards TCP connections to a target and delays every byte by a fixed one-way
// latency in each direction, without limiting throughput: a user-space stand-in for `tc netem delay`
// (the kernel of the benchmark machine has no netem module). Chunks read from one side are stamped
// and written to the other side once their time has come, so a window of data is in flight at once,
// as on a long link.
//
//	delayproxy -listen 127.0.0.1:0 -target 127.0.0.1:4001 -delay 25ms
//
// It prints "listening <addr>" on stdout once ready and runs until killed.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"time"
)

type chunk struct {
	due  time.Time
	data []byte
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	target := flag.String("target", "", "address to forward to")
	delay := flag.Duration("delay", 25*time.Millisecond, "one-way delay in each direction")
	flag.Parse()
	if *target == "" {
		log.Fatal("-target is required")
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening %s\n", l.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			t, err := net.Dial("tcp", *target)
			if err != nil {
				log.Printf("dial %s: %v", *target, err)
				c.Close()
				return
			}
			go pipe(c, t, *delay)
			go pipe(t, c, *delay)
		}()
	}
}

// pipe copies src to dst, each chunk delayed by d. At most 4096 chunks wait (bounded memory);
// a full queue stalls the reader, which is TCP backpressure.
func pipe(src, dst net.Conn, d time.Duration) {
	q := make(chan chunk, 4096)
	go func() {
		defer close(q)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				q <- chunk{due: time.Now().Add(d), data: buf[:n]}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		if w := time.Until(c.due); w > 0 {
			time.Sleep(w)
		}
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	} else {
		_ = dst.Close()
	}
	_, _ = io.Copy(io.Discard, src)
}
