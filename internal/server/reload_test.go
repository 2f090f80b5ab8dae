package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"

	"github.com/billingexporter/billing_exporter/collector"
	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
	"github.com/billingexporter/billing_exporter/internal/upstream"
)

// reloadFixture serves exporters loaded from a config file in a temp dir.
type reloadFixture struct {
	dir, path string
	ts        *httptest.Server
	srv       *Server
	vgpURL    string
	portone   string
}

func newReloadFixture(t *testing.T, lifecycle bool) *reloadFixture {
	t.Helper()
	vsim := vgpsim.New()
	vsim.AddMember(vgpsim.SeedMember())
	vsim.AddMember(vgpsim.Member{Email: "second@example.com", Records: vgpsim.Generate(1, 3, timeNow())})
	vup := httptest.NewServer(vsim)
	t.Cleanup(vup.Close)
	psim := portonesim.New(portonesim.Options{})
	psim.AddMerchant(portonesim.Merchant{ImpKey: "key", ImpSecret: "right-secret"})
	pup := httptest.NewServer(psim)
	t.Cleanup(pup.Close)

	f := &reloadFixture{dir: t.TempDir(), vgpURL: vup.URL + vgpsim.Path, portone: pup.URL}
	f.path = filepath.Join(f.dir, "billing_exporter.yml")
	reg := prometheus.NewRegistry()
	requests := upstream.NewRequestCounter(reg)
	load := func() (*collector.Exporter, error) {
		cfg, err := config.Load(f.path)
		if err != nil {
			return nil, err
		}
		cfg.Global.MinRefreshInterval = 0
		return collector.New(cfg, collector.Options{Logger: promslog.NewNopLogger(), Requests: requests})
	}
	srv, err := New(Options{Logger: promslog.NewNopLogger(), Gatherer: reg, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	srv.EnableReload(load, lifecycle, reg, collector.ForgetRemoved)
	f.srv = srv
	f.ts = httptest.NewServer(srv)
	t.Cleanup(f.ts.Close)
	return f
}

func (f *reloadFixture) write(t *testing.T, name, content string) {
	t.Helper()
	content = strings.NewReplacer("{{vgp}}", f.vgpURL, "{{portone}}", f.portone).Replace(content)
	if err := os.WriteFile(filepath.Join(f.dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

const twoAccounts = `
vgp:
  - {name: fleet, endpoint: "{{vgp}}", caller: Vroomgo, phone_number: "821041139274"}
  - {name: second, endpoint: "{{vgp}}", caller: Vroomgo, email: second@example.com}
`

func TestReloadSwapsAndKeepsOldOnError(t *testing.T) {
	f := newReloadFixture(t, true)
	f.write(t, "billing_exporter.yml", twoAccounts)
	if err := f.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, f.ts.URL+"/metrics")
	for _, want := range []string{`billing_vgp_balance{account="fleet"`, `billing_vgp_balance{account="second"`,
		`billing_upstream_requests_total{account="second",code="200",provider="vgp"} 1`, "billing_config_last_reload_successful 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}

	// A broken file is refused; the old accounts keep serving.
	f.write(t, "billing_exporter.yml", "vgp:\n  - {name: fleet, caller: Vroomgo}\n")
	if err := f.srv.Reload(); err == nil || !strings.Contains(err.Error(), `vgp account "fleet": at least one of "phone_number" and "email"`) {
		t.Fatalf("broken reload: %v", err)
	}
	_, body = get(t, f.ts.URL+"/metrics")
	if !strings.Contains(body, `billing_vgp_balance{account="second"`) || !strings.Contains(body, "billing_config_last_reload_successful 0") {
		t.Errorf("after a failed reload the old config must serve and the failure show:\n%s", grepLines(body, "billing_config", "billing_vgp_balance"))
	}

	// Removing an account removes its series, request counters included.
	f.write(t, "billing_exporter.yml", "vgp:\n  - {name: fleet, endpoint: \""+f.vgpURL+"\", caller: Vroomgo, phone_number: \"821041139274\"}\n")
	if err := f.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, f.ts.URL+"/metrics")
	if strings.Contains(body, `account="second"`) || !strings.Contains(body, `billing_vgp_balance{account="fleet"`) || !strings.Contains(body, "billing_config_last_reload_successful 1") {
		t.Errorf("after removing an account:\n%s", grepLines(body, "account=", "billing_config"))
	}
}

// A reload re-reads secret files: a fixed credential takes effect.
func TestReloadRereadsSecretFiles(t *testing.T) {
	f := newReloadFixture(t, true)
	f.write(t, "portone_secret", "wrong-secret\n")
	f.write(t, "billing_exporter.yml", `
portone:
  - {name: shop, endpoint: "{{portone}}", imp_key: key, imp_secret_file: portone_secret}
`)
	if err := f.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, f.ts.URL+"/metrics")
	if !strings.Contains(body, `billing_up{account="shop",collector="schedules",provider="portone"} 0`) {
		t.Fatalf("wrong secret should fail:\n%s", grepLines(body, "billing_up"))
	}
	f.write(t, "portone_secret", "right-secret\n")
	if code, msg := post(t, f.ts.URL+"/-/reload"); code != 200 {
		t.Fatalf("POST /-/reload = %d %s", code, msg)
	}
	_, body = get(t, f.ts.URL+"/metrics")
	if !strings.Contains(body, `billing_up{account="shop",collector="schedules",provider="portone"} 1`) {
		t.Errorf("after fixing the secret file:\n%s", grepLines(body, "billing_up"))
	}
	if strings.Contains(body, "right-secret") || strings.Contains(body, "wrong-secret") {
		t.Error("a secret appears in /metrics")
	}
}

func TestReloadEndpointNeedsLifecycle(t *testing.T) {
	off := newReloadFixture(t, false)
	off.write(t, "billing_exporter.yml", twoAccounts)
	if code, _ := post(t, off.ts.URL+"/-/reload"); code != http.StatusForbidden {
		t.Errorf("POST /-/reload without --web.enable-lifecycle = %d, want 403", code)
	}
	on := newReloadFixture(t, true)
	on.write(t, "billing_exporter.yml", "vgp: [{name: x, caller: Vroomgo}]")
	if code, msg := post(t, on.ts.URL+"/-/reload"); code != http.StatusInternalServerError || !strings.Contains(msg, `vgp account "x"`) {
		t.Errorf("broken reload = %d %q, want 500 naming the account", code, msg)
	}
	if code, _ := get(t, on.ts.URL+"/-/reload"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload = %d, want 405", code)
	}
}

func post(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := new(strings.Builder)
	_, _ = io.Copy(buf, resp.Body)
	return resp.StatusCode, buf.String()
}

func grepLines(body string, subs ...string) string {
	var out []string
	for l := range strings.SplitSeq(body, "\n") {
		for _, s := range subs {
			if strings.Contains(l, s) && !strings.HasPrefix(l, "#") {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

func timeNow() time.Time { return time.Now() }
