package main

import (
	crand "crypto/rand"
	"io"
)

func cryptoRand() io.Reader { return crand.Reader }
