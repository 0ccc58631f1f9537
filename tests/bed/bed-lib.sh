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
#   bed_base_memtotal [NODE]    the guest's MemTotal before it loaded any
#                               module (whole guest, or one NUMA node)
#   bed_settled                 succeeds when the guest has what libvirt says
#                               it has: every virtio-mem device's <current>
#                               equals its <requested>, and the guest's
#                               MemTotal, whole and per node, equals its base
#                               plus the virtio-mem devices' <current> plus
#                               the DIMMs' sizes; otherwise says what differs
#                               in $bed_unsettled and fails (in a bed
#                               whose guest has no virtio_mem, where
#                               VMEM_BED_VIRTIO_MEM=no, <current> stays
#                               where it is)
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

# The sum of the whole numbers that an XPath selects as text nodes, done by
# the shell: xmllint prints an XPath number of a million or more with an
# exponent (1.04858e+06), as Debian 12's libxml2 2.9.14+dfsg-1.3~deb12u6 does.
bed_xpath_sum ()
{
  local xml=$1 xpath=$2 total=0 n
  for n in $(xmllint --xpath "$xpath" - <<< "$xml" 2>/dev/null); do
    total=$((total + n))
  done
  echo "$total"
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

# bed_serial_kb KEY: the last value the guest reported on a "KEY <kB>" line
# of its serial log (the base lines come once a boot).
bed_serial_kb ()
{
  tr -d '\r' < "$VMEM_BED_SERIAL_LOG" \
    | sed -n "s/.*$1 \\([0-9][0-9]*\\).*/\\1/p" | tail -n 1
}

bed_memtotal ()
{
  bed_serial_kb "VMEM-${1:+NODE-}MEMTOTAL${1:+ $1}"
}

bed_base_memtotal ()
{
  bed_serial_kb "VMEM-${1:+NODE-}BASE-MEMTOTAL${1:+ $1}"
}

bed_unsettled=

bed_settled ()
{
  local xml devices nodes node base want have plugged unplugged
  # libvirt writes every size of a live memory device in KiB.
  devices="//devices/memory[@model='virtio-mem']"
  xml=$(bed_live_xml) || { bed_unsettled="cannot read the live XML"; return 1; }
  unplugged=$(xmllint --xpath "count($devices[not(target/current = target/requested)])" - <<< "$xml")
  # A guest without virtio_mem never plugs: it is settled with nothing.
  if [ "$unplugged" != 0 ] && [ "${VMEM_BED_VIRTIO_MEM:-yes}" != no ]; then
    bed_unsettled="$unplugged virtio-mem device(s) with <current> short of <requested>"
    return 1
  fi
  # Node "" is the whole guest.
  nodes=$(xmllint --xpath "//cpu/numa/cell/@id" - <<< "$xml" 2>/dev/null \
            | grep -o '[0-9][0-9]*')
  for node in "" $nodes; do
    local only=
    [ -z "$node" ] || only="[target/node = $node]"
    plugged=$(bed_xpath_sum "$xml" "$devices${only}/target/current/text() | //devices/memory[@model='dimm']${only}/target/size/text()")
    base=$(bed_base_memtotal $node)
    have=$(bed_memtotal $node)
    if [ -z "$base" ] || [ -z "$have" ]; then
      bed_unsettled="the guest has not reported its MemTotal${node:+ of node $node} yet"
      return 1
    fi
    want=$((base + plugged))
    if [ "$have" != "$want" ]; then
      bed_unsettled="the guest's MemTotal${node:+ of node $node} is $have kB, libvirt says $base + $plugged = $want kB"
      return 1
    fi
  done
  bed_unsettled=
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
