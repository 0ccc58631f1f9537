#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vmemctl attach and detach in a test bed: a 128 MiB DIMM is hot-plugged
# on node 0, shows in list, info and the guest's MemTotal, and is removed
# again. The bed's guest onlines hot-plugged memory as movable, so it can
# release the DIMM, and detach waits for libvirt to say it did.

. "$VMEMCTL_TESTS_DIR/guest-lib.sh"

before=$(settled_memtotal)
[ -n "$before" ] || fail "the guest reported no MemTotal"

expect_status 0 attach "$domain" --model dimm --size 128MiB --node 0
expect_in "$out" "dimm0: attached (dimm, 128MiB)"
plugged () { [ "$(( $(memtotal) - before ))" -eq 131072 ]; }
wait_for 30 "the guest's MemTotal to grow by 128 MiB" plugged
echo "ok: MemTotal $before kB -> $(memtotal) kB"

expect_status 0 list "$domain" --json
expect_json "$out" '
dimm = [d for d in data[0]["devices"] if d["alias"] == "dimm0"]
assert dimm == [{"alias": "dimm0", "model": "dimm", "node": 0, "size": 128 << 20,
                 "block": None, "requested": None, "current": None}], data
'
# The DIMM takes a slot, the virtio-mem device too up to libvirt 9.4.
if libvirt_at_least 9.5.0; then used=1; else used=2; fi
expect_status 0 info "$domain" --json
expect_json "$out" 'assert data["slots_used"] == '$used' and data["slots_free"] == 16 - '$used', data'

# Refused before libvirt is asked: the size of a virtio-mem device that
# is not a multiple of its block.
expect_status 4 attach "$domain" --model virtio-mem --size 1GiB --block 2MiB --requested 3MiB

expect_status 0 detach "$domain" --alias dimm0 --timeout 60
expect_in "$out" "dimm0: detached"
released () { [ "$(memtotal)" -eq "$before" ]; }
wait_for 30 "the guest's MemTotal to come back to $before kB" released
echo "ok: MemTotal back to $(memtotal) kB"

expect_status 0 list "$domain" --json
expect_json "$out" 'assert [d["alias"] for d in data[0]["devices"]] == ["virtiomem0"], data'
expect_status 3 detach "$domain" --alias dimm0

echo "PASS"
