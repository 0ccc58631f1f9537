#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vmemctl resize --wait in a test bed: virtiomem0 grows from 128 MiB to
# 1 GiB and back; each time the tool must say the device has the size, and
# the guest's MemTotal must follow.

. "$VMEMCTL_TESTS_DIR/guest-lib.sh"

before=$(settled_memtotal)
[ -n "$before" ] || fail "the guest reported no MemTotal"

expect_status 0 resize "$domain" --alias virtiomem0 1GiB --wait
[ "$(tail -n 1 "$out")" = "virtiomem0 has 1GiB" ] || fail "the last line does not say virtiomem0 has 1GiB"
# Not a terminal: plain progress lines, the last one at the size.
[ "$(tail -n 1 "$err")" = "virtiomem0: 1GiB / 1GiB" ] || fail "no final progress line"

# 896 MiB more, give or take what the kernel keeps for itself.
grown () { [ "$(( $(memtotal) - before ))" -ge $(( 896 * 1024 - 16384 )) ]; }
wait_for 30 "the guest's MemTotal to grow by 896 MiB" grown
echo "ok: MemTotal $before kB -> $(memtotal) kB"

expect_status 0 resize "$domain" --node 0 128MiB --wait
[ "$(tail -n 1 "$out")" = "virtiomem0 has 128MiB" ] || fail "the last line does not say virtiomem0 has 128MiB"
back () { [ "$(( $(memtotal) - before ))" -le 16384 ]; }
wait_for 30 "the guest's MemTotal to come back" back
echo "ok: MemTotal back to $(memtotal) kB"

# Without --wait: the request only, which list shows.
expect_status 0 resize "$domain" --alias virtiomem0 256MiB
expect_in "$out" "virtiomem0: requested 256MiB"
expect_status 0 list "$domain" --json
expect_json "$out" 'assert data[0]["devices"][0]["requested"] == 256 << 20, data'

echo "PASS"
