{{/*
The alert rules of Vigil, as the `groups` of a Prometheus rules file. The
PrometheusRule renders them; helm/vigil/rules/vigil-alerts.yaml is the same
rendering with the default values, for Prometheus without the Operator
(tests/chart_test.sh fails if the two differ; tools/render-rules.sh
regenerates the file). $labels/$value are Prometheus templates, escaped
from Helm with {{`...`}}.
*/}}
{{/*
The usual count of signals raised in a window of `.window`: the median, per
namespace, of that window's count one, two, three and four weeks earlier (the
same weekdays and hours, so weekly detectors closing their weeks on Mondays
compare with Mondays). A median of four is robust to one unusual week (a
flood, an outage) and to the oldest week being cut short by Prometheus's
retention; weeks older than the retention are left out, and with no history
at all there is no baseline and neither alert fires.
*/}}
{{- define "vigil.usualSignals" -}}
quantile by (namespace) (0.5,
{{- range $weeks := list 1 2 3 4 }}
  {{ if ne $weeks 1 }}or {{ end }}label_replace(sum by (namespace) (increase(vigil_signals_raised_total[{{ $.window }}] offset {{ $weeks }}w)), "weeks_ago", "{{ $weeks }}", "", "")
{{- end }}
)
{{- end -}}

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
      - alert: VigilConsumerFenced
        # Once after a broker restart is librdkafka 2.0.2 fencing the member
        # with its own rejoin, which Vigil rides out; more means another
        # consumer uses the pod's group.instance.id.
        expr: sum by (namespace, pod) (increase(vigil_kafka_consumers_replaced_total[30m])) >= 2
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil pod {{ $labels.namespace }}/{{ $labels.pod }} keeps being fenced by its consumer group"`}}
          description: {{`"The consumer group fenced {{ $labels.pod }} at least twice in 30 minutes; each time it took its member back with a new consumer and redid what was not committed. A fourth fence within 10 minutes makes it exit. Another consumer is probably using the group.instance.id {{ $labels.pod }}."`}}
          runbook_url: {{ printf "%s/VigilConsumerFenced.md" $r.runbookBaseUrl }}
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
      - alert: VigilAlertmanagerDeliveryFailing
        # Per pod: each pod sends the alerts of the signals it raises. Failed
        # (error: retried; rejected: not) and no request accepted.
        expr: |-
          sum by (namespace, pod) (increase(vigil_alertmanager_sends_total{result=~"error|rejected"}[{{ $r.alertmanagerFailingFor }}])) > 0
          and sum by (namespace, pod) (increase(vigil_alertmanager_sends_total{result="success"}[{{ $r.alertmanagerFailingFor }}])) == 0
        for: 5m
        labels:
          severity: {{ $r.criticalSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil on {{ $labels.namespace }}/{{ $labels.pod }} cannot deliver alerts to Alertmanager"`}}
          description: {{ printf "%s%s%s" `"{{ $labels.pod }} has made {{ $value | humanize }} failed requests to Alertmanager in ` $r.alertmanagerFailingFor ` and none was accepted: new signals do not reach the national team's notifications (they are still in the signals topic and the review application). vigil_alertmanager_queue_depth counts the alerts waiting."` }}
          runbook_url: {{ printf "%s/VigilAlertmanagerDeliveryFailing.md" $r.runbookBaseUrl }}
      - alert: VigilAlertmanagerAlertsDropped
        expr: sum by (namespace, pod, reason) (increase(vigil_alertmanager_alerts_dropped_total[15m])) > 0
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"Vigil on {{ $labels.namespace }}/{{ $labels.pod }} dropped alerts ({{ $labels.reason }})"`}}
          description: {{`"{{ $labels.pod }} gave up {{ $value | humanize }} signal transitions in the last 15 minutes instead of sending them to Alertmanager. queue_full: the sink already held alertmanager.maxAlerts alerts; rejected: Alertmanager refused a resolved alert. Those notifications are lost; the signals are still in the signals topic and the review application."`}}
          runbook_url: {{ printf "%s/VigilAlertmanagerAlertsDropped.md" $r.runbookBaseUrl }}
      - alert: VigilSignalFlood
        # The raised count itself is the alert's value; the median helper
        # (vigil.usualSignals) gives the usual count.
        expr: |-
          sum by (namespace) (increase(vigil_signals_raised_total[{{ $r.signalFloodWindow }}]))
            > {{ $r.signalFloodFactor }} * {{ include "vigil.usualSignals" (dict "window" $r.signalFloodWindow) | nindent 12 | trim }}
          and sum by (namespace) (increase(vigil_signals_raised_total[{{ $r.signalFloodWindow }}])) >= {{ $r.signalFloodMinimum }}
        for: 15m
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{ printf "%s%s%s" `"Vigil in {{ $labels.namespace }} raised {{ $value | humanize }} signals in ` $r.signalFloodWindow `, far more than usual"` }}
          description: {{ printf "%s%s%s%v%s" `"{{ $value | humanize }} signals were raised in {{ $labels.namespace }} in the last ` $r.signalFloodWindow `, more than ` $r.signalFloodFactor ` times the median of the same window in the four weeks before. Either something real is happening at scale, or a detector, its configuration or the input (a replay, a duplicated feed) is at fault; the national team is being flooded either way."` }}
          runbook_url: {{ printf "%s/VigilSignalFlood.md" $r.runbookBaseUrl }}
      - alert: VigilSignalDrought
        expr: |-
          sum by (namespace) (increase(vigil_signals_raised_total[{{ $r.signalDroughtWindow }}]))
            < {{ $r.signalDroughtFraction }} * {{ include "vigil.usualSignals" (dict "window" $r.signalDroughtWindow) | nindent 12 | trim }}
          and on (namespace) {{ include "vigil.usualSignals" (dict "window" $r.signalDroughtWindow) | nindent 10 | trim }} >= {{ $r.signalDroughtMinimumBaseline }}
        for: 1h
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{ printf "%s%s%s" `"Vigil in {{ $labels.namespace }} raised only {{ $value | humanize }} signals in ` $r.signalDroughtWindow `, far fewer than usual"` }}
          description: {{ printf "%s%s%s%v%s" `"Only {{ $value | humanize }} signals were raised in {{ $labels.namespace }} in the last ` $r.signalDroughtWindow `, less than ` $r.signalDroughtFraction ` of the median of the same window in the four weeks before. Events may be flowing while detection is not: a detector removed or misconfigured, a field the detectors key on gone from the feed, or the merge stage holding records back."` }}
          runbook_url: {{ printf "%s/VigilSignalDrought.md" $r.runbookBaseUrl }}
      - alert: VigilLateEventsSurging
        # The share of the last hour against the share of the last week: a
        # feed whose reports usually arrive late does not alert, a jump does.
        expr: |-
          (
            sum by (namespace) (increase(vigil_events_late_total[1h]))
              / sum by (namespace) (increase(vigil_events_processed_total[1h]))
          ) > {{ $r.lateSurgeRatio }}
          and (
            sum by (namespace) (increase(vigil_events_late_total[1h]))
              / sum by (namespace) (increase(vigil_events_processed_total[1h]))
          ) > {{ $r.lateSurgeFactor }} * (
            sum by (namespace) (increase(vigil_events_late_total[1w]))
              / sum by (namespace) (increase(vigil_events_processed_total[1w]))
          )
          and sum by (namespace) (increase(vigil_events_late_total[1h])) >= {{ $r.lateSurgeMinimum }}
        for: 15m
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"{{ $value | humanizePercentage }} of the events Vigil processed in {{ $labels.namespace }} in the last hour were late"`}}
          description: {{ printf "%s%v%s%v%s" `"{{ $value | humanizePercentage }} of processed events in the last hour were dated in a period a detector had already closed: more than ` $r.lateSurgeRatio ` and more than ` $r.lateSurgeFactor ` times the share of the last week. Late events count only in later revisions of closed windows, so risks among them are signalled late or not at all. A producer is back-filling old reports, or stream time jumped ahead (an event dated in the future)."` }}
          runbook_url: {{ printf "%s/VigilLateEventsSurging.md" $r.runbookBaseUrl }}
      - alert: VigilStateVolumeFilling
        expr: |-
          (
            vigil_state_volume_available_bytes / vigil_state_volume_capacity_bytes < {{ $r.stateVolumeFillingRatio }}
            and predict_linear(vigil_state_volume_available_bytes[6h], {{ $r.stateVolumeFullWithinHours }} * 3600) < 0
          )
          or vigil_state_volume_available_bytes / vigil_state_volume_capacity_bytes < {{ $r.stateVolumeAlmostFullRatio }}
        for: 15m
        labels:
          severity: {{ $r.warningSeverity }}
          {{- with $extra }}{{ toYaml . | nindent 10 }}{{ end }}
        annotations:
          summary: {{`"The state volume of Vigil pod {{ $labels.namespace }}/{{ $labels.pod }} is filling up ({{ $value | humanizePercentage }} free)"`}}
          description: {{ printf "%s%v%s%v%s%v%s" `"Only {{ $value | humanizePercentage }} of the file system holding {{ $labels.pod }}'s RocksDB state is free: less than ` $r.stateVolumeFillingRatio ` and full within ` $r.stateVolumeFullWithinHours ` hours at the rate of the last 6, or less than ` $r.stateVolumeAlmostFullRatio `. When it is full RocksDB stops writing, every commit fails and the pod restarts in a loop (VigilCommitsFailing, VigilRestarting)."` }}
          runbook_url: {{ printf "%s/VigilStateVolumeFilling.md" $r.runbookBaseUrl }}
{{- end -}}
