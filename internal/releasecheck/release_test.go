// Package releasecheck tests what a release is made of: the version files,
// the version a binary reports however it was built, the release tarballs
// and their checksums, and the container image of the release binaries.
package releasecheck

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/billingexporter/billing_exporter/internal/buildinfo"
	"github.com/billingexporter/billing_exporter/internal/testenv"
)

const root = "../.."

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVersionFiles(t *testing.T) {
	v := strings.TrimSpace(readFile(t, "VERSION"))
	if !regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$`).MatchString(v) {
		t.Fatalf("VERSION %q is not a semantic version", v)
	}
	if v != buildinfo.Version {
		t.Errorf("VERSION is %q, buildinfo.Version %q: keep them equal", v, buildinfo.Version)
	}
	// The newest release heading (below an optional "main / unreleased").
	var newest string
	for line := range strings.Lines(readFile(t, "CHANGELOG.md")) {
		if m := regexp.MustCompile(`^## (\S+) / (\S+)`).FindStringSubmatch(line); m != nil && m[1] != "main" {
			if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(m[2]) {
				t.Errorf("CHANGELOG heading %q: the date is not YYYY-MM-DD", strings.TrimSpace(line))
			}
			newest = m[1]
			break
		}
	}
	if newest != v {
		t.Errorf("newest CHANGELOG.md release is %q, VERSION says %q", newest, v)
	}
	lic := readFile(t, "LICENSE")
	for _, want := range []string{"Apache License\n                           Version 2.0, January 2004",
		"TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "END OF TERMS AND CONDITIONS"} {
		if !strings.Contains(lic, want) {
			t.Errorf("LICENSE is not the Apache License 2.0 text: %q missing", want)
		}
	}
	if !strings.Contains(readFile(t, "Dockerfile"), `org.opencontainers.image.licenses="Apache-2.0"`) {
		t.Error("Dockerfile's license label is not Apache-2.0")
	}
}

// versionOf runs bin --version and returns version, revision and build date.
func versionOf(t *testing.T, bin string) (ver, rev, date string) {
	t.Helper()
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", bin, err, out)
	}
	m := regexp.MustCompile(`version (\S*) \(branch: \S*, revision: (\S*)\)[\s\S]*build date:\s+(\S*)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("unexpected --version output:\n%s", out)
	}
	return m[1], m[2], m[3]
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Skipf("git %v: %v (not a git checkout)", args, err)
	}
	return strings.TrimSpace(string(out))
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// stdout runs a command and returns its standard output alone (buildah
// warns on standard error about cross-architecture images).
func stdout(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stderr strings.Builder
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// TestMakeBuildVersion: make build stamps version, revision and build date.
func TestMakeBuildVersion(t *testing.T) {
	head := git(t, root, "rev-parse", "HEAD")
	dirty := git(t, root, "status", "--porcelain") != ""
	bin := filepath.Join(t.TempDir(), "billing_exporter")
	run(t, root, nil, "make", "build", "BIN="+bin, "BUILD_DATE=20261201-09:30:00")
	ver, rev, date := versionOf(t, bin)
	want := head
	if dirty {
		want += "-modified"
	}
	if ver != buildinfo.Version || rev != want || date != "20261201-09:30:00" {
		t.Errorf("make build: version=%s revision=%s date=%s, want %s %s 20261201-09:30:00", ver, rev, date, buildinfo.Version, want)
	}
}

// TestGoBuildRevision: a plain go build in a git checkout reports the
// revision from Go's VCS stamp, and "-modified" for a dirty tree. It works
// on a clone, because Go stamps only checkouts whose .git is a directory.
func TestGoBuildRevision(t *testing.T) {
	if testing.Short() {
		t.Skip("builds twice")
	}
	git(t, root, "rev-parse", "HEAD")
	clone := filepath.Join(t.TempDir(), "src")
	run(t, "", nil, "git", "clone", "-q", "--no-hardlinks", root, clone)
	head := git(t, clone, "rev-parse", "HEAD")
	// This machine's go env may turn stamping off; auto is Go's default.
	env := []string{"GOFLAGS=-buildvcs=auto"}
	bin := filepath.Join(t.TempDir(), "billing_exporter")
	run(t, clone, env, "go", "build", "-o", bin, "./cmd/billing_exporter")
	ver, rev, date := versionOf(t, bin)
	// The clone has the committed VERSION, which may lag this tree's.
	cloneVersion := strings.TrimSpace(run(t, clone, nil, "cat", "VERSION"))
	if ver != cloneVersion || rev != head || date != "unknown" {
		t.Errorf("clean go build: version=%s revision=%s date=%s, want %s %s unknown", ver, rev, date, cloneVersion, head)
	}
	if err := os.WriteFile(filepath.Join(clone, "README.md"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, clone, env, "go", "build", "-o", bin, "./cmd/billing_exporter")
	if _, rev, _ := versionOf(t, bin); rev != head+"-modified" {
		t.Errorf("dirty go build: revision=%s, want %s-modified", rev, head)
	}
}

// TestReleaseAndImage cross-builds two linux platforms with make release
// (the default list adds darwin/arm64 and windows/amd64, checked below),
// verifies tarballs and checksums, and builds the FROM scratch image of
// each with buildah.
func TestReleaseAndImage(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds")
	}
	git(t, root, "rev-parse", "HEAD")
	mk := readFile(t, "Makefile")
	for _, p := range []string{"linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64"} {
		if !regexp.MustCompile(`(?m)^PLATFORMS \?=.*\b` + regexp.QuoteMeta(p) + `\b`).MatchString(mk) {
			t.Errorf("Makefile PLATFORMS does not include %s", p)
		}
	}
	ver := buildinfo.Version
	run(t, root, nil, "make", "release", "PLATFORMS=linux/amd64 linux/arm64")

	rel := filepath.Join(root, ".build", "release")
	sums := map[string]string{}
	f, err := os.Open(filepath.Join(rel, "sha256sums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("sha256sums.txt line %q is not in sha256sum format", sc.Text())
		}
		sums[name] = sum
	}
	wantArch := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for arch, machine := range wantArch {
		name := "billing_exporter-" + ver + ".linux-" + arch + ".tar.gz"
		data, err := os.ReadFile(filepath.Join(rel, name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if sums[name] != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: checksum %q in sha256sums.txt, file has %x", name, sums[name], sum)
		}
		files := untar(t, data)
		dir := strings.TrimSuffix(name, ".tar.gz") + "/"
		for _, want := range []string{"billing_exporter", "LICENSE", "CHANGELOG.md", "billing_exporter.yml"} {
			if _, ok := files[dir+want]; !ok {
				t.Errorf("%s lacks %s%s (has %v)", name, dir, want, keys(files))
			}
		}
		bin := filepath.Join(root, ".build", "linux-"+arch, "billing_exporter")
		ef, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		if ef.Machine != machine {
			t.Errorf("%s is built for %v, want %v", bin, ef.Machine, machine)
		}
		ef.Close()
	}
	if len(sums) != len(wantArch) {
		t.Errorf("sha256sums.txt lists %v, want one line per tarball", keys(sums))
	}

	buildImages(t, ver)
}

func buildImages(t *testing.T, ver string) {
	buildah := testenv.LookPath(t, "buildah")
	if out, err := exec.Command(buildah, "info").CombinedOutput(); err != nil {
		t.Skipf("buildah cannot run here: %v\n%s", err, out)
	}
	rev := git(t, root, "rev-parse", "HEAD")
	image := "localhost/billing_exporter-test-" + strings.ToLower(filepath.Base(t.TempDir()))
	run(t, root, nil, "make", "image", "IMAGE="+image, "REVISION="+rev)
	for _, arch := range []string{"amd64", "arm64"} {
		tag := image + ":" + ver + "-" + arch
		t.Cleanup(func() { _ = exec.Command(buildah, "rmi", "-f", tag).Run() })
		out := stdout(t, buildah, "inspect", "--type", "image", tag)
		var img struct {
			OCIv1 struct {
				Architecture string `json:"architecture"`
				OS           string `json:"os"`
				Config       struct {
					User         string              `json:"User"`
					Entrypoint   []string            `json:"Entrypoint"`
					Cmd          []string            `json:"Cmd"`
					ExposedPorts map[string]struct{} `json:"ExposedPorts"`
					Labels       map[string]string   `json:"Labels"`
				} `json:"config"`
			} `json:"OCIv1"`
		}
		if err := json.Unmarshal([]byte(out), &img); err != nil {
			t.Fatal(err)
		}
		c := img.OCIv1.Config
		if img.OCIv1.OS != "linux" || img.OCIv1.Architecture != arch {
			t.Errorf("%s: platform %s/%s", tag, img.OCIv1.OS, img.OCIv1.Architecture)
		}
		if c.User != "65534:65534" {
			t.Errorf("%s: user %q, want 65534:65534", tag, c.User)
		}
		if !slices.Equal(c.Entrypoint, []string{"/bin/billing_exporter"}) ||
			!slices.Equal(c.Cmd, []string{"--config.file=/etc/billing_exporter/billing_exporter.yml"}) {
			t.Errorf("%s: entrypoint %q cmd %q", tag, c.Entrypoint, c.Cmd)
		}
		if _, ok := c.ExposedPorts["9977/tcp"]; !ok || len(c.ExposedPorts) != 1 {
			t.Errorf("%s: exposed ports %v, want only 9977/tcp", tag, c.ExposedPorts)
		}
		for k, want := range map[string]string{
			"org.opencontainers.image.title":    "billing_exporter",
			"org.opencontainers.image.licenses": "Apache-2.0",
			"org.opencontainers.image.version":  ver,
			"org.opencontainers.image.revision": rev,
			"org.opencontainers.image.source":   "https://github.com/billingexporter/billing_exporter",
		} {
			if c.Labels[k] != want {
				t.Errorf("%s: label %s=%q, want %q", tag, k, c.Labels[k], want)
			}
		}
		checkImageFiles(t, buildah, tag, arch)
	}
}

// checkImageFiles mounts the image and checks that it holds the binary of
// its architecture and the CA bundle, and nothing else.
func checkImageFiles(t *testing.T, buildah, tag, arch string) {
	ctr := stdout(t, buildah, "from", "--pull-never", tag)
	defer func() { _ = exec.Command(buildah, "rm", ctr).Run() }()
	mnt := stdout(t, buildah, "mount", ctr)
	var files []string
	err := filepath.WalkDir(mnt, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(mnt, p)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	if want := []string{"bin/billing_exporter", "etc/ssl/certs/ca-certificates.crt"}; !slices.Equal(files, want) {
		t.Errorf("%s holds %v, want %v", tag, files, want)
	}
	ef, err := elf.Open(filepath.Join(mnt, "bin/billing_exporter"))
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	if want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]; ef.Machine != want {
		t.Errorf("%s: binary for %v", tag, ef.Machine)
	}
	if arch == "amd64" {
		if ver, _, _ := versionOf(t, filepath.Join(mnt, "bin/billing_exporter")); ver != buildinfo.Version {
			t.Errorf("%s: binary reports version %q", tag, ver)
		}
	}
}

func untar(t *testing.T, data []byte) map[string]int64 {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int64{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = h.Size
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
