package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestPprofLoopbackOnly checks that ALLOT_PPROF_ADDR serves profiles on a
// loopback address and refuses any other.
func TestPprofLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0", "127.0.0.1"} {
		if err := startPprof(addr); err == nil {
			t.Errorf("startPprof(%q) served", addr)
		}
	}
	// Take a free port, then serve on it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := startPprof(addr); err != nil {
		t.Fatalf("startPprof(%q): %v", addr, err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "test") {
		t.Fatalf("cmdline: %d %q", resp.StatusCode, b)
	}
}
