#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The app and a guest that cannot follow, under Xvfb (vmem-bed run
--no-virtio-mem: the guest never loads virtio_mem): a resize shows the
stall plainly, and a resize under way can be cancelled from its row."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apptest  # noqa: E402
from apptest import run_until  # noqa: E402
from gi.repository import Vmem  # noqa: E402

MiB = 1 << 20


def bed_env(name):
    value = os.environ.get(name)
    if not value:
        print(f'Bail out! {name} is not set: run this in vmem-bed run --no-virtio-mem', flush=True)
        sys.exit(1)
    return value


URI = bed_env('VMEM_BED_URI')
DOMAIN = bed_env('VMEM_BED_DOMAIN')


def main():
    print('1..2', flush=True)
    assert bed_env('VMEM_BED_VIRTIO_MEM') == 'no'
    app = apptest.start_app(URI)
    window = app.window
    host = app.hosts[0]
    run_until(lambda: host.props.state == 'open', 60, 'the host opened')
    assert window.select_domain(URI, DOMAIN)
    apptest.settle_frames(window)
    device = next(d for d in window.domain_view.domain.get_memory_devices()
                  if isinstance(d, Vmem.VirtioMem))
    row = apptest.device_row(window, device.props.alias)
    # A stall is no progress for this long (the library's default is 10 s).
    device.props.stall_timeout = 3000

    row.entry.set_text('256 MiB')
    row.resize_button.emit('clicked')
    resize = window.device_state(device).props.resize
    assert resize.running and row.cancel_button.get_visible()
    run_until(lambda: not resize.running, 60, 'the resize ended')
    apptest.settle_frames(window)
    status = row.status.get_label()
    assert resize.props.state == 'stalled', (resize.props.state, status)
    assert status.startswith('Stalled at 0B of 256MiB:'), status
    assert 'no progress for 3000 ms' in status, status
    assert row.status.has_css_class('warning') and not row.cancel_button.get_visible()
    assert row.resize_button.get_sensitive()
    shot = apptest.Screenshot(window, 'bed-stalled')
    shot.check_not_blank()
    shot.check_inside(row.status)
    ok = 'ok 1 - a stalled resize says so on its row, in the warning style'
    print(ok, flush=True)

    # Cancelled from the row: the wait ends, the device stays usable.
    device.props.stall_timeout = 3600000
    row.entry.set_text('512 MiB')
    row.resize_button.emit('clicked')
    resize = window.device_state(device).props.resize
    run_until(lambda: device.props.requested_size == 512 * MiB, 60, 'the request taken')
    assert resize.running and row.cancel_button.get_visible()
    row.cancel_button.emit('clicked')
    run_until(lambda: not resize.running, 30, 'the resize cancelled')
    status = row.status.get_label()
    assert resize.props.state == 'cancelled', (resize.props.state, status)
    assert status == 'Cancelled at 0B; requested stays 512MiB', status
    assert not row.cancel_button.get_visible()
    apptest.Screenshot(window, 'bed-cancelled').check_inside(row.status)
    print('ok 2 - a resize under way is cancelled from its row', flush=True)
    apptest.stop_app(app)


if __name__ == '__main__':
    main()
