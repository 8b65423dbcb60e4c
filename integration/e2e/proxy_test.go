package e2e

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// pgProxy is a TCP proxy on a fixed 127.0.0.1 port forwarding to
// PostgreSQL's current address. Docker maps a new host port when a stopped
// container starts again; a server given the proxy's address keeps a valid
// DSN across the restart.
type pgProxy struct {
	ln net.Listener
	wg sync.WaitGroup // the accept loop and every connection's goroutines

	mu     sync.Mutex
	target string
	down   bool
	closed bool
	conns  map[net.Conn]struct{} // both ends of every proxied connection
}

// newPGProxy listens on 127.0.0.1 and forwards to target (host:port). It is
// closed when t ends.
func newPGProxy(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln, target: target, conns: make(map[net.Conn]struct{})}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

// addr is the proxy's host:port.
func (p *pgProxy) addr() string { return p.ln.Addr().String() }

// setDown marks the database as gone: open connections are closed and new
// ones are closed as soon as they are accepted, as when nothing listens.
func (p *pgProxy) setDown() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	p.closeConnsLocked()
}

// setUp forwards new connections to target from now on.
func (p *pgProxy) setUp(target string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target, p.down = target, false
}

func (p *pgProxy) close() {
	p.mu.Lock()
	p.closed = true
	p.closeConnsLocked()
	p.mu.Unlock()
	_ = p.ln.Close()
	p.wg.Wait()
}

func (p *pgProxy) closeConnsLocked() {
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

func (p *pgProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

// track registers both ends of a connection unless the proxy is down or
// closed; then it closes them and reports false.
func (p *pgProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down || p.closed {
		for _, c := range cs {
			_ = c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *pgProxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		_ = c.Close()
		delete(p.conns, c)
	}
}

func (p *pgProxy) serve(client net.Conn) {
	p.mu.Lock()
	target := p.target
	p.mu.Unlock()
	if !p.track(client) {
		return
	}
	upstream, err := net.DialTimeout("tcp", target, 2*time.Second)
	if err != nil {
		p.untrack(client)
		return
	}
	// The proxy may have gone down while dialing.
	if !p.track(upstream) {
		p.untrack(client)
		return
	}
	var copying sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		// Either side ending ends both.
		p.untrack(client, upstream)
	}
	copying.Go(func() { pipe(upstream, client) })
	pipe(client, upstream)
	copying.Wait()
}
