package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// row is one line of the results table. A row without a target (info)
// reports a number that has no limit; it never fails.
type row struct {
	scenario, measured, target, ratio string
	pass, info                        bool
}

func (r row) result(smoke bool) string {
	switch {
	case r.info:
		return "info"
	case r.pass:
		return "PASS"
	case smoke:
		return "FAIL (not enforced: -smoke)"
	}
	return "FAIL"
}

// table renders the rows as Markdown.
func table(rows []row, smoke bool) string {
	var b strings.Builder
	b.WriteString("| scenario | measured | target | ratio | result |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.scenario, r.measured, r.target, r.ratio, r.result(smoke))
	}
	return b.String()
}

// Markers around the part of BENCHMARKS.md the harness writes; the rest of
// the file (the analysis) is kept.
const (
	beginMarker = "<!-- bench:begin (written by go run ./bench; do not edit by hand) -->"
	endMarker   = "<!-- bench:end -->"
)

// writeReport replaces the generated section of path, creating the file
// when it does not exist.
func writeReport(path, command string, rows []row, notes []string, took time.Duration) error {
	var b strings.Builder
	b.WriteString(beginMarker + "\n")
	fmt.Fprintf(&b, "Run on %s: %d CPUs (%s), %s %s/%s, in %s.\n\nCommand: `%s`\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), cpuModel(),
		runtime.Version(), runtime.GOOS, runtime.GOARCH, took.Round(time.Second), command)
	b.WriteString(table(rows, false))
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			b.WriteString("- " + n + "\n")
		}
	}
	b.WriteString(endMarker + "\n")

	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	var out []byte
	before, rest, found := bytes.Cut(old, []byte(beginMarker))
	_, after, closed := bytes.Cut(rest, []byte(endMarker+"\n"))
	switch {
	case found && closed:
		out = slices.Concat(before, []byte(b.String()), after)
	case len(old) > 0:
		out = slices.Concat(old, []byte("\n"+b.String()))
	default:
		out = []byte("# Benchmarks\n\n" + b.String())
	}
	return os.WriteFile(path, out, 0o644)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

// median of xs (the mean of the middle two for an even count).
func median[T ~int64 | ~float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// positive fails on a measurement that cannot be right: zero, negative,
// NaN or infinite. The smoke run relies on it to catch a broken harness.
func positive(what string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: measured %v, which cannot be right", what, v)
	}
	return nil
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
