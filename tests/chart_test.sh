#!/usr/bin/env bash
# The Helm chart (helm/vigil): `helm lint` and `helm template` with the
# default values and with ci/all-options-values.yaml (every option on); every
# rendered object decoded strictly into its Kubernetes API type by
# tools/chartcheck (unknown fields rejected, security promises checked); the
# values schema rejects typos; the rendered pipeline configuration is one
# `vigil` accepts; the plain rules file is the chart's PrometheusRule; the
# review application (issue 11) is its own Deployment, Service, Ingress and
# NetworkPolicy with the pipeline's security context; every Alertmanager
# option reaches the configuration.
# Helm is built from its Go module by tools/install-helm.sh (cached).
# Usage: chart_test.sh VIGIL_BINARY SOURCE_DIR SHARED_DIR
set -uo pipefail
source "$2/tests/test_lib.sh"
chart=$source_dir/helm/vigil
all_options=$chart/ci/all-options-values.yaml
use_work_dir
python=python3
"$python" -c 'import yaml' 2>/dev/null || python=/usr/bin/python3
export PATH=$PATH:/usr/local/go/bin
export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
export CGO_ENABLED=0 GOFLAGS=-trimpath

started=$(date +%s)
if ! helm=$(bash "$source_dir/tools/install-helm.sh"); then
  echo "FAIL: tools/install-helm.sh could not build helm"
  exit 1
fi
echo "chart_test: helm ready after $(( $(date +%s) - started )) s: $("$helm" version --short)"

check "values.schema.json is what tools/chart-schema.py writes" \
    "$python" "$source_dir/tools/chart-schema.py" --check
check "helm lint (default values)" "$helm" lint --strict "$chart"
check "helm lint (every option)" "$helm" lint --strict "$chart" -f "$all_options"
check "helm template (default values)" \
    bash -c "'$helm' template vigil '$chart' --namespace vigil > '$work/default.yaml'"
check "helm template (every option)" \
    bash -c "'$helm' template vigil '$chart' --namespace vigil -f '$all_options' > '$work/all.yaml'"

# The schema and the chart's own checks reject mistakes.
rejects() {  # rejects PATTERN HELM-TEMPLATE-ARGS...
  local pattern=$1; shift
  "$helm" template vigil "$chart" "$@" > /dev/null 2> "$work/err" && return 1
  grep -q -- "$pattern" "$work/err" || { cat "$work/err"; return 1; }
}
check "a misspelt key is rejected" rejects "additional properties 'bootstrapServer' not allowed" \
    --set kafka.bootstrapServer=x
check "a misspelt nested key is rejected" rejects "additional properties 'enabeld' not allowed" \
    --set serviceMonitor.enabeld=true
check "a wrong type is rejected" rejects "replicaCount" --set replicaCount=many
check "TLS without a Secret is rejected" rejects "kafka.tls.enabled needs kafka.tls.secretName" \
    --set kafka.tls.enabled=true
check "SASL without a Secret is rejected" rejects "kafka.sasl.enabled needs kafka.sasl.secretName" \
    --set kafka.sasl.enabled=true
check "Alertmanager without a URL is rejected" rejects "alertmanager.enabled needs alertmanager.url" \
    --set alertmanager.enabled=true
check "a grace period shorter than a commit is rejected" rejects "terminationGracePeriodSeconds must exceed" \
    --set terminationGracePeriodSeconds=5 --set commit.maxIntervalMs=1000
check "Alertmanager with a bearer token and basic auth is rejected" rejects "use either bearerToken or basicAuth" \
    --set alertmanager.enabled=true --set alertmanager.url=http://am:9093 \
    --set alertmanager.bearerToken.secretName=t --set alertmanager.basicAuth.username=u \
    --set alertmanager.basicAuth.passwordSecretName=p
check "a review Ingress without a host is rejected" rejects "review.ingress.enabled needs review.ingress.host" \
    --set review.enabled=true --set review.ingress.enabled=true
check "a review NetworkPolicy admitting no peers is rejected" rejects "review.networkPolicy.from" \
    --set review.enabled=true --set-json 'review.networkPolicy.from=[]'

# Strict decoding into the Kubernetes and Prometheus Operator API types.
chartcheck=$work/chartcheck
check "chartcheck's own tests pass" bash -c "cd '$source_dir/tools/chartcheck' && go test ./... >'$work/gotest.log' 2>&1 || { cat '$work/gotest.log'; exit 1; }"
check "chartcheck builds" bash -c "cd '$source_dir/tools/chartcheck' && go build -o '$chartcheck' ."
check "default manifests decode strictly" "$chartcheck" -config-out "$work/default-config.yaml" "$work/default.yaml"
check "every-option manifests decode strictly" "$chartcheck" -config-out "$work/all-config.yaml" \
    -rules-out "$work/all-rules.yaml" "$work/all.yaml"

# The rendered objects say what the values ask for.
"$python" - "$work/default.yaml" "$work/all.yaml" <<'PY'
import sys, yaml
def load(path):
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(open(path)) if d}
default, everything = load(sys.argv[1]), load(sys.argv[2])
problems = []
def expect(cond, what):
    if not cond:
        problems.append(what)
kinds = lambda objs: sorted({k for k, _ in objs})
expect(kinds(default) == ["ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "Service",
                          "ServiceAccount", "StatefulSet"], f"default kinds {kinds(default)}")
expect({"ServiceMonitor", "PrometheusRule"} <= set(kinds(everything)), "ServiceMonitor/PrometheusRule")
sts = everything[("StatefulSet", "vigil-national")]
c = sts["spec"]["template"]["spec"]["containers"][0]
expect("--group-instance-id=$(POD_NAME)" in c["args"], "group instance id from the pod name")
expect({"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}} in c["env"], "POD_NAME env")
# 512 MiB cache + 32 MiB + 16 MiB queues + 512 MiB overhead = 1072 MiB; limit 150 %.
expect(c["resources"]["requests"]["memory"] == "1072Mi", f"memory request {c['resources']['requests']['memory']}")
expect(c["resources"]["limits"]["memory"] == "1608Mi", f"memory limit {c['resources']['limits']['memory']}")
dsts = default[("StatefulSet", "vigil")]
dc = dsts["spec"]["template"]["spec"]["containers"][0]
expect(dc["resources"]["requests"]["memory"] == "640Mi", f"default memory {dc['resources']['requests']['memory']}")
expect(dsts["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 60, "grace period")
mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
expect(mounts["/etc/vigil/kafka-sasl"].get("readOnly") and mounts["/etc/vigil/kafka-tls"].get("readOnly"),
       "credentials mounted read-only")
vols = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
expect(vols["kafka-sasl"]["secret"]["secretName"] == "vigil-kafka-user", "SASL from the existing Secret")
expect(vols["kafka-tls"]["secret"]["secretName"] == "vigil-kafka-tls", "TLS from the existing Secret")
# NetworkPolicy egress: DNS, Kafka and (only when enabled) Alertmanager's port.
def egress_ports(objs, name):
    np = objs[("NetworkPolicy", name)]
    return [sorted(p["port"] for p in rule["ports"]) for rule in np["spec"]["egress"]]
expect(egress_ports(default, "vigil") == [[53, 53], [9092, 9093]], f"default egress {egress_ports(default, 'vigil')}")
expect(egress_ports(everything, "vigil-national") == [[53, 53], [9093, 9094], [9093]],
       f"every-option egress {egress_ports(everything, 'vigil-national')}")
# Dashboards as ConfigMaps for Grafana's sidecar.
boards = [d for (k, _), d in everything.items() if k == "ConfigMap" and "dashboard" in str(d["metadata"].get("labels"))]
expect(len(boards) == 2 and all(b["metadata"]["labels"]["grafana_dashboard"] == "1" and
                                b["metadata"]["namespace"] == "monitoring" for b in boards), "dashboard ConfigMaps")
expect(sum(1 for (k, n) in default if k == "ConfigMap") == 3, "default: config + two dashboards")
sm = everything[("ServiceMonitor", "vigil-national")]
expect(sm["metadata"]["labels"]["release"] == "kube-prometheus-stack", "ServiceMonitor selector labels")
pr = everything[("PrometheusRule", "vigil-national")]
alerts = [r for g in pr["spec"]["groups"] for r in g["rules"]]
expect(all(r["labels"].get("team") == "patient-safety-ops" for r in alerts), "alert labels")
expect(any("[2h]" in r["expr"] for r in alerts), "noEventsFor in the rule")
# The review application (issue 11): its own Deployment, Service, Ingress
# and NetworkPolicy, on by values only; the same image, configuration,
# credentials and security context as the pipeline.
expect(not any(k in ("Deployment", "Ingress") for k, _ in default), "review off by default")
dep = everything[("Deployment", "vigil-national-review")]
rpod = dep["spec"]["template"]["spec"]
rc = rpod["containers"][0]
expect(rc["args"][:2] == ["serve", "--config=/etc/vigil/config/vigil.yaml"], f"serve args {rc['args']}")
expect("--bootstrap-servers=kafka-0.kafka:9093,kafka-1.kafka:9093" in rc["args"] and
       "--signals-topic=lfpse.signals" in rc["args"] and "--port=8081" in rc["args"] and
       "--bind=0.0.0.0" in rc["args"], f"serve flags {rc['args']}")
expect(rc["ports"] == [{"name": "http", "containerPort": 8081, "protocol": "TCP"}], "review port")
expect(rc["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"} and
       rc["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}, "review probes")
expect(rc["securityContext"] == c["securityContext"], "review container security context = pipeline's")
expect(rpod["securityContext"] == sts["spec"]["template"]["spec"]["securityContext"], "review pod security context")
expect(rpod["automountServiceAccountToken"] is False, "review: no service account token")
rmounts = {m["mountPath"]: m for m in rc["volumeMounts"]}
expect(rmounts["/etc/vigil/kafka-sasl"].get("readOnly") and rmounts["/etc/vigil/kafka-tls"].get("readOnly"),
       "review: Kafka credentials mounted read-only")
rvols = {v["name"]: v for v in rpod["volumes"]}
expect(rvols["config"]["configMap"]["name"] == "vigil-national", "review: the pipeline's ConfigMap")
expect(rvols["store"]["emptyDir"] == {"sizeLimit": "4Gi"}, "review: store in an emptyDir")
rsel = dep["spec"]["selector"]["matchLabels"]
expect(rsel == {"app.kubernetes.io/name": "vigil-review", "app.kubernetes.io/instance": "vigil"}, f"review selector {rsel}")
# The pipeline's selectors never match review pods, nor the reverse.
psel = sts["spec"]["selector"]["matchLabels"]
expect(not set(psel.items()) <= set(dep["spec"]["template"]["metadata"]["labels"].items()), "pipeline selector matches review pods")
svc = everything[("Service", "vigil-national-review")]
expect(svc["spec"]["selector"] == rsel and svc["spec"]["ports"] == [
    {"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}], f"review Service {svc['spec']}")
ing = everything[("Ingress", "vigil-national-review")]
expect(ing["spec"]["ingressClassName"] == "nginx" and
       ing["spec"]["tls"] == [{"hosts": ["vigil.example.nhs.uk"], "secretName": "vigil-review-tls"}] and
       ing["spec"]["rules"][0]["host"] == "vigil.example.nhs.uk" and
       ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"] == {"name": "vigil-national-review", "port": {"name": "http"}},
       f"review Ingress {ing['spec']}")
rnp = everything[("NetworkPolicy", "vigil-national-review")]
expect(rnp["spec"]["podSelector"]["matchLabels"] == rsel, "review NetworkPolicy selects the review pods")
expect(rnp["spec"]["ingress"] == [{"ports": [{"port": "http", "protocol": "TCP"}], "from": [
    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]}],
    f"review ingress {rnp['spec']['ingress']}")
expect(egress_ports(everything, "vigil-national-review") == [[53, 53], [9093, 9094]],
       f"review egress {egress_ports(everything, 'vigil-national-review')}: DNS and Kafka only")
# Every Alertmanager option reaches the pipeline's configuration; the
# generatorURL points at the review application's page of the signal.
cfg = yaml.safe_load(everything[("ConfigMap", "vigil-national")]["data"]["vigil.yaml"])
am = cfg["alertmanager"]
expect(am == {"url": "https://alertmanager-operated.monitoring.svc:9093", "resend_interval_seconds": 120,
              "timeout_ms": 5000, "retry_initial_backoff_ms": 250, "retry_max_backoff_ms": 30000,
              "max_alerts": 20000, "labels": {"environment": "production"},
              "generator_url": "https://vigil.example.nhs.uk/signals/{signal_id}",
              "basic_auth": {"username": "vigil", "password_file": "/etc/vigil/alertmanager-auth/password"},
              "tls": {"ca_file": "/etc/vigil/alertmanager-tls/ca.crt",
                      "cert_file": "/etc/vigil/alertmanager-tls/tls.crt",
                      "key_file": "/etc/vigil/alertmanager-tls/tls.key", "insecure_skip_verify": False}},
       f"alertmanager section {am}")
expect(cfg["kafka"]["reviews_topic"] == "lfpse.reviews", "reviews topic in the kafka section")
expect(cfg["review"]["identity"]["trusted_proxies"] == ["10.1.2.3", "10.1.2.4"] and
       cfg["review"]["identity"]["user_header"] == "X-Auth-Request-Email" and
       cfg["review"]["identity"]["reviewer_groups"] == ["patient-safety-reviewers"] and
       cfg["review"]["base_url"] == "https://vigil.example.nhs.uk" and
       cfg["review"]["report_url_template"] == "https://lfpse.example.nhs.uk/reports/{id}", f"review section {cfg['review']}")
expect(mounts["/etc/vigil/alertmanager-auth"].get("readOnly") and mounts["/etc/vigil/alertmanager-tls"].get("readOnly"),
       "Alertmanager credentials mounted read-only")
expect(vols["alertmanager-auth"]["secret"]["secretName"] == "vigil-alertmanager-auth" and
       vols["alertmanager-tls"]["secret"]["secretName"] == "vigil-alertmanager-tls", "Alertmanager credentials from existing Secrets")
for p in problems:
    print("rendered:", p)
sys.exit(1 if problems else 0)
PY
check "rendered objects follow the values" test $? -eq 0

# The plain rules file is the chart's PrometheusRule with default values.
check "rules file is the chart's rendering (tools/render-rules.sh)" \
    bash -c "HELM='$helm' bash '$source_dir/tools/render-rules.sh' --stdout | cmp -s - '$chart/rules/vigil-alerts.yaml'"
check "promtool accepts the every-option rules" promtool check rules "$work/all-rules.yaml"

# `vigil` accepts the rendered pipeline configurations. Secret files are
# stood in for by temporary ones. Every section must be one vigil knows:
# configuration keys are checked strictly, so an `alertmanager:` section
# vigil did not recognise fails here (see also the strictness check below).
accepts_config() {  # accepts_config CONFIG
  local config=$1
  "$python" - "$config" "$work" <<'PY'
import sys, yaml
path, work = sys.argv[1], sys.argv[2]
cfg = yaml.safe_load(open(path))
for key, file in cfg.get("kafka", {}).get("properties_from_files", {}).items():
    stand_in = f"{work}/{key}"
    open(stand_in, "w").write("stand-in\n")
    cfg["kafka"]["properties_from_files"][key] = stand_in
yaml.safe_dump(cfg, open(path, "w"))
PY
  local out
  # The `review:` section is read by `vigil serve`; a vigil without it (before
  # the review application is built in) is checked on the rest.
  if ! "$vigil" --help | grep -q '^  serve '; then
    "$python" -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1])); c.pop("review", None); yaml.safe_dump(c, open(sys.argv[1], "w"))' "$config"
    echo "note: this vigil has no serve command; the review section is not checked"
  fi
  out=$("$vigil" replay --config "$config" --input /dev/null --signals /dev/null 2>&1) && return 0
  echo "$out"
  return 1
}
# rejects_unknown_alertmanager_key CONFIG: the config with one misspelt key
# added to its alertmanager section is refused (exit 2, naming the key), so
# vigil reads that section rather than passing over it.
rejects_unknown_alertmanager_key() {
  "$python" -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
c["alertmanager"]["urll"] = "http://typo"
yaml.safe_dump(c, open(sys.argv[2], "w"))' "$1" "$work/typo-config.yaml" || return 1
  local out status=0
  out=$("$vigil" replay --config "$work/typo-config.yaml" --input /dev/null --signals /dev/null 2>&1) || status=$?
  ((status == 2)) && grep -q "alertmanager.urll" <<<"$out" && return 0
  echo "exit $status: $out"
  return 1
}
check "vigil accepts the default rendered config" accepts_config "$work/default-config.yaml"
check "vigil accepts the every-option rendered config" accepts_config "$work/all-config.yaml"
check "the every-option config has an alertmanager section with a URL" "$python" -c \
    'import sys, yaml; sys.exit(0 if yaml.safe_load(open(sys.argv[1])).get("alertmanager", {}).get("url") else 1)' \
    "$work/all-config.yaml"
check "vigil reads the rendered alertmanager section strictly" rejects_unknown_alertmanager_key "$work/all-config.yaml"
check "default config runs the national default detectors" bash -c "! grep -q '^detectors:' '$work/default-config.yaml'"

echo "chart_test: took $(( $(date +%s) - started )) s"
finish
