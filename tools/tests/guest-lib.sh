# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# guest-lib.sh: what the live tests of vmemctl add to lib.sh. They run
# inside a test bed (tests/bed/vmem-bed run), whose VMEM_BED_* variables
# name the connection, the domain and the guest's serial log.
#
#   memtotal                 the guest's last reported MemTotal, in kB
#   settled_memtotal         MemTotal once the guest has what libvirt says
#                            it has (vmem-bed settle)
#   wait_for SECONDS WHAT CMD...
#                            polls CMD until it succeeds, or fails the test

. "$VMEMCTL_TESTS_DIR/lib.sh"

for var in VMEM_BED_URI VMEM_BED_DOMAIN VMEM_BED_SERIAL_LOG VMEM_BED; do
  [ -n "${!var:-}" ] || fail "$var is not set: run this through vmem-bed run"
done
export VMEM_URI=$VMEM_BED_URI
domain=$VMEM_BED_DOMAIN

memtotal ()
{
  tr -d '\r' < "$VMEM_BED_SERIAL_LOG" \
    | sed -n 's/.*VMEM-MEMTOTAL \([0-9][0-9]*\).*/\1/p' | tail -n 1
}

settled_memtotal ()
{
  "$VMEM_BED" settle --timeout $((60 * time_scale)) >&2 \
    || fail "the guest does not have what libvirt says it has"
  memtotal
}

wait_for ()
{
  local seconds=$(( $1 * time_scale )) what=$2 i
  shift 2
  for ((i = 0; i < seconds * 5; i++)); do
    if "$@"; then
      return 0
    fi
    sleep 0.2
  done
  fail "timed out after $seconds s waiting for $what"
}
