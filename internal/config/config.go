// Package config reads and validates billing_exporter's YAML configuration.
//
// Every error names the file, the account and the field it is about, and
// secrets referenced by *_file keys are read at load time, so that a broken
// config is refused before it replaces a working one.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration file.
type Config struct {
	Global  Global           `yaml:"global"`
	NCloud  []NCloudAccount  `yaml:"ncloud"`
	VGP     []VGPAccount     `yaml:"vgp"`
	PortOne []PortOneAccount `yaml:"portone"`
}

// Global holds settings that apply to every account.
type Global struct {
	// MinRefreshInterval is how long an upstream result is reused.
	MinRefreshInterval Duration `yaml:"min_refresh_interval"`
	// Timeout caps one refresh, whatever the deadlines of the scrapes waiting for it.
	Timeout Duration `yaml:"timeout"`
	// StaleAfter is how long the last good values survive failed refreshes.
	StaleAfter Duration `yaml:"stale_after"`
	// MaxConcurrency caps concurrent upstream requests per account.
	MaxConcurrency int `yaml:"max_concurrency"`
	// MaxResponseBytes caps one upstream response body.
	MaxResponseBytes int64 `yaml:"max_response_bytes"`
	// MaxRetries is how often a transient upstream failure is retried.
	MaxRetries int `yaml:"max_retries"`
	// MaxPages caps the pages of one upstream list, whatever the upstream
	// claims its total is.
	MaxPages int `yaml:"max_pages"`
}

// Defaults used when a key is absent.
var DefaultGlobal = Global{
	MinRefreshInterval: Duration(5 * time.Minute),
	Timeout:            Duration(30 * time.Second),
	StaleAfter:         Duration(time.Hour),
	MaxConcurrency:     4,
	MaxResponseBytes:   32 << 20,
	MaxRetries:         2,
	MaxPages:           1000,
}

// UnmarshalYAML implements yaml.Unmarshaler with strict keys.
func (g *Global) UnmarshalYAML(n *yaml.Node) error { return decodeStruct(n, g) }

// Load reads, decodes and validates the file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	c, err := Parse(data, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a configuration. Relative secret file paths
// are taken relative to the directory of file (as Prometheus does).
func Parse(data []byte, file string) (*Config, error) {
	c, err := parse(data, file)
	if err != nil {
		return nil, hideURLPasswords(err)
	}
	return c, nil
}

func parse(data []byte, file string) (*Config, error) {
	c := &Config{Global: DefaultGlobal}
	root, err := singleDocument(data)
	if err != nil {
		return nil, err
	}
	if len(root.Content) > 0 {
		if err := decodeStruct(root, c); err != nil {
			return nil, err
		}
	}
	if err := c.validate(dirOf(file)); err != nil {
		return nil, err
	}
	return c, nil
}

// urlPasswordRE finds the password of a URL's userinfo in any text.
var urlPasswordRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:"]*:)[^\s/?#@"]*@`)

// hideURLPasswords replaces every URL password in err's text, whichever
// parser wrote it (url.Parse quotes the whole URL): an endpoint or a
// proxy_url with a password must not print it.
func hideURLPasswords(err error) error {
	msg := err.Error()
	if hidden := urlPasswordRE.ReplaceAllString(msg, "${1}xxxxx@"); hidden != msg {
		return errors.New(hidden)
	}
	return err
}

// singleDocument parses data as one YAML document. A second document
// would be ignored by a plain Unmarshal; accounts in it would silently
// not be exported.
func singleDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return &root, nil
	case err != nil:
		return nil, err
	}
	return nil, fmt.Errorf("more than one YAML document (the second starts on line %d): put every account in one document", documentLine(data, next.Line))
}

// documentLine finds the "---" that opens the document whose content
// starts on line; an empty document has no content line of its own.
func documentLine(data []byte, line int) int {
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		line = len(lines)
	}
	for i := line - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "---") {
			return i + 1
		}
	}
	return line
}

// Accounts reports how many accounts the config holds across providers.
func (c *Config) Accounts() int { return len(c.NCloud) + len(c.VGP) + len(c.PortOne) }

func (c *Config) validate(dir string) error {
	if err := c.Global.validate(); err != nil {
		return fmt.Errorf("global: %w", err)
	}
	if c.Accounts() == 0 {
		return errors.New("no accounts configured: add at least one under ncloud, vgp or portone")
	}
	if err := validateAccounts("ncloud", c.NCloud, dir); err != nil {
		return err
	}
	if err := validateAccounts("vgp", c.VGP, dir); err != nil {
		return err
	}
	if err := validateAccounts("portone", c.PortOne, dir); err != nil {
		return err
	}
	return c.checkCadence()
}

// checkCadence refuses a collector that refreshes less often than its
// account's stale threshold: its values would look stale between two
// refreshes, and BillingDataStale would page on every cycle.
func (c *Config) checkCadence() error {
	check := func(provider string, i int, name string, collectors []string, stale Duration) error {
		for _, col := range collectors {
			if d := c.MinRefreshInterval(provider, name, col); d >= time.Duration(stale) {
				return fmt.Errorf("%s: the %s collector refreshes every %s (min_refresh_interval), not more often than thresholds.stale %s: BillingDataStale would fire between refreshes; raise thresholds.stale above it",
					accountRef(provider, i, name), col, Duration(d), stale)
			}
		}
		return nil
	}
	for i, a := range c.NCloud {
		cols := a.Collectors
		if len(cols) == 0 {
			cols = NCloudCollectors
		}
		if err := check("ncloud", i, a.Name, cols, a.Thresholds.Stale); err != nil {
			return err
		}
	}
	for i, a := range c.VGP {
		if err := check("vgp", i, a.Name, []string{"payments"}, a.Thresholds.Stale); err != nil {
			return err
		}
	}
	for i, a := range c.PortOne {
		if err := check("portone", i, a.Name, []string{"schedules"}, a.Thresholds.Stale); err != nil {
			return err
		}
	}
	return nil
}

// account is what every provider's account type has.
type account interface {
	accountName() string
	validate(dir string) error
}

func (a *NCloudAccount) accountName() string  { return a.Name }
func (a *VGPAccount) accountName() string     { return a.Name }
func (a *PortOneAccount) accountName() string { return a.Name }

// validateAccounts checks one provider's accounts; names are unique per
// provider because they become the account label next to provider.
func validateAccounts[T any, P interface {
	*T
	account
}](provider string, list []T, dir string) error {
	names := map[string]int{}
	for i := range list {
		a := P(&list[i])
		ref := accountRef(provider, i, a.accountName())
		if err := checkName(a.accountName(), i, names); err != nil {
			return fmt.Errorf("%s: %w", ref, err)
		}
		if err := a.validate(dir); err != nil {
			return fmt.Errorf("%s: %w", ref, err)
		}
	}
	return nil
}

func (g *Global) validate() error {
	for _, d := range []struct {
		name string
		v    Duration
	}{
		{"min_refresh_interval", g.MinRefreshInterval},
		{"timeout", g.Timeout},
		{"stale_after", g.StaleAfter},
	} {
		if d.v < 0 {
			return fmt.Errorf("field %q: must not be negative, got %s", d.name, "-"+(-d.v).String())
		}
	}
	if g.Timeout == 0 {
		return errors.New(`field "timeout": must be greater than 0`)
	}
	if g.MaxConcurrency < 1 {
		return fmt.Errorf(`field "max_concurrency": must be at least 1, got %d`, g.MaxConcurrency)
	}
	if g.MaxPages < 1 {
		return fmt.Errorf(`field "max_pages": must be at least 1, got %d`, g.MaxPages)
	}
	if g.MaxRetries < 0 || g.MaxRetries > 10 {
		return fmt.Errorf(`field "max_retries": must be between 0 and 10, got %d`, g.MaxRetries)
	}
	if g.MaxResponseBytes < 1024 {
		return fmt.Errorf(`field "max_response_bytes": must be at least 1024, got %d`, g.MaxResponseBytes)
	}
	return nil
}

// NamePattern is what an account name must match: it becomes the account
// label and half of a /probe target, so it is plain, printable text.
var NamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

const maxNameLength = 64

// checkName validates an account name and records it; names become the
// account label, so they must be present, unique and printable.
func checkName(name string, index int, seen map[string]int) error {
	if name == "" {
		return errors.New(`field "name": required`)
	}
	if !NamePattern.MatchString(name) {
		return fmt.Errorf(`field "name": %q must be letters, digits, "-", "_" or "." (a-z, A-Z, 0-9)`, name)
	}
	if len(name) > maxNameLength {
		return fmt.Errorf(`field "name": longer than %d characters`, maxNameLength)
	}
	if prev, dup := seen[name]; dup {
		return fmt.Errorf(`field "name": duplicate account name (also account #%d)`, prev+1)
	}
	seen[name] = index
	return nil
}

// resolveSecret fills *value from the file when one is named. Exactly one of
// value and file may be given; required says whether one must be.
func resolveSecret(value *string, file, key, dir string, required bool) error {
	switch {
	case *value != "" && file != "":
		return fmt.Errorf("at most one of %q and %q may be set", key, key+"_file")
	case file != "":
		// Errors do not name the file: a secret pasted where its path
		// belongs would be printed.
		data, err := readSecretFile(resolvePath(dir, file))
		if err != nil {
			return fmt.Errorf("field %q: %w", key+"_file", err)
		}
		*value = strings.TrimSpace(string(data))
		if *value == "" {
			return fmt.Errorf("field %q: the file is empty", key+"_file")
		}
	case required && *value == "":
		return fmt.Errorf("one of %q and %q is required", key, key+"_file")
	}
	return nil
}

// checkEndpoint accepts an http(s) base URL whose path the clients can
// extend without leaving it. Errors quote the URL with any password
// hidden, and never the parser's own message (which quotes it whole).
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New(`field "endpoint": not a valid URL`)
	}
	shown := u.Redacted()
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf(`field "endpoint": %q is not an http(s) URL with a host`, shown)
	}
	if u.User != nil {
		// Credentials go in the provider's own fields; a user in the URL
		// would be sent to every request as basic auth.
		return fmt.Errorf(`field "endpoint": %q must not carry a user or password`, shown)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf(`field "endpoint": %q must not have a query or fragment`, shown)
	}
	for seg := range strings.SplitSeq(u.EscapedPath(), "/") {
		if dec, err := url.PathUnescape(seg); err != nil || dec == "." || dec == ".." || strings.ContainsAny(dec, "/\\") {
			return fmt.Errorf(`field "endpoint": path must not contain "." or ".." segments or escaped slashes, got %q`, shown)
		}
	}
	return nil
}

// CheckPathSegment reports whether s can be sent as one URL path segment
// (escaped) without a server or proxy reading it as something else: no
// slashes, no dot segments, no control characters.
func CheckPathSegment(s string) error {
	switch {
	case s == "." || s == "..":
		return errors.New("is a dot segment")
	case strings.ContainsAny(s, "/\\"):
		return errors.New("contains a slash")
	case !utf8.ValidString(s):
		return errors.New("is not valid UTF-8")
	case strings.ContainsFunc(s, unicode.IsControl):
		return errors.New("contains a control character")
	}
	return nil
}

func checkChoice(field, value string, allowed ...string) error {
	if !slices.Contains(allowed, value) {
		return fmt.Errorf("field %q: %q is not one of %s", field, value, strings.Join(allowed, ", "))
	}
	return nil
}

func dirOf(file string) string {
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		return file[:i]
	}
	return "."
}

func resolvePath(dir, p string) string {
	if strings.HasPrefix(p, "/") || dir == "" {
		return p
	}
	return dir + "/" + p
}
