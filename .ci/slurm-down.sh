#!/usr/bin/env bash
# Stops the local Slurm cluster of .ci/slurm-up.sh once no live lease is left (or at once with
# --force): slurmd(s), slurmctld, then munged (unless --keep-munge). Leaves $DIR's logs for reading.
set -uo pipefail
DIR=${SKYLOOM_SLURM_DIR:-/tmp/skyloom-slurm}
LEASE=${SKYLOOM_SLURM_LEASE:-$PPID}
force=0 keep_munge=0
for arg in "$@"; do case $arg in --force) force=1 ;; --keep-munge) keep_munge=1 ;; esac; done
[ -d "$DIR" ] || exit 0
# slurm-up.sh calls this with the lock held (and says so): taking it again would wait for ever.
if [ -z "${SKYLOOM_SLURM_LOCKED:-}" ]; then exec 9>"$DIR/lock"; flock 9; fi

rm -f "$DIR/leases/$LEASE"
if [ $force = 0 ]; then
  for lease in "$DIR"/leases/*; do
    [ -e "$lease" ] || continue
    pid=$(basename "$lease")
    if [[ $pid =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null; then rm -f "$lease"; continue; fi
    echo "slurm-down: still leased by $pid; leaving the cluster up"
    exit 0
  done
fi

stop_pidfile() { # $1: pid file; TERM, then KILL after 10 s
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null
  rm -f "$1"
}
for pidfile in "$DIR"/slurmd-*.pid; do stop_pidfile "$pidfile"; done
stop_pidfile "$DIR/slurmctld.pid"
[ $keep_munge = 1 ] || stop_pidfile "$DIR/munge/munged.pid"
rm -f "$DIR/up"
rm -rf "$DIR/state" "$DIR/spool"
echo "slurm-down: stopped"
