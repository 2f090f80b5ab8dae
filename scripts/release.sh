#!/usr/bin/env bash
# Cross-builds billing_exporter for $PLATFORMS (os/arch pairs) with the
# version information of the Makefile, and packs one tarball per platform
# with checksums: .build/release/billing_exporter-<version>.<os>-<arch>.tar.gz
# and .build/release/sha256sums.txt. Run through `make release`.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${GO:=go}" "${VERSION:=$(cat VERSION)}" "${LDFLAGS:=}"
: "${PLATFORMS:=linux/amd64 linux/arm64 darwin/arm64 windows/amd64}"

out=.build/release
rm -rf "$out"
mkdir -p "$out"
for platform in $PLATFORMS; do
  os=${platform%/*} arch=${platform#*/}
  exe=billing_exporter
  [ "$os" = windows ] && exe=billing_exporter.exe
  echo ">> building $os/$arch"
  mkdir -p ".build/$os-$arch"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$GO" build -trimpath -ldflags "$LDFLAGS" \
    -o ".build/$os-$arch/$exe" ./cmd/billing_exporter
  name=billing_exporter-$VERSION.$os-$arch
  stage=$(mktemp -d)
  mkdir "$stage/$name"
  cp ".build/$os-$arch/$exe" LICENSE CHANGELOG.md examples/billing_exporter.yml "$stage/$name/"
  tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
  rm -rf "$stage"
done
(cd "$out" && sha256sum -- *.tar.gz > sha256sums.txt)
echo ">> $out:"
cat "$out/sha256sums.txt"
