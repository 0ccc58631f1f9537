#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# smoke-test.sh [--expect-stall]: checks a running test bed end to end with
# virsh only. Run it inside a bed:
#
#   vmem-bed run [--variant V] -- smoke-test.sh
#       Every virtio-mem device grows to its full size and shrinks back to
#       the size it had; libvirt's live <current> and the guest's MemTotal
#       (whole guest and the device's NUMA node, from the serial log) must
#       follow. Then a 128 MiB DIMM is hot-plugged, which must fit in the
#       domain's slots and maxMemory and show up in MemTotal.
#
#   vmem-bed run --no-virtio-mem -- smoke-test.sh --expect-stall
#       The guest has no virtio_mem driver: a larger request must be
#       accepted by libvirt but nothing may plug.
#
# Each wait is bounded (30 s); a failure says what was expected and what was
# seen, and exits 1.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bed-lib.sh
. "$here/bed-lib.sh"

timeout_s=30
# MemTotal must move by the plugged size, give or take this much (kB).
tolerance=4096

for var in VMEM_BED_URI VMEM_BED_DOMAIN VMEM_BED_SERIAL_LOG; do
  [ -n "${!var:-}" ] || bed_fail "$var is not set: run this through vmem-bed run"
done

step () { echo "smoke: $*"; }

# The guest's MemTotal (of NODE, or all) once the guest has what libvirt says
# it has.
settled_memtotal ()
{
  bed_wait_for "$timeout_s" "the guest to have what libvirt says it has" bed_settled \
    || bed_fail "the bed did not settle: $bed_unsettled"
  bed_memtotal "$@"
}

current_is ()
{
  [ "$(bed_vmem_get "$1" current)" = "$2" ]
}

# memtotal_near EXPECTED [NODE]
memtotal_near ()
{
  local value
  value=$(bed_memtotal "${@:2}")
  [ -n "$value" ] && [ $((value - $1)) -le "$tolerance" ] && [ $(($1 - value)) -le "$tolerance" ]
}

expect_current ()
{
  local index=$1 alias=$2 want=$3
  bed_wait_for "$timeout_s" "$alias to reach <current> $want KiB" current_is "$index" "$want" \
    || bed_fail "$alias: libvirt's live <current> is $(bed_vmem_get "$index" current) KiB, expected $want KiB"
}

expect_memtotal ()
{
  local want=$1 scope=("${@:2}") what
  what="the guest's MemTotal${2:+ of node $2}"
  bed_wait_for "$timeout_s" "$what to reach $want kB" memtotal_near "$want" "${scope[@]}" \
    || { echo "serial log, last VMEM lines:" >&2
         tr -d '\r' < "$VMEM_BED_SERIAL_LOG" | grep 'VMEM-' | tail -n 8 >&2
         bed_fail "$what is $(bed_memtotal "${scope[@]}") kB, expected $want kB (+-$tolerance)"; }
}

# resize INDEX ALIAS KIB
resize ()
{
  bed_virsh update-memory-device "$VMEM_BED_DOMAIN" --alias "$2" \
    --requested-size "${3}KiB" --live > /dev/null \
    || bed_fail "virsh update-memory-device $2 --requested-size ${3}KiB failed"
  [ "$(bed_vmem_get "$1" requested)" = "$3" ] \
    || bed_fail "$2: live <requested> is $(bed_vmem_get "$1" requested) KiB after the update, expected $3 KiB"
}

count=$(bed_vmem_count)
[ "$count" -ge 1 ] || bed_fail "the domain has no virtio-mem device"
step "${VMEM_BED_VARIANT:-?} bed, $count virtio-mem device(s)"
# What the bed promises once it is ready, at once.
bed_settled || bed_fail "the bed said it was ready, but $bed_unsettled"

total=$(settled_memtotal)
step "guest MemTotal $total kB"

if [ "${1:-}" = --expect-stall ]; then
  for ((i = 1; i <= count; i++)); do
    alias=$(bed_vmem_get "$i" alias)
    want=$(( $(bed_vmem_get "$i" requested) + 131072 ))
    step "$alias: requesting $want KiB from a guest without virtio_mem"
    resize "$i" "$alias" "$want"
  done
  sleep 5
  for ((i = 1; i <= count; i++)); do
    alias=$(bed_vmem_get "$i" alias)
    current_is "$i" 0 \
      || bed_fail "$alias: <current> is $(bed_vmem_get "$i" current) KiB, expected 0: something plugged without virtio_mem"
  done
  [ "$(bed_memtotal)" = "$total" ] \
    || bed_fail "the guest's MemTotal changed from $total to $(bed_memtotal) kB without virtio_mem"
  step "PASS: nothing plugged, as expected"
  exit 0
fi

for ((i = 1; i <= count; i++)); do
  alias=$(bed_vmem_get "$i" alias)
  node=$(bed_vmem_get "$i" node)
  size=$(bed_vmem_get "$i" size)
  initial=$(bed_vmem_get "$i" current)
  [ "$initial" = "$(bed_vmem_get "$i" requested)" ] \
    || bed_fail "$alias: <current> $initial KiB differs from <requested> at start"
  node_total=$(settled_memtotal "$node")

  step "$alias (node $node): growing $initial -> $size KiB"
  resize "$i" "$alias" "$size"
  expect_current "$i" "$alias" "$size"
  expect_memtotal $((total + size - initial))
  expect_memtotal $((node_total + size - initial)) "$node"
  step "$alias: <current> $size KiB, MemTotal $(bed_memtotal) kB, node $node $(bed_memtotal "$node") kB"

  step "$alias (node $node): shrinking $size -> $initial KiB"
  resize "$i" "$alias" "$initial"
  expect_current "$i" "$alias" "$initial"
  expect_memtotal "$total"
  expect_memtotal "$node_total" "$node"
  step "$alias: <current> $initial KiB, MemTotal $(bed_memtotal) kB, node $node $(bed_memtotal "$node") kB"
done

step "hot-plugging a 128 MiB DIMM"
dimm_xml=$(mktemp)
trap 'rm -f "$dimm_xml"' EXIT
cat > "$dimm_xml" <<'EOF'
<memory model='dimm'>
  <target>
    <size unit='MiB'>128</size>
    <node>0</node>
  </target>
</memory>
EOF
bed_virsh attach-device "$VMEM_BED_DOMAIN" "$dimm_xml" --live > /dev/null \
  || bed_fail "attaching a 128 MiB DIMM failed: no slot or maxMemory headroom?"
expect_memtotal $((total + 131072))
step "DIMM plugged, MemTotal $(bed_memtotal) kB"

step "PASS"
