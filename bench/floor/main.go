// Command floor is the cost floor of the benchmark harness (go run ./bench):
// client_golang alone serving N constant gauges with six labels each,
// built with prometheus.MustNewConstMetric in Collect on every scrape and
// encoded by promhttp.HandlerFor. Any exporter built on client_golang pays
// at least this much per scrape, so the harness compares billing_exporter's
// scrape CPU, allocations and peak RSS with this program's, measured in the
// same run, instead of with absolute numbers that depend on the machine.
//
// Like billing_exporter it also exports the Go and process collectors: the
// harness reads go_memstats_alloc_bytes_total from both, and both then pay
// for them alike.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	series := flag.Int("series", 100_000, "number of constant gauges to serve")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	if err := run(*series, *listen); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(series int, listen string) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newConstCollector(series),
	)
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	// The harness waits for this line to learn the address.
	fmt.Printf("listening on http://%s\n", l.Addr())
	srv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// The label names of billing_exporter's credit gauges, so that label sets
// are as long as the exporter's.
var labels = []string{"account", "member_no", "discount_no", "credit_name", "credit_type", "currency"}

// constCollector holds only the label values (what an exporter would keep
// from its upstream) and makes the metrics anew on every scrape.
type constCollector struct {
	descs  []*prometheus.Desc
	values [][]string
}

// newConstCollector spreads n series over three gauges, as the exporter's
// 33,334 credits give three gauges of 33,334 series each.
func newConstCollector(n int) *constCollector {
	c := &constCollector{}
	for _, name := range []string{"remaining", "received", "expiry"} {
		c.descs = append(c.descs, prometheus.NewDesc("floor_credit_"+name, "Floor gauge "+name+".", labels, nil))
	}
	perDesc := (n + len(c.descs) - 1) / len(c.descs)
	members := []string{"10000001", "10000002", "10000003"}
	for i := range perDesc {
		c.values = append(c.values, []string{
			"size", members[i%len(members)], strconv.Itoa(100000 + i),
			"paid-credit-" + strconv.Itoa(i+1), "FCHG", "KRW",
		})
	}
	return c
}

func (c *constCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *constCollector) Collect(ch chan<- prometheus.Metric) {
	for i, d := range c.descs {
		for j, v := range c.values {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(i*j), v...)
		}
	}
}
