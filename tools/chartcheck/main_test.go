package main

import (
	"strings"
	"testing"
)

const configMap = `# Source: vigil/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: vigil
data:
  vigil.yaml: |
    kafka: {bootstrap_servers: kafka:9092}
`

func TestDecodesAKnownKind(t *testing.T) {
	docs, errs := Decode("---\n" + configMap + "---\n# only a comment\n")
	if len(errs) != 0 || len(docs) != 1 || docs[0].Kind != "ConfigMap" || docs[0].Name != "vigil" {
		t.Fatalf("docs %v errs %v", docs, errs)
	}
	if docs[0].Source != "vigil/templates/configmap.yaml" {
		t.Errorf("source %q", docs[0].Source)
	}
}

func TestRejectsAnUnknownField(t *testing.T) {
	typo := strings.Replace(configMap, "\ndata:", "\ndat:", 1)
	_, errs := Decode(typo)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `unknown field "dat"`) {
		t.Fatalf("want an unknown-field error, got %v", errs)
	}
}

func TestRejectsAnUnknownNestedFieldOfAnOperatorType(t *testing.T) {
	monitor := `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: vigil}
spec:
  selector: {matchLabels: {app: vigil}}
  endpoints:
    - port: metrics
      intervall: 30s
`
	_, errs := Decode(monitor)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `unknown field "intervall"`) {
		t.Fatalf("want an unknown-field error, got %v", errs)
	}
}

func TestRejectsAWrongTypeAndAnUnknownKind(t *testing.T) {
	_, errs := Decode(`apiVersion: v1
kind: Service
metadata: {name: vigil}
spec: {ports: [{port: "not-a-number"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
`)
	if len(errs) != 2 || !strings.Contains(errs[1].Error(), "unknown apiVersion/kind v1/Pod") {
		t.Fatalf("want two errors, got %v", errs)
	}
}

func TestFlagsASecretRenderedByTheChart(t *testing.T) {
	docs, errs := Decode(`apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: hunter2}
`)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	found := false
	for _, e := range CheckVigil(docs) {
		found = found || strings.Contains(e.Error(), "credentials come only from existing Secrets")
	}
	if !found {
		t.Fatal("a rendered Secret was not flagged")
	}
}

func TestFlagsAPlainTextPasswordInTheConfig(t *testing.T) {
	errs := checkPipelineConfig("cm", "kafka:\n  properties:\n    sasl.password: hunter2\n")
	if len(errs) != 1 || strings.Contains(errs[0].Error(), "hunter2") {
		t.Fatalf("want one error that does not repeat the secret, got %v", errs)
	}
}
