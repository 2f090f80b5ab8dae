package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// profileSource is added to package main of cmd/billing_exporter with
// go build -overlay when the harness runs with -cpuprofile, so that the
// profiled binary is the real exporter and the shipped one has no profiling
// hook. The profile starts with the process and is written on SIGUSR1.
const profileSource = `package main

import (
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func init() {
	path := os.Getenv("BILLING_BENCH_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		<-usr1
		pprof.StopCPUProfile()
		_ = f.Close()
		_ = os.WriteFile(path+".done", nil, 0o600)
	}()
}
`

// profileOverlay writes the overlay that adds profileSource to the
// exporter's package main and returns the go build flag for it.
func profileOverlay(root, dir string) (string, error) {
	src := filepath.Join(dir, "bench_cpuprofile.go")
	if err := os.WriteFile(src, []byte(profileSource), 0o600); err != nil {
		return "", err
	}
	overlay, err := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(root, "cmd", "billing_exporter", "zz_bench_cpuprofile.go"): src},
	})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "overlay.json")
	return "-overlay=" + path, os.WriteFile(path, overlay, 0o600)
}

// profileDir is where exporter processes write CPU profiles ("" = none).
var (
	profileDir string
	profileSeq atomic.Int64
)

// profileEnv is the environment of an exporter process, which profiles
// itself under -cpuprofile.
func profileEnv() []string {
	env := os.Environ()
	if profileDir == "" {
		return env
	}
	path := filepath.Join(profileDir, fmt.Sprintf("exporter-%02d.pprof", profileSeq.Add(1)))
	return append(env, "BILLING_BENCH_CPUPROFILE="+path)
}

// writeProfile asks a profiling exporter to write its profile and waits
// for it.
func (p *proc) writeProfile() {
	path := ""
	for _, e := range p.cmd.Env {
		if v, ok := strings.CutPrefix(e, "BILLING_BENCH_CPUPROFILE="); ok {
			path = v
		}
	}
	if path == "" {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGUSR1)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path + ".done"); err == nil {
			logf("CPU profile written to %s", path)
			return
		}
	}
	logf("no CPU profile from %s", p.name)
}
