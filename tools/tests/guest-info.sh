#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vmemctl info and list --json in a test bed: 16 slots of which the
# virtio-mem device uses one up to libvirt 9.4 and none since, 512 MiB of base memory on node 0, the
# device's live sizes, and the node's figures from the library.

. "$VMEMCTL_TESTS_DIR/guest-lib.sh"

if libvirt_at_least 9.5.0; then used=0; else used=1; fi
expect_status 0 info "$domain" --json
expect_json "$out" '
assert data["state"] == "running", data
assert data["slots"] == 16 and data["slots_used"] == '$used' and data["slots_free"] == 16 - '$used', data
assert data["max_memory"] == 16 << 30, data
assert data["base_memory"] == 512 << 20, data
assert data["devices_size"] == 1 << 30, data
assert data["headroom"] == data["max_memory"] - data["base_memory"] - data["devices_size"], data
node, = data["nodes"]
assert node["id"] == 0 and node["memory"] == 512 << 20, node
assert node["plugged"]["virtio-mem"] == 128 << 20 and node["plugged"]["dimm"] == 0, node
assert node["virtio_mem_requested"] == 128 << 20 and node["virtio_mem_maximum"] == 1 << 30, node
assert node["total"] == data["ram"] == (512 << 20) + (128 << 20), data
vmem, = node["devices"]
assert vmem["alias"] == "virtiomem0" and vmem["size"] == 1 << 30, vmem
assert vmem["requested"] == 128 << 20 and vmem["current"] == 128 << 20, vmem
'

expect_status 0 info "$domain"
expect_in "$out" "slots:         16: $used used, $((16 - used)) free"
expect_in "$out" "headroom:      14848MiB"
expect_in "$out" "virtiomem0  virtio-mem   maximum 1GiB, requested 128MiB, current 128MiB"

expect_status 0 list --json
expect_json "$out" '
domain, = data
assert domain["state"] == "running", domain
vmem, = domain["devices"]
assert vmem["current"] == 128 << 20 and vmem["requested"] == 128 << 20, vmem
assert vmem["block"] == 2 << 20 and vmem["node"] == 0, vmem
'

expect_status 0 list
[ "$(sed -n 2p "$out" | tr -s ' ')" = "$domain virtiomem0 virtio-mem 0 1GiB 2MiB 128MiB 128MiB" ] \
  || fail "wrong row"

echo "PASS"
