// Package buildinfo completes prometheus/common/version for binaries built
// without the Makefile's -ldflags (plain go build, go install, go run), so
// that --version and billing_exporter_build_info never say version="".
package buildinfo

import "github.com/prometheus/common/version"

// Version is the release this source tree belongs to. A test keeps it equal
// to the VERSION file and to the newest release in CHANGELOG.md.
const Version = "0.1.0"

// Fill sets every version field the linker left empty: the version from
// Version, the revision (with "-modified" for a dirty tree) from the VCS
// stamp go build embeds in a git checkout, "unknown" where nothing is known
// (go run embeds no VCS stamp, and no build records its branch or date).
// Call it before anything reads the version package.
func Fill() {
	if version.Version == "" {
		version.Version = Version
	}
	if version.Revision == "" {
		version.Revision = version.GetRevision() // vcs.revision, "-modified" when dirty
	}
	for _, f := range []*string{&version.Branch, &version.BuildUser, &version.BuildDate} {
		if *f == "" {
			*f = "unknown"
		}
	}
}
