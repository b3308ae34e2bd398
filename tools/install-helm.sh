#!/usr/bin/env bash
# Builds the Helm client from its Go module (Helm is not a Debian package) into
# a cache directory and prints the path of the binary on stdout.
#   tools/install-helm.sh            -> e.g. /root/.cache/vigil-tools/helm-v3.22.0/helm
# The cache directory is $VIGIL_TOOLS_CACHE (default ~/.cache/vigil-tools); a
# binary already there is reused, so only the first run on a machine pays for
# the build (a few minutes on two cores). Needs Go (PATH or /usr/local/go) and
# the Go module proxy.
set -euo pipefail
# Go keeps its module and build caches under $HOME; CI may run without one.
export HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
version=${VIGIL_HELM_VERSION:-v3.22.0}
# Helm v3.22.0 is built with client-go v0.37, i.e. Kubernetes 1.37.
kube_minor=${VIGIL_HELM_KUBE_MINOR:-37}
cache=${VIGIL_TOOLS_CACHE:-$HOME/.cache/vigil-tools}
dir="$cache/helm-$version"
helm="$dir/helm"

go=$(command -v go || true)
[ -n "$go" ] || go=/usr/local/go/bin/go
if [ ! -x "$go" ]; then
  echo "install-helm: no Go toolchain (looked on PATH and in /usr/local/go/bin)" >&2
  exit 1
fi

mkdir -p "$cache"
# Two test scripts may ask at the same time; the second waits for the first.
exec 9>"$cache/.helm-$version.lock"
flock 9
if [ ! -x "$helm" ]; then
  echo "install-helm: building helm $version with $("$go" version | cut -d' ' -f3) (once per machine)" >&2
  mkdir -p "$dir.tmp"
  # Stamped the way Helm's own Makefile does: its version, and the Kubernetes
  # version `helm template` and `helm lint` assume (the client-go minor it is
  # built with; without it Helm assumes 1.20 and rejects a kubeVersion of >=1.25).
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
  for pkg in pkg/chartutil pkg/lint/rules; do
    ldflags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$kube_minor"
  done
  GOBIN="$dir.tmp" CGO_ENABLED=0 GOFLAGS=-trimpath nice -n 15 "$go" install -ldflags "$ldflags" \
      "helm.sh/helm/v3/cmd/helm@$version" >&2
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
echo "$helm"
