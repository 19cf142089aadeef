#!/usr/bin/env bash
# ElectroPluz production deployment, run from the checkout of the release to deploy:
#   1. check the dependencies and the configuration (check --deploy)
#   2. back up both databases and the media (manage.py backup, checked by a restore)
#   3. apply the migrations of both databases, collect the static files
#   4. restart the services gracefully (gunicorn reloads; running requests finish)
#   5. verify: /readyz answers 200 and a product page renders
# On a failed step it stops; after the backup it prints the exact rollback.
#
# Settings come from the environment (the same file the services read):
#   ELECTROPLUZ_ENV_FILE   file with the app's settings (default /etc/electropluz/env)
#   DEPLOY_BASE_URL        where the running site answers (default http://127.0.0.1:8000)
#   DEPLOY_HOST            Host header for the checks (default: first DJANGO_ALLOWED_HOSTS)
#   DEPLOY_PRODUCT_PATH    product page to check (default: the first one /productos/ links to)
#   DEPLOY_RESTART         systemd (default) or local: no systemd, run gunicorn here
#                          (GUNICORN_PID_FILE, GUNICORN_BIND as in deploy/gunicorn.conf.py)
#   DEPLOY_SKIP_INSTALL=1  do not pip install requirements.txt (still runs pip check)
#   DEPLOY_VERIFY_SECONDS  how long to wait for /readyz (default 60)
#   DEPLOY_PREVIOUS_REV    the release to go back to (default: where HEAD was before, HEAD@{1})
set -euo pipefail
cd "$(dirname "$0")/.."
APP_DIR=$(pwd)

ENV_FILE=${ELECTROPLUZ_ENV_FILE:-/etc/electropluz/env}
if [ -f "$ENV_FILE" ]; then
  set -a; . "$ENV_FILE"; set +a
fi
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-electropluz.settings.base}
PY=${DEPLOY_PYTHON:-$APP_DIR/.venv/bin/python}
MANAGE=("$PY" "$APP_DIR/manage.py")
BASE_URL=${DEPLOY_BASE_URL:-http://127.0.0.1:8000}
HOST=${DEPLOY_HOST:-${DJANGO_ALLOWED_HOSTS%%,*}}
RESTART=${DEPLOY_RESTART:-systemd}
VERIFY_SECONDS=${DEPLOY_VERIFY_SECONDS:-60}
BACKUP=""

say() { printf '\n=== %s\n' "$*"; }
die() {
  printf '\nDEPLOY FAILED: %s\n' "$*" >&2
  if [ -n "$BACKUP" ]; then
    printf '\nRoll back to the state before this deployment (code first, then data):\n' >&2
    printf '  git -C %q checkout %q\n' "$APP_DIR" "$PREVIOUS_REV" >&2
    printf '  %q %q restore %q --noinput\n' "$PY" "$APP_DIR/manage.py" "$BACKUP" >&2
    printf '  %s\n' "$(restart_command)" >&2
  fi
  exit 1
}

restart_command() {
  if [ "$RESTART" = local ]; then
    printf 'kill -HUP "$(cat %q)"' "${GUNICORN_PID_FILE:?}"
  else
    printf 'systemctl reload electropluz-web && systemctl restart electropluz-worker electropluz-beat'
  fi
}

PREVIOUS_REV=${DEPLOY_PREVIOUS_REV:-$(git -C "$APP_DIR" rev-parse --verify -q "HEAD@{1}" 2>/dev/null \
  || git -C "$APP_DIR" rev-parse --verify -q HEAD 2>/dev/null || echo unknown)}

say "1/5 dependencies and configuration"
for tool in curl git; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ -x "$PY" ] || die "no Python at $PY (set DEPLOY_PYTHON or create the virtualenv)"
if [ "${DEPLOY_SKIP_INSTALL:-0}" != 1 ]; then
  "$PY" -m pip install --quiet -r "$APP_DIR/requirements.txt" || die "pip install failed"
fi
"$PY" -m pip check || die "installed packages have broken dependencies"
case "${DATABASE_URL:-}${WAREHOUSE_URL:-}" in
  *postgres*) for tool in pg_dump pg_restore psql; do
                command -v "$tool" >/dev/null || die "$tool is not installed (postgresql-client)"
              done ;;
esac
"${MANAGE[@]}" check --deploy --fail-level WARNING || die "manage.py check --deploy reported problems"

say "2/5 backup of both databases and the media"
BACKUP=$("${MANAGE[@]}" backup | tail -n 1) || { BACKUP=""; die "the backup failed"; }
[ -d "$BACKUP" ] || { BACKUP=""; die "the backup did not write a folder"; }
echo "backup: $BACKUP"

say "3/5 migrations and static files"
"${MANAGE[@]}" migrate --noinput || die "migrating the shop database failed"
"${MANAGE[@]}" migrate --noinput --database warehouse || die "migrating the warehouse failed"
"${MANAGE[@]}" collectstatic --noinput >/dev/null || die "collectstatic failed"

say "4/5 graceful restart"
if [ "$RESTART" = local ]; then
  PID_FILE=${GUNICORN_PID_FILE:?DEPLOY_RESTART=local needs GUNICORN_PID_FILE}
  if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    kill -HUP "$(cat "$PID_FILE")"   # new workers with the new code; old ones finish first
    echo "gunicorn $(cat "$PID_FILE") reloaded"
  else
    "$PY" -m gunicorn -c "$APP_DIR/deploy/gunicorn.conf.py" --daemon electropluz.wsgi \
      || die "gunicorn did not start"
    echo "gunicorn started"
  fi
else
  systemctl reload electropluz-web || die "reloading electropluz-web failed"
  systemctl restart electropluz-worker electropluz-beat || die "restarting the workers failed"
fi

say "5/5 verification"
check() {  # prints the HTTP status of a GET through the app as the proxy would send it
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
    -H "Host: $HOST" -H "X-Forwarded-Proto: https" "$BASE_URL$1" || true
}
wait_ok() {  # 200 within the verification window (workers may still be booting)
  local status=""
  for _ in $(seq "$VERIFY_SECONDS"); do
    status=$(check "$1")
    [ "$status" = 200 ] && return 0
    sleep 1
  done
  LAST_STATUS=$status
  return 1
}
wait_ok /readyz || die "/readyz answered $LAST_STATUS, not 200, for ${VERIFY_SECONDS}s: $(curl -s --max-time 10 -H "Host: $HOST" "$BASE_URL/readyz")"
echo "/readyz: 200"
PRODUCT=${DEPLOY_PRODUCT_PATH:-$(curl -s --max-time 10 -H "Host: $HOST" -H "X-Forwarded-Proto: https" \
  "$BASE_URL/productos/" | grep -o 'href="/producto/[^"]*/"' | head -n 1 | cut -d'"' -f2 || true)}
[ -n "$PRODUCT" ] || die "no product page to check (/productos/ lists none; set DEPLOY_PRODUCT_PATH)"
wait_ok "$PRODUCT" || die "the product page $PRODUCT answered $LAST_STATUS"
echo "$PRODUCT: 200"

say "deployed $(git -C "$APP_DIR" rev-parse --short HEAD 2>/dev/null || echo '?'); backup kept at $BACKUP"
