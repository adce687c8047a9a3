{{/* Names, labels and small computed values shared by the templates. */}}

{{- define "sockscale.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sockscale.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "sockscale.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "sockscale.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sockscale
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels for one component: (dict "ctx" $ "component" "proxy") */}}
{{- define "sockscale.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sockscale.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sockscale.componentLabels" -}}
{{ include "sockscale.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sockscale.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "sockscale.controlName" -}}{{ include "sockscale.fullname" . | trunc 55 | trimSuffix "-" }}-control{{- end -}}
{{- define "sockscale.proxyName" -}}{{ include "sockscale.fullname" . | trunc 57 | trimSuffix "-" }}-proxy{{- end -}}
{{- define "sockscale.etcdName" -}}{{ include "sockscale.fullname" . | trunc 58 | trimSuffix "-" }}-etcd{{- end -}}

{{- define "sockscale.controlServiceAccount" -}}
{{- if .Values.controlPlane.serviceAccount.create -}}{{ default (include "sockscale.controlName" .) .Values.controlPlane.serviceAccount.name }}{{- else -}}{{ default "default" .Values.controlPlane.serviceAccount.name }}{{- end -}}
{{- end -}}
{{- define "sockscale.proxyServiceAccount" -}}
{{- if .Values.proxy.serviceAccount.create -}}{{ default (include "sockscale.proxyName" .) .Values.proxy.serviceAccount.name }}{{- else -}}{{ default "default" .Values.proxy.serviceAccount.name }}{{- end -}}
{{- end -}}

{{/* Comma-separated etcd client URLs: the bundled StatefulSet's members or etcd.external.endpoints. */}}
{{- define "sockscale.etcdEndpoints" -}}
{{- if .Values.etcd.bundled.enabled -}}
{{- $name := include "sockscale.etcdName" . -}}
{{- $urls := list -}}
{{- range $i := until (int .Values.etcd.bundled.replicas) -}}
{{- $urls = append $urls (printf "http://%s-%d.%s-headless.%s.svc.%s:2379" $name $i $name $.Release.Namespace $.Values.clusterDomain) -}}
{{- end -}}
{{- join "," $urls -}}
{{- else -}}
{{- if not .Values.etcd.external.endpoints -}}
{{- fail "etcd: set etcd.bundled.enabled=true or list etcd.external.endpoints (e.g. https://etcd-0.example:2379)" -}}
{{- end -}}
{{- join "," .Values.etcd.external.endpoints -}}
{{- end -}}
{{- end -}}

{{/* The control plane's gRPC address as proxies dial it. */}}
{{- define "sockscale.controlPlaneAddress" -}}
{{- printf "%s.%s.svc.%s:%d" (include "sockscale.controlName" .) .Release.Namespace .Values.clusterDomain (int .Values.controlPlane.grpcPort) -}}
{{- end -}}

{{- define "sockscale.adminTokenSecret" -}}
{{- default (printf "%s-admin-token" (include "sockscale.controlName" .)) .Values.controlPlane.adminToken.existingSecret -}}
{{- end -}}


{{/* Whole seconds in a duration such as 30s, 2m, 500ms (rounded up), 0. */}}
{{- define "sockscale.durationSeconds" -}}
{{- $d := toString . -}}
{{- if eq $d "0" -}}0
{{- else if hasSuffix "ms" $d -}}{{ div (add (trimSuffix "ms" $d | int) 999) 1000 }}
{{- else if hasSuffix "s" $d -}}{{ trimSuffix "s" $d | int }}
{{- else if hasSuffix "m" $d -}}{{ mul (trimSuffix "m" $d | int) 60 }}
{{- else if hasSuffix "h" $d -}}{{ mul (trimSuffix "h" $d | int) 3600 }}
{{- else -}}{{ fail (printf "not a duration: %q (use 500ms, 30s, 2m, 1h or 0)" $d) }}
{{- end -}}
{{- end -}}
