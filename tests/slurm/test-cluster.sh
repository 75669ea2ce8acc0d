#!/usr/bin/env bash
# A throwaway single-node Slurm cluster for the test of resources/deploy/slurm-agents.sbatch
# (CTest fixture "slurm"): its own munge daemon (a new key, a private socket), slurmctld and
# slurmd on this machine with free ports, state in a new folder under /tmp.
#   test-cluster.sh start STATE_DIR   writes STATE_DIR/slurm.conf (use it with SLURM_CONF)
#   test-cluster.sh stop STATE_DIR    stops the daemons and removes the folder
# Slurm's daemons run as root here (they start jobs as their submitter); Debian's slurm-wlm and
# munge packages provide them (bash .ci/install-deps.sh installs both).
set -euo pipefail
action=${1:?usage: test-cluster.sh start|stop STATE_DIR}
state=${2:?usage: test-cluster.sh start|stop STATE_DIR}
for program in munged slurmctld slurmd sbatch; do
  if ! command -v "$program" >/dev/null && [ ! -x "/usr/sbin/$program" ]; then
    echo "test-cluster.sh: $program is not installed (Debian packages slurm-wlm and munge;" \
         "bash .ci/install-deps.sh installs them)" >&2
    exit 1
  fi
done
export PATH=$PATH:/usr/sbin

stop() {
  [ -f "$state/dir" ] || return 0
  local dir
  dir=$(cat "$state/dir")
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munged.pid"; do
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  sleep 1
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munged.pid"; do
    if [ -f "$pidfile" ]; then kill -9 "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  rm -rf "$dir"
  rm -f "$state/dir" "$state/slurm.conf"
}

case "$action" in
  start)
    if [ "$(id -u)" -ne 0 ]; then
      echo "test-cluster.sh: Slurm's daemons need root to start jobs; run the tests as root" >&2
      exit 1
    fi
    mkdir -p "$state"
    stop
    dir=$(mktemp -d /tmp/mu2net-slurm.XXXXXX)
    chmod 700 "$dir"
    echo "$dir" > "$state/dir"
    mkdir -p "$dir/state" "$dir/spool"
    # munge: a key of its own and a private socket, so that a system munge is left alone.
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge.key"
    munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
      --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munged.seed"
    port=$((30000 + RANDOM % 20000))
    host=$(uname -n | cut -d. -f1)
    cat > "$dir/slurm.conf" <<CONF
ClusterName=mu2net-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    cp "$dir/slurm.conf" "$state/slurm.conf"
    SLURM_CONF="$dir/slurm.conf" slurmctld
    SLURM_CONF="$dir/slurm.conf" slurmd
    for _ in $(seq 60); do
      if SLURM_CONF="$dir/slurm.conf" sinfo -h -o %T 2>/dev/null | grep -q idle; then
        echo "test-cluster.sh: Slurm running: SLURM_CONF=$state/slurm.conf"
        exit 0
      fi
      sleep 0.5
    done
    echo "test-cluster.sh: the node did not become idle" >&2
    cat "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
    stop
    exit 1
    ;;
  stop)
    stop
    echo "test-cluster.sh: stopped"
    ;;
  *)
    echo "usage: test-cluster.sh start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
