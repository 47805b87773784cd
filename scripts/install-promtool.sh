#!/usr/bin/env bash
# Makes the Prometheus tools the tests need available: `promtool` and `prometheus` (Debian's prometheus
# package: dashboards, alerts, the live check, `npm run bench:dashboards`) and `prometheus-alertmanager` +
# `amtool` (Debian's prometheus-alertmanager package: the Alertmanager configuration check and the delivery
# test). Idempotent:
#   1. all already on PATH               -> nothing to do;
#   2. all already unpacked in .tools/   -> print the PATH to use;
#   3. root with apt-get                 -> apt-get update && apt-get install -y prometheus prometheus-alertmanager
#                                           (the packages may start services on :9090/:9093, which the tests
#                                           never use: they start their own servers on 127.0.0.1);
#   4. otherwise                         -> apt-get download both && dpkg -x into .tools/ (no root),
#                                           then print the PATH to use.
# The tests find .tools/usr/bin themselves; the printed PATH is for running the tools by hand.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/usr/bin"
NEEDED=(promtool prometheus prometheus-alertmanager amtool)
# nginx (Debian's nginx package, /usr/sbin): the hub's write gateway runs for real in test/hub/gateway.test.ts.
NEEDED_SBIN=(nginx)
PACKAGES=(prometheus prometheus-alertmanager nginx)

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
all_on_path() { for t in "${NEEDED[@]}" "${NEEDED_SBIN[@]}"; do have "$t" || return 1; done; }
all_in_tools() {
  for t in "${NEEDED[@]}"; do [ -x "$BIN/$t" ] || return 1; done
  for t in "${NEEDED_SBIN[@]}"; do [ -x "$TOOLS/usr/sbin/$t" ] || return 1; done
}

if all_on_path; then
  echo "promtool, prometheus, alertmanager and nginx already on PATH: $(command -v promtool), $(command -v prometheus), $(command -v prometheus-alertmanager)"
  exit 0
fi

if all_in_tools; then
  echo "promtool, prometheus and alertmanager already in $BIN"
  echo "export PATH=\"$BIN:\$PATH\""
  exit 0
fi

if ! have apt-get; then
  echo "install-promtool: neither promtool/prometheus/alertmanager nor apt-get found; install Prometheus (promtool + server) and Alertmanager (+ amtool) and put them on PATH" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # --no-install-recommends; nginx's service is not started in containers without an init (invoke-rc.d).
  apt-get install -y --no-install-recommends "${PACKAGES[@]}"
  echo "installed: $(command -v promtool), $(command -v prometheus), $(command -v prometheus-alertmanager), $(command -v amtool)"
  exit 0
fi

# Without root: unpack the packages into .tools/ (gitignored).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "${PACKAGES[@]}")
mkdir -p "$TOOLS"
for deb in "$work"/*.deb; do dpkg -x "$deb" "$TOOLS"; done
if ! all_in_tools; then
  echo "install-promtool: the packages did not contain usr/bin/{${NEEDED[*]}} and usr/sbin/{${NEEDED_SBIN[*]}}" >&2
  exit 1
fi
echo "unpacked into $BIN"
echo "export PATH=\"$BIN:\$PATH\""
