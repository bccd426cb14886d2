#!/usr/bin/env bash
# `make demo`: the main job on the shipped example config and embedded local state.
set -uo pipefail
cd "$(dirname "$0")/.."
ONCALL=".venv/bin/oncall"
export ONCALL_CONFIG_DIR="$PWD/config"
export ONCALL_STATE_DB="${ONCALL_STATE_DB:-$PWD/state/demo.db}"
export ONCALL_OPERATOR="${ONCALL_OPERATOR:-demo}"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m'; plain=$'\033[0m'; else bold=; plain=; fi
step() { printf '\n%s$ oncall %s%s\n' "$bold" "$*" "$plain"; "$ONCALL" "$@"; }

step validate || exit 1
step owners || exit 1
step who || exit 1
step who aggregate-profit || exit 1
step who aggregate-growth --at 2026-01-14T10:00 || exit 1
step schedule --weeks 6 --stats || exit 1
if "$ONCALL" state --help >/dev/null 2>&1; then
  step state demo || exit 1
  # The demo state has one planted problem: `check` exits 1 when it finds it.
  step check --all
  rc=$?
  [ "$rc" -le 1 ] || exit "$rc"
  # --dry-run: the demo has no paging secrets, so the notify step shows what it would send.
  step runbook profit --yes --dry-run
  rc=$?
  [ "$rc" -le 1 ] || exit "$rc"
  # What the demo did: its run, marked as a dry run, in the demo's own store.
  step runbook history profit || exit 1
fi
printf '\nDemo done. Its runs are in %s, so to see them again:\n' "$ONCALL_STATE_DB"
printf '  ONCALL_STATE_DB=%s %s runbook history profit\n' "$ONCALL_STATE_DB" "$ONCALL"
printf 'The demo state behaves the same for a day; then run `oncall state demo` again.\n'
printf 'Try: %s who --help\n' "$ONCALL"
