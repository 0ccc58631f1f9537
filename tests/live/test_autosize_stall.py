#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Vmem.Autosize and a guest that cannot follow (vmem-bed run
--no-virtio-mem --balloon: the guest reports its memory but never loads
virtio_mem). The policy grows the device, the guest plugs nothing, the
resize stalls: the policy says so with 'stalled', asks that device nothing
more, and with no device left stops with the reason."""

import os
import sys
import time

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem  # noqa: E402

MiB = 1 << 20


def bed_env(name):
    value = os.environ.get(name)
    if not value:
        print(f'Bail out! {name} is not set: run this in vmem-bed run --no-virtio-mem --balloon',
              flush=True)
        sys.exit(1)
    return value


def main():
    print('1..1', flush=True)
    assert bed_env('VMEM_BED_VIRTIO_MEM') == 'no' and bed_env('VMEM_BED_BALLOON') == 'yes'
    connection = Vmem.Connection.new(bed_env('VMEM_BED_URI'))
    connection.open(None)
    domain = connection.lookup_domain(bed_env('VMEM_BED_DOMAIN'))
    device = next(d for d in domain.get_memory_devices() if isinstance(d, Vmem.VirtioMem))
    # A stall is no progress for this long.
    device.props.stall_timeout = 3000
    before = device.props.requested_size

    policy = Vmem.Autosize.new(domain)
    # Far over what the guest has: it must grow.
    policy.props.available_low, policy.props.available_high = 2048 * MiB, 2304 * MiB
    decisions, stalls = [], []
    policy.connect('decision', lambda p, action, d, a, b, reason:
                   decisions.append((action.value_nick, d, a, b, reason)))
    policy.connect('stalled', lambda p, d, message: stalls.append((d, message, len(decisions))))
    policy.start()

    context = GLib.MainContext.default()
    deadline = time.monotonic() + 60
    while policy.props.running:
        assert time.monotonic() < deadline, f'the policy still runs: {decisions}'
        context.iteration(True)

    for d in decisions:
        print(f'# {d[0]} {d[2] // MiB}->{d[3] // MiB} MiB: {d[4]}', flush=True)
    resizes = [d for d in decisions if d[0] in ('grow', 'shrink')]
    assert len(resizes) == 1 and resizes[0][0] == 'grow' and resizes[0][1] == device, resizes
    assert resizes[0][2] == before and resizes[0][3] > before, resizes
    assert len(stalls) == 1 and stalls[0][0] == device, stalls
    assert 'stopped' in stalls[0][1] or 'progress' in stalls[0][1], stalls[0][1]
    # Nothing was asked of the device after it stalled.
    assert all(d[0] != 'grow' for d in decisions[stalls[0][2]:]), decisions
    assert decisions[-1][0] == 'stop' and 'stalled' in decisions[-1][4], decisions[-1]
    assert policy.props.resizes == 1
    print(f'ok 1 - the stall is said ({stalls[0][1]}), the device is left alone, and the policy '
          f'stops: {decisions[-1][4]}', flush=True)
    device.set_requested_size(before, Vmem.AffectFlags.LIVE, None)
    connection.close()


if __name__ == '__main__':
    main()
