package upstream

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
)

// pipeListener is a net.Listener whose connections are in-memory pipes
// (net.Pipe). Served over it, a real http.Server and http.Transport run
// inside a synctest bubble: a goroutine waiting on a pipe is durably
// blocked, so the bubble's clock advances through backoffs and deadlines at
// once, where a loopback socket would hold it still.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial hands the server end of a new pipe to Accept.
func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "upstream.test:80" }

// pipeServer serves h over pipes and returns its URL and a transport that
// dials it. Call it inside synctest.Test: the server and the transport's
// connections are closed when the test ends.
func pipeServer(t *testing.T, h http.Handler) (string, *http.Transport) {
	t.Helper()
	l := &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(l) }()
	tr := &http.Transport{DialContext: l.dial}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = srv.Close()
	})
	return "http://upstream.test/", tr
}
