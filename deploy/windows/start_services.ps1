<#
.SYNOPSIS
  ElectroPluz development start on Windows: virtualenv, requirements, migrations, then
  the site under waitress and a Celery worker (solo pool) with beat.

.DESCRIPTION
  gunicorn does not run on Windows, so the site is served by waitress; Celery's prefork
  pool needs fork(), so the worker runs with --pool=solo. With no DATABASE_URL the shop
  and warehouse are SQLite files under var\ and the broker is a folder: nothing else to
  install. Run from the repository root:

    powershell -ExecutionPolicy Bypass -File deploy\windows\start_services.ps1

  Ctrl+C stops the site; the worker window is stopped with it.

.PARAMETER Port
  Port of the site on 127.0.0.1 (default 8000).
#>
param(
    [int]$Port = 8000,
    [string]$Python = "py -3.11"
)

$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$Root = Get-Location

function Step($text) { Write-Host "`n=== $text" -ForegroundColor Cyan }

Step "virtualenv (.venv)"
if (-not (Test-Path ".venv\Scripts\python.exe")) {
    Invoke-Expression "$Python -m venv .venv"
    if ($LASTEXITCODE -ne 0) { throw "could not create .venv (is Python 3.11 installed?)" }
}
$Py = Join-Path $Root ".venv\Scripts\python.exe"

Step "requirements"
& $Py -m pip install --quiet --upgrade pip
& $Py -m pip install --quiet -r requirements-windows.txt
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

Step "settings (.env)"
if (-not (Test-Path ".env")) {
    Copy-Item ".env.example" ".env"
    $key = & $Py -c "import secrets; print(secrets.token_urlsafe(50))"
    Add-Content ".env" "DJANGO_SECRET_KEY=$key"
    Write-Host "Wrote .env (development settings with a fresh secret key)."
}

Step "translations and migrations"
& $Py -c "import pathlib, polib; [polib.pofile(str(p)).save_as_mofile(str(p.with_suffix('.mo'))) for p in pathlib.Path('locale').glob('*/LC_MESSAGES/*.po')]"
& $Py manage.py migrate --noinput
if ($LASTEXITCODE -ne 0) { throw "migrate failed" }
& $Py manage.py migrate --noinput --database warehouse
if ($LASTEXITCODE -ne 0) { throw "migrate (warehouse) failed" }
& $Py manage.py seed_demo --if-empty

Step "Celery worker (solo pool) with beat"
New-Item -ItemType Directory -Force -Path "var" | Out-Null
$celery = Join-Path $Root ".venv\Scripts\celery.exe"
$worker = Start-Process -FilePath $celery -PassThru -NoNewWindow `
    -RedirectStandardOutput "var\celery.log" -RedirectStandardError "var\celery-error.log" `
    -ArgumentList @("-A", "electropluz", "worker", "--beat", "--pool=solo", "--loglevel=INFO",
                    "--without-gossip", "--without-mingle", "--without-heartbeat")
Write-Host "worker pid $($worker.Id), log var\celery.log"

Step "site on http://127.0.0.1:$Port (waitress)"
try {
    & $Py manage.py collectstatic --noinput | Out-Null
    & (Join-Path $Root ".venv\Scripts\waitress-serve.exe") --listen "127.0.0.1:$Port" --threads 8 electropluz.wsgi:application
}
finally {
    if (-not $worker.HasExited) { Stop-Process -Id $worker.Id -Force }
    Write-Host "Stopped the site and the worker."
}
