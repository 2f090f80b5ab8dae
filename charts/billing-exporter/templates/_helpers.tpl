{{/* Chart name, truncated to the 63 characters Kubernetes allows. */}}
{{- define "billing-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name, with the chart name unless it already holds it. */}}
{{- define "billing-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "billing-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "billing-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "billing-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "billing-exporter.labels" -}}
helm.sh/chart: {{ include "billing-exporter.chart" . }}
{{ include "billing-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ (.Values.image.tag | default .Chart.AppVersion) | toString | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "billing-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "billing-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding billing_exporter.yml. */}}
{{- define "billing-exporter.configSecretName" -}}
{{- printf "%s-config" (include "billing-exporter.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret mounted at /run/secrets/billing: existingSecret or the chart's own. Empty when there is none. */}}
{{- define "billing-exporter.credentialsSecretName" -}}
{{- if and .Values.existingSecret .Values.secrets }}
{{- fail "set either secrets or existingSecret, not both" }}
{{- end }}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if .Values.secrets }}
{{- printf "%s-credentials" (include "billing-exporter.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "billing-exporter.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/* The Secret holding the exporter-toolkit web config. */}}
{{- define "billing-exporter.webConfigSecretName" -}}
{{- printf "%s-web-config" (include "billing-exporter.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Whether the exporter serves TLS / asks for basic auth (webConfig). */}}
{{- define "billing-exporter.tls" -}}
{{- if .Values.webConfig.config.tls_server_config }}true{{ end }}
{{- end }}
{{- define "billing-exporter.basicAuth" -}}
{{- if .Values.webConfig.config.basic_auth_users }}true{{ end }}
{{- end }}

{{/*
A probe from values, following webConfig: an httpGet probe gets scheme
HTTPS when the exporter serves TLS, and becomes a TCP check when it asks
for basic auth (kubelet would need the password in the pod spec).
Call with (dict "probe" .Values.livenessProbe "root" $).
*/}}
{{- define "billing-exporter.probe" -}}
{{- $probe := deepCopy .probe }}
{{- if $probe.httpGet }}
{{- if include "billing-exporter.basicAuth" .root }}
{{- $_ := set $probe "tcpSocket" (dict "port" $probe.httpGet.port) }}
{{- $_ := unset $probe "httpGet" }}
{{- else if and (include "billing-exporter.tls" .root) (not $probe.httpGet.scheme) }}
{{- $_ := set $probe.httpGet "scheme" "HTTPS" }}
{{- end }}
{{- end }}
{{- toYaml $probe }}
{{- end }}

{{/* provider/account of every account in config, in config order. */}}
{{- define "billing-exporter.probeTargets" -}}
{{- range $provider := list "ncloud" "vgp" "portone" }}
{{- range (get $.Values.config $provider | default list) }}
{{ $provider }}/{{ .name }}
{{- end }}
{{- end }}
{{- end }}
