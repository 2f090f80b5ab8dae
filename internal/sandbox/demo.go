// Package sandbox runs the fake upstreams (ncloudsim, vgpsim, portonesim) on
// loopback with demo data, and builds the configuration that points the
// exporter at them. --demo and the end-to-end tests use it.
//
// The demo data is realistic generated history plus a few hand-made
// situations that dashboards and alerts must show: a credit almost used up
// that expires this month, a coin with money left that expires this month,
// a low VGP balance, a PortOne customer whose payment failed and one with
// nothing scheduled (v1 and V2 alike), and an NCP member with an unpaid,
// overdue invoice.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/billingexporter/billing_exporter/internal/config"
	"github.com/billingexporter/billing_exporter/internal/sandbox/fault"
	"github.com/billingexporter/billing_exporter/internal/sandbox/ncloudsim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/portonesim"
	"github.com/billingexporter/billing_exporter/internal/sandbox/vgpsim"
)

// Demo credentials. They exist only inside this process.
const (
	DemoNCloudAccessKey  = "ncp_iam_DEMOACCESSKEY0001"
	DemoNCloudSecretKey  = "ncp_iam_DEMOSECRETKEY000000000000000001"
	DemoNCloudOrgKey     = "ncp_iam_DEMOACCESSKEY0002"
	DemoNCloudOrgSecret  = "ncp_iam_DEMOSECRETKEY000000000000000002"
	DemoPortOneImpKey    = "demo_imp_key_0001"
	DemoPortOneImpSecret = "demo_imp_secret_0000000000000000000000000001"
	DemoPortOneV2Secret  = "demo_v2_api_secret_00000000000000000000000000000001"
	DemoPortOneV2StoreID = "store-demo-0001"
	DemoVGPPhone         = "821012345678"
	DemoVGPLowEmail      = "kiosk-operator@example.com"
)

// Demo is a running set of fake upstreams.
type Demo struct {
	Config  *config.Config
	NCloud  *ncloudsim.Server
	VGP     *vgpsim.Server
	PortOne *portonesim.Server
	// PortOneV2 serves the PortOne V2 store.
	PortOneV2 *portonesim.V2Server
	servers   []*http.Server
	// personal is every piece of personal data the upstreams hold.
	personal []string
	mu       sync.Mutex
	carried  map[string]bool // credentials seen on the wire
}

// credentialHeaders are the request headers that carry credentials.
var credentialHeaders = []string{"Authorization", "X-Ncp-Iam-Access-Key", "X-Ncp-Apigw-Signature-V2"}

// Carried returns every credential the upstreams received in a header:
// PortOne tokens, NCP access keys and signatures.
func (d *Demo) Carried() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Collect(maps.Keys(d.carried))
}

func (d *Demo) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		for _, k := range credentialHeaders {
			if v := r.Header.Get(k); v != "" {
				d.carried[strings.TrimPrefix(strings.TrimPrefix(v, "Bearer "), "PortOne ")] = true
			}
		}
		d.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Secrets are the demo's credentials, which must never be shown.
func (d *Demo) Secrets() []string {
	return []string{DemoNCloudSecretKey, DemoNCloudOrgSecret, DemoPortOneImpSecret, DemoPortOneV2Secret}
}

// PersonalData is every phone number, e-mail, buyer name and address the
// demo's upstreams hold, none of which may become a label or a log line.
func (d *Demo) PersonalData() []string { return d.personal }

// StartDemo starts the fake upstreams on loopback and stops them when ctx
// is done.
func StartDemo(ctx context.Context, logger *slog.Logger) (*config.Config, error) {
	d, err := Start(time.Now())
	if err != nil {
		return nil, err
	}
	go func() {
		<-ctx.Done()
		d.Close()
	}()
	logger.Debug("Demo upstreams listening", "ncloud", d.Config.NCloud[0].Endpoint, "vgp", d.Config.VGP[0].Endpoint, "portone", d.Config.PortOne[0].Endpoint)
	return d.Config, nil
}

// Start serves demo data as of now from three loopback listeners.
func Start(now time.Time) (*Demo, error) {
	d := &Demo{
		carried:   map[string]bool{},
		NCloud:    ncloudsim.New(ncloudsim.Options{}),
		VGP:       vgpsim.New(),
		PortOne:   portonesim.New(portonesim.Options{}),
		PortOneV2: portonesim.NewV2(portonesim.V2Options{}),
	}
	d.NCloud.AddAccount(ncloudsim.Account{AccessKey: DemoNCloudAccessKey, SecretKey: DemoNCloudSecretKey, Data: ncloudMain(now)})
	d.NCloud.AddAccount(ncloudsim.Account{AccessKey: DemoNCloudOrgKey, SecretKey: DemoNCloudOrgSecret, Data: ncloudsim.Generate(ncloudsim.GenerateOptions{
		Seed: 2, Now: now, Members: []string{"20000001", "20000002", "20000003"}, Credits: 9, Coins: 4, DemandProducts: 8, DemandMonths: 3,
	})})
	d.VGP.AddMember(vgpsim.Member{PhoneNumber: DemoVGPPhone, Records: vgpsim.Generate(1, 40, now)})
	d.VGP.AddMember(vgpsim.Member{Email: DemoVGPLowEmail, Records: vgpLow(now)})
	shop := portoneShop(now)
	d.PortOne.AddMerchant(portonesim.Merchant{ImpKey: DemoPortOneImpKey, ImpSecret: DemoPortOneImpSecret, Schedules: shop})
	d.personal = []string{DemoVGPPhone, "+" + DemoVGPPhone, DemoVGPLowEmail}
	for _, s := range shop {
		d.personal = append(d.personal, s.BuyerName, s.BuyerEmail, s.BuyerTel, s.BuyerAddr)
	}
	store := portoneStore(now)
	d.PortOneV2.AddMerchant(portonesim.V2Merchant{Secret: DemoPortOneV2Secret, Schedules: store})
	for _, s := range store {
		d.personal = append(d.personal, s.CustomerName, s.CustomerEmail, s.CustomerPhone, s.BillingKey)
	}

	ncloudURL, err := d.serve(d.NCloud)
	if err != nil {
		return nil, err
	}
	vgpURL, err := d.serve(d.VGP)
	if err != nil {
		d.Close()
		return nil, err
	}
	portoneURL, err := d.serve(d.PortOne)
	if err != nil {
		d.Close()
		return nil, err
	}
	portoneV2URL, err := d.serve(d.PortOneV2)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Config, err = demoConfig(ncloudURL+"/billing/v1", vgpURL+vgpsim.Path, portoneURL, portoneV2URL)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("demo configuration: %w", err)
	}
	return d, nil
}

// Close stops the listeners.
func (d *Demo) Close() {
	for _, s := range d.servers {
		_ = s.Close()
	}
}

func (d *Demo) serve(h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listening on loopback: %w", err)
	}
	s := &http.Server{Handler: d.record(fault.CaptureBody(h)), ReadHeaderTimeout: 10 * time.Second}
	d.servers = append(d.servers, s)
	go func() {
		if err := s.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err) // a loopback listener that fails is a broken machine
		}
	}()
	return "http://" + l.Addr().String(), nil
}

// demoConfigYAML is the demo's configuration, parsed like a user's file so
// that defaults and validation are the same.
const demoConfigYAML = `
global:
  min_refresh_interval: 15s
  timeout: 10s
ncloud:
  - name: main
    endpoint: {{ncloud}}
    access_key: ` + DemoNCloudAccessKey + `
    secret_key: ` + DemoNCloudSecretKey + `
    response_format: xml
    demand_months: 3
    thresholds:
      # the demo's credit and coin expire at the end of this month, which
      # can be more than the default 30d away on its first day
      credit_expiry_warning: 45d
      coin_expiry_warning: 45d
  - name: org
    endpoint: {{ncloud}}
    access_key: ` + DemoNCloudOrgKey + `
    secret_key: ` + DemoNCloudOrgSecret + `
    response_format: json
    is_organization: true
    demand_months: 3
vgp:
  - name: fleet
    endpoint: {{vgp}}
    caller: Vroomgo
    phone_number: "` + DemoVGPPhone + `"
  - name: kiosk
    endpoint: {{vgp}}
    caller: Vroomgo
    email: ` + DemoVGPLowEmail + `
portone:
  - name: shop
    endpoint: {{portone}}
    imp_key: ` + DemoPortOneImpKey + `
    imp_secret: ` + DemoPortOneImpSecret + `
    lookback: 30d
    lookahead: 45d
  - name: store
    api_version: v2
    endpoint: {{portonev2}}
    api_secret: ` + DemoPortOneV2Secret + `
    store_id: ` + DemoPortOneV2StoreID + `
    lookback: 30d
    lookahead: 45d
`

func demoConfig(ncloudURL, vgpURL, portoneURL, portoneV2URL string) (*config.Config, error) {
	text := strings.NewReplacer("{{ncloud}}", ncloudURL, "{{vgp}}", vgpURL, "{{portonev2}}", portoneV2URL, "{{portone}}", portoneURL).Replace(demoConfigYAML)
	return config.Parse([]byte(text), "demo.yml")
}
