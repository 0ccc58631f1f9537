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
# domain. The live model: the connection's domains list the bed's guest;
# the one-liner conn.lookup_domain(name).find_memory_device(alias)
# .set_requested_size(...) resizes the guest after gc.collect(); a second
# domain defined, started, destroyed and undefined with libvirt-python
# shows up as items-changed and domain-added/-removed in one dispatch; the
# memory figures, per node, equal libvirt's XML and the guest's serial
# console. PyGObject 3.42:
# callbacks inside a GLib.MainLoop, each run bounded by a failsafe timeout;
# they must all come in the thread that runs the loop.
#
# Every case starts from the bed's state (128 MiB requested and in the
# guest) and leaves it so, even when it fails: setUp and tearDown put the
# device back and wait until the guest has what libvirt says it has
# (vmem-bed settle), so that one failure does not fail the cases after it.
#
# Ends with an 'N passed, N failed' line; exits 1 on any failure.

import gc
import os
import re
import subprocess
import sys
import threading
import time
import unittest
import xml.etree.ElementTree as ET

import gi
import libvirt

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


def serial_kb(key):
    """The guest's last complete report of @key ("VMEM-MEMTOTAL",
    "VMEM-NODE-BASE-MEMTOTAL 0", ...), or None."""
    with open(SERIAL_LOG, 'rb') as f:
        text = f.read().decode('utf-8', 'replace')
    # Kernel messages may share the console line before the report.
    values = re.findall(r'(?<![\w-])' + re.escape(key) + r' (\d+)\r?\n', text)
    return int(values[-1]) if values else None


def memtotal_kb():
    """The guest's last complete VMEM-MEMTOTAL report, or None."""
    return serial_kb('VMEM-MEMTOTAL')


def kib(element):
    """A size element of libvirt's live XML, which it writes in KiB."""
    assert element.get('unit') == 'KiB', ET.tostring(element)
    return int(element.text) * 1024


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

    def test_domains(self):
        domains = self.connection.get_domains()
        self.assertIsInstance(domains, Gio.ListModel)
        self.assertIs(self.connection.props.domains, domains)
        names = [domains.get_item(i).get_name() for i in range(domains.get_n_items())]
        print(f'domains: {names}', flush=True)
        self.assertIn(DOMAIN, names)
        self.assertIs(self.connection.find_domain(DOMAIN), self.domain)

    def wait_memtotal(self, want, what):
        try:
            run_loop(self.loop, 30, f'the guest MemTotal reaching {want} kB ({what})',
                     done=lambda: memtotal_kb() == want)
        except AssertionError:
            plain = libvirt.open(URI)
            live = ET.fromstring(plain.lookupByName(DOMAIN).XMLDesc(0))
            target = live.find('devices/memory[@model="virtio-mem"]/target')
            plain.close()
            raise AssertionError(f'{what}: the guest has {memtotal_kb()} kB, not {want} kB; libvirt '
                                 f'says requested {kib(target.find("requested"))}, '
                                 f'current {kib(target.find("current"))}')

    def test_one_liner_after_gc(self):
        """The most natural line, on a connection of its own: nothing but
        the connection is kept, and the garbage collector runs first."""
        before = memtotal_kb()
        conn = Vmem.Connection.new(URI)
        conn.open(None)
        try:
            gc.collect()
            conn.lookup_domain(DOMAIN).find_memory_device('virtiomem0').set_requested_size(
                256 * MiB, Vmem.AffectFlags.LIVE, None)
            gc.collect()
            self.wait_memtotal(before + (256 * MiB - START) // 1024, 'one-liner')
            print(f'one-liner after gc.collect(): guest MemTotal {before} -> {memtotal_kb()} kB',
                  flush=True)

            # A device kept alone, its domain's wrapper collected, still
            # reaches the guest.
            device = conn.lookup_domain(DOMAIN).find_memory_device('virtiomem0')
            gc.collect()
            self.assertTrue(device.is_live())
            self.assertIsNotNone(device.props.domain)
            device.set_requested_size(START, Vmem.AffectFlags.LIVE, None)
            self.wait_memtotal(before, 'device kept alone')
        finally:
            conn.close()

    def second_domain_xml(self, plain):
        root = ET.fromstring(plain.lookupByName(DOMAIN).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        root.find('name').text = 'vmem-live-second-py'
        root.remove(root.find('uuid'))
        serial = os.path.join(bed_env('VMEM_BED_WORKDIR'), 'serial-second-py.log')
        for source in root.findall('devices/serial/source') + root.findall('devices/console/source'):
            source.set('path', serial)
        return ET.tostring(root, encoding='unicode')

    def test_second_domain(self):
        plain = libvirt.open(URI)
        domains = self.connection.get_domains()
        n_before = domains.get_n_items()
        log = []

        def on_items_changed(model, position, removed, added):
            log.append(('items-changed', GLib.main_current_source().get_id(), removed, added))

        def on_domain(connection, domain, signal):
            self.assertEqual(threading.get_ident(), main_thread)
            log.append((signal, GLib.main_current_source().get_id(), domain))
            self.loop.quit()

        main_thread = threading.get_ident()
        handlers = [domains.connect('items-changed', on_items_changed)]
        handlers += [self.connection.connect(signal, on_domain, signal)
                     for signal in ('domain-added', 'domain-removed')]
        try:
            dom = plain.defineXML(self.second_domain_xml(plain))
            run_loop(self.loop, 10, 'domain-added', done=lambda: len(log) >= 2)
            (changed, source, removed, added), (signal, signal_source, domain) = log
            self.assertEqual((changed, removed, added, signal), ('items-changed', 0, 1, 'domain-added'))
            self.assertEqual(signal_source, source, 'items-changed and domain-added in one dispatch')
            self.assertEqual(domain.get_name(), 'vmem-live-second-py')
            self.assertEqual(domain.props.state, Vmem.DomainState.SHUTOFF)
            self.assertEqual(domains.get_n_items(), n_before + 1)

            states = []
            state_handler = domain.connect('notify::state', lambda d, p: states.append(d.props.state))
            dom.create()
            run_loop(self.loop, 30, 'the started state', done=lambda: Vmem.DomainState.RUNNING in states)
            self.assertIsNotNone(domain.find_memory_device('virtiomem0'))
            dom.destroy()
            run_loop(self.loop, 30, 'the stopped state', done=lambda: states[-1] == Vmem.DomainState.SHUTOFF)
            domain.disconnect(state_handler)
            self.assertEqual(len(log), 2, f'the model changed while the domain started and stopped: {log}')
            self.assertIs(self.connection.find_domain('vmem-live-second-py'), domain)

            dom.undefine()
            run_loop(self.loop, 10, 'domain-removed', done=lambda: len(log) >= 4)
            (changed, source, removed, added), (signal, signal_source, gone) = log[2:]
            self.assertEqual((changed, removed, added, signal), ('items-changed', 1, 0, 'domain-removed'))
            self.assertEqual(signal_source, source, 'items-changed and domain-removed in one dispatch')
            self.assertIs(gone, domain)
            self.assertEqual(domains.get_n_items(), n_before)
            print(f'second domain: {[entry[0] for entry in log]}', flush=True)
        finally:
            for handler in handlers[:1]:
                domains.disconnect(handler)
            for handler in handlers[1:]:
                self.connection.disconnect(handler)
            try:
                plain.lookupByName('vmem-live-second-py').undefine()
            except libvirt.libvirtError:
                pass
            plain.close()

    def check_figures(self, plain):
        root = ET.fromstring(plain.lookupByName(DOMAIN).XMLDesc(0))
        nodes = self.domain.get_numa_nodes()
        cells = root.findall('cpu/numa/cell')
        self.assertEqual(nodes.get_n_items(), len(cells))
        for i in range(nodes.get_n_items()):
            usage = nodes.get_item(i)
            node = usage.props.node
            cell, = [c for c in cells if int(c.get('id')) == node]
            self.assertEqual(usage.props.base, int(cell.get('memory')) * 1024)
            vmems = [m for m in root.findall('devices/memory[@model="virtio-mem"]')
                     if int(m.find('target/node').text) == node]
            dimms = [m for m in root.findall('devices/memory[@model="dimm"]')
                     if int(m.find('target/node').text) == node]
            self.assertEqual(usage.props.virtio_mem, sum(kib(m.find('target/current')) for m in vmems))
            self.assertEqual(usage.props.virtio_mem_requested,
                             sum(kib(m.find('target/requested')) for m in vmems))
            self.assertEqual(usage.props.virtio_mem_maximum, sum(kib(m.find('target/size')) for m in vmems))
            self.assertEqual(usage.get_plugged(Vmem.MemoryModel.DIMM), sum(kib(m.find('target/size')) for m in dimms))
            self.assertEqual(usage.props.total, usage.props.base + usage.props.dimm + usage.props.virtio_mem)
            # The guest reports the node after the whole guest: wait for
            # it, bounded, then compare.
            want = serial_kb(f'VMEM-NODE-BASE-MEMTOTAL {node}') + (usage.props.virtio_mem + usage.props.dimm) // 1024
            run_loop(self.loop, 30, f'node {node} reaching {want} kB',
                     done=lambda: serial_kb(f'VMEM-NODE-MEMTOTAL {node}') == want)
            grown = serial_kb(f'VMEM-NODE-MEMTOTAL {node}') - serial_kb(f'VMEM-NODE-BASE-MEMTOTAL {node}')
            self.assertEqual(grown * 1024, usage.props.virtio_mem + usage.props.dimm)
            print(f'node {node}: base {Vmem.size_format(usage.props.base)}, virtio-mem '
                  f'{Vmem.size_format(usage.props.virtio_mem)} of {Vmem.size_format(usage.props.virtio_mem_maximum)}; '
                  f'the guest has {grown} kB more than at boot', flush=True)
        memory = self.domain.props.memory
        self.assertEqual(memory.props.node, -1)
        self.assertEqual(self.domain.props.max_memory, kib(root.find('maxMemory')))
        self.assertEqual(self.domain.props.memory_slots, int(root.find('maxMemory').get('slots')))
        self.assertEqual(self.domain.props.hotplug_headroom,
                         self.domain.props.max_memory - memory.props.base - memory.props.virtio_mem_maximum)

    def test_figures(self):
        plain = libvirt.open(URI)
        notified = []
        memory = self.domain.props.memory
        handler = memory.connect('notify::virtio-mem', lambda u, p: notified.append(u.props.virtio_mem))
        try:
            self.check_figures(plain)
            self.resize(256 * MiB)
            self.assertEqual(notified[-1], 256 * MiB)
            self.check_figures(plain)
        finally:
            memory.disconnect(handler)
            plain.close()


if __name__ == '__main__':
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(LiveTest)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print(f'{passed} passed, {failed} failed', flush=True)
    sys.exit(0 if failed == 0 and not result.skipped and result.testsRun > 0 else 1)
