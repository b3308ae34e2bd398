// Command chartcheck checks manifests rendered by `helm template` offline,
// against the Kubernetes API types rather than a cluster:
//
//   - every object is decoded strictly into the Go type of its apiVersion and
//     kind (k8s.io/api, and the Prometheus Operator's monitoring/v1 types for
//     ServiceMonitor and PrometheusRule): an unknown or misspelt field, a
//     wrong type, or a kind this program does not know is an error;
//   - Vigil's own promises are checked on the typed objects: security
//     context, probes, resources, state volume, credentials only from
//     existing Secrets; the review application's Deployment and
//     NetworkPolicy likewise.
//
// Usage:
//
//	chartcheck [-rules-out FILE] [-config-out FILE] MANIFEST.yaml
//
// -rules-out writes the PrometheusRule's spec (the rule groups) as a
// Prometheus rules file; -config-out writes the pipeline configuration held
// by the ConfigMap. Exit status 1 names every problem found.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// newObject returns an empty object of the Go type served for apiVersion
// and kind, or nil when chartcheck does not know the pair.
func newObject(apiVersion, kind string) any {
	switch apiVersion + "/" + kind {
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}
	case "v1/Service":
		return &corev1.Service{}
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}
	case "v1/Secret":
		return &corev1.Secret{}
	case "apps/v1/StatefulSet":
		return &appsv1.StatefulSet{}
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}
	case "networking.k8s.io/v1/Ingress":
		return &networkingv1.Ingress{}
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "networking.k8s.io/v1/NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	case "monitoring.coreos.com/v1/ServiceMonitor":
		return &monitoringv1.ServiceMonitor{}
	case "monitoring.coreos.com/v1/PrometheusRule":
		return &monitoringv1.PrometheusRule{}
	}
	return nil
}

// Document is one decoded manifest.
type Document struct {
	Source string // "# Source: ..." line of helm template, for messages
	Kind   string
	Name   string
	Object any
}

var sourceLine = regexp.MustCompile(`(?m)^# Source: (.*)$`)

// splitDocuments splits a multi-document YAML stream on lines that are "---".
func splitDocuments(text string) []string {
	var docs []string
	var current strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.TrimRight(line, "\r\n") == "---" {
			docs = append(docs, current.String())
			current.Reset()
			continue
		}
		current.WriteString(line)
	}
	return append(docs, current.String())
}

// decodeStrict decodes one YAML document into the type its apiVersion and
// kind name, rejecting unknown fields and trailing data.
func decodeStrict(doc string) (*Document, error) {
	source := ""
	if m := sourceLine.FindStringSubmatch(doc); m != nil {
		source = m[1]
	}
	raw, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("%s: not YAML: %w", source, err)
	}
	if string(raw) == "null" {
		return nil, nil // an empty document (comments only)
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	obj := newObject(head.APIVersion, head.Kind)
	if obj == nil {
		return nil, fmt.Errorf("%s: unknown apiVersion/kind %s/%s (add it to chartcheck)", source,
			head.APIVersion, head.Kind)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		return nil, fmt.Errorf("%s: %s %q: %w", source, head.Kind, head.Metadata.Name, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: trailing data after the object", source)
	}
	return &Document{Source: source, Kind: head.Kind, Name: head.Metadata.Name, Object: obj}, nil
}

// Decode decodes every document of a rendered chart.
func Decode(text string) ([]*Document, []error) {
	var docs []*Document
	var errs []error
	for _, d := range splitDocuments(text) {
		doc, err := decodeStrict(d)
		if err != nil {
			errs = append(errs, err)
		} else if doc != nil {
			docs = append(docs, doc)
		}
	}
	return docs, errs
}

func main() {
	rulesOut := flag.String("rules-out", "", "write the PrometheusRule's rule groups to this file")
	configOut := flag.String("config-out", "", "write the pipeline configuration (ConfigMap vigil.yaml) to this file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: chartcheck [-rules-out FILE] [-config-out FILE] MANIFEST.yaml")
		os.Exit(2)
	}
	text, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "chartcheck:", err)
		os.Exit(2)
	}
	docs, errs := Decode(string(text))
	errs = append(errs, CheckVigil(docs)...)
	if *rulesOut != "" {
		errs = append(errs, writeRules(docs, *rulesOut)...)
	}
	if *configOut != "" {
		errs = append(errs, writeConfig(docs, *configOut)...)
	}
	for _, e := range errs {
		fmt.Fprintln(os.Stderr, "chartcheck:", e)
	}
	kinds := map[string]int{}
	for _, d := range docs {
		kinds[d.Kind]++
	}
	fmt.Printf("chartcheck: %s: %d objects decoded strictly %v; %d problems\n", flag.Arg(0), len(docs), kinds, len(errs))
	if len(errs) > 0 {
		os.Exit(1)
	}
}

func writeRules(docs []*Document, path string) []error {
	for _, d := range docs {
		if rule, ok := d.Object.(*monitoringv1.PrometheusRule); ok {
			out, err := yaml.Marshal(rule.Spec)
			if err == nil {
				err = os.WriteFile(path, out, 0o644)
			}
			if err != nil {
				return []error{err}
			}
			return nil
		}
	}
	return []error{errors.New("-rules-out: no PrometheusRule rendered")}
}

func writeConfig(docs []*Document, path string) []error {
	for _, d := range docs {
		if cm, ok := d.Object.(*corev1.ConfigMap); ok {
			if text, ok := cm.Data["vigil.yaml"]; ok {
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					return []error{err}
				}
				return nil
			}
		}
	}
	return []error{errors.New("-config-out: no ConfigMap with vigil.yaml rendered")}
}
