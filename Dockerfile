# Multi-stage build: a static binary on an empty base image, run as nobody.
# Mount the configuration at /etc/billing_exporter/billing_exporter.yml and
# secret files wherever the configuration's *_file keys point.
ARG GO_VERSION=1.26
FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG REVISION=unknown
ARG BRANCH=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w \
        -X github.com/prometheus/common/version.Version=${VERSION} \
        -X github.com/prometheus/common/version.Revision=${REVISION} \
        -X github.com/prometheus/common/version.Branch=${BRANCH} \
        -X github.com/prometheus/common/version.BuildUser=docker \
        -X github.com/prometheus/common/version.BuildDate=unknown" \
      -o /out/billing_exporter ./cmd/billing_exporter

FROM scratch
LABEL org.opencontainers.image.title="billing_exporter" \
      org.opencontainers.image.description="Prometheus exporter for NAVER Cloud Platform, VGP and PortOne billing APIs" \
      org.opencontainers.image.licenses="Apache-2.0"
# CA certificates for the HTTPS upstreams; no tzdata is needed (Asia/Seoul
# is a fixed UTC+9 zone in the code).
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/billing_exporter /bin/billing_exporter
USER 65534:65534
EXPOSE 9977
ENTRYPOINT ["/bin/billing_exporter"]
CMD ["--config.file=/etc/billing_exporter/billing_exporter.yml"]
