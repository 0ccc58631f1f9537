#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vmemctl on two real hosts at once: two beds with remote access (vmem-bed
# run --remote --name A -- vmem-bed run --remote --name B -- ...), A over
# qemu+tcp, B over qemu+tls and qemu+ssh. list and info show each host's
# own domain under its HOST; watch follows a resize on each, every line
# naming its host.

. "$VMEMCTL_TESTS_DIR/guest-lib.sh"

for var in VMEM_BED_A_TCP_URI VMEM_BED_B_TLS_URI VMEM_BED_B_SSH_URI VMEM_BED_A_WORKDIR VMEM_BED_B_WORKDIR; do
  [ -n "${!var:-}" ] || fail "$var is not set: run this in two beds of vmem-bed run --remote --name A/B"
done
a=$VMEM_BED_A_ADDRESS
b=$VMEM_BED_B_ADDRESS
hosts=(-c "$VMEM_BED_A_TCP_URI" -c "$VMEM_BED_B_TLS_URI" -c "$VMEM_BED_B_SSH_URI")
"$VMEM_BED" settle "$VMEM_BED_A_WORKDIR" >&2 || fail "bed A did not settle"
"$VMEM_BED" settle "$VMEM_BED_B_WORKDIR" >&2 || fail "bed B did not settle"

# One row per host, in the order of the -c options, named by address and
# port.
expect_status 0 list "${hosts[@]}"
[ "$(awk 'NR == 1 { print $1 }' "$out")" = HOST ] || fail "no HOST column"
[ "$(tail -n +2 "$out" | awk '{ print $1, $2, $3, $8, $9 }')" = "$a:16509 $domain virtiomem0 128MiB 128MiB
$b:16514 $domain virtiomem0 128MiB 128MiB
$b:2222 $domain virtiomem0 128MiB 128MiB" ] || fail "not the rows expected"

# The JSON names the host of every domain; A's domain is not B's.
expect_status 0 list --json "${hosts[@]}"
expect_json "$out" "
hosts = [d['host'] for d in data]
assert hosts == ['$a:16509', '$b:16514', '$b:2222'], hosts
assert data[0]['uuid'] != data[1]['uuid'], data
assert data[1]['uuid'] == data[2]['uuid'], data
"
expect_status 0 info --json -c "$VMEM_BED_A_TCP_URI" -c "$VMEM_BED_B_SSH_URI" "$domain"
expect_json "$out" "
assert [d['host'] for d in data] == ['$a:16509', '$b:2222'], data
"

# watch on both while each grows by 128 MiB and goes back.
watch_err=$work/watch-err
: > "$watch_err"
(
  watching () { grep -q "^Watching" "$watch_err"; }
  for ((i = 0; i < 30 * time_scale * 5; i++)); do
    watching && break
    sleep 0.2
  done
  for uri in "$VMEM_BED_A_TCP_URI" "$VMEM_BED_B_TLS_URI"; do
    "$VMEMCTL" -c "$uri" resize "$domain" --alias virtiomem0 256MiB --wait &&
      "$VMEMCTL" -c "$uri" resize "$domain" --alias virtiomem0 128MiB --wait || exit 1
  done
) > "$work/resize-log" 2>&1 &
resize_pid=$!

status=0
timeout -s INT $(( 120 * time_scale )) env LD_PRELOAD= "${wrapper[@]}" \
  "$VMEMCTL" watch --count 4 --json -c "$VMEM_BED_A_TCP_URI" -c "$VMEM_BED_B_TLS_URI" \
  > "$out" 2> "$watch_err" || status=$?
[ "$status" -ne 99 ] || fail "valgrind found errors in vmemctl watch"
[ "$status" -eq 0 ] || fail "vmemctl watch exited with $status: $(cat "$watch_err")"
wait "$resize_pid" || fail "the resizes beside watch failed: $(cat "$work/resize-log")"
/usr/bin/python3 - "$out" "$a:16509" "$b:16514" <<'PY' || fail "not the events expected: $(cat "$out")"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
assert len(events) == 4, events
assert {e['host'] for e in events} == {sys.argv[2], sys.argv[3]}, events
for e in events:
    assert e['alias'] == 'virtiomem0', e
    assert e['size'] in (128 << 20, 256 << 20) or 128 << 20 < e['size'] < 256 << 20, e
PY
"$VMEM_BED" settle "$VMEM_BED_A_WORKDIR" >&2 || fail "bed A did not settle"
"$VMEM_BED" settle "$VMEM_BED_B_WORKDIR" >&2 || fail "bed B did not settle"
echo "PASS"
