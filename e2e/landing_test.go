package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestLandingPageInBrowser reads / and /status of the binary under --demo in
// headless Chromium, as text a person sees: the placeholders of the /probe
// syntax appear as written (not eaten as tags), the demo notice is there,
// and the Probe link opens the first configured account's series.
func TestLandingPageInBrowser(t *testing.T) {
	chromium := lookPath(t, "chromium")
	dir := t.TempDir()
	bin := buildExporter(t, dir)
	addr := freeAddr(t)
	start(t, bin, "--demo", "--web.listen-address="+addr, "--log.level=warn")
	poll(t, "the exporter", 20*time.Second, func() (bool, string) {
		code, _, err := httpGet("http://" + addr + "/-/ready")
		return err == nil && code == 200, fmt.Sprint(err)
	})

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "chromium")))
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/"), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text("body"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Billing Exporter",
		"Probe ncloud/main: One account's series: /probe?target=<provider>/<account>[&collector=<name>]",
		"demo mode: fake upstreams: every account is served by fake upstreams on loopback",
		"Version: (version=",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("landing page text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "/probe?target=/[") {
		t.Errorf("placeholders eaten as tags:\n%s", text)
	}

	sub, cancelSub := context.WithTimeout(ctx, 15*time.Second)
	err = chromedp.Do(sub, chromedp.Click(`a[href^="/probe"]`, chromedp.NodeVisible), chromedp.WaitReady("pre"))
	cancelSub()
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.OuterHTML("html"))
		t.Fatalf("following the Probe link: %v; at %s:\n%s", err, loc, tail(body, 20))
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	probe, err := chromedp.Run(ctx, chromedp.Text("pre"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/probe?target=ncloud%2Fmain") || !strings.Contains(probe, `billing_up{account="main",collector="credit",provider="ncloud"} 1`) {
		t.Errorf("the Probe link opened %s:\n%s", loc, tail(probe, 20))
	}

	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/status"), chromedp.WaitVisible("#status")); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text("#demo"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(status, "demo mode: fake upstreams") {
		t.Errorf("/status demo notice reads %q", status)
	}
}
