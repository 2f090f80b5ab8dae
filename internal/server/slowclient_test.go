package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// smallBuffers makes accepted connections' send buffers tiny, so that a
// client that does not read blocks the server's writes after a few KiB
// instead of after the several MiB loopback buffers hold.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// connCounter follows the state of the server's connections.
type connCounter struct {
	mu       sync.Mutex
	state    map[net.Conn]http.ConnState
	accepted int // every connection ever seen, closed ones included
}

func (c *connCounter) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil {
		c.state = map[net.Conn]http.ConnState{}
	}
	switch st {
	case http.StateNew:
		c.accepted++
		c.state[conn] = st
	case http.StateClosed, http.StateHijacked:
		delete(c.state, conn)
	default:
		c.state[conn] = st
	}
}

// n counts open connections; in those in the middle of a request.
func (c *connCounter) n() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.state) }

func (c *connCounter) seen() int { c.mu.Lock(); defer c.mu.Unlock(); return c.accepted }

func (c *connCounter) in(st http.ConnState) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.state {
		if s == st {
			n++
		}
	}
	return n
}

// bigServer serves one NCP account with 2,000 credits (about 1 MB of
// output) with the binary's limits: 40 concurrent scrapes, maxConns
// connections.
func bigServer(t *testing.T, maxConns int) (*httptest.Server, *connCounter) {
	t.Helper()
	sim := ncloudsim.New(ncloudsim.Options{})
	sim.AddAccount(ncloudsim.Account{AccessKey: "ak", SecretKey: "sk", Data: ncloudsim.Generate(ncloudsim.GenerateOptions{Seed: 1, Now: time.Now(), Credits: 2000})})
	up := httptest.NewServer(sim)
	t.Cleanup(up.Close)
	acct := config.NCloudAccount{Name: "big", Endpoint: up.URL + "/billing/v1", AccessKey: "ak", SecretKey: "sk",
		Collectors: []string{config.NCloudCredit}, ResponseFormat: "json", DemandMonths: 1, CoinCurrency: "KRW"}
	cfg := &config.Config{Global: config.DefaultGlobal, NCloud: []config.NCloudAccount{acct}}
	reg := prometheus.NewRegistry()
	e, err := collector.New(cfg, collector.Options{Logger: promslog.NewNopLogger(), Requests: upstream.NewRequestCounter(reg)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Logger: promslog.NewNopLogger(), Gatherer: reg, MaxRequests: 40, TimeoutOffset: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s.SetExporter(e)
	counter := &connCounter{}
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = NewHTTPServer(s, promslog.NewNopLogger())
	LimitConnections(ts.Config, maxConns, reg)
	inner := ts.Config.ConnState
	ts.Config.ConnState = func(c net.Conn, st http.ConnState) {
		counter.track(c, st)
		if inner != nil {
			inner(c, st)
		}
	}
	ts.Listener = smallBuffers{ts.Listener}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, counter
}

// stuckClient sends GET /metrics and never reads the answer.
func stuckClient(t *testing.T, addr, timeout string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).SetReadBuffer(1024)
	if _, err := fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Prometheus-Scrape-Timeout-Seconds: %s\r\n\r\n", timeout); err != nil {
		t.Fatal(err)
	}
	return c
}

func scrapeOnce(url string) (int, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "15")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, len(b), err
}

// 45 clients that send GET /metrics and never read the answer (more than
// --web.max-requests) do not starve normal scrapes, and each frees its
// connection once its scrape timeout has passed.
func TestNonReadingClientsDoNotStarveScrapes(t *testing.T) {
	ts, conns := bigServer(t, 512)
	code, size, err := scrapeOnce(ts.URL)
	if err != nil || code != http.StatusOK || size < 200<<10 {
		t.Fatalf("first scrape: %d, %d bytes, %v", code, size, err)
	}
	addr := ts.Listener.Addr().String()
	var stuck []net.Conn
	stuckSince := time.Now()
	for range 45 {
		stuck = append(stuck, stuckClient(t, addr, "2"))
	}
	defer func() {
		for _, c := range stuck {
			_ = c.Close()
		}
	}()
	// Wait until the server has accepted all of them (the first may
	// already be closed by their 2 s write deadline on a slow machine).
	for wait := time.Now().Add(30 * time.Second); conns.seen() < 1+45; {
		if time.Now().After(wait) {
			t.Fatalf("the server accepted %d of 45 stuck clients in 30 s", conns.seen()-1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // their scrapes are collected and stuck in writing
	for i := range 10 {
		code, size, err := scrapeOnce(ts.URL)
		if err != nil || code != http.StatusOK || size < 200<<10 {
			t.Fatalf("scrape %d with 45 stuck clients: HTTP %d, %d bytes, %v", i+1, code, size, err)
		}
	}
	// The stuck clients' scrape timeout (2 s) bounds their writes: soon
	// after it, no connection is left in the middle of a request. (A
	// client that arrived while every slot was taken had its short 503 in
	// full and idles.)
	deadline := time.Now().Add(30 * time.Second)
	for conns.in(http.StateActive) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still in a request 30 s after the stuck clients' 2 s scrape timeout", conns.in(http.StateActive))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%s after the stuck clients arrived: %d connections open, none in a request", time.Since(stuckSince).Round(time.Millisecond), conns.n())
}

// --web.max-connections bounds open connections: those beyond it are
// closed at once instead of holding file descriptors.
func TestConnectionLimit(t *testing.T) {
	ts, conns := bigServer(t, 20)
	addr := ts.Listener.Addr().String()
	var idle []net.Conn
	for range 30 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	defer func() {
		for _, c := range idle {
			_ = c.Close()
		}
	}()
	var mu sync.Mutex
	var wg sync.WaitGroup
	closed := 0
	for _, c := range idle {
		_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		wg.Go(func() {
			if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
				mu.Lock()
				closed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if closed != 10 {
		t.Errorf("%d of 30 connections were closed with a limit of 20, want 10", closed)
	}
	if n := conns.n(); n > 20 {
		t.Errorf("%d connections open, limit 20", n)
	}
	// Once the idle ones go, scrapes connect again.
	for _, c := range idle {
		_ = c.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for conns.n() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if code, _, err := scrapeOnce(ts.URL); err != nil || code != http.StatusOK {
		t.Errorf("scrape after the idle connections closed: %d %v", code, err)
	}
}

func isTimeout(err error) bool {
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}
