// Package readmecheck holds README.md to the code: every flag of --help,
// every config key, every exported metric with its labels and every alert
// threshold name is documented, and the README names none that does not
// exist.
package readmecheck

import (
	"bufio"
	"context"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

const root = "../.."

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// binary builds the exporter once for the tests of this package.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "billing_exporter")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/billing_exporter").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// ---------------------------------------------------------------------------
// Flags

// helpFlag matches a flag line of kingpin's --help (descriptions are
// indented further).
var helpFlag = regexp.MustCompile(`(?m)^ {2,6}(?:-\w, )?--(?:\[no-\])?([a-z][a-z0-9.-]*)`)

// ourFlag matches the README's mentions of flags in the exporter's own
// namespaces (other programs' flags, such as Prometheus' --storage.*, are
// left alone; where they share a namespace they must be ours too).
var ourFlag = regexp.MustCompile(`--((?:web|config|log|metrics|scrape)\.[a-z0-9.-]*[a-z0-9]|demo|version)\b`)

func TestREADMEFlags(t *testing.T) {
	out, _ := exec.Command(binary(t), "--help").CombinedOutput()
	flags := map[string]bool{}
	for _, m := range helpFlag.FindAllStringSubmatch(string(out), -1) {
		if m[1] != "help" {
			flags[m[1]] = true
		}
	}
	if len(flags) < 10 {
		t.Fatalf("found %d flags in --help:\n%s", len(flags), out)
	}
	text := readme(t)
	block := section(t, text, "## Flags")
	for _, f := range slices.Sorted(maps.Keys(flags)) {
		if !regexp.MustCompile(`(?m)^--` + regexp.QuoteMeta(f) + `\b`).MatchString(block) {
			t.Errorf("flag --%s (from --help) is not in the README's Flags section", f)
		}
	}
	for _, m := range ourFlag.FindAllStringSubmatch(text, -1) {
		if !flags[m[1]] {
			t.Errorf("the README names --%s, which --help does not list", m[1])
		}
	}
}

// section returns the text of the README section that starts with heading,
// up to the next heading of the same level.
func section(t *testing.T, text, heading string) string {
	t.Helper()
	i := strings.Index(text, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README has no %q section", heading)
	}
	rest := text[i+len(heading)+2:]
	level := heading[:strings.IndexByte(heading, ' ')+1]
	if j := strings.Index(rest, "\n"+level); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// ---------------------------------------------------------------------------
// Config keys

// httpClientKeys are the http_client_config keys the README documents (the
// ones for proxies and TLS; the others are refused or rarely needed).
var httpClientKeys = []string{
	"proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header",
	"tls_config", "tls_config.ca_file", "tls_config.cert_file", "tls_config.key_file",
	"tls_config.server_name", "tls_config.insecure_skip_verify", "tls_config.min_version",
	"follow_redirects", "enable_http2",
}

// configKeys lists every key path of the configuration file, from the Go
// types the decoder reads: "global.timeout", "ncloud[].name",
// "ncloud[].thresholds.stale", "vgp[].http_client_config.proxy_url".
func configKeys() []string {
	keys, _ := configKeyKinds()
	return keys
}

// configKeyKinds also returns the keys whose values are free-form maps
// (min_refresh_interval_by_collector: {demand: 1h}).
func configKeyKinds() (keys []string, mapKeys map[string]bool) {
	mapKeys = map[string]bool{}
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == reflect.TypeFor[config.HTTPClientConfig]() {
			for _, k := range httpClientKeys {
				keys = append(keys, prefix+"."+k)
			}
			return
		}
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			path := strings.TrimPrefix(prefix+"."+name, ".")
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				keys = append(keys, path)
				walk(path+"[]", ft.Elem())
			case ft.Kind() == reflect.Struct && ft.PkgPath() == reflect.TypeFor[config.Config]().PkgPath() && ft.NumField() > 0 && ft.Name() != "Duration":
				keys = append(keys, path)
				walk(path, ft)
			default:
				keys = append(keys, path)
				if ft.Kind() == reflect.Map {
					mapKeys[path] = true
				}
			}
		}
	}
	walk("", reflect.TypeFor[config.Config]())
	return keys, mapKeys
}

// readmeConfigPaths are the key paths of the README's config examples:
// the YAML blocks whose top-level keys are sections of the config file.
func readmeConfigPaths(t *testing.T, text string) map[string]bool {
	t.Helper()
	paths := map[string]bool{}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(text, -1)
	for _, b := range blocks {
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(b[1]), &doc); err != nil {
			t.Errorf("README YAML block does not parse: %v\n%s", err, b[1])
			continue
		}
		if len(doc) == 0 || slices.ContainsFunc(slices.Collect(maps.Keys(doc)), func(k string) bool {
			return !slices.Contains([]string{"global", "ncloud", "vgp", "portone"}, k)
		}) {
			continue // a Prometheus, Alertmanager or chart example
		}
		var walk func(prefix string, v any)
		walk = func(prefix string, v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					p := strings.TrimPrefix(prefix+"."+k, ".")
					paths[p] = true
					if !strings.HasSuffix(p, "proxy_connect_header") {
						walk(p, x)
					}
				}
			case []any:
				for _, x := range v {
					walk(prefix+"[]", x)
				}
			}
		}
		walk("", doc)
	}
	return paths
}

func TestREADMEConfigKeys(t *testing.T) {
	text := readme(t)
	keys := configKeys()
	if len(keys) < 40 {
		t.Fatalf("found only %d config keys: %v", len(keys), keys)
	}
	inYAML := readmeConfigPaths(t, text)
	// http_client_config is the same for every provider: documenting it
	// once (for any provider, or as `http_client_config.<key>`) covers all.
	anyProvider := func(k string) string {
		if _, sub, ok := strings.Cut(k, "[].http_client_config"); ok {
			return "http_client_config" + sub
		}
		return k
	}
	documented := map[string]bool{}
	for p := range inYAML {
		documented[p], documented[anyProvider(p)] = true, true
	}
	for _, k := range keys {
		// Documented in a config example, or named in backticks in the
		// key table (`ncloud[].secret_key_file`).
		if !documented[k] && !documented[anyProvider(k)] && !strings.Contains(text, "`"+k+"`") && !strings.Contains(text, "`"+anyProvider(k)+"`") {
			t.Errorf("config key %s is in no README config example and not named as `%s`", k, k)
		}
	}
	_, mapKeys := configKeyKinds()
	for p := range inYAML {
		if i := strings.LastIndexByte(p, '.'); i > 0 && mapKeys[p[:i]] {
			continue // a key of a map value
		}
		if !slices.Contains(keys, p) && !strings.Contains(p, "proxy_connect_header.") {
			t.Errorf("the README's config examples use %s, which the configuration does not have", p)
		}
	}
	for _, m := range regexp.MustCompile("`((?:global|ncloud\\[\\]|vgp\\[\\]|portone\\[\\])\\.[a-z_.\\[\\]]+)`").FindAllStringSubmatch(text, -1) {
		if !slices.Contains(keys, m[1]) {
			t.Errorf("the README names `%s`, which the configuration does not have", m[1])
		}
	}
}

// ---------------------------------------------------------------------------
// Metrics

// families scrapes the binary in --demo mode (every provider, the exporter's
// own metrics) and, in process, the demo's accounts with PortOne in
// aggregate mode, and returns each metric's label names.
func families(t *testing.T) (all, aggregated map[string]map[string]bool, thresholds map[string]bool) {
	t.Helper()
	all = map[string]map[string]bool{}
	thresholds = map[string]bool{}
	add := func(into map[string]map[string]bool, mfs map[string]*familyData) {
		for name, f := range mfs {
			if into[name] == nil {
				into[name] = map[string]bool{}
			}
			maps.Copy(into[name], f.labels)
			if name == "billing_alert_threshold" {
				maps.Copy(thresholds, f.values["threshold"])
			}
		}
	}
	add(all, scrapeBinary(t))
	d, err := sandbox.Start(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	add(all, scrapeInProcess(t, d.Config))
	agg := *d.Config
	agg.PortOne = slices.Clone(agg.PortOne)
	for i := range agg.PortOne {
		agg.PortOne[i].Aggregate = true
	}
	aggregated = map[string]map[string]bool{}
	add(aggregated, scrapeInProcess(t, &agg))
	for name, labels := range aggregated {
		if all[name] == nil {
			all[name] = map[string]bool{}
			maps.Copy(all[name], labels)
		}
	}
	return all, aggregated, thresholds
}

// declared returns the metric names the exporter's source declares
// (newDesc("ncloud", "invoice_amount", ...) and literal "billing_..."
// names), for families the demo data does not produce.
func declared(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(root, "collector", "*.go"))
	more, _ := filepath.Glob(filepath.Join(root, "internal", "server", "*.go"))
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`newDesc\("([a-z]+)", "([a-z0-9_]+)"`).FindAllStringSubmatch(string(b), -1) {
			out["billing_"+m[1]+"_"+m[2]] = true
		}
		for _, m := range regexp.MustCompile(`"(billing_[a-z0-9_]+)"`).FindAllStringSubmatch(string(b), -1) {
			out[m[1]] = true
		}
	}
	return out
}

type familyData struct {
	labels map[string]bool
	values map[string]map[string]bool
}

func parseFamilies(t *testing.T, r io.Reader) map[string]*familyData {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(r)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*familyData{}
	for name, mf := range mfs {
		f := &familyData{labels: map[string]bool{}, values: map[string]map[string]bool{}}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				f.labels[l.GetName()] = true
				if f.values[l.GetName()] == nil {
					f.values[l.GetName()] = map[string]bool{}
				}
				f.values[l.GetName()][l.GetValue()] = true
			}
		}
		out[name] = f
	}
	return out
}

func scrapeBinary(t *testing.T) map[string]*familyData {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(binary(t), "--demo", "--web.listen-address="+addr, "--log.level=error")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not get ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // waiting for another process
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "15")
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return parseFamilies(t, bufio.NewReader(resp.Body))
}

func scrapeInProcess(t *testing.T, cfg *config.Config) map[string]*familyData {
	t.Helper()
	reg := prometheus.NewRegistry()
	e, err := collector.New(cfg, collector.Options{Requests: upstream.NewRequestCounter(reg)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Retire()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var b strings.Builder
	if err := e.WriteScrape(ctx, &b, collector.ScrapeOptions{Format: expfmt.FmtText, Self: reg}); err != nil {
		t.Fatal(err)
	}
	return parseFamilies(t, strings.NewReader(b.String()))
}

// metricRows parses the README's metric table: | `name` | labels | value |.
// The labels cell is a comma-separated list of label names.
func metricRows(t *testing.T, text string) map[string][]string {
	t.Helper()
	rows := map[string][]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(billing_[a-z0-9_]+)` \\|([^|]*)\\|").FindAllStringSubmatch(section(t, text, "## Metrics"), -1) {
		var labels []string
		for l := range strings.SplitSeq(m[2], ",") {
			if l = strings.TrimSpace(l); l != "" && l != "—" {
				labels = append(labels, l)
			}
		}
		if _, dup := rows[m[1]]; dup {
			t.Errorf("README metric table lists %s twice", m[1])
		}
		rows[m[1]] = labels
	}
	return rows
}

var selfPrefixes = []string{"go_", "process_", "promhttp_"}

func TestREADMEMetrics(t *testing.T) {
	text := readme(t)
	all, aggregated, thresholds := families(t)
	rows := metricRows(t, text)
	if len(rows) < 30 {
		t.Fatalf("README metric table has %d rows", len(rows))
	}
	for _, name := range slices.Sorted(maps.Keys(all)) {
		if slices.ContainsFunc(selfPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		doc, ok := rows[name]
		if !ok {
			t.Errorf("metric %s (labels %v) is exported but not in the README's metric table", name, slices.Sorted(maps.Keys(all[name])))
			continue
		}
		got := slices.Sorted(maps.Keys(all[name]))
		if want := slices.Sorted(slices.Values(doc)); !slices.Equal(got, want) {
			t.Errorf("metric %s: exported with labels %v, the README says %v", name, got, want)
		}
		if labels, ok := aggregated[name]; ok && strings.HasPrefix(name, "billing_portone_") && labels["customer_uid"] {
			t.Errorf("metric %s keeps customer_uid in aggregate mode", name)
		}
	}
	decl := declared(t)
	for name := range rows {
		if all[name] == nil && !decl[name] {
			t.Errorf("the README's metric table lists %s, which the exporter does not export", name)
		}
	}
	// Metric names in prose: each must exist (billing_exporter is the
	// program; the examples' scrape jobs have names like billing_ncloud).
	jobs := map[string]bool{"billing_exporter": true}
	examples, _ := filepath.Glob(filepath.Join(root, "examples", "*.yml"))
	for _, f := range examples {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`job_name: *['"]?([a-z0-9_]+)`).FindAllStringSubmatch(string(b), -1) {
			jobs[m[1]] = true
		}
	}
	for _, m := range regexp.MustCompile(`\b(billing_[a-z0-9_]+)\b([.]yml)?`).FindAllStringSubmatch(text, -1) {
		if !jobs[m[1]] && m[2] == "" && all[m[1]] == nil && !decl[m[1]] {
			t.Errorf("the README names %s, which the exporter does not export", m[1])
		}
	}
	for _, p := range selfPrefixes {
		if !strings.Contains(text, "`"+p+"*`") {
			t.Errorf("the README does not say that %s* metrics are exported", p)
		}
	}
	if len(thresholds) < 5 {
		t.Fatalf("only %d threshold names scraped", len(thresholds))
	}
	for th := range thresholds {
		if !strings.Contains(text, "`"+th+"`") {
			t.Errorf("threshold label value %q of billing_alert_threshold is not in the README", th)
		}
	}
}
