package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
)

// world describes the upstream accounts of one scenario; the fakes serve
// generated data for them and the exporter's config points at the fakes.
type world struct {
	latency    time.Duration // injected before every upstream answer (SetFault)
	minRefresh string        // global.min_refresh_interval
	ncloud     []ncloudSpec
	vgp        int // members with 40 payment records each
	portone    []int
}

type ncloudSpec struct {
	credits, coins, demandProducts int
	members                        int    // member accounts (partner); 0 = 3
	demandMonths                   int    // months of demand, generated and read; 0 = 1
	collectors                     string // YAML list, e.g. "[credit]"; "" = credit, coin and demand
}

// fakes are the sandbox's fake upstreams on loopback. Each PortOne merchant
// gets a server of its own, so that its calls can be counted per account.
type fakes struct {
	w        world
	ncloud   *ncloudsim.Server
	vgp      *vgpsim.Server
	portone  []*portonesim.Server
	urls     map[string]string
	servers  []*http.Server
	ncpKeys  []string
	vgpPhone []string
}

// Credentials of the generated accounts; they exist only in this process
// and the config files it writes to a temporary directory.
func ncloudKey(i int) string    { return fmt.Sprintf("ncp_iam_BENCHACCESSKEY%04d", i) }
func ncloudSecret(i int) string { return fmt.Sprintf("ncp_iam_BENCHSECRETKEY%020d", i) }
func vgpPhone(i int) string     { return fmt.Sprintf("8210%08d", 10000000+i) }

const impKey, impSecret = "bench_imp_key", "bench_imp_secret_0000000000000000000000"

// startFakes generates the data of w as of now and serves it.
func startFakes(w world, now time.Time) (*fakes, error) {
	f := &fakes{w: w, urls: map[string]string{}}
	// The fakes reuse rendered pages so that their own rendering does not
	// compete with the exporter for the CPU (Options.ReuseResponses).
	f.ncloud = ncloudsim.New(ncloudsim.Options{ReuseResponses: true})
	for i, a := range w.ncloud {
		members := make([]string, max(a.members, 3))
		for m := range members {
			members[m] = strconv.Itoa(10000001 + m)
		}
		f.ncpKeys = append(f.ncpKeys, ncloudKey(i))
		f.ncloud.AddAccount(ncloudsim.Account{AccessKey: ncloudKey(i), SecretKey: ncloudSecret(i), Data: ncloudsim.Generate(ncloudsim.GenerateOptions{
			Seed: int64(i + 1), Now: now, Members: members, Credits: a.credits, Coins: a.coins,
			DemandProducts: a.demandProducts, DemandMonths: max(a.demandMonths, 1),
		})})
	}
	f.vgp = vgpsim.New()
	for i := range w.vgp {
		f.vgpPhone = append(f.vgpPhone, vgpPhone(i))
		f.vgp.AddMember(vgpsim.Member{PhoneNumber: vgpPhone(i), Records: vgpsim.Generate(int64(i+1), 40, now)})
	}
	for i, n := range w.portone {
		s := portonesim.New(portonesim.Options{ReuseResponses: true})
		// 10 schedules per customer, spread over a day less than the
		// exporter's window at each end, so that all are in it.
		s.AddMerchant(portonesim.Merchant{ImpKey: impKey, ImpSecret: impSecret, Schedules: portonesim.Generate(portonesim.GenerateOptions{
			Seed: int64(i + 1), Now: now, Customers: max(n/10, 1), SchedulesPerCustomer: min(n, 10),
			Lookback: 28 * 24 * time.Hour, Lookahead: 58 * 24 * time.Hour,
		})})
		f.portone = append(f.portone, s)
	}

	lat := w.latency
	f.ncloud.SetFault("", "", ncloudsim.Fault{Latency: lat})
	f.vgp.SetFault("", vgpsim.Fault{Latency: lat})
	handlers := map[string]http.Handler{"ncloud": f.ncloud, "vgp": f.vgp}
	for i, s := range f.portone {
		s.SetFault("", "", portonesim.Fault{Latency: lat})
		handlers["portone"+strconv.Itoa(i)] = s
	}
	for name, h := range handlers {
		u, err := f.serve(h)
		if err != nil {
			f.close()
			return nil, err
		}
		f.urls[name] = u
	}
	return f, nil
}

func (f *fakes) serve(h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	f.servers = append(f.servers, s)
	go func() {
		if err := s.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "bench: fake upstream:", err)
		}
	}()
	return "http://" + l.Addr().String(), nil
}

func (f *fakes) close() {
	for _, s := range f.servers {
		_ = s.Close()
	}
}

// collectors is the number of the exporter's collectors (targets).
func (f *fakes) collectors() int {
	n := f.w.vgp + len(f.w.portone)
	for _, a := range f.w.ncloud {
		n += len(a.actions())
	}
	return n
}

func (a ncloudSpec) actions() []string {
	all := map[string]string{"credit": ncloudsim.ActionCreditHistory, "coin": ncloudsim.ActionCoinHistory, "demand": ncloudsim.ActionDemandCost}
	names := []string{"credit", "coin", "demand"}
	if a.collectors != "" {
		names = strings.Split(strings.Trim(a.collectors, "[]"), ",")
	}
	var out []string
	for _, n := range names {
		out = append(out, all[strings.TrimSpace(n)])
	}
	return out
}

// calls is every request the fakes have received, PortOne tokens included.
func (f *fakes) calls() int {
	n := f.ncloud.Calls("", "") + f.vgp.Calls()
	for _, s := range f.portone {
		n += s.Calls("")
	}
	return n
}

// collectorCalls is the number of upstream data requests of each collector
// (PortOne token requests are not a collector's).
func (f *fakes) collectorCalls() map[string]int {
	out := map[string]int{}
	for i, a := range f.w.ncloud {
		for _, action := range a.actions() {
			out[fmt.Sprintf("ncloud%d/%s", i, action)] = f.ncloud.Calls(ncloudKey(i), action)
		}
	}
	byPhone := map[string]int{}
	for _, r := range f.vgp.Requests() {
		byPhone[strings.TrimPrefix(r.PhoneNumber, "+")]++
	}
	for i, p := range f.vgpPhone {
		out[fmt.Sprintf("vgp%d", i)] = byPhone[p]
	}
	for i, s := range f.portone {
		out[fmt.Sprintf("portone%d", i)] = s.Calls(portonesim.PathRangeSchedules)
	}
	return out
}

// config writes the exporter's config file for the world into dir.
func (f *fakes) config(dir string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  min_refresh_interval: %s\n  timeout: 2m\n  max_concurrency: 4\n  max_response_bytes: 67108864\n", f.w.minRefresh)
	if len(f.w.ncloud) > 0 {
		b.WriteString("ncloud:\n")
	}
	for i, a := range f.w.ncloud {
		fmt.Fprintf(&b, "  - name: ncp%d\n    endpoint: %s/billing/v1\n    access_key: %s\n    secret_key: %s\n",
			i, f.urls["ncloud"], ncloudKey(i), ncloudSecret(i))
		collectors := a.collectors
		if collectors == "" {
			collectors = "[credit, coin, demand]" // the lists the targets are sized for; invoices are one small call
		}
		fmt.Fprintf(&b, "    collectors: %s\n", collectors)
		if a.demandMonths > 1 {
			fmt.Fprintf(&b, "    demand_months: %d\n", a.demandMonths)
		}
	}
	if f.w.vgp > 0 {
		b.WriteString("vgp:\n")
	}
	for i, p := range f.vgpPhone {
		fmt.Fprintf(&b, "  - name: vgp%d\n    endpoint: %s%s\n    caller: Vroomgo\n    phone_number: %q\n", i, f.urls["vgp"], vgpsim.Path, p)
	}
	if len(f.portone) > 0 {
		b.WriteString("portone:\n")
	}
	for i := range f.portone {
		// No customer_uids: the range endpoint, 1000 a page. lookback +
		// lookahead = 88 days: one window of at most 89 days.
		fmt.Fprintf(&b, "  - name: shop%d\n    endpoint: %s\n    imp_key: %s\n    imp_secret: %s\n    lookback: 29d\n    lookahead: 59d\n",
			i, f.urls["portone"+strconv.Itoa(i)], impKey, impSecret)
	}
	path := filepath.Join(dir, fmt.Sprintf("config-%d.yml", time.Now().UnixNano()))
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}
