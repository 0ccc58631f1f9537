# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# bed-lib.sh: shell helpers for tests that run inside a test bed (bash).
#
# Source it from a script started by `vmem-bed run -- ...`; the helpers read
# VMEM_BED_URI, VMEM_BED_DOMAIN and VMEM_BED_SERIAL_LOG from the environment.
# Sizes are in KiB everywhere (libvirt's live XML and the guest's MemTotal
# both use KiB).
#
#   bed_virsh ARGS...           virsh on the bed's connection, bounded in time
#   bed_vmem_count              number of virtio-mem devices (live XML)
#   bed_vmem_get I FIELD        field of the I-th (1-based) virtio-mem device:
#                               alias, node, size, block, requested, current
#   bed_memtotal [NODE]         last MemTotal the guest reported (whole guest,
#                               or one NUMA node), empty if none yet
#   bed_wait_for SECONDS WHAT CMD...
#                               polls CMD every 0.2 s until it succeeds;
#                               after SECONDS prints "timed out waiting for
#                               WHAT" to stderr and returns 1
#   bed_fail MESSAGE            prints "FAIL: MESSAGE" to stderr, exits 1

bed_virsh ()
{
  timeout --foreground 60 virsh -q -c "$VMEM_BED_URI" "$@"
}

bed_live_xml ()
{
  bed_virsh dumpxml "$VMEM_BED_DOMAIN"
}

bed_vmem_count ()
{
  bed_live_xml | xmllint --xpath "count(//devices/memory[@model='virtio-mem'])" -
}

bed_vmem_get ()
{
  local index=$1 field=$2 dev xpath
  dev="(//devices/memory[@model='virtio-mem'])[$index]"
  case $field in
    alias) xpath="string($dev/alias/@name)" ;;
    node|size|block|requested|current) xpath="string($dev/target/$field)" ;;
    *) echo "bed_vmem_get: unknown field $field" >&2; return 2 ;;
  esac
  bed_live_xml | xmllint --xpath "$xpath" -
  echo
}

bed_memtotal ()
{
  if [ $# -eq 0 ]; then
    tr -d '\r' < "$VMEM_BED_SERIAL_LOG" \
      | sed -n 's/.*VMEM-MEMTOTAL \([0-9][0-9]*\).*/\1/p' | tail -n 1
  else
    tr -d '\r' < "$VMEM_BED_SERIAL_LOG" \
      | sed -n "s/.*VMEM-NODE-MEMTOTAL $1 \\([0-9][0-9]*\\).*/\\1/p" | tail -n 1
  fi
}

bed_wait_for ()
{
  local seconds=$1 what=$2 deadline
  shift 2
  deadline=$(( $(date +%s%N) + seconds * 1000000000 ))
  until "$@"; do
    if [ "$(date +%s%N)" -ge "$deadline" ]; then
      echo "timed out after ${seconds} s waiting for $what" >&2
      return 1
    fi
    sleep 0.2
  done
}

bed_fail ()
{
  echo "FAIL: $*" >&2
  exit 1
}
