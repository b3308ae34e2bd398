{{/*
The alert rules of Vigil, as the `groups` of a Prometheus rules file. The
PrometheusRule renders them; helm/vigil/rules/vigil-alerts.yaml is the same
rendering with the default values, for Prometheus without the Operator
(tests/chart_test.sh fails if the two differ; tools/render-rules.sh
regenerates the file). $labels/$value are Prometheus templates, escaped
from Helm with {{`...`}}.
*/}}
{{- define "vigil.ruleGroups" -}}
{{- $r := .Values.prometheusRule -}}
{{- $extra := $r.alertLabels -}}
groups:
  - name: vigil.rules
    rules:
      - alert: VigilDown
        expr: {{ printf "up{%s} == 0" $r.jobSelector }}
        for: 5m
        labels:
          severity: {{ $r.criticalSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil pod {{ $labels.namespace }}/{{ $labels.pod }} cannot be scraped"`}}
          description: {{`"Prometheus has failed to scrape {{ $labels.instance }} for 5 minutes: the pipeline is down, crash-looping or unreachable, and no signal is raised meanwhile."`}}
          runbook_url: {{ printf "%s/VigilDown.md" $r.runbookBaseUrl }}
      - alert: VigilNotReady
        expr: vigil_ready == 0
        for: {{ $r.notReadyFor }}
        labels:
          severity: {{ $r.criticalSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil pod {{ $labels.namespace }}/{{ $labels.pod }} is not ready"`}}
          description: {{ printf "%s%s%s" `"{{ $labels.pod }} has answered /readyz with 503 for ` $r.notReadyFor `: it is not consuming (partitions not assigned or not restored, a rebalance that does not finish, or a fatal error on the way out)."` }}
          runbook_url: {{ printf "%s/VigilNotReady.md" $r.runbookBaseUrl }}
      - alert: VigilConsumerLagGrowing
        expr: vigil_consumer_lag > 0 and deriv(vigil_consumer_lag[10m]) > 0
        for: {{ $r.lagGrowingFor }}
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil is falling behind on {{ $labels.topic }}[{{ $labels.partition }}]"`}}
          description: {{ printf "%s%s%s" `"The consumer lag of {{ $labels.topic }} partition {{ $labels.partition }} ({{ $labels.pod }}) has grown for ` $r.lagGrowingFor ` and is now {{ $value }} messages: events arrive faster than they are processed, so signals come late."` }}
          runbook_url: {{ printf "%s/VigilConsumerLagGrowing.md" $r.runbookBaseUrl }}
      - alert: VigilNoEventsConsumed
        expr: {{ printf "sum by (namespace) (increase(vigil_events_consumed_total[%s])) == 0" $r.noEventsFor }}
        for: 5m
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil in {{ $labels.namespace }} has consumed no event"`}}
          description: {{ printf "%s%s%s" `"No incident event has been consumed in {{ $labels.namespace }} for ` $r.noEventsFor `: the upstream feed has stopped, the topic is wrong, or the pipeline is stuck."` }}
          runbook_url: {{ printf "%s/VigilNoEventsConsumed.md" $r.runbookBaseUrl }}
      - alert: VigilMergeStalled
        # Per pod, since merge partitions are owned by pods. A pod that owns
        # no merge partition, or an idle pipeline, receives no record and
        # stays silent.
        expr: |-
          sum by (namespace, pod) (increase(vigil_repartition_records_total[{{ $r.mergeStalledFor }}])) > 0
          and sum by (namespace, pod) (increase(vigil_repartition_released_total[{{ $r.mergeStalledFor }}])) == 0
        for: 5m
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil's merge stage on {{ $labels.namespace }}/{{ $labels.pod }} releases nothing"`}}
          description: {{ printf "%s%s%s" `"{{ $labels.pod }} has received {{ $value | humanize }} repartition records in ` $r.mergeStalledFor ` and released none to the national detectors, which therefore raise no signal. Most likely an events partition sends nothing (no valid event yet, or its producer stopped) and holds back every release; vigil_repartition_waiting_records counts the records held."` }}
          runbook_url: {{ printf "%s/VigilMergeStalled.md" $r.runbookBaseUrl }}
      - alert: VigilDeadLettersSpiking
        expr: |-
          (
            sum by (namespace) (rate(vigil_events_dead_lettered_total[10m]))
              / sum by (namespace) (rate(vigil_events_consumed_total[10m]))
          ) > {{ $r.deadLetterRatio }}
          and sum by (namespace) (rate(vigil_events_dead_lettered_total[10m])) > {{ $r.deadLetterMinRate }}
        for: 10m
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil in {{ $labels.namespace }} is dead-lettering {{ $value | humanizePercentage }} of events"`}}
          description: {{ printf "%s%v%s" `"More than ` $r.deadLetterRatio ` of consumed events have gone to the dead-letter topic for 10 minutes ({{ $value | humanizePercentage }}): a producer is sending invalid reports. The reason label of vigil_events_dead_lettered_total names what is wrong."` }}
          runbook_url: {{ printf "%s/VigilDeadLettersSpiking.md" $r.runbookBaseUrl }}
      - alert: VigilCommitsFailing
        expr: sum by (namespace, pod, stage) (increase(vigil_commit_failures_total[15m])) > 0
        labels:
          severity: {{ $r.criticalSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil commits are failing at the {{ $labels.stage }} stage on {{ $labels.pod }}"`}}
          description: {{`"Commits failed at the {{ $labels.stage }} stage in the last 15 minutes on {{ $labels.namespace }}/{{ $labels.pod }}. produce or state: the pod exits and replays its batch (VigilRestarting follows); offsets: Kafka refuses the informational offset commit, so lag tools see stale offsets."`}}
          runbook_url: {{ printf "%s/VigilCommitsFailing.md" $r.runbookBaseUrl }}
      - alert: VigilRestarting
        # A pod that restarts keeps its series when only the container
        # restarted (the value changes) and gets a new series when the pod
        # was recreated (a new instance): both count.
        expr: |-
          (
            sum by (namespace, pod) (changes(vigil_start_time_seconds[30m]))
            + count by (namespace, pod) (count_over_time(vigil_start_time_seconds[30m]))
            - 1
          ) >= 2
        labels:
          severity: {{ $r.criticalSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil pod {{ $labels.namespace }}/{{ $labels.pod }} is restarting repeatedly"`}}
          description: {{`"{{ $labels.pod }} has started {{ $value }} times more in 30 minutes. Vigil exits when it cannot finish a commit (signals not acknowledged, state write failed), on fatal Kafka errors and on bad configuration; it resumes from its state each time, so nothing is lost, but nothing is signalled while it loops."`}}
          runbook_url: {{ printf "%s/VigilRestarting.md" $r.runbookBaseUrl }}
{{- end -}}
