package server

import (
	"net"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// LimitConnections makes srv close at once every connection beyond max open
// ones (0 = no limit), as Prometheus' --web.max-connections does, so that
// clients holding sockets cannot exhaust the process's file descriptors.
// Closed connections are counted in billing_http_connections_rejected_total,
// registered with reg when it is not nil.
func LimitConnections(srv *http.Server, max int, reg prometheus.Registerer) {
	rejected := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "billing_http_connections_rejected_total",
		Help: "billing_exporter: Connections closed on arrival because --web.max-connections were already open.",
	})
	if reg != nil {
		reg.MustRegister(rejected)
	}
	if max <= 0 {
		return
	}
	var mu sync.Mutex
	counted := map[net.Conn]bool{}
	inner := srv.ConnState
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		mu.Lock()
		switch st {
		case http.StateNew:
			if len(counted) >= max {
				mu.Unlock()
				rejected.Inc()
				_ = c.Close()
				return
			}
			counted[c] = true
		case http.StateClosed, http.StateHijacked:
			delete(counted, c)
		}
		mu.Unlock()
		if inner != nil {
			inner(c, st)
		}
	}
}
