package chartcheck

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const (
	webConfigPath = "/run/billing_exporter/web/web-config.yml"
	webTLSDir     = "/run/billing_exporter/tls"
)

// checkArgsAndProbes: flags follow webConfig and perAccount; probes keep
// the values' timings, switch to HTTPS with TLS and to a TCP check with
// basic auth.
func checkArgsAndProbes(t *testing.T, c renderCase, ctr corev1.Container) {
	t.Helper()
	web := !isEmpty(value(c.values, "webConfig.config"))
	tls := value(c.values, "webConfig.config.tls_server_config") != nil
	auth := value(c.values, "webConfig.config.basic_auth_users") != nil
	if got := slices.Contains(ctr.Args, "--web.config.file="+webConfigPath); got != web {
		t.Errorf("args %q: --web.config.file present %v, webConfig set %v", ctr.Args, got, web)
	}
	if got, want := slices.Contains(ctr.Args, "--metrics.exporter-only"), enabled(c.values, "serviceMonitor.perAccount.enabled"); got != want {
		t.Errorf("args %q: --metrics.exporter-only %v, perAccount %v", ctr.Args, got, want)
	}
	for _, p := range []struct {
		key   string
		probe *corev1.Probe
		path  string
	}{{"livenessProbe", ctr.LivenessProbe, "/-/healthy"}, {"readinessProbe", ctr.ReadinessProbe, "/-/ready"}} {
		if p.probe == nil {
			t.Errorf("no %s", p.key)
			continue
		}
		switch {
		case auth:
			if p.probe.HTTPGet != nil || p.probe.TCPSocket == nil || p.probe.TCPSocket.Port.String() != portName {
				t.Errorf("%s %+v: with basic auth, want a TCP check on %s", p.key, p.probe.ProbeHandler, portName)
			}
		case p.probe.HTTPGet == nil || p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port.String() != portName:
			t.Errorf("%s %+v, want GET %s on %s", p.key, p.probe.ProbeHandler, p.path, portName)
		case tls != (p.probe.HTTPGet.Scheme == corev1.URISchemeHTTPS):
			t.Errorf("%s: scheme %q with webConfig TLS %v", p.key, p.probe.HTTPGet.Scheme, tls)
		}
		for field, got := range map[string]int32{"periodSeconds": p.probe.PeriodSeconds, "timeoutSeconds": p.probe.TimeoutSeconds,
			"failureThreshold": p.probe.FailureThreshold, "initialDelaySeconds": p.probe.InitialDelaySeconds} {
			want, _ := value(c.values, p.key+"."+field).(float64)
			if float64(got) != want {
				t.Errorf("%s.%s %d, values say %v", p.key, field, got, want)
			}
		}
	}
}

// checkExtraVolumes: extraVolumes and extraVolumeMounts are rendered as
// given, and no mount sits inside another (the runtime cannot create a
// mount point in a read-only volume).
func checkExtraVolumes(t *testing.T, c renderCase, volumes []corev1.Volume, mounts []corev1.VolumeMount) {
	t.Helper()
	for _, k := range []struct {
		key string
		got any
	}{{"extraVolumes", volumes}, {"extraVolumeMounts", mounts}} {
		want, _ := value(c.values, k.key).([]any)
		got, _ := asJSON(t, k.got).([]any)
		for _, w := range want {
			if !slices.ContainsFunc(got, func(g any) bool { return reflect.DeepEqual(g, w) }) {
				t.Errorf("%s: %v is not rendered", k.key, w)
			}
		}
	}
	for _, a := range mounts {
		for _, b := range mounts {
			if a.MountPath != b.MountPath && strings.HasPrefix(b.MountPath, strings.TrimSuffix(a.MountPath, "/")+"/") {
				t.Errorf("mount %s is inside mount %s", b.MountPath, a.MountPath)
			}
		}
	}
}

// checkWebConfig: the web config Secret holds webConfig.config, mounted
// read-only where --web.config.file points; the TLS Secret is mounted.
func checkWebConfig(t *testing.T, c renderCase, o objects, volumes map[string]corev1.Volume, mounts map[string]corev1.VolumeMount) {
	t.Helper()
	m, ok := mounts[path.Dir(webConfigPath)]
	if isEmpty(value(c.values, "webConfig.config")) {
		if ok {
			t.Errorf("web config mounted without webConfig.config")
		}
		return
	}
	v := volumes[m.Name]
	if !ok || v.Secret == nil {
		t.Fatalf("no Secret mounted at %s", path.Dir(webConfigPath))
	}
	s := o.secret(v.Secret.SecretName)
	if s == nil {
		t.Fatalf("web config Secret %s is not rendered", v.Secret.SecretName)
	}
	var got any
	if err := yaml.Unmarshal(s.Data[path.Base(webConfigPath)], &got); err != nil {
		t.Fatalf("web config: %v", err)
	}
	if want := asJSON(t, value(c.values, "webConfig.config")); !reflect.DeepEqual(asJSON(t, got), want) {
		t.Errorf("web config %v, values say %v", got, want)
	}
	if tlsSecret := str(c.values, "webConfig.tlsSecret"); tlsSecret != "" {
		if tm, ok := mounts[webTLSDir]; !ok || volumes[tm.Name].Secret == nil || volumes[tm.Name].Secret.SecretName != tlsSecret {
			t.Errorf("webConfig.tlsSecret %s is not mounted at %s", tlsSecret, webTLSDir)
		}
	}
}

// mountOf returns the mount path that holds file, or "".
func mountOf(file string, mounts []corev1.VolumeMount) string {
	for _, m := range mounts {
		if strings.HasPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/") {
			return m.MountPath
		}
	}
	return ""
}

// testCAPEM returns a fresh self-signed CA certificate.
func testCAPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "chart test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
