package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	promconfig "github.com/prometheus/common/config"
	yamlv2 "go.yaml.in/yaml/v2"
	"go.yaml.in/yaml/v3"
)

// HTTPClientConfig is an account's http_client_config: prometheus/common's
// HTTPClientConfig, as blackbox_exporter and json_exporter take it, for
// proxies (proxy_url, no_proxy, proxy_from_environment,
// proxy_connect_header), TLS (tls_config), follow_redirects and
// enable_http2. Credentials stay in the provider's own fields: the
// authentication options are refused, so that no second place can send a
// secret to an upstream or hide one from the secret-file checks.
type HTTPClientConfig struct {
	promconfig.HTTPClientConfig
}

// UnmarshalYAML decodes strictly (an unknown key is an error), with the
// library's own YAML package and defaults, as Prometheus reads it.
func (h *HTTPClientConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping, got %s", n.Line, kindName(n))
	}
	text, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	h.HTTPClientConfig = promconfig.DefaultHTTPClientConfig
	if err := yamlv2.UnmarshalStrict(text, &h.HTTPClientConfig); err != nil {
		return errors.New(shiftLines(plainYAMLv2Error(err), n.Line-1))
	}
	return nil
}

// refusedHTTPClientKeys are the HTTPClientConfig options that would send
// credentials: the provider's own fields carry those.
func refusedHTTPClientKeys(c *promconfig.HTTPClientConfig) []string {
	var keys []string
	if c.BasicAuth != nil {
		keys = append(keys, "basic_auth")
	}
	if c.Authorization != nil {
		keys = append(keys, "authorization")
	}
	if c.OAuth2 != nil {
		keys = append(keys, "oauth2")
	}
	if c.BearerToken != "" || c.BearerTokenFile != "" {
		keys = append(keys, "bearer_token")
	}
	if c.HTTPHeaders != nil {
		keys = append(keys, "http_headers")
	}
	return keys
}

// validate resolves relative file paths against the config file's
// directory and loads the TLS files now, so that --config.check and a
// reload refuse a missing or broken CA bundle or client certificate.
func (h *HTTPClientConfig) validate(dir string) error {
	if h == nil {
		return nil
	}
	const field = `field "http_client_config"`
	if keys := refusedHTTPClientKeys(&h.HTTPClientConfig); len(keys) > 0 {
		return fmt.Errorf("%s: %q is not allowed: the provider's own credential fields authenticate, and http_client_config only sets proxies and TLS", field, keys[0])
	}
	h.SetDirectory(dir)
	if err := h.Validate(); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	// The library reads these files whole and blocks on a FIFO; check them
	// as secret files are checked first (key_file holds a private key).
	for _, f := range []struct{ key, path string }{
		{"ca_file", h.TLSConfig.CAFile}, {"cert_file", h.TLSConfig.CertFile}, {"key_file", h.TLSConfig.KeyFile},
	} {
		if f.path == "" {
			continue
		}
		if err := checkTLSFile(f.path); err != nil {
			return fmt.Errorf("%s: tls_config: %q: %w", field, f.key, err)
		}
	}
	if _, err := promconfig.NewTLSConfig(&h.TLSConfig); err != nil {
		return fmt.Errorf("%s: tls_config: %w", field, err)
	}
	return nil
}

var lineRE = regexp.MustCompile(`line (\d+)`)

// shiftLines turns line numbers of the re-encoded mapping into lines of the
// config file.
func shiftLines(msg string, offset int) string {
	return lineRE.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(s[len("line "):])
		return "line " + strconv.Itoa(n+offset)
	})
}

func plainYAMLv2Error(err error) string {
	if te, ok := errors.AsType[*yamlv2.TypeError](err); ok && len(te.Errors) > 0 {
		return strings.Join(te.Errors, "; ")
	}
	return err.Error()
}
