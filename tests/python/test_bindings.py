#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test_bindings.py: the library through GObject-introspection in Python
#
# Loads the uninstalled typelib (GI_TYPELIB_PATH and LD_LIBRARY_PATH point
# at the build tree), parses a domain of libvirt's corpus and checks what
# PyGObject sees: the device list as a Gio.ListModel, the subclasses,
# properties and getters in bytes, errors as GLib.Error with the Vmem
# domain and codes, out parameters, and notify signals. The expected
# values are read from the same file with ElementTree.
#
# Usage: test_bindings.py [DOMAIN-XML]; without an argument, the corpus's
# memory-hotplug-virtio-mem.xml under $VMEM_TEST_CORPUS_DIR.

import gc
import os
import pydoc
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

import gi
import libvirt

gi.require_version('Vmem', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import GLib, Gio, GObject, Vmem  # noqa: E402

UNITS = {'': 1024, 'b': 1, 'byte': 1, 'bytes': 1}


def scale(text, unit):
    """Bytes of a libvirt size, as virScaleInteger reads it; no unit is KiB."""
    value = int(text.strip())
    unit = (unit or '').lower()
    if unit in UNITS:
        return value * UNITS[unit]
    base = 1000 if len(unit) == 2 and unit[1] == 'b' else 1024
    if len(unit) > 1 and unit[1:] not in ('ib', 'b'):
        raise ValueError('unknown unit ' + unit)
    return value * base ** ('kmgtpe'.index(unit[0]) + 1)


def element_size(element):
    if element is None:
        return 0
    return scale(element.text, element.get('unit'))


def corpus_file():
    if len(sys.argv) > 1:
        return sys.argv.pop(1)
    corpus = os.environ.get('VMEM_TEST_CORPUS_DIR')
    if not corpus:
        sys.exit('VMEM_TEST_CORPUS_DIR is not set and no file was given')
    return os.path.join(corpus, 'qemuxml2argvdata', 'memory-hotplug-virtio-mem.xml')


DOMAIN_FILE = corpus_file()


class DomainTestCase(unittest.TestCase):
    def setUp(self):
        with open(DOMAIN_FILE, encoding='utf-8') as f:
            self.xml = f.read()
        self.tree = ET.fromstring(self.xml)
        self.memories = self.tree.findall('./devices/memory')
        self.config = Vmem.DomainConfig.new_from_xml(self.xml)
        self.devices = self.config.get_memory_devices()

    def test_domain_values(self):
        self.assertIsInstance(self.config, Vmem.DomainConfig)
        self.assertEqual(self.config.get_name(), self.tree.findtext('name'))
        self.assertEqual(self.config.get_uuid(), self.tree.findtext('uuid'))
        self.assertEqual(self.config.get_id(), -1)
        self.assertEqual(self.config.get_arch(), self.tree.find('./os/type').get('arch'))
        max_memory = self.tree.find('maxMemory')
        self.assertEqual(self.config.get_max_memory(), element_size(max_memory))
        self.assertEqual(self.config.get_max_memory_slots(), int(max_memory.get('slots')))
        self.assertEqual(self.config.get_memory(), element_size(self.tree.find('memory')))
        self.assertEqual(self.config.get_current_memory(),
                         element_size(self.tree.find('currentMemory')))

    def test_numa_cells(self):
        cells = self.config.get_numa_cells()
        expected = self.tree.findall('./cpu/numa/cell')
        self.assertIsInstance(cells, Gio.ListModel)
        self.assertEqual(cells.get_item_type(), Vmem.NumaCell.__gtype__)
        self.assertEqual(len(cells), len(expected))
        for cell, element in zip(cells, expected):
            self.assertEqual(cell.get_id(), int(element.get('id')))
            self.assertEqual(cell.get_cpus(), element.get('cpus'))
            self.assertEqual(cell.get_memory(),
                             scale(element.get('memory'), element.get('unit')))

    def test_list_model(self):
        self.assertIsInstance(self.devices, Gio.ListModel)
        self.assertEqual(self.devices.get_item_type(), Vmem.MemoryDevice.__gtype__)
        self.assertGreater(len(self.memories), 0)
        # The plain interface, and what PyGObject 3.42 adds on top of it.
        self.assertEqual(self.devices.get_n_items(), len(self.memories))
        self.assertEqual(len(self.devices), len(self.memories))
        iterated = [dev for dev in self.devices]
        self.assertEqual(len(iterated), len(self.memories))
        for i, dev in enumerate(iterated):
            self.assertEqual(self.devices.get_item(i), dev)
            self.assertEqual(self.devices[i], dev)
        self.assertEqual(self.devices[-1], iterated[-1])
        self.assertIsNone(self.devices.get_item(len(self.memories)))
        with self.assertRaises(IndexError):
            self.devices[len(self.memories)]

    def test_devices(self):
        classes = {
            'dimm': Vmem.Dimm,
            'nvdimm': Vmem.Nvdimm,
            'virtio-pmem': Vmem.VirtioPmem,
            'virtio-mem': Vmem.VirtioMem,
            'sgx-epc': Vmem.SgxEpc,
        }
        n_virtio_mem = 0
        for dev, element in zip(self.devices, self.memories):
            model = element.get('model')
            self.assertIsInstance(dev, Vmem.MemoryDevice)
            self.assertIsInstance(dev, classes[model])
            self.assertEqual(dev.get_model().value_nick, model)
            self.assertEqual(dev.props.model, dev.get_model())

            target = element.find('target')
            size = element_size(target.find('size'))
            self.assertEqual(dev.get_size(), size)
            self.assertEqual(dev.props.size, size)
            node = target.findtext('node')
            self.assertEqual(dev.get_node(), int(node) if node is not None else -1)
            self.assertEqual(dev.props.node, dev.get_node())
            self.assertEqual(dev.props.source_nodemask, element.findtext('./source/nodemask'))
            self.assertEqual(dev.get_source_pagesize(),
                             element_size(element.find('./source/pagesize')))

            address = element.find('address')
            if address is not None and address.get('type') == 'pci':
                got = dev.get_address()
                self.assertIsInstance(got, Vmem.DeviceAddress)
                self.assertEqual(got.get_address_type(), Vmem.AddressType.PCI)
                self.assertEqual(got.get_type_name(), 'pci')
                self.assertEqual(got.get_pci_bus(), int(address.get('bus'), 16))
                self.assertEqual(got.get_pci_slot(), int(address.get('slot'), 16))
                self.assertEqual(got.get_pci_function(), int(address.get('function'), 16))

            if isinstance(dev, Vmem.VirtioMem):
                n_virtio_mem += 1
                block = element_size(target.find('block'))
                requested = element_size(target.find('requested'))
                self.assertEqual(dev.get_block_size(), block)
                self.assertEqual(dev.props.block_size, block)
                self.assertEqual(dev.get_requested_size(), requested)
                self.assertEqual(dev.props.requested_size, requested)
                self.assertEqual(dev.get_current_size(), 0)
                self.assertEqual(dev.props.current_size, 0)

        if os.path.basename(DOMAIN_FILE) == 'memory-hotplug-virtio-mem.xml':
            self.assertEqual(n_virtio_mem, len(self.memories))

    def test_round_trip(self):
        for dev in self.devices:
            xml = dev.to_xml()
            self.assertIsInstance(xml, str)
            again = Vmem.MemoryDevice.new_from_xml(xml)
            self.assertIs(type(again), type(dev))
            self.assertTrue(dev.equal(again))
            self.assertEqual(again.to_xml(), xml)
            again.set_size(dev.get_size() * 2)
            self.assertFalse(dev.equal(again))

    def test_validate(self):
        # The corpus's domains without an .err file are valid.
        stem, _ = os.path.splitext(DOMAIN_FILE)
        if os.path.exists(stem + '.err'):
            with self.assertRaises(GLib.Error) as cm:
                self.config.validate()
            self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.INVALID_CONFIG))
        else:
            self.assertTrue(self.config.validate())


class DeviceTestCase(unittest.TestCase):
    VIRTIO_MEM = (
        "<memory model='virtio-mem'><target>"
        "<size unit='GiB'>1</size><node>0</node>"
        "<block unit='KiB'>2048</block><requested unit='MiB'>512</requested>"
        "</target></memory>")

    def test_errors(self):
        with self.assertRaises(GLib.Error) as cm:
            Vmem.MemoryDevice.new_from_xml('<memory model="bogus"/>')
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.UNSUPPORTED_MODEL))
        self.assertEqual(cm.exception.domain, GLib.quark_to_string(Vmem.error_quark()))
        self.assertEqual(cm.exception.code, int(Vmem.Error.UNSUPPORTED_MODEL))

        with self.assertRaises(GLib.Error) as cm:
            Vmem.DomainConfig.new_from_xml('<domain><name>x</name>')
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.INVALID_XML))

        with self.assertRaises(GLib.Error) as cm:
            Vmem.MemoryDevice.new_from_xml(
                "<memory model='dimm'><target><size unit='EiB'>16</size></target></memory>")
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.OVERFLOW))

    def test_size_functions(self):
        # The gboolean return is skipped: the size comes back as a plain
        # number, and failures raise.
        self.assertEqual(Vmem.size_parse('2GiB'), 2 << 30)
        self.assertEqual(Vmem.size_parse('512 MiB'), 512 << 20)
        self.assertEqual(Vmem.size_parse('18446744073709551615'), GLib.MAXUINT64)
        self.assertEqual(Vmem.size_scale(3, 'KB'), 3000)
        self.assertEqual(Vmem.size_scale(3, None), 3)
        self.assertEqual(Vmem.size_format(1536 << 20), '1536MiB')
        self.assertEqual(Vmem.size_format(GLib.MAXUINT64), '18446744073709551615B')
        with self.assertRaises(GLib.Error) as cm:
            Vmem.size_parse('16EiB')
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.OVERFLOW))
        with self.assertRaises(GLib.Error) as cm:
            Vmem.size_parse('12XB')
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.INVALID_SIZE))

    def test_check_requested_size(self):
        dev = Vmem.MemoryDevice.new_from_xml(self.VIRTIO_MEM)
        self.assertIsInstance(dev, Vmem.VirtioMem)
        self.assertTrue(dev.check_requested_size(256 << 20))
        with self.assertRaises(GLib.Error) as cm:
            dev.check_requested_size(3 << 20)
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.NOT_ALIGNED))
        with self.assertRaises(GLib.Error) as cm:
            dev.check_requested_size(2 << 30)
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.OUT_OF_RANGE))

    def test_notify(self):
        dev = Vmem.MemoryDevice.new_from_xml(self.VIRTIO_MEM)
        seen = []
        dev.connect('notify', lambda obj, pspec: seen.append(pspec.name))

        dev.props.size = 1 << 30
        self.assertEqual(seen, [])
        dev.props.size = 2 << 30
        self.assertEqual(seen, ['size'])
        self.assertEqual(dev.get_size(), 2 << 30)

        del seen[:]
        dev.set_block_size(4 << 20)
        dev.set_block_size(4 << 20)
        self.assertEqual(seen, ['block-size'])
        self.assertEqual(dev.props.block_size, 4 << 20)

        del seen[:]
        sizes = []
        dev.connect('notify::size', lambda obj, pspec: sizes.append(obj.props.size))
        dev.set_size(4 << 30)
        self.assertEqual(sizes, [4 << 30])
        self.assertEqual(seen, ['size'])

    def test_new_and_enums(self):
        dimm = Vmem.Dimm.new()
        self.assertIsInstance(dimm, Vmem.MemoryDevice)
        self.assertEqual(dimm.get_node(), -1)
        dimm.props.access = Vmem.MemoryAccess.SHARED
        self.assertEqual(dimm.get_access(), Vmem.MemoryAccess.SHARED)
        dimm.set_discard(Vmem.Tristate.YES)
        self.assertEqual(dimm.props.discard, Vmem.Tristate.YES)
        dimm.set_address(Vmem.DeviceAddress.new_dimm(3, 0))
        self.assertEqual(dimm.get_address().get_dimm_slot(), 3)
        self.assertEqual(dimm.props.address.get_dimm_slot(), 3)
        self.assertTrue(GObject.type_is_a(Vmem.Dimm.__gtype__, Vmem.MemoryDevice.__gtype__))



# A running domain with a virtio-mem device and a DIMM, for libvirt's test
# driver through a test:///FILE URI. The driver keeps only aliases that
# start with "ua-".
NODE_XML = """<node>
  <domain type='test'>
    <name>vmem-python</name>
    <uuid>3c8e1f2a-5b6d-4e7f-9a0b-1c2d3e4f5a6b</uuid>
    <maxMemory slots='16' unit='GiB'>16</maxMemory>
    <memory unit='MiB'>2048</memory>
    <currentMemory unit='MiB'>512</currentMemory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/></numa></cpu>
    <devices>
      <memory model='virtio-mem'>
        <target><size unit='GiB'>1</size><node>0</node>
          <block unit='KiB'>2048</block><requested unit='MiB'>128</requested></target>
        <alias name='ua-vmem0'/>
      </memory>
      <memory model='dimm'>
        <target><size unit='MiB'>512</size><node>0</node></target>
        <alias name='ua-dimm0'/>
        <address type='dimm' slot='0'/>
      </memory>
    </devices>
  </domain>
</node>
"""


class ConnectionTestCase(unittest.TestCase):
    """The live layer on libvirt's test driver, in this process."""

    @classmethod
    def setUpClass(cls):
        fd, cls.node_path = tempfile.mkstemp(prefix='vmem-test-python-', suffix='.xml')
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(NODE_XML)
        cls.uri = 'test://' + cls.node_path

    @classmethod
    def tearDownClass(cls):
        os.unlink(cls.node_path)

    def setUp(self):
        self.conn = Vmem.Connection.new(self.uri)
        self.conn.open(None)

    def tearDown(self):
        self.conn.close()

    def run_async(self, start):
        """Runs start(callback) on a main loop; returns what the callback got."""
        loop = GLib.MainLoop()
        got = []

        def callback(source, result):
            got.append((source, result))
            loop.quit()

        def failsafe():
            loop.quit()
            return GLib.SOURCE_REMOVE

        start(callback)
        timeout = GLib.timeout_add_seconds(10, failsafe)
        loop.run()
        self.assertEqual(len(got), 1, 'the callback did not run')
        GLib.source_remove(timeout)
        return got[0]

    def test_open(self):
        conn = Vmem.Connection.new('test:///default')
        self.assertFalse(conn.props.connected)
        self.assertTrue(conn.open(None))
        self.assertTrue(conn.props.connected)
        self.assertTrue(conn.is_open())
        conn.close()
        self.assertFalse(conn.props.connected)

    def test_list_models(self):
        domains = self.conn.get_domains()
        self.assertIs(domains, self.conn.props.domains)
        self.assertEqual(len(domains), 1)
        self.assertEqual([d.props.name for d in domains], ['vmem-python'])
        domain = domains[0]
        self.assertIsInstance(domain, Vmem.Domain)

        devices = domain.get_memory_devices()
        self.assertIs(devices, domain.props.memory_devices)
        self.assertEqual(len(devices), 2)
        self.assertEqual([d.props.alias for d in devices], ['ua-vmem0', 'ua-dimm0'])
        self.assertEqual([type(d) for d in devices], [Vmem.VirtioMem, Vmem.Dimm])
        self.assertEqual(devices[-1].props.size, 512 << 20)
        self.assertEqual(list(devices)[0], domain.find_memory_device('ua-vmem0'))
        self.assertIsNone(domain.find_memory_device('no-such-alias'))
        self.assertTrue(any(isinstance(d, Vmem.VirtioMem) for d in devices))

    def test_errors(self):
        with self.assertRaises(GLib.Error) as cm:
            self.conn.lookup_domain('no-such-domain')
        error = cm.exception
        self.assertTrue(error.matches(Vmem.error_quark(), Vmem.Error.NOT_FOUND))
        self.assertFalse(error.matches(Vmem.error_quark(), Vmem.Error.FAILED))
        self.assertEqual(Vmem.Error(error.code), Vmem.Error.NOT_FOUND)
        # PyGObject keeps a GError's domain, code and message only: the
        # GError it passes back to Vmem.error_get_libvirt_code() is a new
        # one, without libvirt's code (gjs keeps the original).
        self.assertIn('no-such-domain', error.message)

        # Errors of async calls come from the _finish function.
        # A device knows its domain only while the domain lives.
        domain = self.conn.lookup_domain('vmem-python')
        device = domain.find_memory_device('ua-vmem0')
        for size, code in ((3 << 20, Vmem.Error.NOT_ALIGNED),
                           (2 << 30, Vmem.Error.OUT_OF_RANGE),
                           (256 << 20, Vmem.Error.NOT_SUPPORTED)):
            source, result = self.run_async(
                lambda cb: device.resize_async(size, None, cb))
            self.assertIs(source, device)
            with self.assertRaises(GLib.Error) as cm:
                device.resize_finish(result)
            self.assertTrue(cm.exception.matches(Vmem.error_quark(), code), cm.exception)
        self.assertEqual(device.props.requested_size, 128 << 20)

        # A cancelled call fails in Gio's domain.
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        with self.assertRaises(GLib.Error) as cm:
            Vmem.Connection.new(self.uri).open(cancellable)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))

        # A description reaches no guest: its command refuses, and its
        # requested size is a property.
        description = Vmem.MemoryDevice.new_from_xml(DeviceTestCase.VIRTIO_MEM)
        with self.assertRaises(GLib.Error) as cm:
            description.set_requested_size(256 << 20, Vmem.AffectFlags.CURRENT, None)
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.NOT_SUPPORTED), cm.exception)
        description.props.requested_size = 256 << 20
        self.assertEqual(description.get_requested_size(), 256 << 20)

    def test_async_pairs(self):
        # PyGObject 3.42 has no awaitables: the pairs run with a callback.
        conn = Vmem.Connection.new(self.uri)
        source, result = self.run_async(lambda cb: conn.open_async(None, cb))
        self.assertIs(source, conn)
        self.assertTrue(conn.open_finish(result))
        self.assertTrue(conn.props.connected)

        _, result = self.run_async(lambda cb: conn.lookup_domain_async('vmem-python', None, cb))
        domain = conn.lookup_domain_finish(result)
        self.assertEqual(domain.get_name(), 'vmem-python')

        self.assertEqual([d.get_name() for d in conn.get_domains()], ['vmem-python'])

        _, result = self.run_async(lambda cb: domain.refresh_async(None, cb))
        self.assertTrue(domain.refresh_finish(result))

        # The live device's command reaches libvirt, whose test driver
        # cannot resize.
        device = domain.find_memory_device('ua-vmem0')
        _, result = self.run_async(lambda cb: device.set_requested_size_async(
            256 << 20, Vmem.AffectFlags.LIVE, None, cb))
        with self.assertRaises(GLib.Error) as cm:
            device.set_requested_size_finish(result)
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.NOT_SUPPORTED), cm.exception)
        self.assertEqual(device.props.requested_size, 128 << 20)
        conn.close()

    def test_live_model(self):
        # Nothing but the connection is kept: the domain's wrapper goes at
        # once, and the device stays live.
        device = self.conn.lookup_domain('vmem-python').find_memory_device('ua-vmem0')
        gc.collect()
        self.assertTrue(device.is_live())
        self.assertIs(device.props.domain, self.conn.find_domain('vmem-python'))
        self.assertIsNone(self.conn.find_domain('no-such-domain'))
        with self.assertRaises(GLib.Error) as cm:
            device.set_requested_size(256 << 20, Vmem.AffectFlags.LIVE, None)
        # libvirt's refusal (the test driver cannot resize), not the library's.
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.NOT_SUPPORTED), cm.exception)
        self.assertIn('this function is not supported', cm.exception.message)

        # A live device is read-only; a copy is a description equal to it.
        copy = device.copy()
        self.assertIsInstance(copy, Vmem.VirtioMem)
        self.assertFalse(copy.is_live())
        self.assertIsNone(copy.props.domain)
        self.assertTrue(Vmem.MemoryDevice.equal(copy, device))
        copy.props.size = 2 << 30
        self.assertEqual(device.props.size, 1 << 30)

        # A snapshot is a copy too.
        domain = device.props.domain
        config = domain.dup_config()
        self.assertEqual([d.props.alias for d in config.get_memory_devices()], ['ua-vmem0', 'ua-dimm0'])
        self.assertFalse(any(d.is_live() for d in config.get_memory_devices()))

    def test_figures(self):
        # From NODE_XML: 512 MiB on node 0, a 1 GiB virtio-mem device asked
        # for 128 MiB, a 512 MiB DIMM, 16 GiB and 16 slots at most.
        domain = self.conn.find_domain('vmem-python')
        memory = domain.get_memory()
        self.assertIs(memory, domain.props.memory)
        self.assertEqual(memory.props.node, -1)
        self.assertEqual(memory.props.base, 512 << 20)
        self.assertEqual(memory.get_plugged(Vmem.MemoryModel.DIMM), 512 << 20)
        self.assertEqual(memory.props.dimm, 512 << 20)
        self.assertEqual(memory.props.virtio_mem, 0)
        self.assertEqual(memory.props.virtio_mem_requested, 128 << 20)
        self.assertEqual(memory.props.virtio_mem_maximum, 1 << 30)
        self.assertEqual(memory.props.total, 1 << 30)
        nodes = domain.get_numa_nodes()
        self.assertIs(nodes, domain.props.numa_nodes)
        self.assertEqual([n.props.node for n in nodes], [0])
        self.assertEqual(nodes[0].props.total, 1 << 30)
        self.assertEqual(domain.props.max_memory, 16 << 30)
        self.assertEqual(domain.props.memory_slots, 16)
        self.assertEqual(domain.props.free_memory_slots, 14)
        self.assertEqual(domain.props.hotplug_headroom, (16 << 30) - (512 << 20) - (1 << 30) - (512 << 20))

    def test_domain_signals(self):
        # test:///default shares its state within the process: libvirt-python
        # defines and undefines a domain beside the library.
        conn = Vmem.Connection.new('test:///default')
        conn.open(None)
        plain = libvirt.open('test:///default')
        loop = GLib.MainLoop()
        seen = []
        domains = conn.get_domains()
        domains.connect('items-changed', lambda m, p, r, a: seen.append(('items-changed', r, a)))

        def on_domain(conn, domain, what):
            seen.append((what, domain.get_name()))
            loop.quit()

        conn.connect('domain-added', on_domain, 'added')
        conn.connect('domain-removed', on_domain, 'removed')
        try:
            dom = plain.defineXML(
                "<domain type='test'><name>vmem-python-signals</name><memory>524288</memory>"
                "<os><type>hvm</type></os></domain>")
            timeout = GLib.timeout_add_seconds(10, loop.quit)
            loop.run()
            GLib.source_remove(timeout)
            self.assertEqual(seen, [('items-changed', 0, 1), ('added', 'vmem-python-signals')])
            self.assertIsNotNone(conn.find_domain('vmem-python-signals'))

            dom.undefine()
            timeout = GLib.timeout_add_seconds(10, loop.quit)
            loop.run()
            GLib.source_remove(timeout)
            self.assertEqual(seen[2:], [('items-changed', 1, 0), ('removed', 'vmem-python-signals')])
            self.assertIsNone(conn.find_domain('vmem-python-signals'))
        finally:
            plain.close()
            conn.close()

    def test_properties_and_signals(self):
        domain = self.conn.lookup_domain('vmem-python')
        device = domain.find_memory_device('ua-vmem0')
        self.assertEqual(device.props.requested_size, 128 << 20)
        self.assertEqual(device.props.current_size, 0)
        self.assertEqual(device.props.block_size, 2 << 20)
        self.assertEqual(domain.props.state, Vmem.DomainState.RUNNING)

        names = {p.name for p in Vmem.VirtioMem.list_properties()}
        self.assertLessEqual({'size', 'alias', 'block-size', 'requested-size',
                              'current-size', 'stall-timeout'}, names)
        for cls in (Vmem.VirtioMem, Vmem.Domain, Vmem.Connection, Vmem.DomainConfig):
            for pspec in cls.list_properties():
                self.assertTrue(pspec.blurb, f'{cls.__name__}:{pspec.name} has a blurb')

        self.assertIn('memory-device-size-changed', GObject.signal_list_names(Vmem.Domain))
        for name in ('closed', 'domain-added', 'domain-removed', 'memory-device-size-changed'):
            self.assertIn(name, GObject.signal_list_names(Vmem.Connection))
        query = GObject.signal_query('memory-device-size-changed', Vmem.Connection)
        self.assertEqual(list(query.param_types), [Vmem.Domain.__gtype__, Vmem.MemoryDevice.__gtype__,
                                                   GObject.TYPE_UINT64])
        query = GObject.signal_query('memory-device-size-changed', Vmem.Domain)
        self.assertEqual(list(query.param_types), [Vmem.MemoryDevice.__gtype__, GObject.TYPE_UINT64])

        sizes = []
        handler = domain.connect('memory-device-size-changed',
                                 lambda d, dev, size: sizes.append(size))
        self.assertGreater(handler, 0)
        currents = []
        device.connect('notify::current-size', lambda dev, pspec: currents.append(dev.props.current_size))
        domain.disconnect(handler)

        # 'closed' and notify::connected on close().
        loop = GLib.MainLoop()
        reasons = []
        notified = []
        self.conn.connect('notify::connected', lambda c, pspec: notified.append(c.props.connected))

        def on_closed(conn, reason):
            reasons.append(reason)
            loop.quit()

        self.conn.connect('closed', on_closed)
        self.conn.close()
        if not reasons:
            timeout = GLib.timeout_add_seconds(10, loop.quit)
            loop.run()
            GLib.source_remove(timeout)
        self.assertEqual(reasons, [Vmem.CloseReason.CLIENT])
        self.assertEqual(notified, [False])
        self.assertEqual(sizes, [])

    def test_help(self):
        # PyGObject 3.42 builds help() from the typelib, which has only
        # signatures; the override (gi/overrides/Vmem.py) adds the
        # reference text, which the build takes from the GIR.
        text = pydoc.render_doc(Vmem.VirtioMem, renderer=pydoc.plaintext)
        self.assertIn('new() -> Vmem.VirtioMem', text)
        # The class's own text, its properties, signals and methods.
        self.assertIn('A memory device of model Vmem.MemoryModel.VIRTIO_MEM', text)
        self.assertIn('current_size\n |          How much memory the guest has really plugged', text)
        for name in ('resize_async()', 'resize_finish()', 'check_requested_size()',
                     'get_current_size()', 'set_requested_size_async()'):
            self.assertIn(name, text)
        domain_text = pydoc.render_doc(Vmem.Domain, renderer=pydoc.plaintext)
        self.assertIn('Signals (obj.connect(NAME, handler))', domain_text)
        self.assertIn('memory-device-size-changed', domain_text)

        # Methods and functions: the signature, then the text, with gtk-doc
        # markup said as Python says it.
        doc = Vmem.VirtioMem.check_requested_size.__doc__
        self.assertTrue(doc.startswith('check_requested_size(self, size:int) -> bool\n\n'), doc)
        doc = Vmem.VirtioMem.resize_async.__doc__
        self.assertTrue(doc.startswith(
            'resize_async(self, size:int, cancellable:Gio.Cancellable=None, '
            'callback:Gio.AsyncReadyCallback=None'), doc)
        self.assertIn('completes when the guest', doc)
        self.assertIn('Vmem.Error.STALLED', doc)
        self.assertNotIn('%VMEM', doc)
        doc = Vmem.size_parse.__doc__
        self.assertTrue(doc.startswith('size_parse(text:str) -> out_bytes:int\n\n'), doc)
        self.assertIn('non-negative integer', doc)
        doc = Vmem.Connection.lookup_domain.__doc__
        self.assertTrue(doc.startswith('lookup_domain(self, name_or_uuid:str) -> Vmem.Domain'), doc)
        self.assertIn('Finds a domain', doc)

        # Other namespaces keep PyGObject's own doc strings.
        self.assertEqual(GLib.get_user_name.__doc__, 'get_user_name() -> str')

if __name__ == '__main__':
    unittest.main(verbosity=2)
