{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "vigil.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every resource name. */}}
{{- define "vigil.fullname" -}}
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

{{/* Labels that select the pods; never changed after install. */}}
{{- define "vigil.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vigil.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every resource. */}}
{{- define "vigil.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "vigil.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: pipeline
app.kubernetes.io/part-of: vigil
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "vigil.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "vigil.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "vigil.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
Memory request in MiB: the RocksDB block cache, the consumer and producer
queues and a fixed overhead (arithmetic documented in values.yaml).
*/}}
{{- define "vigil.memoryRequestMiB" -}}
{{- $mib := 1048576 -}}
{{- $cache := div (int64 .Values.state.blockCacheBytes) $mib -}}
{{- $consumer := div (int64 .Values.kafka.consumerQueueKBytes) 1024 -}}
{{- $producer := div (int64 .Values.kafka.producerQueueKBytes) 1024 -}}
{{- add $cache $consumer $producer (int64 .Values.resources.memoryOverheadMiB) -}}
{{- end -}}

{{- define "vigil.memoryLimitMiB" -}}
{{- div (mul (int64 (include "vigil.memoryRequestMiB" .)) (int64 .Values.resources.memoryLimitPercent)) 100 -}}
{{- end -}}

{{/* Port of the Alertmanager URL: explicit, else 443 for https and 80 for http. */}}
{{- define "vigil.alertmanagerPort" -}}
{{- $u := urlParse .Values.alertmanager.url -}}
{{- $parts := splitList ":" $u.host -}}
{{- if gt (len $parts) 1 -}}
{{- last $parts -}}
{{- else if eq $u.scheme "https" -}}
443
{{- else -}}
80
{{- end -}}
{{- end -}}

{{/* The review application's names and labels: its own app.kubernetes.io/name, so
the pipeline's selectors (name + instance) never match its pods. */}}
{{- define "vigil.review.fullname" -}}
{{- printf "%s-review" (include "vigil.fullname" . | trunc 56 | trimSuffix "-") -}}
{{- end -}}
{{- define "vigil.review.selectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-review" (include "vigil.name" . | trunc 56 | trimSuffix "-") }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "vigil.review.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "vigil.review.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: review
app.kubernetes.io/part-of: vigil
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- define "vigil.reviewStoreDir" -}}/var/lib/vigil/review{{- end -}}

{{/* Alertmanager's generatorURL: as set, else the review application's page
of the signal when it is deployed with a base URL, else none. */}}
{{- define "vigil.generatorUrl" -}}
{{- if .Values.alertmanager.generatorUrl -}}
{{- .Values.alertmanager.generatorUrl -}}
{{- else if and .Values.review.enabled .Values.review.baseUrl -}}
{{- printf "%s/signals/{signal_id}" (trimSuffix "/" .Values.review.baseUrl) -}}
{{- end -}}
{{- end -}}

{{/* Mount points of the Alertmanager credentials. */}}
{{- define "vigil.amAuthDir" -}}/etc/vigil/alertmanager-auth{{- end -}}
{{- define "vigil.amTlsDir" -}}/etc/vigil/alertmanager-tls{{- end -}}

{{/* Mount points of the Kafka credentials. */}}
{{- define "vigil.tlsDir" -}}/etc/vigil/kafka-tls{{- end -}}
{{- define "vigil.saslDir" -}}/etc/vigil/kafka-sasl{{- end -}}

{{/* Checks that need more than the schema: cross-field rules. */}}
{{- define "vigil.validate" -}}
{{- if and .Values.kafka.tls.enabled (not .Values.kafka.tls.secretName) -}}
{{- fail "kafka.tls.enabled needs kafka.tls.secretName (an existing Secret with the CA and client certificates)" -}}
{{- end -}}
{{- if and .Values.kafka.sasl.enabled (not .Values.kafka.sasl.secretName) -}}
{{- fail "kafka.sasl.enabled needs kafka.sasl.secretName (an existing Secret with the user name and password)" -}}
{{- end -}}
{{- if ne (empty .Values.kafka.tls.certKey) (empty .Values.kafka.tls.keyKey) -}}
{{- fail "kafka.tls.certKey and kafka.tls.keyKey are set together (mutual TLS) or not at all" -}}
{{- end -}}
{{- if and .Values.alertmanager.enabled (not .Values.alertmanager.url) -}}
{{- fail "alertmanager.enabled needs alertmanager.url" -}}
{{- end -}}
{{- $am := .Values.alertmanager -}}
{{- if and $am.bearerToken.secretName $am.basicAuth.username -}}
{{- fail "alertmanager: use either bearerToken or basicAuth, not both" -}}
{{- end -}}
{{- if ne (empty $am.basicAuth.username) (empty $am.basicAuth.passwordSecretName) -}}
{{- fail "alertmanager.basicAuth.username and alertmanager.basicAuth.passwordSecretName go together" -}}
{{- end -}}
{{- if ne (empty $am.tls.certKey) (empty $am.tls.keyKey) -}}
{{- fail "alertmanager.tls.certKey and alertmanager.tls.keyKey are set together (mutual TLS) or not at all" -}}
{{- end -}}
{{- if and $am.tls.certKey (not $am.tls.secretName) -}}
{{- fail "alertmanager.tls.certKey needs alertmanager.tls.secretName" -}}
{{- end -}}
{{- if and .Values.review.enabled (not .Values.kafka.reviewsTopic) -}}
{{- fail "review.enabled needs kafka.reviewsTopic (where decisions are recorded)" -}}
{{- end -}}
{{- if and .Values.review.ingress.enabled (not .Values.review.ingress.host) -}}
{{- fail "review.ingress.enabled needs review.ingress.host" -}}
{{- end -}}
{{- if gt (int64 .Values.state.writeBufferBytes) (int64 .Values.state.blockCacheBytes) -}}
{{- fail "state.writeBufferBytes must not exceed state.blockCacheBytes (the memtables are charged to the cache)" -}}
{{- end -}}
{{- if le (mul (int64 .Values.terminationGracePeriodSeconds) 1000) (add (int64 .Values.commit.maxIntervalMs) 5000) -}}
{{- fail "terminationGracePeriodSeconds must exceed commit.maxIntervalMs by more than 5 s so the last batch is delivered and committed" -}}
{{- end -}}
{{- end -}}

{{/* The Alertmanager credentials (existing Secrets), mounted read-only into
the pipeline when its sink is on; the sink reads them at every request. */}}
{{- define "vigil.amMounts" -}}
{{- $am := .Values.alertmanager -}}
{{- if and $am.enabled (or $am.bearerToken.secretName $am.basicAuth.passwordSecretName) }}
- name: alertmanager-auth
  mountPath: {{ include "vigil.amAuthDir" . }}
  readOnly: true
{{- end }}
{{- if and $am.enabled $am.tls.secretName }}
- name: alertmanager-tls
  mountPath: {{ include "vigil.amTlsDir" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "vigil.amVolumes" -}}
{{- $am := .Values.alertmanager -}}
{{- if and $am.enabled $am.bearerToken.secretName }}
- name: alertmanager-auth
  secret:
    secretName: {{ $am.bearerToken.secretName }}
    defaultMode: 0440
    items:
      - key: {{ $am.bearerToken.key }}
        path: {{ $am.bearerToken.key }}
{{- else if and $am.enabled $am.basicAuth.passwordSecretName }}
- name: alertmanager-auth
  secret:
    secretName: {{ $am.basicAuth.passwordSecretName }}
    defaultMode: 0440
    items:
      - key: {{ $am.basicAuth.passwordKey }}
        path: {{ $am.basicAuth.passwordKey }}
{{- end }}
{{- if and $am.enabled $am.tls.secretName }}
- name: alertmanager-tls
  secret:
    secretName: {{ $am.tls.secretName }}
    defaultMode: 0440
    items:
      {{- with $am.tls.caKey }}
      - key: {{ . }}
        path: {{ . }}
      {{- end }}
      {{- if $am.tls.certKey }}
      - key: {{ $am.tls.certKey }}
        path: {{ $am.tls.certKey }}
      - key: {{ $am.tls.keyKey }}
        path: {{ $am.tls.keyKey }}
      {{- end }}
{{- end }}
{{- end -}}
