package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
// Linux reports 100 on every architecture Go supports, whatever the kernel's
// HZ, and reading it otherwise (sysconf) would need cgo.
const clockTicks = 100

// moduleRoot is the directory of the repository's go.mod, where the go
// commands the harness runs must run.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	mod := strings.TrimSpace(string(out))
	if err != nil || mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run the harness inside the repository (go env GOMOD: %q): %w", mod, err)
	}
	return filepath.Dir(mod), nil
}

// buildBinaries builds the exporter (as the Makefile does, without cgo) and
// the floor program into dir.
func buildBinaries(ctx context.Context, root, dir string) (exporter, floor string, err error) {
	exporter, floor = filepath.Join(dir, "billing_exporter"), filepath.Join(dir, "floor")
	for _, b := range [][2]string{{exporter, "./cmd/billing_exporter"}, {floor, "./bench/floor"}} {
		args := []string{"build", "-trimpath", "-o", b[0]}
		if profileDir != "" && b[0] == exporter {
			overlay, err := profileOverlay(root, dir)
			if err != nil {
				return "", "", err
			}
			args = append(args, overlay)
		}
		cmd := exec.CommandContext(ctx, "go", append(args, b[1])...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go build %s: %w\n%s", b[1], err, out)
		}
	}
	return exporter, floor, nil
}

// proc is a measured program running as a child process.
type proc struct {
	name   string
	cmd    *exec.Cmd
	url    string // http://host:port
	done   chan struct{}
	logMu  sync.Mutex
	stderr bytes.Buffer
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// startExporter runs billing_exporter with the config file on a free
// loopback port and waits until it is ready.
func startExporter(bin, config string) (*proc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	p := &proc{name: "billing_exporter", url: "http://" + addr}
	p.cmd = exec.Command(bin, "--config.file="+config, "--web.listen-address="+addr, "--log.level=warn")
	p.cmd.Env = profileEnv()
	if err := p.start(); err != nil {
		return nil, err
	}
	if err := p.waitReady(); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// startFloor runs the floor program and reads its address from its first
// line of output.
func startFloor(bin string, series int) (*proc, error) {
	p := &proc{name: "floor"}
	p.cmd = exec.Command(bin, "-series="+strconv.Itoa(series))
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	u, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		p.stop()
		return nil, fmt.Errorf("floor did not announce its address (first line %q; log: %s): %w", line, p.log(), cmp.Or(err, errors.New("unexpected line")))
	}
	p.url = u
	return p, p.waitReady()
}

func (p *proc) start() error {
	p.cmd.Stderr = &lockedWriter{mu: &p.logMu, w: &p.stderr}
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", p.name, err)
	}
	p.done = make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	return nil
}

// waitReady polls until the program answers HTTP, or fails when it exits.
func (p *proc) waitReady() error {
	path := "/-/ready"
	if p.name == "floor" {
		path = "/" // the floor serves metrics on every path
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited during start-up: %s", p.name, p.log())
		default:
		}
		resp, err := http.Get(p.url + path)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after 20s: %s", p.name, p.log())
}

// alive reports an error when the program has exited (crashed).
func (p *proc) alive() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited: %s", p.name, p.log())
	default:
		return nil
	}
}

// stop ends the program with SIGTERM, then SIGKILL after 10 s.
func (p *proc) stop() {
	p.writeProfile()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// log is the end of what the program wrote to stderr.
func (p *proc) log() string {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	s := p.stderr.String()
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return strings.TrimSpace(s)
}

// cpu is the CPU time (user + system) the program has used so far.
func (p *proc) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid()))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count fields after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc/pid/stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc/pid/stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// status reads a size field ("VmHWM", "VmRSS") of /proc/<pid>/status in bytes.
func (p *proc) status(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid()))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, p.pid())
}

// peakRSS is the program's peak resident set size so far.
func (p *proc) peakRSS() (int64, error) { return p.status("VmHWM") }

// rss is the program's resident set size now.
func (p *proc) rss() (int64, error) { return p.status("VmRSS") }

// freePort returns a loopback address that was free a moment ago.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.w.Len() > 1<<20 { // keep the last part only; logs are for errors
		w.w.Reset()
	}
	return w.w.Write(b)
}
