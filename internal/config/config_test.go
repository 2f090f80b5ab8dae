package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestLoadGood(t *testing.T) {
	c, err := Load("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	g := c.Global
	if time.Duration(g.MinRefreshInterval) != 10*time.Minute || time.Duration(g.Timeout) != 20*time.Second ||
		g.MaxConcurrency != 8 || time.Duration(g.StaleAfter) != 2*time.Hour || g.MaxResponseBytes != DefaultGlobal.MaxResponseBytes {
		t.Errorf("global = %+v", g)
	}
	if len(c.NCloud) != 2 {
		t.Fatalf("%d ncloud accounts", len(c.NCloud))
	}
	a := c.NCloud[0]
	if a.Name != "main" || a.AccessKey != "AK1" || a.SecretKey.Reveal() != "ncp-secret-from-file" ||
		strings.Join(a.Collectors, ",") != "credit,demand" || a.ResponseFormat != "json" || !a.IsOrganization ||
		strings.Join(a.MemberNos, ",") != "12349,55555" || a.DemandMonths != 4 || a.CoinCurrency != "USD" ||
		a.Endpoint != DefaultNCloudEndpoint {
		t.Errorf("account 0 = %+v", a)
	}
	b := c.NCloud[1]
	if b.SecretKey.Reveal() != "inline-secret" || strings.Join(b.Collectors, ",") != "credit,coin,demand,invoice" ||
		b.ResponseFormat != "xml" || b.DemandMonths != 1 || b.InvoiceMonths != 3 || b.CoinCurrency != "KRW" ||
		time.Duration(b.Thresholds.InvoiceUnpaidGrace) != 20*24*time.Hour {
		t.Errorf("account 1 defaults = %+v", b)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse([]byte("ncloud: [{name: a, access_key: k, secret_key: s}]"), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Global != DefaultGlobal {
		t.Errorf("global = %+v, want defaults %+v", c.Global, DefaultGlobal)
	}
	if time.Duration(DefaultGlobal.MinRefreshInterval) != 5*time.Minute || time.Duration(DefaultGlobal.StaleAfter) != time.Hour ||
		time.Duration(DefaultGlobal.Timeout) != 30*time.Second || DefaultGlobal.MaxConcurrency != 4 {
		t.Errorf("defaults changed: %+v", DefaultGlobal)
	}
}

func TestDurationsPrometheusStyle(t *testing.T) {
	c, err := Parse([]byte("global: {stale_after: 30d, min_refresh_interval: 0}\nncloud: [{name: a, access_key: k, secret_key: s}]"), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.Global.StaleAfter) != 30*24*time.Hour || c.Global.MinRefreshInterval != 0 {
		t.Errorf("global = %+v", c.Global)
	}
}

// Every broken config is refused with an error naming the account and field.
func TestBadConfigs(t *testing.T) {
	const ok = "name: a\n    access_key: k\n    secret_key: s\n"
	acct := func(extra string) string { return "ncloud:\n  - " + ok + extra }
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"empty file", "", "no accounts configured"},
		{"empty ncloud list", "ncloud: []", "no accounts configured"},
		{"unknown top-level key", "bogus: 1\n" + acct(""), `line 1: unknown field "bogus"`},
		{"unknown account key", acct("    secret: x\n"), `ncloud account "a": line 5: unknown field "secret"`},
		{"unknown global key", "global:\n  timeuot: 5s\n" + acct(""), `global: line 2: unknown field "timeuot"`},
		{"missing name", "ncloud:\n  - access_key: k\n    secret_key: s\n", `ncloud account #1: field "name": required`},
		{"duplicate name", acct("  - " + ok), `ncloud account "a": field "name": duplicate account name (also account #1)`},
		{"name with slash", "ncloud:\n  - name: a/b\n    access_key: k\n    secret_key: s\n", `ncloud account "a/b": field "name": "a/b" must be letters, digits`},
		{"secret and secret file", acct("    secret_key_file: testdata/ncloud_secret\n"), `ncloud account "a": at most one of "secret_key" and "secret_key_file" may be set`},
		{"no secret", "ncloud:\n  - name: a\n    access_key: k\n", `ncloud account "a": one of "secret_key" and "secret_key_file" is required`},
		{"no access key", "ncloud:\n  - name: a\n    secret_key: s\n", `ncloud account "a": one of "access_key" and "access_key_file" is required`},
		{"access key and file", acct("    access_key_file: testdata/ncloud_secret\n"), `at most one of "access_key" and "access_key_file"`},
		{"unreadable secret file", "ncloud:\n  - name: a\n    access_key: k\n    secret_key_file: testdata/missing\n", `ncloud account "a": field "secret_key_file": cannot read the file: no such file or directory`},
		{"empty secret file", "ncloud:\n  - name: a\n    access_key: k\n    secret_key_file: testdata/empty_secret\n", `field "secret_key_file": the file is empty`},
		{"both flags", acct("    is_organization: true\n    is_partner: true\n"), `ncloud account "a": fields "is_organization" and "is_partner"`},
		{"negative refresh", "global:\n  min_refresh_interval: -5m\n" + acct(""), `global: field "min_refresh_interval": must not be negative, got -5m`},
		{"negative stale_after", "global:\n  stale_after: -1h\n" + acct(""), `global: field "stale_after": must not be negative`},
		{"zero timeout", "global:\n  timeout: 0s\n" + acct(""), `global: field "timeout": must be greater than 0`},
		{"bad duration", "global:\n  timeout: soon\n" + acct(""), `global: field "timeout": line 2: not a valid duration string: "soon"`},
		{"go duration unit", "global:\n  timeout: 1.5s\n" + acct(""), `field "timeout": line 2: unknown unit "." in duration "1.5s"`},
		{"zero concurrency", "global:\n  max_concurrency: 0\n" + acct(""), `global: field "max_concurrency": must be at least 1, got 0`},
		{"concurrency not a number", "global:\n  max_concurrency: many\n" + acct(""), `field "max_concurrency": line 2: cannot unmarshal`},
		{"too many retries", "global:\n  max_retries: 50\n" + acct(""), `global: field "max_retries": must be between 0 and 10, got 50`},
		{"tiny body limit", "global:\n  max_response_bytes: 10\n" + acct(""), `global: field "max_response_bytes": must be at least 1024`},
		{"unknown collector", acct("    collectors: [credit, coins]\n"), `ncloud account "a": field "collectors": "coins" is not one of credit, coin, demand, invoice`},
		{"collector twice", acct("    collectors: [coin, coin]\n"), `field "collectors": "coin" listed twice`},
		{"bad response format", acct("    response_format: yaml\n"), `ncloud account "a": field "response_format": "yaml" is not one of xml, json`},
		{"bad endpoint scheme", acct("    endpoint: ftp://example.com/billing\n"), `ncloud account "a": field "endpoint": "ftp://example.com/billing" is not an http(s) URL`},
		{"endpoint without host", acct("    endpoint: https:///billing\n"), `field "endpoint": "https:///billing" is not an http(s) URL with a host`},
		{"endpoint with query", acct("    endpoint: https://x.example/b?debug=1\n"), `field "endpoint": "https://x.example/b?debug=1" must not have a query`},
		{"demand months zero", acct("    demand_months: 0\n"), `ncloud account "a": field "demand_months": must be between 1 and 36, got 0`},
		{"demand months huge", acct("    demand_months: 120\n"), `field "demand_months": must be between 1 and 36, got 120`},
		{"invoice months zero", acct("    invoice_months: 0\n"), `ncloud account "a": field "invoice_months": must be between 1 and 36, got 0`},
		{"invoice months huge", acct("    invoice_months: 37\n"), `field "invoice_months": must be between 1 and 36, got 37`},
		{"invoice months too few to page", acct("    invoice_months: 1\n"), `ncloud account "a": field "invoice_months": 1 months drop an unpaid bill before thresholds.invoice_unpaid_grace 20d has passed by a month; at least 3 are needed`},
		{"invoice months short of a long grace", acct("    invoice_months: 3\n    thresholds: {invoice_unpaid_grace: 45d}\n"), `field "invoice_months": 3 months drop an unpaid bill before thresholds.invoice_unpaid_grace 45d has passed by a month; at least 4 are needed`},
		{"zero invoice grace", acct("    thresholds:\n      invoice_unpaid_grace: 0d\n"), `field "thresholds": field "invoice_unpaid_grace": must be greater than 0`},
		{"bad member no", acct("    member_nos: [\"12 34\"]\n"), `field "member_nos": "12 34" is not a member number`},
		{"bad coin currency", acct("    coin_currency: won\n"), `field "coin_currency": "won" is not a three-letter currency code`},
		{"ncloud not a list", "ncloud:\n  name: a\n", `field "ncloud": line 2: expected a list of accounts, got a mapping`},
		{"account not a mapping", "ncloud:\n  - just-a-string\n", `ncloud account #1: line 2: expected a mapping`},
		{"key given twice", "ncloud:\n  - name: a\n    name: b\n    access_key: k\n    secret_key: s\n", `field "name" given twice`},
		{"bool as text", acct("    is_partner: sometimes\n"), `ncloud account "a": field "is_partner": line 5: cannot unmarshal`},
		{"not yaml", "ncloud: [unclosed", "yaml: line 1: did not find expected"},
		{"removed threshold", acct("    thresholds:\n      credit_remaining_ratio: 0.1\n"), `ncloud account "a": field "thresholds": line 6: field "credit_remaining_ratio" was removed: low balances are paged by the prepaid runway ("prepaid_runway_min")`},
		{"removed coin threshold", acct("    thresholds:\n      coin_remaining_min: 5\n"), `field "coin_remaining_min" was removed`},
		{"zero runway", acct("    thresholds:\n      prepaid_runway_min: 0s\n"), `field "thresholds": field "prepaid_runway_min": must be greater than 0`},
		{"negative coin expiry warning", acct("    thresholds:\n      coin_expiry_warning: -1d\n"), `field "thresholds": field "coin_expiry_warning": must be greater than 0`},
		{"negative account refresh", acct("    min_refresh_interval: -5m\n"), `ncloud account "a": field "min_refresh_interval": must not be negative, got -5m`},
		{"refresh of unknown collector", acct("    min_refresh_interval_by_collector: {demands: 1h}\n"), `ncloud account "a": field "min_refresh_interval_by_collector": "demands" is not one of credit, coin, demand`},
		{"negative collector refresh", acct("    min_refresh_interval_by_collector: {demand: -1h}\n"), `field "min_refresh_interval_by_collector": demand: must not be negative, got -1h`},
		{"refresh not a duration", acct("    min_refresh_interval: often\n"), `field "min_refresh_interval": line 5: not a valid duration string: "often"`},
		{"vgp negative refresh", "vgp:\n  - name: v\n    caller: Vroomgo\n    email: a@example.com\n    min_refresh_interval: -1m\n", `vgp account "v": field "min_refresh_interval": must not be negative`},
		{"portone negative refresh", "portone:\n  - name: p\n    imp_key: k\n    imp_secret: s\n    min_refresh_interval: -1m\n", `portone account "p": field "min_refresh_interval": must not be negative`},
		{"unknown threshold", acct("    thresholds:\n      credit_low: 5\n"), `ncloud account "a": field "thresholds": line 6: unknown field "credit_low"`},
		{"zero stale threshold", acct("    thresholds:\n      stale: 0s\n"), `field "thresholds": field "stale": must be greater than 0`},
		{"vgp without caller", "vgp:\n  - name: v\n    email: a@example.com\n", `vgp account "v": field "caller": required`},
		{"vgp without member", "vgp:\n  - name: v\n    caller: Vroomgo\n", `vgp account "v": at least one of "phone_number" and "email" (or their _file keys) is required`},
		{"vgp bad phone", "vgp:\n  - name: v\n    caller: Vroomgo\n    phone_number: \"010-1234\"\n", `vgp account "v": field "phone_number": want 8 to 15 digits`},
		{"vgp bad email", "vgp:\n  - name: v\n    caller: Vroomgo\n    email: nobody\n", `vgp account "v": field "email": not an e-mail address`},
		{"vgp negative balance threshold", "vgp:\n  - name: v\n    caller: Vroomgo\n    email: a@example.com\n    thresholds: {balance_min: -3}\n", `field "balance_min": must not be negative`},
		{"portone without secret", "portone:\n  - name: p\n    imp_key: k\n", `portone account "p": one of "imp_secret" and "imp_secret_file" is required`},
		{"portone both secrets", "portone:\n  - name: p\n    imp_key: k\n    imp_secret: s\n    imp_secret_file: testdata/ncloud_secret\n", `at most one of "imp_secret" and "imp_secret_file"`},
		{"portone negative lookback", "portone:\n  - name: p\n    imp_key: k\n    imp_secret: s\n    lookback: -1d\n", `portone account "p": field "lookback": must not be negative`},
		{"portone huge lookahead", "portone:\n  - name: p\n    imp_key: k\n    imp_secret: s\n    lookahead: 1000d\n", `field "lookahead": 1000d is longer than two years`},
		{"portone empty window", "portone:\n  - name: p\n    imp_key: k\n    imp_secret: s\n    lookback: 0s\n    lookahead: 0s\n", `the window is empty`},
		{"portone duplicate customer", "portone:\n  - name: p\n    imp_key: k\n    imp_secret: s\n    customer_uids: [a, a]\n", `field "customer_uids": "a" listed twice`},
		{"portone duplicate name", "portone:\n  - {name: p, imp_key: k, imp_secret: s}\n  - {name: p, imp_key: k, imp_secret: s}\n", `portone account "p": field "name": duplicate account name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "billing_exporter.yml")
			// Relative secret paths resolve against the config's directory.
			if err := os.Symlink(must(filepath.Abs("testdata")), filepath.Join(dir, "testdata")); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatalf("config accepted:\n%s", tc.yaml)
			}
			if !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("error %q does not name the file", err)
			}
			if rest := strings.TrimPrefix(err.Error(), path+": "); !errorScope.MatchString(rest) {
				t.Errorf("error %q: after the file, want the scope (global, <provider> account \"name\" or #n) or a top-level key or line", rest)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// errorScope is the one prefix every config error has after the file name:
// the section it is about (global or one account), then the field or the
// line; or, for the file as a whole, the line or top-level key.
var errorScope = regexp.MustCompile(`^((global|(ncloud|vgp|portone) account ("[^"]*"|#\d+)): (field "[a-z_]+": |fields |line \d+: |at least one of |at most one of |one of )|field "(ncloud|vgp|portone)": line \d+: |line \d+: unknown field |yaml: line \d+: |more than one YAML document|no accounts configured)`)

func TestThresholds(t *testing.T) {
	c, err := Parse([]byte(`
ncloud:
  - {name: a, access_key: k, secret_key: s, thresholds: {prepaid_runway_min: 3d, credit_expiry_warning: 7d}}
  - {name: b, access_key: k, secret_key: s}
vgp:
  - {name: v, caller: Vroomgo, email: a@example.com, thresholds: {balance_min: 2.5}}
portone:
  - {name: p, imp_key: k, imp_secret: s, thresholds: {stale: 2h}}
`), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	a := c.NCloud[0].Thresholds
	if time.Duration(a.PrepaidRunwayMin) != 3*24*time.Hour || time.Duration(a.CreditExpiryWarning) != 7*24*time.Hour ||
		a.CoinExpiryWarning != DefaultNCloudThresholds.CoinExpiryWarning || a.Stale != DefaultNCloudThresholds.Stale {
		t.Errorf("partial override: %+v", a)
	}
	if c.NCloud[1].Thresholds != DefaultNCloudThresholds {
		t.Errorf("defaults: %+v", c.NCloud[1].Thresholds)
	}
	if c.VGP[0].Thresholds.BalanceMin != 2.5 || c.VGP[0].Thresholds.Stale != DefaultVGPThresholds.Stale {
		t.Errorf("vgp: %+v", c.VGP[0].Thresholds)
	}
	if time.Duration(c.PortOne[0].Thresholds.Stale) != 2*time.Hour {
		t.Errorf("portone: %+v", c.PortOne[0].Thresholds)
	}
	want := []Threshold{
		{"prepaid_runway_min_seconds", 3 * 24 * 3600},
		{"credit_expiry_warning_seconds", 7 * 24 * 3600},
		{"coin_expiry_warning_seconds", 30 * 24 * 3600},
		{"invoice_unpaid_grace_seconds", 20 * 24 * 3600},
		{"stale_seconds", 1800},
	}
	if got := a.List(); !slices.Equal(got, want) {
		t.Errorf("exported %+v, want %+v", got, want)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	c, err := Parse([]byte("ncloud: [{name: a, access_key: k, secret_key: hunter2-secret}]"), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{string(out), fmt.Sprintf("%v %+v %#v %s", c.NCloud[0], c.NCloud[0], c.NCloud[0], c.NCloud[0].SecretKey)} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("secret printed: %s", s)
		}
		if !strings.Contains(s, "<secret>") {
			t.Errorf("no <secret> placeholder in %s", s)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestInvoiceSettings(t *testing.T) {
	c, err := Parse([]byte("ncloud: [{name: a, access_key: k, secret_key: s, collectors: [invoice], invoice_months: 7, thresholds: {invoice_unpaid_grace: 10d}}]"), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	a := c.NCloud[0]
	if strings.Join(a.Collectors, ",") != "invoice" || a.InvoiceMonths != 7 {
		t.Errorf("account = %+v", a)
	}
	var grace float64 = -1
	for _, th := range a.Thresholds.List() {
		if th.Name == "invoice_unpaid_grace_seconds" {
			grace = th.Value
		}
	}
	if grace != 10*86400 {
		t.Errorf("invoice_unpaid_grace_seconds = %v, want %v", grace, 10*86400)
	}
}

// The refresh interval of a collector is its own setting, else its
// account's, else the global one; 0 is a valid override (every scrape).
func TestMinRefreshIntervalPrecedence(t *testing.T) {
	c, err := Parse([]byte(`
global: {min_refresh_interval: 5m}
ncloud:
  - {name: a, access_key: k, secret_key: s, min_refresh_interval: 15m, min_refresh_interval_by_collector: {demand: 6h, coin: 0s}, thresholds: {stale: 12h}}
  - {name: b, access_key: k, secret_key: s}
vgp:
  - {name: v, caller: Vroomgo, email: a@example.com, min_refresh_interval: 30m, thresholds: {stale: 1h}}
portone:
  - {name: p, imp_key: k, imp_secret: s, min_refresh_interval: 1m}
  - {name: q, imp_key: k, imp_secret: s}
`), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		provider, account, collector string
		want                         time.Duration
	}{
		{"ncloud", "a", "demand", 6 * time.Hour},
		{"ncloud", "a", "coin", 0},
		{"ncloud", "a", "credit", 15 * time.Minute},
		{"ncloud", "b", "demand", 5 * time.Minute},
		{"vgp", "v", "payments", 30 * time.Minute},
		{"portone", "p", "schedules", time.Minute},
		{"portone", "q", "schedules", 5 * time.Minute},
	} {
		if got := c.MinRefreshInterval(tc.provider, tc.account, tc.collector); got != tc.want {
			t.Errorf("%s/%s %s: %s, want %s", tc.provider, tc.account, tc.collector, got, tc.want)
		}
	}
}

func TestPortOneV2(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "v2_secret"), []byte("v2-secret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]byte(`portone:
  - {name: old, imp_key: k, imp_secret: s}
  - {name: new, api_version: v2, api_secret_file: v2_secret, store_id: store-1, lookahead: 90d}
  - {name: own, api_version: v2, api_secret: inline, endpoint: "http://127.0.0.1:9/v2"}
`), filepath.Join(dir, "x.yml"))
	if err != nil {
		t.Fatal(err)
	}
	v1, v2, own := c.PortOne[0], c.PortOne[1], c.PortOne[2]
	if v1.APIVersion != PortOneV1 || v1.Endpoint != DefaultPortOneEndpoint || v1.ImpSecret.Reveal() != "s" {
		t.Errorf("v1 = %+v", v1)
	}
	if v2.APIVersion != PortOneV2 || v2.Endpoint != DefaultPortOneV2Endpoint || v2.APISecret.Reveal() != "v2-secret-from-file" ||
		v2.StoreID != "store-1" || time.Duration(v2.Lookahead) != 90*24*time.Hour || time.Duration(v2.Lookback) != 30*24*time.Hour {
		t.Errorf("v2 = %+v", v2)
	}
	if own.Endpoint != "http://127.0.0.1:9/v2" || own.APISecret.Reveal() != "inline" {
		t.Errorf("own endpoint = %+v", own)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"{name: p, api_version: v3, api_secret: s}", `portone account "p": field "api_version": "v3" is not one of v1, v2`},
		{"{name: p, api_version: v2}", `portone account "p": one of "api_secret" and "api_secret_file" is required`},
		{"{name: p, api_version: v2, api_secret: s, api_secret_file: v2_secret}", `at most one of "api_secret" and "api_secret_file"`},
		{"{name: p, api_version: v2, api_secret: s, imp_key: k}", `field "imp_key": api_version v2 authenticates with api_secret`},
		{"{name: p, imp_key: k, imp_secret: s, api_secret: x}", `field "api_secret": only for api_version v2`},
		{"{name: p, imp_key: k, imp_secret: s, store_id: x}", `field "store_id": only for api_version v2`},
	} {
		_, err := Parse([]byte("portone:\n  - "+tc.yaml+"\n"), filepath.Join(dir, "x.yml"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.yaml, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "v2-secret-from-file") {
			t.Errorf("secret in error %v", err)
		}
	}
}

// A collector refreshed less often than its account's stale threshold would
// look stale between refreshes and page BillingDataStale every cycle.
func TestRefreshIntervalMustBeShorterThanStale(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{`ncloud: [{name: a, access_key: k, secret_key: s, min_refresh_interval_by_collector: {demand: 1h}}]`,
			`ncloud account "a": the demand collector refreshes every 1h (min_refresh_interval), not more often than thresholds.stale 30m`},
		{`vgp: [{name: v, caller: Vroomgo, email: a@example.com, min_refresh_interval: 30m}]`,
			`vgp account "v": the payments collector refreshes every 30m (min_refresh_interval), not more often than thresholds.stale 30m`},
		{"global: {min_refresh_interval: 2h}\nportone: [{name: p, imp_key: k, imp_secret: s}]",
			`portone account "p": the schedules collector refreshes every 2h (min_refresh_interval), not more often than thresholds.stale`},
	} {
		if _, err := Parse([]byte(tc.yaml), "x.yml"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\nerr = %v\nwant %q", tc.yaml, err, tc.want)
		}
	}
	if _, err := Parse([]byte(`ncloud: [{name: a, access_key: k, secret_key: s, min_refresh_interval_by_collector: {demand: 1h}, thresholds: {stale: 2h}}]`), "x.yml"); err != nil {
		t.Errorf("demand every 1h with stale 2h: %v", err)
	}
}
