{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "vmgrid.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: <release>-<chart>, or the release name when it already contains the chart name. */}}
{{- define "vmgrid.fullname" -}}
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

{{/* Headless service for member discovery (DNS lookup). */}}
{{- define "vmgrid.headlessName" -}}
{{- printf "%s-hs" (include "vmgrid.fullname" . | trunc 60 | trimSuffix "-") }}
{{- end }}

{{/* DNS name of the headless service the members look up to find each other. */}}
{{- define "vmgrid.serviceDns" -}}
{{- printf "%s.%s.svc.%s" (include "vmgrid.headlessName" .) .Release.Namespace .Values.clusterDomain }}
{{- end }}

{{- define "vmgrid.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Standard labels on every object. */}}
{{- define "vmgrid.labels" -}}
helm.sh/chart: {{ include "vmgrid.chart" . }}
{{ include "vmgrid.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: vmgrid
{{- end }}

{{/* Labels that select the member pods (immutable in the StatefulSet: never change them). */}}
{{- define "vmgrid.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vmgrid.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: member
{{- end }}

{{- define "vmgrid.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vmgrid.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "vmgrid.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The node configuration file (/etc/vmgrid/node.yaml); keys as the node's --config reads them. */}}
{{- define "vmgrid.nodeYaml" -}}
{{- if eq (int .Values.node.port) (int .Values.node.metricsPort) }}
{{- fail (printf "node.metricsPort: must differ from node.port (both %v)" .Values.node.port) }}
{{- end -}}
clusterName: {{ .Values.node.clusterName | quote }}
port: {{ .Values.node.port }}
metricsPort: {{ .Values.node.metricsPort }}
workers: {{ .Values.node.workers }}
quorum: {{ include "vmgrid.quorum" . }}
heartbeatTimeoutSeconds: {{ .Values.node.heartbeatTimeoutSeconds }}
partitionGroup: {{ .Values.node.partitionGroup }}
scheduler: {{ .Values.node.scheduler | quote }}
rules: /etc/vmgrid/rules.yaml
preemption:
  enabled: {{ .Values.node.preemption.enabled }}
  maxVictims: {{ .Values.node.preemption.maxVictims }}
discovery:
  mode: kubernetes
  serviceDns: {{ include "vmgrid.serviceDns" . }}
{{- with .Values.store }}
{{- if .url }}
store:
  url: {{ .url | quote }}
  {{- if .user }}
  user: {{ .user | quote }}
  {{- end }}
  mode: {{ .mode }}
  {{- if not (kindIs "invalid" .delaySeconds) }}
  delaySeconds: {{ .delaySeconds }}
  {{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The split-brain quorum: node.quorum if set, else a majority of replicas (replicas/2+1). */}}
{{- define "vmgrid.quorum" -}}
{{- if kindIs "invalid" .Values.node.quorum }}
{{- add (div (int .Values.replicas) 2) 1 }}
{{- else }}
{{- .Values.node.quorum }}
{{- end }}
{{- end }}

{{/* ClusterRole (and binding) letting the members read their node's zone label. */}}
{{- define "vmgrid.nodeReaderName" -}}
{{- printf "%s-%s-node-reader" .Release.Namespace (include "vmgrid.fullname" .) }}
{{- end }}

{{/* The rule set: inline value, else the chart's copy of the project's default rule set. */}}
{{- define "vmgrid.rulesYaml" -}}
{{- if .Values.rules.inline }}
{{- .Values.rules.inline }}
{{- else }}
{{- .Files.Get "files/rules.yaml" }}
{{- end }}
{{- end }}

{{/* Seconds the member's shutdown needs besides Hazelcast's graceful leave: draining the agents'
     queues and stopping its services (up to about 20 s), then the JVM's exit. */}}
{{- define "vmgrid.shutdownReserve" -}}30{{- end }}

{{/* JAVA_OPTS: heap from the memory limit, the collector, and Hazelcast's graceful-shutdown wait
     (the leave on SIGTERM), which ends vmgrid.shutdownReserve seconds before the grace period. */}}
{{- define "vmgrid.javaOpts" -}}
{{- $wait := sub (int .Values.terminationGracePeriodSeconds) (int (include "vmgrid.shutdownReserve" .)) -}}
{{- $opts := list
  (printf "-XX:MaxRAMPercentage=%v" .Values.jvm.maxRAMPercentage)
  (printf "-XX:InitialRAMPercentage=%v" .Values.jvm.maxRAMPercentage)
  (printf "-XX:+Use%sGC" .Values.jvm.gc)
  (printf "-Dhazelcast.graceful.shutdown.max.wait=%d" $wait) -}}
{{- if .Values.jvm.extraOpts }}
{{- $opts = append $opts .Values.jvm.extraOpts }}
{{- end }}
{{- join " " $opts }}
{{- end }}
