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
		case *appsv1.Deployment:
			errs = append(errs, checkReviewDeployment(d.Source, o)...)
		case *networkingv1.NetworkPolicy:
			types := map[networkingv1.PolicyType]bool{}
			for _, t := range o.Spec.PolicyTypes {
				types[t] = true
			}
			if !types[networkingv1.PolicyTypeIngress] || !types[networkingv1.PolicyTypeEgress] {
				fail("%s: the NetworkPolicy must restrict both ingress and egress", d.Source)
			}
			// The review application's port takes requests only from the
			// configured peers (its proxies); the pipeline's only scrapes.
			port := "metrics"
			if isReview(o.Spec.PodSelector.MatchLabels) {
				port = "http"
				if len(o.Spec.Ingress) == 1 && len(o.Spec.Ingress[0].From) == 0 {
					fail("%s: the review application's ingress must name its peers", d.Source)
				}
			}
			if len(o.Spec.Ingress) != 1 || len(o.Spec.Ingress[0].Ports) != 1 ||
				o.Spec.Ingress[0].Ports[0].Port.String() != port {
				fail("%s: ingress must admit only the %s port", d.Source, port)
			}
		}
	}
	if statefulSets != 1 {
		fail("expected one StatefulSet, found %d", statefulSets)
	}
	return errs
}

// isReview: the selector is the review application's (its own
// app.kubernetes.io/name, so the pipeline's selectors never match it).
func isReview(selector map[string]string) bool {
	return strings.HasSuffix(selector["app.kubernetes.io/name"], "-review")
}

// checkPodSecurity checks the promises both workloads keep: non-root,
// seccomp, no service account token, one container with a read-only root,
// no privilege escalation and no capabilities, resource requests.
func checkPodSecurity(source string, pod corev1.PodSpec) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(source+": "+format, args...)) }
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
	for _, r := range []corev1.ResourceName{corev1.ResourceMemory, corev1.ResourceCPU} {
		if _, ok := c.Resources.Requests[r]; !ok {
			fail("no %s request", r)
		}
	}
	req, lim := c.Resources.Requests[corev1.ResourceMemory], c.Resources.Limits[corev1.ResourceMemory]
	if lim.Cmp(req) < 0 {
		fail("the memory limit %s is below the request %s", lim.String(), req.String())
	}
	for _, e := range c.Env {
		if e.Value != "" && strings.Contains(strings.ToLower(e.Name), "password") {
			fail("environment variable %s carries a password in plain text", e.Name)
		}
	}
	return errs
}

// checkReviewDeployment: the review application (`vigil serve`) keeps the
// pipeline's security promises, is probed on its own port, and its store
// is an emptyDir (a view rebuilt from the topics).
func checkReviewDeployment(source string, d *appsv1.Deployment) []error {
	errs := checkPodSecurity(source, d.Spec.Template.Spec)
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(source+": "+format, args...)) }
	if !isReview(d.Spec.Selector.MatchLabels) {
		fail("the Deployment must select the review application's pods")
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		return errs
	}
	c := pod.Containers[0]
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "http" {
			fail("%s probe must GET %s on the http port", name, path)
		}
	}
	probe("readiness", c.ReadinessProbe, "/readyz")
	probe("liveness", c.LivenessProbe, "/healthz")
	if args := strings.Join(c.Args, " "); !strings.HasPrefix(args, "serve --config=") {
		fail("the container must run `vigil serve --config=...`, got %q", args)
	}
	store := false
	for _, v := range pod.Volumes {
		store = store || (v.Name == "store" && v.EmptyDir != nil)
	}
	if !store {
		fail("the review store must be an emptyDir volume named store")
	}
	return errs
}

func checkStatefulSet(source string, s *appsv1.StatefulSet) []error {
	errs := checkPodSecurity(source, s.Spec.Template.Spec)
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(source+": "+format, args...)) }
	pod := s.Spec.Template.Spec
	if pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds < 10 {
		fail("terminationGracePeriodSeconds must leave time for the last commit")
	}
	if len(pod.Containers) != 1 {
		return errs
	}
	c := pod.Containers[0]
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path {
			fail("%s probe must GET %s", name, path)
		}
	}
	probe("readiness", c.ReadinessProbe, "/readyz")
	probe("liveness", c.LivenessProbe, "/healthz")
	probe("startup", c.StartupProbe, "/healthz")
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
