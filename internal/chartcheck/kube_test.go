package chartcheck

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/billingexporter/billing_exporter/internal/config"
)

// objects are a case's manifests decoded strictly into the Kubernetes API
// types.
type objects struct {
	deployments     []appsv1.Deployment
	services        []corev1.Service
	secrets         []corev1.Secret
	configMaps      []corev1.ConfigMap
	serviceAccounts []corev1.ServiceAccount
}

// decode decodes every manifest of the case strictly: an unknown field (a
// misspelling) or a kind the chart should not render fails.
func decode(t *testing.T, c renderCase) objects {
	t.Helper()
	var o objects
	for _, m := range c.docs {
		switch gvk := m.apiVersion + " " + m.kind; gvk {
		case "apps/v1 Deployment":
			var v appsv1.Deployment
			if strict(t, m, &v) {
				o.deployments = append(o.deployments, v)
			}
		case "v1 Service":
			var v corev1.Service
			if strict(t, m, &v) {
				o.services = append(o.services, v)
			}
		case "v1 Secret":
			var v corev1.Secret
			if strict(t, m, &v) {
				o.secrets = append(o.secrets, v)
			}
		case "v1 ConfigMap":
			var v corev1.ConfigMap
			if strict(t, m, &v) {
				o.configMaps = append(o.configMaps, v)
			}
		case "v1 ServiceAccount":
			var v corev1.ServiceAccount
			if strict(t, m, &v) {
				o.serviceAccounts = append(o.serviceAccounts, v)
			}
		case "monitoring.coreos.com/v1 ServiceMonitor", "monitoring.coreos.com/v1 PrometheusRule":
			// CRDs: TestRenderedServiceMonitor, TestRenderedPrometheusRule.
		default:
			t.Errorf("%s: unexpected %s", m, gvk)
		}
	}
	if len(o.deployments) != 1 || len(o.services) != 1 {
		t.Fatalf("%d Deployments and %d Services, want one each", len(o.deployments), len(o.services))
	}
	return o
}

func (o objects) secret(name string) *corev1.Secret {
	for i := range o.secrets {
		if o.secrets[i].Name == name {
			return &o.secrets[i]
		}
	}
	return nil
}

// asJSON normalizes v through JSON, empty maps and lists to nil.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if isEmpty(out) {
		return nil
	}
	return out
}

var checksum = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestRenderedKubernetesObjects(t *testing.T) {
	checksums := map[string]string{} // checksum/config -> sha256 of the config
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			o := decode(t, c)
			d := o.deployments[0]
			pod := d.Spec.Template.Spec
			ns := c.releaseNamespace(t)

			// Pod: non-root, seccomp, no token, no host namespaces.
			sc := pod.SecurityContext
			switch {
			case sc == nil:
				t.Fatal("no pod securityContext")
			case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
				t.Error("runAsNonRoot is not true")
			case sc.RunAsUser == nil || *sc.RunAsUser != 65534:
				t.Errorf("runAsUser %v, want 65534", sc.RunAsUser)
			case sc.FSGroup == nil || *sc.FSGroup == 0:
				t.Errorf("fsGroup %v: the secret files (0440) would not be readable", sc.FSGroup)
			case sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
				t.Errorf("seccompProfile %v", sc.SeccompProfile)
			}
			if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
				t.Error("the pod mounts a service account token")
			}
			if pod.EnableServiceLinks == nil || *pod.EnableServiceLinks {
				t.Error("enableServiceLinks is not false")
			}
			if pod.HostNetwork || pod.HostPID || pod.HostIPC {
				t.Error("pod uses a host namespace")
			}
			if n, _ := value(c.values, "replicaCount").(float64); d.Spec.Replicas == nil || float64(*d.Spec.Replicas) != n {
				t.Errorf("replicas %v, values say %v", d.Spec.Replicas, n)
			}

			// Service account.
			saName := str(c.values, "serviceAccount.name")
			if enabled(c.values, "serviceAccount.create") {
				saName = cmp.Or(saName, d.Name)
				if len(o.serviceAccounts) != 1 || o.serviceAccounts[0].Name != saName {
					t.Errorf("want one ServiceAccount %s, got %d", saName, len(o.serviceAccounts))
				} else if a := o.serviceAccounts[0].AutomountServiceAccountToken; a == nil || *a {
					t.Error("ServiceAccount automounts its token")
				}
			} else if len(o.serviceAccounts) != 0 {
				t.Error("serviceAccount.create is false, but a ServiceAccount is rendered")
			}
			if pod.ServiceAccountName != cmp.Or(saName, "default") {
				t.Errorf("serviceAccountName %q, want %q", pod.ServiceAccountName, saName)
			}

			// Scheduling and annotations from values.
			for _, f := range []struct {
				key string
				got any
			}{
				{"nodeSelector", pod.NodeSelector},
				{"tolerations", pod.Tolerations},
				{"affinity", pod.Affinity},
				{"imagePullSecrets", pod.ImagePullSecrets},
			} {
				if got, want := asJSON(t, f.got), asJSON(t, value(c.values, f.key)); !reflect.DeepEqual(got, want) {
					t.Errorf("%s %v, values say %v", f.key, got, want)
				}
			}
			ann := d.Spec.Template.Annotations
			if bad := subset(strMap(c.values, "podAnnotations"), ann); len(bad) > 0 {
				t.Errorf("pod annotations lack %v", bad)
			}
			if bad := subset(strMap(c.values, "podLabels"), d.Spec.Template.Labels); len(bad) > 0 {
				t.Errorf("pod labels lack %v", bad)
			}
			if !checksum.MatchString(ann["checksum/config"]) {
				t.Errorf("checksum/config %q", ann["checksum/config"])
			}

			// Containers.
			if len(pod.Containers) != 1 {
				t.Fatalf("%d containers", len(pod.Containers))
			}
			secretValues := secretValues(t, c)
			for _, ctr := range slices.Concat(pod.InitContainers, pod.Containers) {
				checkContainer(t, ctr, secretValues)
			}
			ctr := pod.Containers[0]
			image := str(c.values, "image.repository") + ":" + cmp.Or(str(c.values, "image.tag"), appVersion(t))
			if ctr.Image != image || string(ctr.ImagePullPolicy) != str(c.values, "image.pullPolicy") {
				t.Errorf("image %s (%s), want %s (%s)", ctr.Image, ctr.ImagePullPolicy, image, str(c.values, "image.pullPolicy"))
			}
			wantArgs := []string{"--config.file=" + configPath}
			extra, _ := value(c.values, "extraArgs").([]any)
			for _, a := range extra {
				s, _ := a.(string)
				wantArgs = append(wantArgs, s)
			}
			if len(ctr.Args) < len(wantArgs) || ctr.Args[0] != wantArgs[0] || !slices.Equal(ctr.Args[len(ctr.Args)-len(extra):], wantArgs[1:]) {
				t.Errorf("args %q, want %s first and extraArgs %q last", ctr.Args, wantArgs[0], wantArgs[1:])
			}
			if len(ctr.Ports) != 1 || ctr.Ports[0].Name != portName || ctr.Ports[0].ContainerPort != port {
				t.Errorf("ports %+v, want %s %d", ctr.Ports, portName, port)
			}
			checkArgsAndProbes(t, c, ctr)
			if got, want := asJSON(t, ctr.Env), asJSON(t, value(c.values, "extraEnv")); (!isEmpty(want) || got != nil) && !reflect.DeepEqual(got, want) {
				t.Errorf("env %v, values say extraEnv %v", got, want)
			}
			for _, r := range []struct {
				list corev1.ResourceList
				name corev1.ResourceName
				key  string
			}{
				{ctr.Resources.Requests, corev1.ResourceCPU, "resources.requests.cpu"},
				{ctr.Resources.Requests, corev1.ResourceMemory, "resources.requests.memory"},
				{ctr.Resources.Limits, corev1.ResourceMemory, "resources.limits.memory"},
			} {
				got, ok := r.list[r.name]
				want, err := resource.ParseQuantity(str(c.values, r.key))
				if !ok || err != nil || got.IsZero() || got.Cmp(want) != 0 {
					t.Errorf("%s %s, values say %v", r.key, got.String(), value(c.values, r.key))
				}
			}

			// Volumes: the config and the credentials, from Secrets, read-only.
			volumes := map[string]corev1.Volume{}
			for _, v := range pod.Volumes {
				volumes[v.Name] = v
			}
			mounts := map[string]corev1.VolumeMount{}
			for _, m := range ctr.VolumeMounts {
				mounts[m.MountPath] = m
				v, ok := volumes[m.Name]
				if !ok {
					t.Errorf("mount %s: no volume %s", m.MountPath, m.Name)
				}
				if !m.ReadOnly {
					t.Errorf("mount %s is writable", m.MountPath)
				}
				if (v.Secret != nil || v.Projected != nil) && m.SubPath != "" {
					t.Errorf("mount %s uses subPath: secret updates would not reach it", m.MountPath)
				}
			}
			checkExtraVolumes(t, c, pod.Volumes, ctr.VolumeMounts)
			checkWebConfig(t, c, o, volumes, mounts)
			cfgMount, ok := mounts[path.Dir(configPath)]
			cfgVol := volumes[cfgMount.Name]
			if !ok || cfgVol.Secret == nil {
				t.Fatalf("no Secret mounted at %s", path.Dir(configPath))
			}
			cfgSecret := o.secret(cfgVol.Secret.SecretName)
			if cfgSecret == nil {
				t.Fatalf("config Secret %s is not rendered", cfgVol.Secret.SecretName)
			}
			cfg, ok := cfgSecret.Data[path.Base(configPath)]
			if !ok || len(cfgVol.Secret.Items) != 1 || cfgVol.Secret.Items[0].Path != path.Base(configPath) {
				t.Fatalf("config Secret %s does not provide %s", cfgSecret.Name, path.Base(configPath))
			}
			sum := sha256.Sum256(cfg)
			if prev, seen := checksums[ann["checksum/config"]]; seen && prev != hex.EncodeToString(sum[:]) {
				t.Errorf("two different configs have the same checksum/config: a config change would not roll the pod")
			}
			checksums[ann["checksum/config"]] = hex.EncodeToString(sum[:])

			var credKeys []string // the file names under credentialsDir
			credMount, hasCreds := mounts[credentialsDir]
			existing := str(c.values, "existingSecret")
			chartSecrets, _ := value(c.values, "secrets").(map[string]any)
			switch {
			case existing != "" || len(chartSecrets) > 0:
				v := volumes[credMount.Name]
				if !hasCreds || v.Secret == nil {
					t.Fatalf("no Secret mounted at %s", credentialsDir)
				}
				if v.Secret.DefaultMode == nil || *v.Secret.DefaultMode != 0o440 || len(v.Secret.Items) != 0 {
					t.Errorf("credentials volume: defaultMode %v, items %v; want 0440 and every key", v.Secret.DefaultMode, v.Secret.Items)
				}
				if existing != "" {
					if v.Secret.SecretName != existing {
						t.Errorf("credentials from %s, want existingSecret %s", v.Secret.SecretName, existing)
					}
					if o.secret(existing) != nil {
						t.Errorf("the chart renders existingSecret %s", existing)
					}
					if _, ok := ann["checksum/credentials"]; ok {
						t.Error("checksum/credentials for a Secret the chart does not render")
					}
					break
				}
				s := o.secret(v.Secret.SecretName)
				if s == nil {
					t.Fatalf("credentials Secret %s is not rendered", v.Secret.SecretName)
				}
				credKeys = slices.Sorted(maps.Keys(s.Data))
				if want := slices.Sorted(maps.Keys(chartSecrets)); !slices.Equal(credKeys, want) {
					t.Errorf("credentials Secret keys %v, values say %v", credKeys, want)
				}
				for k, want := range secretValues {
					if string(s.Data[k]) != want {
						t.Errorf("credentials Secret %s: %s does not hold the value of secrets.%s", s.Name, k, k)
					}
				}
				if !checksum.MatchString(ann["checksum/credentials"]) {
					t.Errorf("checksum/credentials %q", ann["checksum/credentials"])
				}
			case hasCreds:
				t.Errorf("%s mounted without secrets or existingSecret", credentialsDir)
			}

			checkConfig(t, c, cfg, credKeys, existing != "", ctr.VolumeMounts)

			// Service.
			svc := o.services[0]
			if !reflect.DeepEqual(svc.Spec.Selector, d.Spec.Selector.MatchLabels) || len(subset(svc.Spec.Selector, d.Spec.Template.Labels)) > 0 {
				t.Errorf("Service selector %v, Deployment selector %v, pod labels %v", svc.Spec.Selector, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
			}
			if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != portName || svc.Spec.Ports[0].TargetPort.String() != portName {
				t.Errorf("Service ports %+v", svc.Spec.Ports)
			}
			if svc.Namespace != ns || d.Namespace != ns || cfgSecret.Namespace != ns {
				t.Errorf("namespaces: Service %s, Deployment %s, config Secret %s", svc.Namespace, d.Namespace, cfgSecret.Namespace)
			}

			checkDashboards(t, c, o.configMaps, ns)
		})
	}
}

// checkContainer asserts the container's security context and that no
// secret reaches it through the environment.
func checkContainer(t *testing.T, c corev1.Container, secretValues map[string]string) {
	t.Helper()
	sc := c.SecurityContext
	switch {
	case sc == nil:
		t.Errorf("container %s: no securityContext", c.Name)
	case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		t.Errorf("container %s: root filesystem is writable", c.Name)
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		t.Errorf("container %s: allowPrivilegeEscalation is not false", c.Name)
	case sc.Privileged != nil && *sc.Privileged:
		t.Errorf("container %s: privileged", c.Name)
	case sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0:
		t.Errorf("container %s: capabilities %+v, want drop ALL and add none", c.Name, sc.Capabilities)
	case sc.RunAsUser != nil && *sc.RunAsUser == 0:
		t.Errorf("container %s: runs as root", c.Name)
	}
	for _, e := range c.EnvFrom {
		if e.SecretRef != nil {
			t.Errorf("container %s: environment from Secret %s", c.Name, e.SecretRef.Name)
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			t.Errorf("container %s: env %s from a Secret", c.Name, e.Name)
		}
		for k, v := range secretValues {
			if v != "" && strings.Contains(e.Value, v) {
				t.Errorf("container %s: env %s holds secrets.%s", c.Name, e.Name, k)
			}
		}
	}
	for _, a := range slices.Concat(c.Command, c.Args) {
		for k, v := range secretValues {
			if v != "" && strings.Contains(a, v) {
				t.Errorf("container %s: an argument holds secrets.%s", c.Name, k)
			}
		}
	}
}

// checkConfig asserts that the rendered billing_exporter.yml is the
// values' config, that its *_file keys point at mounted credentials, and
// that the exporter's own parser accepts it.
func checkConfig(t *testing.T, c renderCase, cfg []byte, credKeys []string, existingSecret bool, vmounts []corev1.VolumeMount) {
	t.Helper()
	var got any
	if err := yaml.Unmarshal(cfg, &got); err != nil {
		t.Fatalf("rendered config: %v", err)
	}
	if want := asJSON(t, value(c.values, "config")); !reflect.DeepEqual(asJSON(t, got), want) {
		t.Errorf("rendered config %v, values say %v", got, want)
	}
	if isEmpty(got) {
		return // the exporter refuses it; NOTES.txt says so
	}
	files := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && strings.HasSuffix(k, "_file") {
					files[s] = true
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(got)
	// Write the credentials where the config expects them, under a temporary
	// directory, and let the exporter's parser load the config.
	dir := t.TempDir()
	local := cfg
	for f := range files {
		// A CA bundle or client certificate from an extra volume (a
		// ConfigMap, say): the file must be in a mounted volume; a fresh CA
		// certificate stands in for it.
		if m := mountOf(f, vmounts); m != "" && m != credentialsDir {
			stand := filepath.Join(dir, "mounted", strings.ReplaceAll(strings.TrimPrefix(f, "/"), "/", "_"))
			if err := os.MkdirAll(filepath.Dir(stand), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(stand, testCAPEM(t), 0o600); err != nil {
				t.Fatal(err)
			}
			local = bytes.ReplaceAll(local, []byte(f), []byte(stand))
			continue
		}
		name, ok := strings.CutPrefix(f, credentialsDir+"/")
		switch {
		case !ok || strings.Contains(name, "/"):
			t.Errorf("config names %s, which is not a file of %s", f, credentialsDir)
			continue
		case !existingSecret && !slices.Contains(credKeys, name):
			t.Errorf("config names %s, but secrets has no key %s", f, name)
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte("ci-"+name+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	local = bytes.ReplaceAll(local, []byte(credentialsDir+"/"), []byte(dir+"/"))
	if _, err := config.Parse(local, filepath.Join(dir, "billing_exporter.yml")); err != nil {
		t.Errorf("the exporter refuses the rendered config: %v", err)
	}
}

// checkDashboards asserts the dashboards ConfigMap: labelled for the
// Grafana sidecar, holding dashboards/*.json byte for byte.
func checkDashboards(t *testing.T, c renderCase, cms []corev1.ConfigMap, ns string) {
	t.Helper()
	if !enabled(c.values, "dashboards.enabled") {
		if len(cms) != 0 {
			t.Errorf("dashboards disabled, but %d ConfigMaps rendered", len(cms))
		}
		return
	}
	if len(cms) != 1 {
		t.Fatalf("%d ConfigMaps, want the dashboards", len(cms))
	}
	cm := cms[0]
	label, labelValue := str(c.values, "dashboards.label"), str(c.values, "dashboards.labelValue")
	if label == "" || cm.Labels[label] != labelValue {
		t.Errorf("dashboards ConfigMap labels %v, want %s=%q", cm.Labels, label, labelValue)
	}
	if bad := subset(strMap(c.values, "dashboards.annotations"), cm.Annotations); len(bad) > 0 {
		t.Errorf("dashboards ConfigMap annotations lack %v", bad)
	}
	if want := cmp.Or(str(c.values, "dashboards.namespace"), ns); cm.Namespace != want {
		t.Errorf("dashboards ConfigMap in %q, want %q", cm.Namespace, want)
	}
	want := names(t, "dashboards", "*.json")
	if got := slices.Sorted(maps.Keys(cm.Data)); !slices.Equal(got, want) || len(cm.BinaryData) != 0 {
		t.Errorf("dashboards ConfigMap keys %v, dashboards/ has %v", got, want)
	}
	for _, n := range want {
		src, err := os.ReadFile(filepath.Join(root, "dashboards", n))
		if err != nil {
			t.Fatal(err)
		}
		if cm.Data[n] != string(src) {
			t.Errorf("dashboards ConfigMap %s differs from dashboards/%s", n, n)
		}
		if !json.Valid([]byte(cm.Data[n])) {
			t.Errorf("dashboards ConfigMap %s is not JSON", n)
		}
	}
}

// secretValues returns the values' secrets as strings.
func secretValues(t *testing.T, c renderCase) map[string]string {
	t.Helper()
	out := map[string]string{}
	m, _ := value(c.values, "secrets").(map[string]any)
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			t.Errorf("secrets.%s is not a string", k)
		}
		out[k] = s
	}
	return out
}

func appVersion(t *testing.T) string {
	t.Helper()
	v := readValues(t, filepath.Join(chartDir, "Chart.yaml"))
	s, _ := v["appVersion"].(string)
	if s == "" {
		t.Fatal("Chart.yaml has no appVersion")
	}
	return s
}
