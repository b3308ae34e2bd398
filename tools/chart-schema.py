#!/usr/bin/env python3
"""Writes helm/vigil/values.schema.json, the JSON Schema of the chart's values.

Every object rejects keys it does not list (additionalProperties: false), so a
typo in a values file fails `helm install`/`helm template` instead of being
ignored. The only pass-through is `affinity` (a deep Kubernetes type that the
API server checks). Run it after changing values.yaml:

    python3 tools/chart-schema.py
tests/chart_test.sh fails when the committed schema differs from its output.
"""
import json
import pathlib
import sys


def obj(props, required=None, desc=None):
    o = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        o["required"] = required
    if desc:
        o["description"] = desc
    return o


def S(desc=None, **kw):
    return dict({"type": "string"}, **({"description": desc} if desc else {}), **kw)


def I(desc=None, **kw):
    return dict({"type": "integer"}, **({"description": desc} if desc else {}), **kw)


def B(desc=None):
    return dict({"type": "boolean"}, **({"description": desc} if desc else {}))


def strmap(desc):
    return {"type": "object", "additionalProperties": {"type": "string"}, "description": desc}


def array(items, **kw):
    return dict({"type": "array", "items": items}, **kw)


def ref(name):
    return {"$ref": "#/$defs/" + name}


DURATION = S("Prometheus duration", pattern=r"^([0-9]+(ms|s|m|h|d|w|y))+$")
QUANTITY = S("Kubernetes quantity", pattern=r"^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$")
PORT = I(minimum=1, maximum=65535)
SE_LINUX = obj({"level": S(), "role": S(), "type": S(), "user": S()})
APP_ARMOR = obj({"type": S(), "localhostProfile": S()}, ["type"])

DEFS = {
    "labelSelector": obj({
        "matchLabels": strmap("label equality"),
        "matchExpressions": array(obj({
            "key": S(),
            "operator": S(enum=["In", "NotIn", "Exists", "DoesNotExist"]),
            "values": array(S()),
        }, ["key", "operator"])),
    }),
    "networkPolicyPeer": obj({
        "podSelector": ref("labelSelector"),
        "namespaceSelector": ref("labelSelector"),
        "ipBlock": obj({"cidr": S(), "except": array(S())}, ["cidr"]),
    }),
    "peers": array(ref("networkPolicyPeer")),
    "seccompProfile": obj({
        "type": S(enum=["RuntimeDefault", "Localhost", "Unconfined"]),
        "localhostProfile": S(),
    }, ["type"]),
    "podSecurityContext": obj({
        "runAsNonRoot": B(), "runAsUser": I(minimum=0), "runAsGroup": I(minimum=0),
        "fsGroup": I(minimum=0), "fsGroupChangePolicy": S(enum=["OnRootMismatch", "Always"]),
        "supplementalGroups": array(I(minimum=0)),
        "supplementalGroupsPolicy": S(enum=["Merge", "Strict"]),
        "seccompProfile": ref("seccompProfile"), "seLinuxOptions": SE_LINUX,
        "seLinuxChangePolicy": S(),
        "sysctls": array(obj({"name": S(), "value": S()}, ["name", "value"])),
        "appArmorProfile": APP_ARMOR,
    }, desc="Kubernetes PodSecurityContext"),
    "securityContext": obj({
        "allowPrivilegeEscalation": B(), "privileged": B(), "readOnlyRootFilesystem": B(),
        "runAsNonRoot": B(), "runAsUser": I(minimum=0), "runAsGroup": I(minimum=0),
        "capabilities": obj({"add": array(S()), "drop": array(S())}),
        "seccompProfile": ref("seccompProfile"), "seLinuxOptions": SE_LINUX, "procMount": S(),
        "appArmorProfile": APP_ARMOR,
    }, desc="Kubernetes SecurityContext of the container"),
    "toleration": obj({
        "key": S(), "operator": S(enum=["Exists", "Equal"]), "value": S(),
        "effect": S(enum=["NoSchedule", "PreferNoSchedule", "NoExecute"]),
        "tolerationSeconds": I(),
    }),
    "topologySpreadConstraint": obj({
        "maxSkew": I(minimum=1), "topologyKey": S(),
        "whenUnsatisfiable": S(enum=["DoNotSchedule", "ScheduleAnyway"]),
        "labelSelector": ref("labelSelector"), "minDomains": I(minimum=1),
        "matchLabelKeys": array(S()),
        "nodeAffinityPolicy": S(enum=["Honor", "Ignore"]),
        "nodeTaintsPolicy": S(enum=["Honor", "Ignore"]),
    }, ["maxSkew", "topologyKey", "whenUnsatisfiable"]),
    # The union of both detector types' keys (config/vigil.yaml); the binary
    # checks which belong to which type, and every value, at start-up.
    "detector": obj({
        "name": S(pattern="^[a-z0-9_]+$"), "type": S(enum=["count", "severity_rule"]),
        "dimensions": array(S()),
        "filter": obj({"record_types": array(S()), "categories": array(S()),
                       "agents": array(S()), "min_physical_harm": S()}),
        "period": S(enum=["week", "day"]), "grace_days": I(minimum=0, maximum=366),
        "method": S(),
        "params": {"type": "object",
                   "additionalProperties": {"type": ["number", "string", "boolean"]}},
        "min_observed": I(minimum=1), "severity": S(enum=["low", "medium", "high", "critical"]),
        "lifecycle": obj({"update_growth": {"type": "number", "exclusiveMinimum": 1},
                          "resolve_after_quiet": I(minimum=1)}),
        "min_physical_harm": S(), "never_events": B(), "group_by": array(S()),
        "group_days": I(minimum=1), "resolve_after_days": I(minimum=1),
        "retain_days": I(minimum=1), "update_growth": {"type": "number", "exclusiveMinimum": 1},
    }, ["name", "type"], desc="A detector in config/vigil.yaml's format"),
}

PROBE = obj({"periodSeconds": I(minimum=1), "failureThreshold": I(minimum=1)})

VALUES = obj({
    "nameOverride": S(), "fullnameOverride": S(),
    "image": obj({"repository": S(minLength=1), "tag": S(),
                  "pullPolicy": S(enum=["Always", "IfNotPresent", "Never"])}, ["repository"]),
    "imagePullSecrets": array(obj({"name": S(minLength=1)}, ["name"])),
    "replicaCount": I(minimum=0),
    "pipelineName": S(minLength=1),
    "kafka": obj({
        "bootstrapServers": S(minLength=1), "groupId": S(minLength=1),
        "eventsTopic": S(minLength=1), "signalsTopic": S(minLength=1),
        "deadLetterTopic": S(minLength=1), "repartitionTopic": S(), "reviewsTopic": S(),
        "staticMembership": B(),
        "guarantee": S(enum=["exactly_once", "at_least_once"]),
        "sessionTimeoutMs": I(minimum=1000),
        "consumerQueueKBytes": I(minimum=1), "producerQueueKBytes": I(minimum=1),
        "tls": obj({"enabled": B(), "secretName": S(), "caKey": S(), "certKey": S(),
                    "keyKey": S(), "endpointIdentification": S(enum=["https", "none"])}),
        "sasl": obj({"enabled": B(), "mechanism": S(enum=["SCRAM-SHA-512", "SCRAM-SHA-256"]),
                     "secretName": S(), "usernameKey": S(minLength=1),
                     "passwordKey": S(minLength=1)}),
        "properties": strmap("extra librdkafka properties"),
    }),
    "state": obj({
        "blockCacheBytes": I(minimum=1048576), "writeBufferBytes": I(minimum=1048576),
        "persistence": obj({
            "size": QUANTITY, "storageClassName": S(),
            "accessModes": array(S(enum=["ReadWriteOnce", "ReadWriteOncePod",
                                         "ReadWriteMany", "ReadOnlyMany"]), minItems=1),
            "labels": strmap("claim labels"), "annotations": strmap("claim annotations"),
        }),
    }),
    "commit": obj({"maxEvents": I(minimum=1), "maxIntervalMs": I(minimum=1)}),
    "metrics": obj({"port": PORT}),
    "detectors": array(ref("detector")),
    "alertmanager": obj({
        "enabled": B(), "url": S(pattern="^(https?://.+)?$"),
        "resendIntervalSeconds": I(minimum=1, maximum=86400), "timeoutMs": I(minimum=1),
        "retryInitialBackoffMs": I(minimum=1), "retryMaxBackoffMs": I(minimum=1),
        "maxAlerts": I(minimum=1), "labels": strmap("static labels of every alert"),
        "generatorUrl": S(pattern="^(https?://.+)?$"),
        "bearerToken": obj({"secretName": S(), "key": S(minLength=1)}),
        "basicAuth": obj({"username": S(), "passwordSecretName": S(),
                          "passwordKey": S(minLength=1)}),
        "tls": obj({"secretName": S(), "caKey": S(), "certKey": S(), "keyKey": S(),
                    "insecureSkipVerify": B()}),
    }),
    "review": obj({
        "enabled": B(), "replicaCount": I(minimum=0, maximum=1), "port": PORT,
        "baseUrl": S(pattern="^(https?://[^/]+.*[^/])?$"), "reportUrlTemplate": S(),
        "referenceTables": strmap("key dimension -> CSV path"),
        "identity": obj({"userHeader": S(minLength=1), "groupsHeader": S(minLength=1),
                         "trustedProxies": array(S()), "reviewers": array(S()),
                         "reviewerGroups": array(S())}),
        "storeSizeLimit": QUANTITY,
        "resources": obj({"cpuRequest": QUANTITY, "cpuLimit": {"anyOf": [{"const": ""}, QUANTITY]},
                          "memoryRequest": QUANTITY, "memoryLimit": QUANTITY}),
        "probes": obj({"readiness": PROBE, "liveness": PROBE}),
        "service": obj({"type": S(enum=["ClusterIP", "NodePort", "LoadBalancer"]), "port": PORT,
                        "annotations": strmap("annotations")}),
        "ingress": obj({"enabled": B(), "className": S(), "host": S(), "tlsSecretName": S(),
                        "annotations": strmap("annotations")}),
        "networkPolicy": obj({"from": array(ref("networkPolicyPeer"), minItems=1)}),
        "podAnnotations": strmap("pod annotations"), "podLabels": strmap("pod labels"),
    }),
    "terminationGracePeriodSeconds": I(minimum=1),
    "resources": obj({
        "memoryOverheadMiB": I(minimum=0), "memoryLimitPercent": I(minimum=100),
        "cpuRequest": QUANTITY, "cpuLimit": {"anyOf": [{"const": ""}, QUANTITY]},
        "ephemeralStorageRequest": QUANTITY, "ephemeralStorageLimit": QUANTITY,
    }),
    "podSecurityContext": ref("podSecurityContext"),
    "securityContext": ref("securityContext"),
    "probes": obj({"readiness": PROBE, "liveness": PROBE, "startup": PROBE}),
    "serviceAccount": obj({"create": B(), "name": S(), "annotations": strmap("annotations")}),
    "service": obj({"type": S(enum=["ClusterIP", "NodePort", "LoadBalancer"]),
                    "annotations": strmap("annotations")}),
    "podDisruptionBudget": obj({
        "enabled": B(),
        "maxUnavailable": {"anyOf": [I(minimum=0), S(pattern="^[0-9]+%$")]},
    }),
    "networkPolicy": obj({
        "enabled": B(), "metricsFrom": ref("peers"),
        "dns": obj({"to": ref("peers"), "port": PORT}),
        "kafka": obj({"to": ref("peers"), "ports": array(PORT, minItems=1)}),
        "alertmanager": obj({"to": ref("peers")}),
    }),
    "serviceMonitor": obj({"enabled": B(), "labels": strmap("labels"), "interval": DURATION,
                           "scrapeTimeout": DURATION}),
    "prometheusRule": obj({
        "enabled": B(), "labels": strmap("labels of the PrometheusRule"),
        "alertLabels": strmap("labels added to every alert"),
        "runbookBaseUrl": S(minLength=1), "jobSelector": S(minLength=1),
        "noEventsFor": DURATION, "lagGrowingFor": DURATION,
        "mergeStalledFor": DURATION,
        "deadLetterRatio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "deadLetterMinRate": {"type": "number", "minimum": 0},
        "notReadyFor": DURATION,
        "alertmanagerFailingFor": DURATION,
        "signalFloodWindow": DURATION,
        "signalFloodFactor": {"type": "number", "exclusiveMinimum": 0},
        "signalFloodMinimum": {"type": "number", "minimum": 1},
        "signalDroughtWindow": DURATION,
        "signalDroughtFraction": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "signalDroughtMinimumBaseline": {"type": "number", "exclusiveMinimum": 0},
        "lateSurgeRatio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "lateSurgeFactor": {"type": "number", "exclusiveMinimum": 0},
        "lateSurgeMinimum": {"type": "number", "minimum": 0},
        "stateVolumeFillingRatio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "stateVolumeFullWithinHours": {"type": "number", "exclusiveMinimum": 0},
        "stateVolumeAlmostFullRatio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "criticalSeverity": S(minLength=1), "warningSeverity": S(minLength=1),
    }),
    "grafanaDashboards": obj({"enabled": B(), "labels": strmap("labels"),
                              "annotations": strmap("annotations"), "namespace": S()}),
    "podAnnotations": strmap("pod annotations"),
    "podLabels": strmap("pod labels"),
    "nodeSelector": strmap("node selector"),
    "tolerations": array(ref("toleration")),
    "affinity": {"type": "object",
                 "description": "Kubernetes Affinity, passed through (the API server checks it)"},
    "topologySpreadConstraints": array(ref("topologySpreadConstraint")),
    "priorityClassName": S(),
})


def schema():
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Values of the vigil chart",
        "description": "Written by tools/chart-schema.py; every object rejects unknown keys.",
        "$defs": DEFS,
        **VALUES,
    }


if __name__ == "__main__":
    out = pathlib.Path(__file__).resolve().parent.parent / "helm/vigil/values.schema.json"
    text = json.dumps(schema(), indent=2) + "\n"
    if len(sys.argv) > 1 and sys.argv[1] == "--check":
        sys.exit(0 if out.read_text() == text else "values.schema.json is stale: run tools/chart-schema.py")
    out.write_text(text)
