#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vmemctl watch --count 2 --json in a test bed, while resizes run in the
# background: each line is one JSON object, with the host (the bed's URI
# without its query), the domain, the alias and a size.

. "$VMEMCTL_TESTS_DIR/guest-lib.sh"

watch_err=$work/watch-err
resize_log=$work/resize-log
: > "$watch_err"

# Growing and shrinking again: QEMU reports at most once a second, and a
# fast guest plugs 896 MiB within one report, but each resize ends with
# the report of the size reached, so two events come at least.
(
  watching () { grep -q "^Watching" "$watch_err"; }
  for ((i = 0; i < 30 * time_scale * 5; i++)); do
    watching && break
    sleep 0.2
  done
  "$VMEMCTL" resize "$domain" --alias virtiomem0 1GiB --wait &&
    "$VMEMCTL" resize "$domain" --alias virtiomem0 128MiB --wait
) > "$resize_log" 2>&1 &
resize_pid=$!

status=0
timeout -s INT $(( 120 * time_scale )) env LD_PRELOAD= "${wrapper[@]}" \
  "$VMEMCTL" watch --count 2 --json > "$out" 2> "$watch_err" || status=$?
[ "$status" -ne 99 ] || fail "valgrind found errors in vmemctl watch"
[ "$status" -eq 0 ] || fail "vmemctl watch exited with $status"

resize_status=0
wait "$resize_pid" || resize_status=$?
[ "$resize_status" -eq 0 ] || fail "the resizes beside watch failed: $(cat "$resize_log")"

[ "$(wc -l < "$out")" -eq 2 ] || fail "expected 2 events"
while read -r line; do
  /usr/bin/python3 -c '
import json, sys
event = json.loads(sys.argv[1])
assert event["host"] == sys.argv[3], event
assert event["domain"] == sys.argv[2], event
assert event["alias"] == "virtiomem0", event
assert event["model"] == "virtio-mem", event
assert 128 << 20 <= event["size"] <= 1 << 30, event
assert event["size"] % (2 << 20) == 0, event
assert event["time"], event
' "$line" "$domain" "${VMEM_URI%%\?*}" || fail "not the event expected: $line"
  echo "ok: $line"
done < "$out"

echo "PASS"
