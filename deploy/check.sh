#!/usr/bin/env bash
# Checks the deployment files on a machine without a container engine (CI runs it):
# - both compose files through `docker compose config` (or docker-compose v1, which Debian
#   packages; neither needs a running engine for `config`);
# - the systemd unit through `systemd-analyze verify`, with the binary's path pointed at an
#   executable that exists here (verify refuses a unit whose ExecStart is missing).
# Fails loudly when a tool is missing rather than skipping.
set -euo pipefail
cd "$(dirname "$0")"

compose() {
  if docker compose version >/dev/null 2>&1; then
    docker compose "$@"
  elif command -v docker-compose >/dev/null 2>&1; then
    docker-compose "$@"
  else
    echo "deploy/check.sh: no docker compose (apt-get install docker-compose)" >&2
    exit 1
  fi
}

made_env=false
if [ ! -e .env ]; then
  cp .env.example .env
  made_env=true
fi
tmp=$(mktemp -d)
cleanup() {
  if $made_env; then rm -f .env; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

POSTGRES_PASSWORD=check HELPLINE_WEBHOOK_URL=https://bot.example.org/telegram \
  compose -f compose.yaml config -q
echo "compose.yaml: ok"
compose -f compose.sqlite.yaml config -q
echo "compose.sqlite.yaml: ok"

# The Dockerfile's dependency layer builds the manifest against placeholder sources: run its
# placeholder step here, as written in the Dockerfile, and check that cargo accepts the result.
# (The image itself needs an engine and a network to build.)
mkdir -p "$tmp/image"
cp ../Cargo.toml ../Cargo.lock "$tmp/image/"
step=$(awk '/^RUN for f in/{on=1} on{print} on&&/done/{exit}' Dockerfile \
  | sed -e 's/^RUN //' -e 's/\\$//' -e 's/^ *done *$/done/' | tr '\n' ' ')
(
  cd "$tmp/image"
  bash -c "$step"
  cargo metadata --no-deps --locked --offline --format-version 1 >/dev/null
  for target in $(sed -n 's/^path = "\(.*\)"/\1/p' Cargo.toml); do
    [ -f "$target" ] || { echo "deploy/check.sh: the Dockerfile leaves $target missing" >&2; exit 1; }
  done
)
for source in src migrations flows locales; do
  [ -e "../$source" ] || { echo "deploy/check.sh: the Dockerfile copies $source, which is missing" >&2; exit 1; }
done
echo "Dockerfile: dependency layer and copied paths ok"

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "deploy/check.sh: systemd-analyze missing (apt-get install systemd)" >&2
  exit 1
fi
binary=$(command -v true)
sed "s#/usr/local/bin/helpline#${binary}#" helpline.service > "$tmp/helpline.service"
# verify prints problems and exits non-zero on errors; warnings about the host are shown too.
out=$(systemd-analyze verify "$tmp/helpline.service" 2>&1) || { echo "$out" >&2; exit 1; }
if [ -n "$out" ]; then
  echo "$out" >&2
  echo "deploy/check.sh: systemd-analyze verify has remarks on helpline.service" >&2
  exit 1
fi
echo "helpline.service: ok"
