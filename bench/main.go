// Command bench is billing_exporter's benchmark harness (make bench): it
// runs the exporter as a real process against the sandbox's fake upstreams
// (in this process, on loopback, with generated data and injected latency)
// and measures both of its costs: upstream traffic and the scrape budget.
//
// Every result is a ratio against a baseline measured in the same run (the
// injected latency L, or the floor program in bench/floor), so the targets
// hold on any machine. CPU time (utime+stime) and peak RSS (VmHWM) come from
// /proc/<pid>, allocated bytes from go_memstats_alloc_bytes_total in the
// program's own /metrics, upstream calls from the fakes' counters. Each
// measurement is repeated and the median reported.
//
// The table goes to stdout and, unless -smoke, into BENCHMARKS.md. The exit
// status is 1 when a target fails or a measurement cannot be made. With
// -smoke every scenario runs at small sizes in seconds: only crashes and
// impossible (zero) measurements fail it, so that the harness cannot rot.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"
)

// sizes are the knobs of a run.
type sizes struct {
	latency         time.Duration // L, injected before every upstream answer
	reps            int           // repetitions of each measurement
	wallReps        int           // ... of wall times, which the VM's timer and wake-up jitter make noisier
	ncloudAccounts  int           // parallelism: NCP accounts of three collectors
	pagingCredits   int           // paging: NCP credits (1000 a page)
	pagingSchedules int           // paging: PortOne schedules (1000 a page)
	scrapers        int           // upstream traffic: concurrent scrapers
	trafficCached   time.Duration // ... for this long with min_refresh_interval 1m
	trafficLive     time.Duration // ... and this long with 0
	series          int           // cost and memory at size: series of cached data
	scrapesPerRep   int           // measured scrapes per process (the floor)
	cachedScrapes   int           // ... of the exporter, whose cached scrapes cost less than the CPU clock's tick
	soakSmall       int           // scrapes of the small exporter
	soakBig         int           // scrapes at full size
	decodeRecords   int           // records of the decoding benchmark
	partnerMembers  int           // NCP partner size: members, each billed for
	partnerProducts int           // ... this many products in each of 3 months
	partnerLatency  time.Duration // ... with this latency
}

var (
	full = sizes{
		latency: 100 * time.Millisecond, reps: 5, wallReps: 11, ncloudAccounts: 5,
		pagingCredits: 50_000, pagingSchedules: 5_000,
		scrapers: 20, trafficCached: 30 * time.Second, trafficLive: 10 * time.Second,
		series: 300_000, scrapesPerRep: 4, cachedScrapes: 40, soakSmall: 1000, soakBig: 30, decodeRecords: 50_000,
		partnerMembers: 500, partnerProducts: 40, partnerLatency: 50 * time.Millisecond,
	}
	smoke = sizes{
		latency: 20 * time.Millisecond, reps: 1, wallReps: 1, ncloudAccounts: 2,
		pagingCredits: 3_000, pagingSchedules: 1_500,
		scrapers: 5, trafficCached: 2 * time.Second, trafficLive: time.Second,
		series: 3_000, scrapesPerRep: 2, cachedScrapes: 4, soakSmall: 60, soakBig: 4, decodeRecords: 2_000,
		partnerMembers: 10, partnerProducts: 40, partnerLatency: 10 * time.Millisecond,
	}
)

// harness holds what the scenarios share.
type harness struct {
	ctx      context.Context
	s        sizes
	smoke    bool
	root     string // the repository
	dir      string // temporary: binaries and config files
	exporter string // binary
	floor    string // binary
	rows     []row
	notes    []string
}

func main() {
	smokeFlag := flag.Bool("smoke", false, "run every scenario at small sizes, enforcing no targets (seconds)")
	out := flag.String("out", "", "Markdown file whose generated section gets the results (default BENCHMARKS.md; none with -smoke)")
	only := flag.String("only", "", "comma-separated scenarios to run (parallel, paging, traffic, size, partner, soak, decode); default all")
	flag.StringVar(&profileDir, "cpuprofile", "", "directory where every exporter process writes a CPU profile (the binary is built with a profiling hook for this run only)")
	flag.Parse()
	if *out == "" && !*smokeFlag {
		*out = "BENCHMARKS.md"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, *smokeFlag, *out, *only))
}

func run(ctx context.Context, smokeRun bool, out, only string) int {
	start := time.Now()
	h := &harness{ctx: ctx, s: full, smoke: smokeRun}
	if smokeRun {
		h.s = smoke
	}
	dir, err := os.MkdirTemp("", "billing-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	h.dir = dir
	if profileDir != "" {
		if err := os.MkdirAll(profileDir, 0o750); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
	}
	logf("building billing_exporter and the floor program")
	if h.root, err = moduleRoot(ctx); err == nil {
		h.exporter, h.floor, err = buildBinaries(ctx, h.root, dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}

	scenarios := []struct {
		name string
		run  func() error
	}{
		{"parallel", h.parallelism},
		{"paging", h.paging},
		{"traffic", h.traffic},
		{"size", h.size},
		{"partner", h.partner},
		{"soak", h.soak},
		{"decode", h.decode},
	}
	failed := false
	for _, sc := range scenarios {
		if only != "" && !strings.Contains(","+only+",", ","+sc.name+",") {
			continue
		}
		logf("scenario %s", sc.name)
		began := time.Now()
		err := sc.run()
		logf("scenario %s took %s", sc.name, time.Since(began).Round(100*time.Millisecond))
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", sc.name, err)
			h.rows = append(h.rows, row{scenario: sc.name, measured: "error: " + oneLine(err), target: "runs", ratio: "-"})
			failed = true
		}
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "bench: interrupted")
			return 1
		}
	}

	fmt.Println()
	fmt.Print(table(h.rows, smokeRun))
	for _, n := range h.notes {
		fmt.Println("- " + n)
	}
	took := time.Since(start)
	fmt.Printf("\n%s in %s\n", map[bool]string{true: "bench -smoke", false: "bench"}[smokeRun], took.Round(time.Second))
	if out != "" {
		if err := writeReport(out, command(), h.rows, h.notes, took); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		fmt.Println("results written to", out)
	}
	for _, r := range h.rows {
		failed = failed || (!r.info && !r.pass && !smokeRun)
	}
	if failed {
		return 1
	}
	return 0
}

// command is how this run was started, for the report.
func command() string {
	return strings.TrimSpace("go run ./bench " + strings.Join(os.Args[1:], " "))
}

func (h *harness) add(r row) { h.rows = append(h.rows, r) }

func (h *harness) note(format string, args ...any) {
	h.notes = append(h.notes, fmt.Sprintf(format, args...))
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func oneLine(err error) string {
	s := strings.ReplaceAll(err.Error(), "\n", " ")
	s = strings.ReplaceAll(s, "|", "/")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
