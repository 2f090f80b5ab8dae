package releasecheck

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// finalStage returns the instructions of a Dockerfile's last stage after
// FROM, with continuation lines joined and comments dropped.
func finalStage(t *testing.T, name string) (from string, instructions []string) {
	t.Helper()
	var lines []string
	cur := ""
	for line := range strings.Lines(readFile(t, name)) {
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if before, ok := strings.CutSuffix(line, "\\"); ok {
			cur += before + " "
			continue
		}
		cur += line
		if strings.TrimSpace(cur) != "" {
			lines = append(lines, strings.Join(strings.Fields(cur), " "))
		}
		cur = ""
	}
	for i, l := range slices.Backward(lines) {
		if strings.HasPrefix(l, "FROM ") {
			return l, lines[i+1:]
		}
	}
	t.Fatalf("%s has no FROM", name)
	return "", nil
}

// The multi-stage Dockerfile (which cannot be built here: no base image can
// be pulled) ends in the same image as Dockerfile.prebuilt, which
// TestReleaseAndImage builds and inspects: FROM scratch with the same
// labels, user, port, entrypoint and command. Its Go stage cross-compiles
// on the build platform.
func TestDockerfilesAgree(t *testing.T) {
	from, multi := finalStage(t, "Dockerfile")
	pfrom, prebuilt := finalStage(t, "Dockerfile.prebuilt")
	if from != "FROM scratch" || pfrom != "FROM scratch" {
		t.Errorf("final stages %q and %q, want FROM scratch", from, pfrom)
	}
	keep := func(list []string) []string {
		var out []string
		for _, l := range list {
			if !strings.HasPrefix(l, "COPY ") && !strings.HasPrefix(l, "ARG TARGET") {
				out = append(out, l)
			}
		}
		return out
	}
	if a, b := keep(multi), keep(prebuilt); !slices.Equal(a, b) {
		t.Errorf("final stages differ:\nDockerfile:          %q\nDockerfile.prebuilt: %q", a, b)
	}
	text := readFile(t, "Dockerfile")
	for _, re := range []string{
		`(?m)^FROM --platform=\$BUILDPLATFORM golang:\S+ AS build$`,
		`(?m)^ARG TARGETOS$`, `(?m)^ARG TARGETARCH$`,
		`GOOS=\$\{TARGETOS\} GOARCH=\$\{TARGETARCH\}`,
		`(?m)^COPY --from=build /out/billing_exporter /bin/billing_exporter$`,
		`(?m)^USER 65534:65534$`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("Dockerfile lacks %s", re)
		}
	}
	ignore := strings.Fields(readFile(t, ".dockerignore"))
	for _, want := range []string{".git", ".build"} {
		if !slices.Contains(ignore, want) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
}
