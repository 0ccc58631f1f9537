#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vmemctl list (and info, --help, --version) on libvirt's test driver: its
# default node, whose domain 'test' has no memory devices, and
# two-devices.xml, with a virtio-mem device and a DIMM.

. "$VMEMCTL_TESTS_DIR/lib.sh"

file_uri="test://$VMEMCTL_TESTS_DIR/two-devices.xml"

expect_status 0 --help
for command in list info resize watch attach detach; do
  expect_in "$out" "  $command "
done
expect_in "$out" "6  interrupted"

expect_status 0 --version
expect_in "$out" "vmemctl "

# test:///default: the header only.
expect_status 0 -c test:///default list
[ "$(head -n 1 "$out" | tr -s ' ')" = "DOMAIN ALIAS MODEL NODE SIZE BLOCK REQUESTED CURRENT" ] \
  || fail "unexpected table header"
[ "$(wc -l < "$out")" -eq 1 ] || fail "test:///default has no memory devices, yet rows were listed"

expect_status 0 -c test:///default list --json
expect_json "$out" '
assert isinstance(data, list), data
assert [d["domain"] for d in data] == ["test"], data
assert data[0]["state"] == "running", data
assert data[0]["devices"] == [], data
assert set(data[0]) == {"host", "domain", "uuid", "state", "devices"}, data
assert data[0]["host"] == "test:///default", data
'

# $VMEM_URI stands for -c.
VMEM_URI=test:///default expect_status 0 list test --json
expect_json "$out" 'assert [(d["host"], d["domain"]) for d in data] == [("test:///default", "test")], data'

# The file: two devices, in this order, and a domain without any.
expect_status 0 -c "$file_uri" list
[ "$(wc -l < "$out")" -eq 3 ] || fail "expected a header and 2 rows"
[ "$(sed -n 2p "$out" | tr -s ' ')" = "test-domain ua-virtiomem0 virtio-mem 0 1GiB 2MiB 128MiB 0B" ] \
  || fail "wrong virtio-mem row"
[ "$(sed -n 3p "$out" | tr -s ' ')" = "test-domain ua-dimm0 dimm 0 512MiB - - -" ] \
  || fail "wrong dimm row"

expect_status 0 -c "$file_uri" list --json
expect_json "$out" '
assert [d["domain"] for d in data] == ["plain", "test-domain"], data
assert data[0]["devices"] == [], data
vmem, dimm = data[1]["devices"]
assert vmem == {"alias": "ua-virtiomem0", "model": "virtio-mem", "node": 0,
                "size": 1 << 30, "block": 2 << 20, "requested": 128 << 20,
                "current": 0}, vmem
assert dimm == {"alias": "ua-dimm0", "model": "dimm", "node": 0, "size": 512 << 20,
                "block": None, "requested": None, "current": None}, dimm
'

# info: 512 MiB on node 0, 1.5 GiB of devices, 16 GiB at most. The DIMM
# takes a slot, the virtio-mem device too up to libvirt 9.4.
if libvirt_at_least 9.5.0; then used=1; else used=2; fi
expect_status 0 -c "$file_uri" info test-domain --json
expect_json "$out" '
assert data["slots"] == 16 and data["slots_used"] == '$used' and data["slots_free"] == 16 - '$used', data
assert data["max_memory"] == 16 << 30, data
assert data["base_memory"] == 512 << 20, data
assert data["devices_size"] == (1 << 30) + (512 << 20), data
assert data["headroom"] == (16 << 30) - (512 << 20) - (1 << 30) - (512 << 20), data
node, = data["nodes"]
assert node["id"] == 0 and node["memory"] == 512 << 20, node
assert [d["alias"] for d in node["devices"]] == ["ua-virtiomem0", "ua-dimm0"], node
assert node["plugged"] == {"dimm": 512 << 20, "nvdimm": 0, "virtio-pmem": 0,
                           "virtio-mem": 0, "sgx-epc": 0}, node
assert node["virtio_mem_requested"] == 128 << 20, node
assert node["virtio_mem_maximum"] == 1 << 30, node
assert node["total"] == (512 << 20) + (512 << 20), node
assert data["ram"] == node["total"], data
assert data["other"]["devices"] == [], data
'
expect_status 0 -c "$file_uri" info test-domain
expect_in "$out" "slots:         16: $used used, $((16 - used)) free"
expect_in "$out" "headroom:      14GiB"

# Without maxMemory there is no hot-plug.
expect_status 0 -c test:///default info test --json
expect_json "$out" 'assert data["headroom"] is None and data["slots"] == 0, data'

echo "PASS"
