#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vmemctl resize --wait against a guest without a virtio-mem driver
# (vmem-bed run --no-virtio-mem), which never plugs anything: the tool
# must report the stall (exit 5), and Ctrl-C must stop the waiting
# (exit 6) and say the device is usable.

. "$VMEMCTL_TESTS_DIR/guest-lib.sh"

expect_status 5 resize "$domain" --alias virtiomem0 256MiB --wait --stall-timeout $(( 2000 * time_scale ))
expect_message resize "The guest stopped at 0B of the 256MiB requested from 'virtiomem0'"

# A stall timeout far beyond the test's own limits: only Ctrl-C can end
# this wait, however slowly the machine gets to it. The files are emptied
# first: the background command opens them itself, later, and until then
# the wait below would find the last command's progress line and send
# SIGINT before vmemctl handles it (a background job of a script starts
# with SIGINT ignored), which a loaded machine did.
: > "$out"
: > "$err"
env LD_PRELOAD= "${wrapper[@]}" "$VMEMCTL" resize "$domain" --alias virtiomem0 512MiB --wait \
  --stall-timeout 3600000 > "$out" 2> "$err" &
resize_pid=$!
# The first progress line comes once the device was read.
started () { grep -q "^virtiomem0: " "$err"; }
wait_for 30 "the resize to start" started
kill -INT "$resize_pid"
status=0
wait "$resize_pid" || status=$?
[ "$status" -eq 6 ] || fail "an interrupted resize exited with $status, expected 6"
expect_message resize "Interrupted: virtiomem0 is usable with 0B plugged"
echo "ok: interrupted -> 6"

echo "PASS"
