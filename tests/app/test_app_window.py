#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The app's window under Xvfb, on libvirt's test driver (a node file of a
running domain with a virtio-mem device and a DIMM, and a plain domain):
the sidebar bound to the connection's model, the domain's figures, NUMA
nodes and devices, a refused size typed and sent, a refused DIMM, and
screenshots that show it. What needs a guest is in test_app_bed.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apptest  # noqa: E402
from apptest import log, run_until  # noqa: E402
from gi.repository import GLib  # noqa: E402

from vmem_monitor import dialogs  # noqa: E402

NODE_FILE = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                          'tools', 'tests', 'two-devices.xml'))
URI = 'test://' + NODE_FILE
MiB = 1 << 20

steps = 0


def ok(name):
    global steps
    steps += 1
    print(f'ok {steps} - {name}', flush=True)


def main():
    print('1..6', flush=True)
    app = apptest.start_app(URI)
    window = app.window
    host = app.hosts[0]
    run_until(lambda: host.props.state == 'open', 30, 'the host opened')
    apptest.settle_frames(window)
    titles = apptest.sidebar_titles(window)
    assert titles == sorted([host.props.label, 'plain', 'test-domain']), titles
    shot = apptest.Screenshot(window, 'window-nothing-selected')
    shot.check_not_blank()
    assert window.stack.get_visible_child_name() == 'empty'
    ok('the sidebar shows the host and its domains, from the connection\'s model')

    window.activate_action('win.select-domain', GLib.Variant('(ss)', (URI, 'test-domain')))
    run_until(lambda: window.stack.get_visible_child_name() == 'domain', 10, 'the domain shown')
    apptest.settle_frames(window)
    view = window.domain_view
    domain = view.domain
    assert domain.props.name == 'test-domain'
    figures = {prop: figure.value.get_label() for (_, prop), figure in view.figures.items()}
    assert figures['total'] == '1GiB' and figures['virtio-mem-requested'] == '128MiB' and \
        figures['free-memory-slots'] == f'{domain.props.free_memory_slots} of 16', figures
    # The NUMA table's model is the domain's own.
    assert hash(view.numa.get_model().get_model()) == hash(domain.get_numa_nodes())
    assert hash(view.devices.get_model().get_model()) == hash(domain.get_memory_devices())
    rows = apptest.device_rows(window)
    assert sorted(row.device.props.alias for row in rows) == ['ua-dimm0', 'ua-virtiomem0'], rows
    vmem = apptest.device_row(window, 'ua-virtiomem0')
    dimm = apptest.device_row(window, 'ua-dimm0')
    assert vmem.gauge.get_visible() and not dimm.gauge.get_visible()
    assert dimm.remove_button.get_visible() and not vmem.remove_button.get_visible()
    assert vmem.figures.get_label() == 'current 0B · requested 128MiB · size 1GiB · block 2MiB', \
        vmem.figures.get_label()
    shot = apptest.Screenshot(window, 'window-test-driver')
    shot.check_not_blank()
    for widget in (vmem.gauge, vmem.entry, vmem.resize_button, dimm.remove_button, view.numa):
        shot.check_inside(widget)
    mark = shot.requested_mark(vmem.gauge)
    assert abs(mark - 128 / 1024) < 0.01, f'the requested mark at {mark:.3f} of the gauge'
    assert shot.gauge_fill(vmem.gauge) == 0, 'the test driver\'s guest has plugged nothing'
    ok('a domain: figures, NUMA nodes and devices from its live models; the gauge drawn to scale')

    # A size that is not a multiple of the block: the library's refusal,
    # inline, and the Resize button cannot send it.
    vmem.entry.set_text('3 MiB')
    apptest.settle_frames(window)
    refusal = vmem.refusal.get_label()
    assert 'is not a multiple of the block size 2MiB' in refusal, refusal
    assert vmem.refusal.get_visible() and not vmem.resize_button.get_sensitive()
    shot = apptest.Screenshot(window, 'window-refused-size')
    shot.check_inside(vmem.refusal)
    # Over the size, through the action a script would use: refused too,
    # and nothing sent.
    window.activate_action('win.resize-device', GLib.Variant('(st)', ('ua-virtiomem0', 4 << 30)))
    assert "is larger than the device's size 1GiB" in vmem.refusal.get_label(), vmem.refusal.get_label()
    assert window.device_state(vmem.device).props.resize is None
    assert vmem.device.props.requested_size == 128 * MiB
    ok('refused sizes are shown inline with the library\'s message, and nothing is sent')

    # A size the library accepts: the button sends it; the test driver
    # cannot resize, and its refusal is the resize's outcome.
    vmem.entry.set_text('512 MiB')
    assert vmem.resize_button.get_sensitive() and not vmem.refusal.get_visible()
    vmem.resize_button.emit('clicked')
    resize = window.device_state(vmem.device).props.resize
    assert resize is not None and resize.target == 512 * MiB
    run_until(lambda: not resize.running, 30, 'the resize ended')
    assert resize.props.state == 'failed' and 'not supported' in vmem.status.get_label().lower(), \
        vmem.status.get_label()
    assert vmem.progress_box.get_visible()
    ok('a valid size is sent by the button, and libvirt\'s refusal is shown')

    # The DIMM dialog refuses what the library refuses, and stays open.
    window.activate_action('win.hotplug-dimm', None)
    run_until(lambda: any(isinstance(w, dialogs.HotplugDimmDialog) for w in app.get_windows()), 10,
              'the dialog shown')
    dialog = next(w for w in app.get_windows() if isinstance(w, dialogs.HotplugDimmDialog))
    dialog.size.set_text('ten')
    dialog.accept.emit('clicked')
    assert dialog.refusal.get_visible() and "Invalid size 'ten'" in dialog.refusal.get_label()
    assert dialog.get_visible()
    assert 'Hot-plug headroom' in dialog.headroom.get_label()
    apptest.settle_frames(dialog)
    dialog.close()
    ok('the DIMM dialog shows the library\'s refusal')

    # Another host that cannot be reached: it stays in the list, failed,
    # with a reopen button.
    app.activate_action('add-connection', GLib.Variant('s', 'qemu+tcp://127.0.0.1:1/system'))
    bad = app.hosts.find('qemu+tcp://127.0.0.1:1/system')
    run_until(lambda: bad.props.state == 'failed', 30, 'the unreachable host failed')
    apptest.settle_frames(window)
    row = next(r for r in apptest.descendants(window, apptest.widgets.SidebarRow) if r.item is bad)
    assert row.reopen.get_visible() and row.subtitle.get_label().startswith('Cannot connect'), \
        row.subtitle.get_label()
    ok('an unreachable host shows why, and can be reopened')
    log(f'screenshots in {apptest.SCREENSHOT_DIR}')
    apptest.stop_app(app)


if __name__ == '__main__':
    main()
