#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The app against the test bed's real guest, under Xvfb (run by
vmem-bed run): the gauge follows the guest from 128 MiB to 1 GiB, a
refused size changes nothing, a DIMM is hot-plugged from the dialog and
removed with its button, a domain defined with virsh appears and goes, and
the connection shows closed when the daemon is killed. Each state gets a
screenshot that the test reads back.

The bed starts settled (the guest has what libvirt says); each change
waits for the guest to have it again (vmem-bed settle) before the next."""

import os
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import apptest  # noqa: E402
from apptest import log, run_until  # noqa: E402
from gi.repository import GLib, Vmem  # noqa: E402

from vmem_monitor import dialogs, widgets  # noqa: E402


def bed_env(name):
    value = os.environ.get(name)
    if not value:
        print(f'Bail out! {name} is not set: run this test in the bed (vmem-bed run)', flush=True)
        sys.exit(1)
    return value


URI = bed_env('VMEM_BED_URI')
DOMAIN = bed_env('VMEM_BED_DOMAIN')
VMEM_BED = bed_env('VMEM_BED')
WORKDIR = bed_env('VMEM_BED_WORKDIR')
MiB = 1 << 20
GiB = 1 << 30
SECOND = 'vmem-app-second'

steps = 0


def ok(name):
    global steps
    steps += 1
    print(f'ok {steps} - {name}', flush=True)


def settle():
    """Waits until the guest has what libvirt says it has."""
    subprocess.run([VMEM_BED, 'settle', '--timeout', '120'], check=True)


def virsh(*args, **kwargs):
    return subprocess.run(['virsh', '-q', '-c', URI, *args], check=True, capture_output=True,
                          text=True, **kwargs).stdout


def libvirt_requested(alias):
    """The device's requested size in libvirt's live XML, read with virsh."""
    root = ET.fromstring(virsh('dumpxml', DOMAIN))
    for memory in root.findall('devices/memory'):
        if memory.find('alias') is not None and memory.find('alias').get('name') == alias:
            return Vmem.size_parse(memory.findtext('target/requested') + 'KiB')
    raise AssertionError(f'no device {alias} in the live XML')


def resize_with_button(window, row, text, size):
    """Types the size and clicks Resize, as a person would; waits for the
    resize to end and the guest to have it. Returns the gauge's values
    seen meanwhile."""
    seen = []
    handler = row.gauge.connect('notify::current', lambda g, p: seen.append(g.props.current))
    row.entry.set_text(text)
    assert row.resize_button.get_sensitive(), row.refusal.get_label()
    row.resize_button.emit('clicked')
    resize = window.device_state(row.device).props.resize
    assert resize.target == size and resize.running
    assert row.cancel_button.get_visible() and row.progress_box.get_visible()
    run_until(lambda: not resize.running, 120, f'the resize to {text} ended')
    row.gauge.disconnect(handler)
    assert resize.props.state == 'done', f'{resize.props.state}: {resize.props.message}'
    settle()
    return seen


def main():
    print('1..6', flush=True)
    settle()
    app = apptest.start_app(URI)
    window = app.window
    host = app.hosts[0]
    run_until(lambda: host.props.state == 'open', 60, 'the bed\'s host opened')
    assert window.select_domain(URI, DOMAIN), apptest.sidebar_titles(window)
    apptest.settle_frames(window)
    vmem_devices = [d for d in window.domain_view.domain.get_memory_devices()
                    if isinstance(d, Vmem.VirtioMem)]
    assert len(vmem_devices) == 1, vmem_devices
    alias = vmem_devices[0].props.alias
    row = apptest.device_row(window, alias)
    device = row.device
    size = device.props.size
    assert device.props.requested_size == 128 * MiB == device.props.current_size
    shot = apptest.Screenshot(window, 'bed-128MiB')
    shot.check_not_blank()
    fill = shot.gauge_fill(row.gauge)
    assert abs(fill - 128 * MiB / size) < 0.01, f'the gauge filled {fill:.3f} at 128 MiB'

    # 128 MiB -> 1 GiB with the entry and the button; the gauge follows the
    # guest's size-change events.
    seen = resize_with_button(window, row, '1 GiB', GiB)
    assert seen and seen[-1] == GiB and seen == sorted(seen), seen
    assert row.gauge.props.current == GiB == device.props.current_size
    assert row.status.get_label() == 'Done: the guest has 1GiB', row.status.get_label()
    assert row.progress.get_fraction() == 1.0
    assert not row.cancel_button.get_visible()
    figures = {prop: f.value.get_label() for (_, prop), f in window.domain_view.figures.items()}
    assert figures['virtio-mem'] == '1GiB', figures
    shot = apptest.Screenshot(window, 'bed-1GiB')
    shot.check_not_blank()
    fill = shot.gauge_fill(row.gauge)
    assert abs(fill - GiB / size) < 0.01, f'the gauge filled {fill:.3f} at 1 GiB of {size}'
    log(f'gauge values seen: {[v // MiB for v in seen]} MiB')
    ok(f'resized 128 MiB -> 1 GiB with the button; the gauge followed in {len(seen)} steps')

    # A refused size: inline, with the library's words, and nothing sent.
    row.entry.set_text('1001 MiB')
    apptest.settle_frames(window)
    assert not row.resize_button.get_sensitive()
    window.activate_action('win.resize-device', GLib.Variant('(st)', (alias, size + 2 * MiB)))
    refusal = row.refusal.get_label()
    assert "is larger than the device's size" in refusal, refusal
    apptest.settle_frames(window)
    shot = apptest.Screenshot(window, 'bed-refused')
    shot.check_inside(row.refusal)
    assert libvirt_requested(alias) == GiB and device.props.requested_size == GiB
    ok('a refused size is shown inline and changes nothing in libvirt')

    # Back to 128 MiB, the bed's known state.
    resize_with_button(window, row, '128 MiB', 128 * MiB)
    shot = apptest.Screenshot(window, 'bed-back')
    assert abs(shot.gauge_fill(row.gauge) - 128 * MiB / size) < 0.01
    ok('resized back to 128 MiB')

    # A DIMM from the dialog, then removed with its button.
    window.activate_action('win.hotplug-dimm', None)
    run_until(lambda: any(isinstance(w, dialogs.HotplugDimmDialog) for w in app.get_windows()), 10,
              'the dialog shown')
    dialog = next(w for w in app.get_windows() if isinstance(w, dialogs.HotplugDimmDialog))
    dialog.size.set_text('128 MiB')
    dialog.node.set_value(0)
    apptest.settle_frames(dialog)
    dialog.accept.emit('clicked')
    run_until(lambda: not dialog.get_visible() or dialog.refusal.get_visible(), 120, 'the DIMM plugged')
    assert not dialog.refusal.get_visible(), dialog.refusal.get_label()
    dimms = [d for d in window.domain_view.domain.get_memory_devices() if isinstance(d, Vmem.Dimm)]
    assert len(dimms) == 1, dimms
    dimm_alias = dimms[0].props.alias
    settle()
    apptest.settle_frames(window)
    dimm_row = apptest.device_row(window, dimm_alias)
    shot = apptest.Screenshot(window, 'bed-dimm')
    shot.check_inside(dimm_row.remove_button)
    dimm_row.remove_button.emit('clicked')
    run_until(lambda: window.domain_view.domain.find_memory_device(dimm_alias) is None, 120,
              'the DIMM removed')
    settle()
    apptest.settle_frames(window)
    assert all(r.device.props.alias != dimm_alias for r in apptest.device_rows(window))
    ok(f'DIMM {dimm_alias} hot-plugged from the dialog and removed with its button')

    # A domain defined elsewhere, with virsh, appears; undefined, it goes.
    root = ET.fromstring(virsh('dumpxml', '--inactive', DOMAIN))
    root.find('name').text = SECOND
    root.remove(root.find('uuid'))
    with tempfile.NamedTemporaryFile('w', suffix='.xml', dir=WORKDIR) as f:
        f.write(ET.tostring(root, encoding='unicode'))
        f.flush()
        virsh('define', f.name)
    try:
        run_until(lambda: SECOND in apptest.sidebar_titles(window), 60,
                  f'{SECOND} in the sidebar')
        shot = apptest.Screenshot(window, 'bed-second-domain')
        shot.check_not_blank()
        second_row = next(r for r in apptest.descendants(window, widgets.SidebarRow)
                          if r.item is not None and r.title.get_label() == SECOND)
        shot.check_inside(second_row)
        assert second_row.subtitle.get_label() == 'shutoff'
    finally:
        virsh('undefine', SECOND)
    run_until(lambda: SECOND not in apptest.sidebar_titles(window), 60, f'{SECOND} gone')
    ok('a domain defined with virsh appears by itself, and goes when undefined')

    # The daemon killed: the host shows closed, with a reopen button.
    with open(os.path.join(WORKDIR, 'run', 'libvirtd.pid')) as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGKILL)
    run_until(lambda: host.props.state == 'closed', 60, 'the host closed')
    apptest.settle_frames(window)
    host_row = next(r for r in apptest.descendants(window, widgets.SidebarRow) if r.item is host)
    assert host_row.subtitle.get_label() == 'Closed: the daemon went away', host_row.subtitle.get_label()
    assert host_row.reopen.get_visible()
    assert apptest.sidebar_titles(window) == [host.props.label], apptest.sidebar_titles(window)
    shot = apptest.Screenshot(window, 'bed-closed')
    shot.check_inside(host_row.reopen)
    ok('the connection shows closed when the daemon is killed')
    log(f'screenshots in {apptest.SCREENSHOT_DIR}')
    apptest.stop_app(app)


if __name__ == '__main__':
    main()
