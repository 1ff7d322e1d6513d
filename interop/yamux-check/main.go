package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sync"
	"time"

	yamux "github.com/libp2p/go-yamux/v5"
)

// The Go side of YamuxGoInteropTest (build: go build -o yamuxinterop .).
// Listens on a TCP port (printed on stdout as "LISTEN <addr>") and runs a yamux server session on
// the first connection, or with "dial <addr>" dials and runs a client session (printing "DIALED"),
// with go-libp2p's settings (16 MiB max window); echoes every inbound stream, and opens
// streams itself to the dialer, checking their echo. Prints "GO-OK" or "GO-FAIL ...".
func main() {
	var conn net.Conn
	var err error
	dial := len(os.Args) > 2 && os.Args[1] == "dial"
	if dial {
		conn, err = net.Dial("tcp", os.Args[2])
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("DIALED", conn.RemoteAddr().String())
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("LISTEN", ln.Addr().String())
		conn, err = ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
	}
	cfg := yamux.DefaultConfig()
	cfg.MaxStreamWindowSize = 16 << 20
	cfg.LogOutput = os.Stderr
	var sess *yamux.Session
	if dial {
		sess, err = yamux.Client(conn, cfg, nil)
	} else {
		sess, err = yamux.Server(conn, cfg, nil)
	}
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for {
			s, err := sess.AcceptStream()
			if err != nil {
				return
			}
			go func(s *yamux.Stream) {
				n, err := io.Copy(s, s)
				if err != nil {
					log.Printf("echo stream %d: %v after %d bytes", s.StreamID(), err, n)
					s.Reset()
					return
				}
				s.CloseWrite()
			}(s)
		}
	}()
	var wg sync.WaitGroup
	fail := make(chan string, 16)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			s, err := sess.OpenStream(ctx)
			if err != nil {
				fail <- fmt.Sprintf("open %d: %v", i, err)
				return
			}
			payload := make([]byte, 2<<20+i*777)
			rand.Read(payload)
			go func() {
				s.Write(payload)
				s.CloseWrite()
			}()
			got, err := io.ReadAll(s)
			if err != nil {
				fail <- fmt.Sprintf("read %d: %v", i, err)
				return
			}
			if !bytes.Equal(got, payload) {
				fail <- fmt.Sprintf("stream %d: echo mismatch %d vs %d bytes", i, len(got), len(payload))
				return
			}
			s.Close()
		}(i)
	}
	wg.Wait()
	rtt, err := sess.Ping()
	if err != nil {
		fail <- fmt.Sprintf("ping: %v", err)
	}
	close(fail)
	msgs := []string{}
	for m := range fail {
		msgs = append(msgs, m)
	}
	if len(msgs) > 0 {
		fmt.Println("GO-FAIL", msgs)
	} else {
		fmt.Println("GO-OK rtt", rtt)
	}
	// Wait for the Java side to finish its own streams and close the connection.
	<-sess.CloseChan()
	fmt.Println("GO-CLOSED")
}
