package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// decode runs internal/ncloud's BenchmarkDecodeCredits (decoding only: the
// pages are fetched from the fake before the timer starts) and reports CPU
// and allocations per credit record, for XML (encoding/xml) and JSON
// (go-json-experiment/json). The benchmark decodes on one goroutine, so its
// ns/record is CPU time.
func (h *harness) decode() error {
	iterations := "3x"
	if h.smoke {
		iterations = "1x"
	}
	cmd := exec.CommandContext(h.ctx, "go", "test", "-run=^$", "-bench=^BenchmarkDecodeCredits$", "-benchtime="+iterations, "-benchmem", "./internal/ncloud")
	cmd.Dir = h.root
	cmd.Env = append(os.Environ(), "BILLING_BENCH_CREDITS="+strconv.Itoa(h.s.decodeRecords))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	rows := map[string]row{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		name, metrics, ok := parseBenchLine(sc.Text())
		if !ok || !strings.HasPrefix(name, "BenchmarkDecodeCredits/") {
			continue
		}
		sub := strings.TrimPrefix(name, "BenchmarkDecodeCredits/")
		if i := strings.LastIndexByte(sub, '-'); i > 0 {
			if _, err := strconv.Atoi(sub[i+1:]); err == nil {
				sub = sub[:i] // the GOMAXPROCS suffix
			}
		}
		if err := positive("decode "+sub+" ns/record", metrics["ns/record"]); err != nil {
			return err
		}
		rows[sub] = row{
			measured: fmt.Sprintf("%.1f µs CPU per record (%.0f MB/s), %.1f KiB allocated per record",
				metrics["ns/record"]/1e3, metrics["MB/s"], metrics["B/op"]/float64(h.s.decodeRecords)/1024),
			target: "reported", ratio: "-", info: true,
		}
	}
	for _, sub := range []string{"xml", "json"} {
		r, ok := rows[sub]
		if !ok {
			return fmt.Errorf("no result of BenchmarkDecodeCredits/%s:\n%s", sub, out)
		}
		r.scenario = fmt.Sprintf("4c. Decoding %d NCP credit records, %s (BenchmarkDecodeCredits)", h.s.decodeRecords, strings.ToUpper(sub))
		h.add(r)
	}
	return nil
}

// parseBenchLine reads "BenchmarkX-2  3  123 ns/op  45 MB/s ..." into the
// name and value-by-unit.
func parseBenchLine(line string) (string, map[string]float64, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
		return "", nil, false
	}
	m := map[string]float64{}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return "", nil, false
		}
		m[f[i+1]] = v
	}
	return f[0], m, true
}
