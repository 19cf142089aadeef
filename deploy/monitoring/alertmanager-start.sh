#!/bin/sh
# Starts Alertmanager with deploy/monitoring/alertmanager.yml, its secrets taken from the
# environment: PAGERDUTY_ROUTING_KEY (required) and SMTP_PASSWORD (optional).
# Usage: deploy/monitoring/alertmanager-start.sh [alertmanager flags...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
run=${ALERTMANAGER_RUN_DIR:-/run/electropluz-alertmanager}
mkdir -p "$run"
chmod 700 "$run"
: "${PAGERDUTY_ROUTING_KEY:?set PAGERDUTY_ROUTING_KEY to the PagerDuty service's Events API v2 key}"
umask 077
printf '%s' "$PAGERDUTY_ROUTING_KEY" > "$run/pagerduty-routing-key"
printf '%s' "${SMTP_PASSWORD:-}" > "$run/smtp-password"
cp "$here/alertmanager.yml" "$run/alertmanager.yml"
binary=$(command -v alertmanager || command -v prometheus-alertmanager)
exec "$binary" --config.file="$run/alertmanager.yml" --storage.path="${ALERTMANAGER_DATA_DIR:-$run/data}" "$@"
