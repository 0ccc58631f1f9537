#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test_live.py: the live layer from Python, on the real test bed
#
# Run inside the bed (tests/bed/vmem-bed run -- test_live.py), with
# GI_TYPELIB_PATH and LD_LIBRARY_PATH at the build tree. It tells the story
# an application tells in a few lines: open the connection, find the
# guest's virtio-mem device, grow it to 1 GiB with resize_async() while
# printing every size the guest reports, until the guest has the memory
# (its MemTotal, read from the serial console, grew by as much); shrink it
# back. A size that is not a block multiple raises GLib.Error in the Vmem
# domain, and list_domains() lists the bed's guest. PyGObject 3.42:
# callbacks inside a GLib.MainLoop, each run bounded by a failsafe timeout;
# they must all come in the thread that runs the loop.
#
# Every case starts from the bed's state (128 MiB requested and in the
# guest) and leaves it so, even when it fails: setUp and tearDown put the
# device back and wait until the guest has what libvirt says it has
# (vmem-bed settle), so that one failure does not fail the cases after it.
#
# Ends with an 'N passed, N failed' line; exits 1 on any failure.

import os
import re
import subprocess
import sys
import threading
import time
import unittest

import gi

gi.require_version('Vmem', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import GLib, Gio, Vmem  # noqa: E402,F401

MiB = 1 << 20
GiB = 1 << 30
# The bed's device: 1 GiB, 2 MiB blocks, 128 MiB requested at boot.
START = 128 * MiB


def bed_env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f'{name} is not set: run this through tests/bed/vmem-bed run')
    return value


URI = bed_env('VMEM_BED_URI')
DOMAIN = bed_env('VMEM_BED_DOMAIN')
SERIAL_LOG = bed_env('VMEM_BED_SERIAL_LOG')
VMEM_BED = bed_env('VMEM_BED')
TIME_SCALE = float(os.environ.get('VMEM_TEST_TIME_SCALE') or '1')


def memtotal_kb():
    """The guest's last complete VMEM-MEMTOTAL report, or None."""
    with open(SERIAL_LOG, 'rb') as f:
        text = f.read().decode('utf-8', 'replace')
    values = re.findall(r'VMEM-MEMTOTAL (\d+)\r?\n', text)
    return int(values[-1]) if values else None


def run_loop(loop, seconds, what, done=None):
    """Runs @loop until it quits (or @done() holds, checked every 50 ms);
    fails after @seconds."""
    timed_out = []

    def failsafe():
        timed_out.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    def check():
        if done():
            loop.quit()
        return GLib.SOURCE_CONTINUE

    failsafe_id = GLib.timeout_add_seconds(max(1, round(seconds * TIME_SCALE)), failsafe)
    check_id = GLib.timeout_add(50, check) if done is not None else 0
    loop.run()
    if check_id:
        GLib.source_remove(check_id)
    if not timed_out:
        GLib.source_remove(failsafe_id)
    else:
        raise AssertionError(f'{what} did not finish within {seconds * TIME_SCALE:.0f} s')


def settle():
    """Waits until the guest has what libvirt says it has."""
    subprocess.run([VMEM_BED, 'settle', '--timeout', str(round(60 * TIME_SCALE))], check=True)


class LiveTest(unittest.TestCase):
    def setUp(self):
        self.loop = GLib.MainLoop()
        self.connection = Vmem.Connection.new(URI)
        self.connection.open(None)
        self.domain = self.connection.lookup_domain(DOMAIN)
        self.device = self.domain.find_memory_device('virtiomem0')
        self.assertIsInstance(self.device, Vmem.VirtioMem)
        self.put_back()
        self.assertEqual(self.device.props.requested_size, START)
        self.assertEqual(self.device.props.current_size, START)

    def tearDown(self):
        try:
            self.put_back()
        finally:
            self.connection.close()

    def put_back(self):
        """Brings the device back to the bed's state, if a case left it
        elsewhere, and waits until the guest has it."""
        if self.device.props.requested_size != START:
            print(f'putting virtiomem0 back to {Vmem.size_format(START)}', flush=True)
            outcome = []

            def on_done(device, result, *user_data):
                try:
                    outcome.append(device.resize_finish(result))
                except GLib.Error as e:
                    outcome.append(e)
                self.loop.quit()

            self.device.resize_async(START, None, on_done)
            run_loop(self.loop, 60, 'putting the device back')
            self.assertEqual(outcome, [True], f'putting the device back failed: {outcome}')
        settle()

    def resize(self, size):
        """The story: resize, print each size the guest reports, wait for
        the memory to show in the guest. Returns the sizes signalled."""
        sizes = []
        outcome = []
        threads = set()
        start = time.monotonic()
        memtotal_before = memtotal_kb()
        current_before = self.device.props.current_size

        def on_size_changed(domain, device, size_bytes):
            threads.add(threading.get_ident())
            print(f'  +{time.monotonic() - start:.3f} s {device.props.alias}: '
                  f'{Vmem.size_format(size_bytes)}', flush=True)
            sizes.append(size_bytes)

        def on_done(device, result, *user_data):
            threads.add(threading.get_ident())
            try:
                device.resize_finish(result)
                outcome.append(None)
            except GLib.Error as e:
                outcome.append(e)
            self.loop.quit()

        handler = self.domain.connect('memory-device-size-changed', on_size_changed)
        try:
            print(f'resizing virtiomem0 to {Vmem.size_format(size)}', flush=True)
            self.device.resize_async(size, None, on_done)
            run_loop(self.loop, 60, 'resize_async()')
            self.assertEqual(outcome, [None], f'resize failed: {outcome}')
            print(f'  done in {time.monotonic() - start:.3f} s', flush=True)
            self.assertEqual(self.device.props.current_size, size)
            self.assertEqual(self.device.get_requested_size(), size)
            # The final size-change comes with the completion, or shortly after.
            if not sizes or sizes[-1] != size:
                run_loop(self.loop, 3, 'the final memory-device-size-changed',
                         done=lambda: sizes and sizes[-1] == size)
            # The guest has it: MemTotal moved by exactly the plugged size.
            want = memtotal_before + (size - current_before) // 1024
            run_loop(self.loop, 30, f'the guest MemTotal reaching {want} kB',
                     done=lambda: memtotal_kb() == want)
            print(f'  guest MemTotal {memtotal_before} -> {memtotal_kb()} kB', flush=True)
            self.assertEqual(threads, {threading.get_ident()},
                             'callbacks and signals came outside the thread running the main loop')
        finally:
            self.domain.disconnect(handler)
        return sizes

    def test_grow_and_shrink(self):
        sizes = self.resize(1 * GiB)
        self.assertGreaterEqual(len(sizes), 1)
        self.assertEqual(sizes[-1], 1 * GiB)
        self.assertEqual(sizes, sorted(sizes))
        self.assertEqual(self.device.props.current_size, 1 * GiB)

        sizes = self.resize(START)
        self.assertEqual(sizes[-1], START)
        self.assertEqual(sizes, sorted(sizes, reverse=True))
        self.assertEqual(self.device.props.current_size, START)

    def test_refused_size(self):
        notified = []
        self.device.connect('notify::requested-size', lambda obj, pspec: notified.append(pspec.name))
        with self.assertRaises(GLib.Error) as ctx:
            self.device.set_requested_size(3 * MiB, Vmem.AffectFlags.LIVE, None)
        self.assertTrue(ctx.exception.matches(Vmem.error_quark(), Vmem.Error.NOT_ALIGNED),
                        f'{ctx.exception.domain} {ctx.exception.code}: {ctx.exception.message}')
        print(f'3 MiB refused: {ctx.exception.message}', flush=True)
        with self.assertRaises(GLib.Error) as ctx:
            self.device.set_requested_size(2 * GiB, Vmem.AffectFlags.LIVE, None)
        self.assertTrue(ctx.exception.matches(Vmem.error_quark(), Vmem.Error.OUT_OF_RANGE),
                        f'{ctx.exception.domain} {ctx.exception.code}: {ctx.exception.message}')
        print(f'2 GiB refused: {ctx.exception.message}', flush=True)
        self.assertEqual(self.device.props.requested_size, START)
        self.assertEqual(notified, [])

    def test_list_domains(self):
        domains = self.connection.list_domains(None)
        self.assertIsInstance(domains, Gio.ListModel)
        names = [domains.get_item(i).get_name() for i in range(domains.get_n_items())]
        print(f'domains: {names}', flush=True)
        self.assertIn(DOMAIN, names)


if __name__ == '__main__':
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(LiveTest)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print(f'{passed} passed, {failed} failed', flush=True)
    sys.exit(0 if failed == 0 and not result.skipped and result.testsRun > 0 else 1)
