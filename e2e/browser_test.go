package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/billingexporter/billing_exporter/internal/sandbox"
)

// screenshotEnv names a file the browser test writes its screenshot to (the
// README's docs/status-page.png is made this way); without it the
// screenshot goes to the test's temp dir.
const screenshotEnv = "BILLING_SCREENSHOT"

type statusRow struct {
	Target, State, Code, Error string
}

// TestStatusPageInBrowser loads /status in headless Chromium: no console
// errors, every configured account with its state, a failing account
// marked failing with the upstream's code and message, and no secret or
// personal data anywhere in the page.
func TestStatusPageInBrowser(t *testing.T) {
	chromium := lookPath(t, "chromium")
	dir := t.TempDir()
	bin := buildExporter(t, dir)
	d := startUpstreams(t)
	c := d.Config
	cfg := filepath.Join(dir, "billing_exporter.yml")
	writeFile(t, cfg, fmt.Sprintf(`global: {min_refresh_interval: 1m}
ncloud:
  - {name: main, endpoint: "%s", access_key: %s, secret_key: %s}
vgp:
  - {name: fleet, endpoint: "%s", caller: Vroomgo, phone_number: "%s"}
  - {name: ghost, endpoint: "%s", caller: Vroomgo, email: nobody-here@example.com}
portone:
  - {name: shop, endpoint: "%s", imp_key: %s, imp_secret: %s, lookback: 30d, lookahead: 45d}
`, c.NCloud[0].Endpoint, sandbox.DemoNCloudAccessKey, sandbox.DemoNCloudSecretKey,
		c.VGP[0].Endpoint, sandbox.DemoVGPPhone, c.VGP[0].Endpoint,
		c.PortOne[0].Endpoint, sandbox.DemoPortOneImpKey, sandbox.DemoPortOneImpSecret))
	addr := freeAddr(t)
	start(t, bin, "--config.file="+cfg, "--web.listen-address="+addr, "--log.level=warn")
	poll(t, "a first scrape", 20*time.Second, func() (bool, string) {
		code, _, err := httpGet("http://" + addr + "/metrics")
		return err == nil && code == 200, fmt.Sprint(err)
	})

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "chromium")), chromedp.WindowSize(1400, 700))
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	// Collect console messages from before the navigation on.
	var mu sync.Mutex
	var console []string
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatal(err)
	}
	msgCtx, stopMessages := context.WithCancel(ctx)
	messages := chromedp.Console(msgCtx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			console = append(console, string(m.Type)+": "+m.String())
			mu.Unlock()
		}
	}()

	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/status"), chromedp.WaitVisible("#status")); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]statusRow](`[...document.querySelectorAll("#status tbody tr")].map(r => ({
		Target: r.dataset.target || "", State: r.className,
		Code: r.cells[8] ? r.cells[8].innerText : "", Error: r.cells[9] ? r.cells[9].innerText : ""}))`))
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text("body"))
	if err != nil {
		t.Fatal(err)
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML("html"))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 means PNG
	if err != nil {
		t.Fatal(err)
	}
	out := os.Getenv(screenshotEnv)
	if out == "" {
		out = filepath.Join(dir, "status-page.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(shot))
	stopMessages()
	<-done

	want := map[string]string{
		"ncloud/main/credit": "ok", "ncloud/main/coin": "ok", "ncloud/main/demand": "ok", "ncloud/main/invoice": "ok",
		"vgp/fleet/payments": "ok", "vgp/ghost/payments": "failing", "portone/shop/schedules": "ok",
	}
	if len(rows) != len(want) {
		t.Errorf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for _, r := range rows {
		if want[r.Target] != r.State {
			t.Errorf("row %s: state %q, want %q", r.Target, r.State, want[r.Target])
		}
		if r.Target == "vgp/ghost/payments" && (r.Code != "3200" || !strings.Contains(r.Error, "Not Member")) {
			t.Errorf("failing row shows code %q error %q, want 3200 and Not Member", r.Code, r.Error)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range console {
		if strings.HasPrefix(m, "error") || strings.HasPrefix(m, "exception") || strings.HasPrefix(m, "warning") {
			t.Errorf("browser console: %s", m)
		}
	}
	for _, v := range append(d.Secrets(), d.PersonalData()...) {
		if v != "" && (strings.Contains(text, v) || strings.Contains(html, v)) {
			t.Errorf("the status page shows %q", mask(v))
		}
	}
	if strings.Contains(html, "nobody-here@example.com") {
		t.Error("the status page shows the failing member's e-mail")
	}
}
