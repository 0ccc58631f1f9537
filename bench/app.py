#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The figures of Memory Monitor (app/), under an X server (Xvfb):

  app.py first-frame [ROUNDS]
      The time from starting the app on a host of 50 domains (libvirt's
      test driver, domains from gen-domains.py) to the first frame painted
      with every domain in the sidebar's model; against the baseline of the
      same Python, GTK and libadwaita start showing an empty window, in the
      same run, in alternate processes. Target: at most 1 s.

  app.py redraw [RESIZES]
      In a test bed (vmem-bed run): from the library's size-change signal
      (VmemConnection::memory-device-size-changed) to the device's gauge
      painted, over real resizes of the guest, 128 MiB <-> 1 GiB; against
      the toolkit's own floor, a redraw of the same gauge asked for from an
      idle. Target: the gauge is painted in the next frame (within one frame).

Each figure is a line 'RESULT <json>' (see README.md); progress goes to
stderr.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

# No accessibility bus under Xvfb.
os.environ.setdefault('GTK_A11Y', 'none')
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(BENCH_DIR)
sys.path.insert(0, os.path.join(SOURCE_DIR, 'app'))
N_DOMAINS = 50


def log(message):
    print(f'app: {message}', file=sys.stderr, flush=True)


def result(**record):
    print('RESULT ' + json.dumps(record), flush=True)


# -- first frame ---------------------------------------------------------

def child_app(uri):
    """Runs the app on uri and prints the time of the first frame painted
    with every domain of the host in the sidebar's model."""
    from gi.repository import Gio
    from vmem_monitor.application import MonitorApplication

    app = MonitorApplication(application_id='org.libvmem.Monitor.Bench',
                             flags=Gio.ApplicationFlags.HANDLES_COMMAND_LINE |
                             Gio.ApplicationFlags.NON_UNIQUE)
    first = []

    def after_paint(clock):
        now = time.monotonic()
        first.append(now) if not first else None
        host = app.hosts[0]
        if host.props.state == 'open' and app.window.tree.get_n_items() == 1 + N_DOMAINS:
            print(f'FRAME {now:.6f} FIRST {first[0]:.6f}', flush=True)
            app.quit()
        elif host.props.state == 'failed':
            print(f'FAILED {host.props.status}', flush=True)
            app.quit()

    def activated(application):
        # present() maps the window at once.
        app.window.get_frame_clock().connect('after-paint', after_paint)

    app.connect_after('activate', activated)
    app.run(['vmem-monitor', uri])


def child_baseline():
    """The same start with an empty window: Python, GTK and libadwaita."""
    import gi
    gi.require_version('Adw', '1')
    gi.require_version('Gtk', '4.0')
    from gi.repository import Adw, Gio, Gtk

    app = Adw.Application(application_id='org.libvmem.Monitor.Baseline',
                          flags=Gio.ApplicationFlags.NON_UNIQUE)

    def after_paint(clock):
        now = time.monotonic()
        print(f'FRAME {now:.6f} FIRST {now:.6f}', flush=True)
        app.quit()

    def activate(application):
        window = Adw.ApplicationWindow(application=application, default_width=1180,
                                       default_height=780)
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        box.append(Adw.HeaderBar())
        box.append(Gtk.Label(label='Memory Monitor', vexpand=True))
        window.set_content(box)
        window.present()
        window.get_frame_clock().connect('after-paint', after_paint)

    app.connect('activate', activate)
    app.run([])


def time_child(args):
    start = time.monotonic()
    out = subprocess.run([sys.executable, os.path.abspath(__file__), *args], check=True,
                         capture_output=True, text=True, timeout=60)
    lines = [line for line in out.stdout.splitlines() if line.startswith(('FRAME', 'FAILED'))]
    if not lines or lines[0].startswith('FAILED'):
        raise RuntimeError(f'{args}: {lines or out.stdout + out.stderr}')
    _, frame, _, first = lines[0].split()
    return float(frame) - start, float(first) - start


def first_frame(rounds):
    with tempfile.TemporaryDirectory(prefix='vmem-bench-app.') as tmp:
        domains = os.path.join(tmp, 'domains.xml')
        subprocess.run([sys.executable, os.path.join(BENCH_DIR, 'gen-domains.py'), domains,
                        str(N_DOMAINS)], check=True)
        uri = 'test://' + domains
        # One of each first, unmeasured: the page cache.
        time_child(['--child', 'app', uri])
        time_child(['--child', 'baseline'])
        apps, firsts, bases = [], [], []
        for i in range(rounds):
            full, first = time_child(['--child', 'app', uri])
            apps.append(full)
            firsts.append(first)
            bases.append(time_child(['--child', 'baseline'])[0])
            log(f'round {i + 1}: app {full * 1e3:.0f} ms (first frame {first * 1e3:.0f} ms), '
                f'empty window {bases[-1] * 1e3:.0f} ms')
    value, baseline = statistics.median(apps), statistics.median(bases)
    result(figure='app first frame, 50 domains', value=value * 1e3, unit='ms',
           baseline=baseline * 1e3, ratio=value / baseline, target='value <= 1000 ms',
           met=value <= 1.0,
           detail=f'from starting vmem-monitor on a test-driver host of {N_DOMAINS} domains '
                  f'(4 memory devices each) to the first frame with every domain in the sidebar\'s '
                  f'model (the window\'s very first frame: {statistics.median(firsts) * 1e3:.0f} ms); '
                  f'baseline: Python, GTK 4 and libadwaita showing an empty window of the same '
                  f'size; median of {rounds} alternate rounds, a process each')


# -- signal to redraw ----------------------------------------------------

def redraw(resizes):
    import gi
    gi.require_version('Vmem', '1.0')
    from gi.repository import Gio, GLib, Vmem
    from vmem_monitor import widgets
    from vmem_monitor.application import MonitorApplication

    uri, name = os.environ['VMEM_BED_URI'], os.environ['VMEM_BED_DOMAIN']
    context = GLib.MainContext.default()

    def run_until(condition, seconds, what):
        deadline = time.monotonic() + seconds
        tick = GLib.timeout_add(50, lambda: True)
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(f'{what}: not within {seconds} s')
            context.iteration(True)
        GLib.source_remove(tick)

    app = MonitorApplication(application_id='org.libvmem.Monitor.Bench',
                             flags=Gio.ApplicationFlags.NON_UNIQUE)
    app.register(None)
    app.hold()
    app.activate_action('add-connection', GLib.Variant('s', uri))
    app.activate()
    host = app.hosts[0]
    run_until(lambda: host.props.state == 'open' and app.window.get_mapped(), 60, 'opened')
    window = app.window
    window.select_domain(uri, name)

    def find_row():
        rows = [w for w in descendants(window) if isinstance(w, widgets.DeviceRow)
                and isinstance(w.device, Vmem.VirtioMem) and w.get_mapped()]
        return rows[0] if rows else None

    run_until(find_row, 30, 'the device row shown')
    row = find_row()
    device, gauge = row.device, row.gauge
    clock = window.get_frame_clock()
    pending = []
    signal_ms, signal_frames, idle_ms, idle_frames = [], [], [], []

    def on_paint(widget, frame):
        if pending:
            kind, start, start_frame = pending.pop()
            (signal_ms if kind == 'signal' else idle_ms).append((time.monotonic() - start) * 1e3)
            (signal_frames if kind == 'signal' else idle_frames).append(frame - start_frame)

    def on_size_changed(connection, domain, dev, size):
        if dev == device:
            pending[:] = [('signal', time.monotonic(), clock.get_frame_counter())]

    gauge.paint_hooks.append(on_paint)
    host.connection.connect('memory-device-size-changed', on_size_changed)

    def floor_once():
        pending[:] = [('idle', time.monotonic(), clock.get_frame_counter())]
        gauge.queue_draw()
        return GLib.SOURCE_REMOVE

    start_size = device.props.requested_size
    for i in range(resizes):
        for size in (1 << 30, start_size):
            done = []
            device.resize_async(size, None, lambda d, r: done.append(d.resize_finish(r)))
            run_until(lambda: done, 120, f'resize to {size >> 20} MiB')
            run_until(lambda: not pending, 5, 'the last gauge paint')
            for _ in range(5):
                drawn = len(idle_ms)
                GLib.idle_add(floor_once)
                run_until(lambda: len(idle_ms) > drawn, 5, 'an idle redraw')
            log(f'resize {i + 1} to {size >> 20} MiB: {len(signal_ms)} size signals so far')
    app.release()
    window.destroy()
    host.close()
    if not signal_ms:
        raise RuntimeError('no size-change signal was seen')
    value, baseline = statistics.median(signal_ms), statistics.median(idle_ms)
    result(figure='app size signal to gauge drawn p50', value=value, unit='ms', baseline=baseline,
           ratio=value / baseline, target='in the next frame',
           met=max(signal_frames) <= 1,
           detail=f'{len(signal_ms)} size-change signals of real resizes of the bed\'s guest, '
                  f'128 MiB <-> 1 GiB: from VmemConnection::memory-device-size-changed to the '
                  f'gauge painted, max {max(signal_ms):.1f} ms, frames later: '
                  f'{sorted(set(signal_frames))}; baseline: a redraw of the same gauge asked '
                  f'from an idle, {len(idle_ms)} times, frames later: {sorted(set(idle_frames))}')


def descendants(widget):
    child = widget.get_first_child()
    while child is not None:
        yield child
        yield from descendants(child)
        child = child.get_next_sibling()


def main():
    args = sys.argv[1:]
    if args[:1] == ['--child']:
        child_app(args[2]) if args[1] == 'app' else child_baseline()
    elif args[:1] == ['first-frame']:
        first_frame(int(args[1]) if len(args) > 1 else 7)
    elif args[:1] == ['redraw']:
        redraw(int(args[1]) if len(args) > 1 else 3)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
