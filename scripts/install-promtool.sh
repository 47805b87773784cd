#!/usr/bin/env bash
# Makes `promtool` and `prometheus` available to the tests (dashboards, alerts, live check) and to
# `npm run bench:dashboards`. Idempotent:
#   1. both already on PATH              -> nothing to do;
#   2. both already unpacked in .tools/  -> print the PATH to use;
#   3. root with apt-get                 -> apt-get update && apt-get install -y prometheus (Debian's package:
#                                           promtool + server; it may try to start a service on :9090, which
#                                           the tests never use: they start their own server on 127.0.0.1);
#   4. otherwise                         -> apt-get download prometheus && dpkg -x into .tools/ (no root),
#                                           then print the PATH to use.
# The tests find .tools/usr/bin themselves; the printed PATH is for running promtool by hand.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/usr/bin"

have() { command -v "$1" >/dev/null 2>&1; }

if have promtool && have prometheus; then
  echo "promtool and prometheus already on PATH: $(command -v promtool), $(command -v prometheus)"
  exit 0
fi

if [ -x "$BIN/promtool" ] && [ -x "$BIN/prometheus" ]; then
  echo "promtool and prometheus already in $BIN"
  echo "export PATH=\"$BIN:\$PATH\""
  exit 0
fi

if ! have apt-get; then
  echo "install-promtool: neither promtool/prometheus nor apt-get found; install Prometheus (promtool + server) and put both on PATH" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y prometheus
  echo "installed: $(command -v promtool), $(command -v prometheus)"
  exit 0
fi

# Without root: unpack the package into .tools/ (gitignored).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download prometheus)
mkdir -p "$TOOLS"
dpkg -x "$work"/prometheus_*.deb "$TOOLS"
if [ ! -x "$BIN/promtool" ] || [ ! -x "$BIN/prometheus" ]; then
  echo "install-promtool: the prometheus package did not contain usr/bin/promtool and usr/bin/prometheus" >&2
  exit 1
fi
echo "unpacked into $BIN"
echo "export PATH=\"$BIN:\$PATH\""
