#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vmemctl's exit statuses and messages for wrong input, on libvirt's test
# driver: refused sizes (4), unknown domains, aliases and nodes (3), usage
# errors (2), and a resize the test driver cannot do (1), which must leave
# the device as it was.

. "$VMEMCTL_TESTS_DIR/lib.sh"

export VMEM_URI="test://$VMEMCTL_TESTS_DIR/two-devices.xml"

# Refused sizes: the message names what was refused.
expect_status 4 resize test-domain --alias ua-virtiomem0 12XB
expect_message resize "12XB"
expect_status 4 resize test-domain --alias virtiomem0 12XB
expect_message resize "12XB"
expect_status 4 resize test-domain --alias ua-virtiomem0 3MiB
expect_message resize "not a multiple of the block size 2MiB"
expect_status 4 resize test-domain --node 0 2GiB
expect_message resize "larger than the device's size 1GiB"
expect_status 4 resize test-domain --alias ua-virtiomem0 99999999999999999999
expect_message resize "does not fit in 64 bits"
expect_status 4 resize test-domain --alias ua-dimm0 128MiB
expect_message resize "only virtio-mem devices can be resized"
expect_status 4 attach test-domain --model sgx-epc --size 64MiB
expect_status 4 attach test-domain --model floppy --size 64MiB
expect_status 4 attach test-domain --model virtio-mem --size 1GiB --block 3MiB
expect_message attach "not a power of two"

# Not found.
expect_status 3 resize test-domain --alias nope 128MiB
expect_message resize "Domain 'test-domain' has no memory device 'nope'"
expect_status 3 resize no-such-domain --alias ua-virtiomem0 128MiB
expect_message resize "no-such-domain"
expect_status 3 resize test-domain --node 7 128MiB
expect_message resize "no virtio-mem device on NUMA node 7"
expect_status 3 list no-such-domain
expect_status 3 info no-such-domain
expect_status 3 detach test-domain --alias nope

# Usage errors.
expect_status 2 resize test-domain --bogus
expect_message resize "Unknown option --bogus"
expect_in "$err" "Try 'vmemctl resize --help'."
expect_status 2 resize test-domain 128MiB
expect_status 2 resize test-domain --alias ua-virtiomem0 --node 0 128MiB
expect_status 2 resize test-domain --alias ua-virtiomem0
expect_status 2 resize test-domain --alias ua-virtiomem0 --node x 128MiB
expect_status 2 resize test-domain --alias ua-virtiomem0 --wait --config 128MiB
expect_status 2 resize test-domain --alias ua-virtiomem0 --stall-timeout 100 128MiB
expect_status 2 attach test-domain --model nvdimm --size 128MiB
expect_status 2 watch --count=-1
expect_status 2 no-such-command
expect_status 2 --bogus list
expect_status 2

# A good size: libvirt's test driver cannot update devices. libvirt 9.0's
# has no device update (VIR_ERR_NO_SUPPORT); 11.3's has one, which refuses
# memory devices (VIR_ERR_OPERATION_UNSUPPORTED).
expect_status 1 resize test-domain --alias ua-virtiomem0 512MiB
if libvirt_at_least 11.3.0; then
  expect_message resize "Operation not supported: .* update of device 'memory' is not supported"
elif libvirt_at_least 9.1.0; then
  expect_message resize "not supported"
else
  expect_message resize "this function is not supported by the connection driver"
fi
expect_status 1 resize test-domain --node 0 --config 512MiB
expect_message resize "not supported"

# autosize: a band too narrow, or no band at all, is refused before
# anything starts; the test driver's domain has no balloon, so the policy
# stops at its first sample, with libvirt's reason, and the status is 1.
expect_status 2 autosize test-domain --band 256MiB
expect_message autosize "needs LOW:HIGH"
expect_status 4 autosize test-domain --band 256XB:512MiB
expect_status 2 autosize test-domain --count=-1
expect_status 2 autosize test-domain --period 0
expect_status 1 autosize test-domain --band 256MiB:258MiB
expect_message autosize "too narrow: its high end must exceed its low end by at least twice the block size, 4MiB"
expect_status 1 autosize plain
expect_message autosize "Domain 'plain' has no virtio-mem device"
expect_status 3 autosize no-such-domain
expect_status 1 autosize test-domain
expect_in "$out" "stop: Cannot set the memory statistics period of domain 'test-domain'"
expect_message autosize "Cannot set the memory statistics period of domain 'test-domain'"

expect_status 0 list test-domain --json
expect_json "$out" '
vmem = data[0]["devices"][0]
assert vmem["alias"] == "ua-virtiomem0" and vmem["requested"] == 128 << 20, vmem
'

echo "PASS"
