package main

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// CheckVigil checks what the chart promises beyond well-formed objects.
func CheckVigil(docs []*Document) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	statefulSets := 0
	for _, d := range docs {
		switch o := d.Object.(type) {
		case *corev1.Secret:
			fail("%s: the chart renders a Secret %q; credentials come only from existing Secrets", d.Source, o.Name)
		case *corev1.ConfigMap:
			if text, ok := o.Data["vigil.yaml"]; ok {
				errs = append(errs, checkPipelineConfig(d.Source, text)...)
			}
		case *appsv1.StatefulSet:
			statefulSets++
			errs = append(errs, checkStatefulSet(d.Source, o)...)
		case *networkingv1.NetworkPolicy:
			types := map[networkingv1.PolicyType]bool{}
			for _, t := range o.Spec.PolicyTypes {
				types[t] = true
			}
			if !types[networkingv1.PolicyTypeIngress] || !types[networkingv1.PolicyTypeEgress] {
				fail("%s: the NetworkPolicy must restrict both ingress and egress", d.Source)
			}
			if len(o.Spec.Ingress) != 1 || len(o.Spec.Ingress[0].Ports) != 1 ||
				o.Spec.Ingress[0].Ports[0].Port.String() != "metrics" {
				fail("%s: ingress must admit only the metrics port", d.Source)
			}
		}
	}
	if statefulSets != 1 {
		fail("expected one StatefulSet, found %d", statefulSets)
	}
	return errs
}

func checkStatefulSet(source string, s *appsv1.StatefulSet) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(source+": "+format, args...)) }
	pod := s.Spec.Template.Spec
	if psc := pod.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
		fail("the pod must run as non-root")
	}
	if psc := pod.SecurityContext; psc == nil || psc.SeccompProfile == nil ||
		psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		fail("the pod's seccomp profile must be RuntimeDefault")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		fail("the service account token must not be mounted")
	}
	if pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds < 10 {
		fail("terminationGracePeriodSeconds must leave time for the last commit")
	}
	if len(pod.Containers) != 1 {
		fail("expected one container, found %d", len(pod.Containers))
		return errs
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	switch {
	case sc == nil:
		fail("the container has no securityContext")
	default:
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			fail("the root filesystem must be read-only")
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			fail("privilege escalation must be off")
		}
		if sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" ||
			len(sc.Capabilities.Add) != 0 {
			fail("every capability must be dropped and none added")
		}
	}
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path {
			fail("%s probe must GET %s", name, path)
		}
	}
	probe("readiness", c.ReadinessProbe, "/readyz")
	probe("liveness", c.LivenessProbe, "/healthz")
	probe("startup", c.StartupProbe, "/healthz")
	for _, r := range []corev1.ResourceName{corev1.ResourceMemory, corev1.ResourceCPU} {
		if _, ok := c.Resources.Requests[r]; !ok {
			fail("no %s request", r)
		}
	}
	req, lim := c.Resources.Requests[corev1.ResourceMemory], c.Resources.Limits[corev1.ResourceMemory]
	if lim.Cmp(req) < 0 {
		fail("the memory limit %s is below the request %s", lim.String(), req.String())
	}
	if len(s.Spec.VolumeClaimTemplates) != 1 || s.Spec.VolumeClaimTemplates[0].Name != "state" {
		fail("the state must be a volumeClaimTemplate named state")
	}
	writable := map[string]bool{}
	for _, m := range c.VolumeMounts {
		if !m.ReadOnly {
			writable[m.MountPath] = true
		}
	}
	if !writable["/var/lib/vigil/state"] {
		fail("the state claim must be mounted writable at /var/lib/vigil/state")
	}
	args := strings.Join(c.Args, " ")
	if !strings.HasPrefix(args, "run --config=") {
		fail("the container must run `vigil run --config=...`, got %q", args)
	}
	for _, e := range c.Env {
		if e.Value != "" && strings.Contains(strings.ToLower(e.Name), "password") {
			fail("environment variable %s carries a password in plain text", e.Name)
		}
	}
	return errs
}

// checkPipelineConfig checks the rendered vigil.yaml: secrets only by file.
func checkPipelineConfig(source, text string) []error {
	var cfg struct {
		Kafka struct {
			Properties map[string]string `json:"properties"`
		} `json:"kafka"`
	}
	if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
		return []error{fmt.Errorf("%s: vigil.yaml: %w", source, err)}
	}
	var errs []error
	for k := range cfg.Kafka.Properties {
		if strings.Contains(k, "password") || strings.HasSuffix(k, ".key.pem") ||
			k == "sasl.oauthbearer.client.secret" {
			errs = append(errs, fmt.Errorf("%s: vigil.yaml sets secret property %s in plain text", source, k))
		}
	}
	return errs
}
