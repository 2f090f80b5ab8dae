# Multi-arch build of a static binary on an empty base image, run as nobody:
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg VERSION=$(cat VERSION) --build-arg REVISION=$(git rev-parse HEAD) -t billing_exporter .
# The Go stage runs on the build machine's platform and cross-compiles for
# each target platform, so no emulation is needed. Mount the configuration at
# /etc/billing_exporter/billing_exporter.yml and secret files wherever its
# *_file keys point. Dockerfile.prebuilt packs binaries of `make release`
# instead (no Go stage, no base image pull).
ARG GO_VERSION=1.26
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS
ARG TARGETARCH
ARG REVISION=unknown
ARG BRANCH=unknown
ARG BUILD_DATE=unknown
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath \
      -ldflags "-s -w \
        -X github.com/prometheus/common/version.Version=$(cat VERSION) \
        -X github.com/prometheus/common/version.Revision=${REVISION} \
        -X github.com/prometheus/common/version.Branch=${BRANCH} \
        -X github.com/prometheus/common/version.BuildUser=docker \
        -X github.com/prometheus/common/version.BuildDate=${BUILD_DATE}" \
      -o /out/billing_exporter ./cmd/billing_exporter

FROM scratch
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="billing_exporter" \
      org.opencontainers.image.description="Prometheus exporter for NAVER Cloud Platform, VGP and PortOne billing APIs" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/billingexporter/billing_exporter" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# CA certificates for the HTTPS upstreams; no tzdata is needed (Asia/Seoul
# is a fixed UTC+9 zone in the code).
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/billing_exporter /bin/billing_exporter
USER 65534:65534
EXPOSE 9977
ENTRYPOINT ["/bin/billing_exporter"]
CMD ["--config.file=/etc/billing_exporter/billing_exporter.yml"]
