#!/usr/bin/env bash
# Starts a local Slurm cluster on this machine for skyloom's Slurm tests: munged, slurmctld and one
# slurmd per node name (n1, n2: two "nodes" on one host, each with its own port, so that node loss can
# be tested), from Debian's slurm-wlm package. Waits until `sinfo` shows every node idle. Prints the
# line `SLURM_CONF=<path>`; clients (srun, sinfo) need that variable.
#
#   .ci/slurm-up.sh [--install]         # --install: apt-get install slurm-wlm munge if missing
#   .ci/slurm-down.sh                   # stops it again (when no other user holds a lease)
#
# Idempotent and shared: every caller takes a lease (a file named after the caller's pid, or
# $SKYLOOM_SLURM_LEASE) and slurm-down.sh stops the daemons only when no live lease is left, so two
# test files can use one cluster. Needs root (munged and slurmd run as root here). If this build of
# slurmd refuses two node names on one host, it falls back to one node `n1` with CPUs=2.
# It does not cover real clusters: see docs/slurm.md.
set -euo pipefail
DIR=${SKYLOOM_SLURM_DIR:-/tmp/skyloom-slurm}
LEASE=${SKYLOOM_SLURM_LEASE:-$PPID}
mkdir -p "$DIR/leases"
exec 9>"$DIR/lock"
flock 9
export SKYLOOM_SLURM_LOCKED=1 # for slurm-down.sh, called from here

fail() { echo "slurm-up: $*" >&2; for f in "$DIR"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done; exit 1; }

if [ "${1:-}" = "--install" ] && ! command -v slurmctld >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null || fail "apt-get install slurm-wlm munge failed"
fi
for bin in munged slurmctld slurmd srun sinfo; do
  command -v "$bin" >/dev/null || fail "$bin not found: install Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge, or .ci/slurm-up.sh --install)"
done
[ "$(id -u)" = 0 ] || fail "must run as root (munged and slurmd do here)"

export SLURM_CONF="$DIR/slurm.conf"
touch "$DIR/leases/$LEASE"

all_idle() {
  local states
  [ -f "$SLURM_CONF" ] || return 1
  states=$(timeout 10 sinfo -h -N -o '%t' 2>/dev/null) || return 1
  [ -n "$states" ] && ! grep -qv '^idle$' <<<"$states"
}
if [ -f "$DIR/up" ] && all_idle; then echo "SLURM_CONF=$SLURM_CONF"; exit 0; fi

"$(dirname "$0")/slurm-down.sh" --force >/dev/null 2>&1 || true # stale daemons of an earlier run
touch "$DIR/leases/$LEASE"

# munge: its own key, socket and pid file under $DIR, so a system munged (if any) is left alone.
mkdir -p "$DIR/munge" && chmod 700 "$DIR/munge"
[ -f "$DIR/munge/munge.key" ] || { dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1 count=1024 status=none; chmod 400 "$DIR/munge/munge.key"; }
if ! [ -S "$DIR/munge/munge.socket" ] || ! pgrep -F "$DIR/munge/munged.pid" >/dev/null 2>&1; then
  munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" --pid-file="$DIR/munge/munged.pid" \
    --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed" 9>&- || fail "munged did not start"
fi

write_conf() { # $1: node lines
  mkdir -p "$DIR/state" "$DIR/spool"
  cat >"$SLURM_CONF" <<CONF
ClusterName=skyloom
SlurmctldHost=localhost
SlurmUser=root
SlurmctldPort=16817
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd-%n.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
$1
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start_daemons() { # $@: node names
  slurmctld -i -f "$SLURM_CONF" 9>&- || return 1
  for node in "$@"; do slurmd -N "$node" -f "$SLURM_CONF" 9>&- || return 1; done
  for _ in $(seq 1 120); do all_idle && return 0; sleep 1; done
  return 1
}

write_conf "NodeName=n1 NodeHostname=localhost Port=17001 CPUs=1 State=UNKNOWN
NodeName=n2 NodeHostname=localhost Port=17002 CPUs=1 State=UNKNOWN"
if ! start_daemons n1 n2; then
  echo "slurm-up: two node names on one host did not come up; falling back to one node with CPUs=2" >&2
  "$(dirname "$0")/slurm-down.sh" --force --keep-munge >/dev/null 2>&1 || true
  touch "$DIR/leases/$LEASE"
  write_conf "NodeName=n1 NodeHostname=localhost Port=17001 CPUs=2 State=UNKNOWN"
  start_daemons n1 || fail "slurmctld/slurmd did not reach idle within 2 minutes"
fi
touch "$DIR/up"
echo "SLURM_CONF=$SLURM_CONF"
