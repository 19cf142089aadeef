#!/bin/sh
# Checks the monitoring configuration with the real tools (Debian: prometheus,
# prometheus-alertmanager): the Prometheus configuration, the alert rules and their unit
# tests, the Alertmanager configuration and its routing, the Grafana dashboard's JSON.
# `make monitoring-check` runs it; CI too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for tool in promtool amtool; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install prometheus prometheus-alertmanager)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The secrets the configurations point at exist only on a real host: placeholders here.
cp -R "$here/prometheus.yml" "$here/rules" "$here/alertmanager.yml" "$work/"
printf 'placeholder' > "$work/metrics-token"
printf 'placeholder' > "$work/pagerduty-routing-key"
printf 'placeholder' > "$work/smtp-password"

promtool check config "$work/prometheus.yml"
promtool check rules "$work/rules/electropluz.rules.yml"
(cd "$work/rules" && promtool test rules electropluz.rules.test.yml)
amtool check-config "$work/alertmanager.yml"
# Critical alerts page and are e-mailed; the rest are e-mailed only.
amtool config routes test --config.file="$work/alertmanager.yml" \
  --verify.receivers=pagerduty,email severity=critical alertname=ElectroPluzWebDown
amtool config routes test --config.file="$work/alertmanager.yml" \
  --verify.receivers=email severity=warning alertname=ElectroPluzLowStock
python3 -m json.tool "$here/grafana/dashboards/electropluz.json" >/dev/null
echo "monitoring configuration: OK"
