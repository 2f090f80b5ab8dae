package chartcheck

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Copies the chart ships: Helm reads only files inside the chart, so these
// are byte-identical copies of the repository's alerts/ and dashboards/.
var chartCopies = []struct {
	src, dst, pattern string
}{
	{"alerts", "charts/billing-exporter/files/alerts", "*.yml"},
	{"dashboards", "charts/billing-exporter/files/dashboards", "*.json"},
}

// names lists the base names of dir's files matching pattern.
func names(t *testing.T, dir, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		out = append(out, filepath.Base(f))
	}
	return out
}

func TestChartFilesInSync(t *testing.T) {
	for _, c := range chartCopies {
		t.Run(c.src, func(t *testing.T) {
			src := names(t, c.src, c.pattern)
			if len(src) == 0 {
				t.Fatalf("no %s in %s", c.pattern, c.src)
			}
			if *update {
				if err := os.MkdirAll(filepath.Join(root, c.dst), 0o755); err != nil {
					t.Fatal(err)
				}
				for _, n := range names(t, c.dst, c.pattern) {
					if !slices.Contains(src, n) {
						if err := os.Remove(filepath.Join(root, c.dst, n)); err != nil {
							t.Fatal(err)
						}
					}
				}
				for _, n := range src {
					data, err := os.ReadFile(filepath.Join(root, c.src, n))
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(root, c.dst, n), data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			const fix = "; run go test ./internal/chartcheck -run TestChartFilesInSync -args -update"
			dst := names(t, c.dst, c.pattern)
			for _, n := range dst {
				if !slices.Contains(src, n) {
					t.Errorf("%s/%s has no source in %s/%s", c.dst, n, c.src, fix)
				}
			}
			for _, n := range src {
				want, err := os.ReadFile(filepath.Join(root, c.src, n))
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(filepath.Join(root, c.dst, n))
				switch {
				case errors.Is(err, fs.ErrNotExist):
					t.Errorf("%s/%s is missing%s", c.dst, n, fix)
				case err != nil:
					t.Fatal(err)
				case !bytes.Equal(got, want):
					t.Errorf("%s/%s differs from %s/%s%s", c.dst, n, c.src, n, fix)
				}
			}
		})
	}
}
