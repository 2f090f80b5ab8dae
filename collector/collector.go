// Package collector turns billing API results into Prometheus metrics.
//
// Each configured (provider, account, collector) is a Target. A scrape runs
// every Target in parallel; each Target reuses its last upstream result for
// min_refresh_interval, shares one in-flight upstream call between concurrent
// scrapes, and keeps serving its last good values for stale_after when a
// refresh fails, with the failure shown in billing_up.
package collector

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "billing"

// Collector reads one upstream data set of one account.
type Collector interface {
	// Describe sends the descriptor of every metric Update may return.
	Describe(ch chan<- *prometheus.Desc)
	// Update calls the upstream and returns every metric of one refresh.
	// On error the result is discarded: a partial result is never reported
	// as a success. The metrics are validated and rendered into exposition
	// bytes once, at the end of the refresh, and then dropped: scrapes
	// serve the bytes.
	Update(ctx context.Context) ([]prometheus.Metric, error)
}

// Labels of the self metrics, in order.
var targetLabels = []string{"provider", "account", "collector"}

var (
	upDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "", "up"),
		"billing_exporter: Whether the last refresh of the collector's upstream data succeeded (1) or failed (0).",
		targetLabels, nil)
	durationDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "collector", "duration_seconds"),
		"billing_exporter: How long the collector's last upstream refresh took; reused results keep the duration of the refresh that produced them.",
		targetLabels, nil)
	lastSuccessDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "collector", "last_success_timestamp_seconds"),
		"billing_exporter: When the collector's upstream data was last refreshed successfully, in seconds since the epoch.",
		targetLabels, nil)
	thresholdDesc = prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "alert", "threshold"),
		"billing_exporter: An alert threshold of the account, from the thresholds section of the config file; the shipped alert rules compare against it. Durations are in seconds.",
		[]string{"provider", "account", "threshold"}, nil)
	selfDescs = []*prometheus.Desc{upDesc, durationDesc, lastSuccessDesc, thresholdDesc}
)

// newDesc builds the descriptor of an upstream metric; every upstream metric
// carries the account label first.
func newDesc(subsystem, name, help string, labels ...string) *prometheus.Desc {
	labels = append([]string{"account"}, labels...)
	fq := prometheus.BuildFQName(namespace, subsystem, name)
	d := prometheus.NewDesc(fq, help, labels, nil)
	newFamily(d, fq, help, labels)
	return d
}
