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
# The live layer runs on libvirt's test driver, in this process: the
# connection's model of domains and its signals while libvirt-python
# defines, undefines, creates and destroys domains beside the library,
# live devices that outlive the collector and descriptions that reach no
# guest, and a domain's memory figures, checked against its XML.
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

    def test_recent_fields(self):
        # libvirt 10.1's dynamicMemslots and 9.4's virtio-pmem base address,
        # typed on any libvirt.
        dev = Vmem.VirtioMem(size=1 << 30, block_size=2 << 20,
                             dynamic_memslots=Vmem.Tristate.YES)
        self.assertEqual(dev.get_dynamic_memslots(), Vmem.Tristate.YES)
        self.assertIn("<target dynamicMemslots='yes'>", dev.to_xml())
        seen = []
        dev.connect('notify::dynamic-memslots', lambda obj, pspec: seen.append(obj.props.dynamic_memslots))
        dev.set_dynamic_memslots(Vmem.Tristate.NO)
        self.assertEqual(seen, [Vmem.Tristate.NO])
        again = Vmem.MemoryDevice.new_from_xml(dev.to_xml())
        self.assertEqual(again.props.dynamic_memslots, Vmem.Tristate.NO)

        pmem = Vmem.VirtioPmem.new()
        seen = []
        pmem.connect('notify::address-base', lambda obj, pspec: seen.append(obj.props.address_base))
        pmem.props.address_base = 0x2000000000
        pmem.set_address_base(0x2000000000)
        self.assertEqual(seen, [0x2000000000])
        self.assertEqual(pmem.get_address_base(), 0x2000000000)
        self.assertIn("<address base='0x2000000000'/>", pmem.to_xml())
        again = Vmem.MemoryDevice.new_from_xml(pmem.to_xml())
        self.assertEqual(again.props.address_base, 0x2000000000)



# A running domain with two NUMA nodes, a virtio-mem device on the first and
# a DIMM on the second, for libvirt's test driver through a test:///FILE
# URI. The driver keeps only aliases that start with "ua-".
NODE_XML = """<node>
  <domain type='test'>
    <name>vmem-python</name>
    <uuid>3c8e1f2a-5b6d-4e7f-9a0b-1c2d3e4f5a6b</uuid>
    <maxMemory slots='16' unit='GiB'>16</maxMemory>
    <memory unit='MiB'>2560</memory>
    <currentMemory unit='MiB'>1024</currentMemory>
    <vcpu>2</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <cpu><numa>
      <cell id='0' cpus='0' memory='512' unit='MiB'/>
      <cell id='1' cpus='1' memory='512' unit='MiB'/>
    </numa></cpu>
    <devices>
      <memory model='virtio-mem'>
        <target><size unit='GiB'>1</size><node>0</node>
          <block unit='KiB'>2048</block><requested unit='MiB'>128</requested></target>
        <alias name='ua-vmem0'/>
      </memory>
      <memory model='dimm'>
        <target><size unit='MiB'>512</size><node>1</node></target>
        <alias name='ua-dimm0'/>
        <address type='dimm' slot='0'/>
      </memory>
    </devices>
  </domain>
</node>
"""
NODE_TREE = ET.fromstring(NODE_XML).find('domain')


def expected_usage(tree, node=-1):
    """The figures of a Vmem.MemoryUsage from a domain's XML, keyed as its
    properties: of NUMA node @node, or of the whole domain (-1). The
    domain has NUMA cells, which give the boot memory."""
    cells = [cell for cell in tree.findall('./cpu/numa/cell')
             if node < 0 or int(cell.get('id')) == node]
    assert cells, 'the domain has no NUMA cell %d' % node
    memories = [memory for memory in tree.findall('./devices/memory')
                if node < 0 or int(memory.findtext('./target/node', '-1')) == node]

    def devices(model, part='size'):
        return sum(element_size(memory.find('./target/' + part))
                   for memory in memories if memory.get('model') == model)

    figures = {
        'node': node,
        'base': sum(scale(cell.get('memory'), cell.get('unit')) for cell in cells),
        'dimm': devices('dimm'),
        'nvdimm': devices('nvdimm'),
        'virtio_pmem': devices('virtio-pmem'),
        'sgx_epc': devices('sgx-epc'),
        # Plugged: the current sizes, which a domain of the test driver
        # does not report.
        'virtio_mem': devices('virtio-mem', 'current'),
        'virtio_mem_requested': devices('virtio-mem', 'requested'),
        'virtio_mem_maximum': devices('virtio-mem'),
    }
    figures['total'] = figures['base'] + figures['dimm'] + figures['virtio_mem']
    return figures


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

    def test_remote_settings(self):
        # Keepalive and the open's bound are properties with notify,
        # applied at the next open.
        conn = Vmem.Connection.new('qemu+tcp://127.0.0.1:1/system')
        self.assertEqual((conn.props.keepalive_interval, conn.props.keepalive_count,
                          conn.props.open_timeout), (5, 3, 30))
        notified = []
        conn.connect('notify', lambda obj, pspec: notified.append(pspec.name))
        conn.set_keepalive(1, 3)
        conn.props.keepalive_count = 2
        conn.set_open_timeout(5)
        conn.set_open_timeout(5)
        self.assertEqual(notified, ['keepalive-interval', 'keepalive-count', 'open-timeout'])
        self.assertEqual((conn.get_keepalive_interval(), conn.get_keepalive_count(),
                          conn.get_open_timeout()), (1, 2, 5))

        # Nothing listens on port 1 of the loopback: its own code.
        with self.assertRaises(GLib.Error) as cm:
            conn.open(None)
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.UNREACHABLE),
                        cm.exception)
        self.assertFalse(conn.props.connected)
        # So is a local daemon's socket that is not there.
        with self.assertRaises(GLib.Error) as cm:
            Vmem.Connection.new('qemu:///system?socket=/nonexistent/libvirt-sock').open(None)
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.UNREACHABLE),
                        cm.exception)

    def test_list_models(self):
        domains = self.conn.get_domains()
        self.assertIsInstance(domains, Gio.ListModel)
        self.assertEqual(domains.get_item_type(), Vmem.Domain.__gtype__)
        self.assertIs(domains, self.conn.props.domains)
        self.assertEqual(len(domains), 1)
        self.assertEqual([d.props.name for d in domains], ['vmem-python'])
        domain = domains[0]
        self.assertIsInstance(domain, Vmem.Domain)
        self.assertEqual(domain.props.uuid, NODE_TREE.findtext('uuid'))
        self.assertIs(domain.props.connection, self.conn)

        # The model's objects, by name or UUID, without asking libvirt.
        self.assertIs(self.conn.find_domain('vmem-python'), domain)
        self.assertIs(self.conn.find_domain(domain.props.uuid), domain)
        self.assertIs(self.conn.lookup_domain(domain.props.uuid), domain)
        self.assertIsNone(self.conn.find_domain('no-such-domain'))

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
        source, result = self.run_async(lambda cb: description.resize_async(256 << 20, None, cb))
        self.assertIs(source, description)
        with self.assertRaises(GLib.Error) as cm:
            description.resize_finish(result)
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.NOT_SUPPORTED), cm.exception)
        self.assertEqual(description.get_requested_size(), 512 << 20)
        description.props.requested_size = 256 << 20
        self.assertEqual(description.get_requested_size(), 256 << 20)
        made = Vmem.VirtioMem(size=1 << 30, block_size=2 << 20, requested_size=256 << 20)
        self.assertEqual(made.get_requested_size(), 256 << 20)
        self.assertTrue(made.validate())

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
        self.assertIsNotNone(device.props.domain)
        self.assertIs(device.props.domain, self.conn.find_domain('vmem-python'))
        with self.assertRaises(GLib.Error) as cm:
            self.conn.lookup_domain('vmem-python').find_memory_device('ua-vmem0').set_requested_size(
                256 << 20, Vmem.AffectFlags.LIVE, None)
        # libvirt's refusal (the test driver cannot resize), not the library's:
        # libvirt 9.0's test driver has no device update, 11.3's has one that
        # refuses memory devices.
        self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.NOT_SUPPORTED), cm.exception)
        self.assertRegex(cm.exception.message,
                         "this function is not supported by the connection driver"
                         "|Operation not supported: .* update of device 'memory' is not supported")

        # A live device is read-only; a copy is a description equal to it.
        copy = device.copy()
        self.assertIsInstance(copy, Vmem.VirtioMem)
        self.assertFalse(copy.is_live())
        self.assertIsNone(copy.props.domain)
        self.assertTrue(Vmem.MemoryDevice.equal(copy, device))
        copy.props.size = 2 << 30
        self.assertEqual(device.props.size, 1 << 30)
        # The stall timeout is the application's, live or not.
        device.props.stall_timeout = 5000
        self.assertEqual(device.get_stall_timeout(), 5000)

        # A snapshot is a copy too, a new one each time.
        domain = device.props.domain
        config = domain.dup_config()
        self.assertIsInstance(config, Vmem.DomainConfig)
        self.assertIsNot(domain.dup_config(), config)
        self.assertEqual(config.props.name, 'vmem-python')
        copies = list(config.get_memory_devices())
        self.assertEqual([d.props.alias for d in copies], ['ua-vmem0', 'ua-dimm0'])
        self.assertFalse(any(d.is_live() for d in copies))
        for live, copied in zip(domain.get_memory_devices(), copies):
            self.assertIsNot(copied, live)
            self.assertTrue(live.equal(copied))

    def test_figures(self):
        # NODE_XML's domain, as a whole and node by node.
        domain = self.conn.find_domain('vmem-python')
        memory = domain.get_memory()
        self.assertIsInstance(memory, Vmem.MemoryUsage)
        self.assertIs(memory, domain.props.memory)
        expected = expected_usage(NODE_TREE)
        self.assertGreater(expected['dimm'], 0)
        self.assertGreater(expected['virtio_mem_requested'], 0)
        self.assert_usage(memory, expected)

        nodes = domain.get_numa_nodes()
        self.assertIsInstance(nodes, Gio.ListModel)
        self.assertEqual(nodes.get_item_type(), Vmem.MemoryUsage.__gtype__)
        self.assertIs(nodes, domain.props.numa_nodes)
        cells = [int(cell.get('id')) for cell in NODE_TREE.findall('./cpu/numa/cell')]
        self.assertEqual([n.props.node for n in nodes], cells)
        for usage in nodes:
            self.assert_usage(usage, expected_usage(NODE_TREE, usage.props.node))

        max_memory = NODE_TREE.find('maxMemory')
        slots = int(max_memory.get('slots'))
        memories = NODE_TREE.findall('./devices/memory')
        self.assertEqual(domain.props.max_memory, element_size(max_memory))
        self.assertEqual(domain.get_max_memory(), element_size(max_memory))
        self.assertEqual(domain.props.memory_slots, slots)
        # Every memory device takes a slot up to libvirt 9.4; since 9.5 only
        # dimm and nvdimm devices do.
        version = self.conn.props.libvirt_version
        self.assertEqual(version, self.conn.get_libvirt_version())
        self.assertGreaterEqual(version, 9000000)
        slotted = [m for m in memories
                   if version < 9005000 or m.get('model') in ('dimm', 'nvdimm')]
        self.assertEqual(domain.props.free_memory_slots, slots - len(slotted))
        self.assertEqual(domain.get_free_memory_slots(), slots - len(slotted))
        # What is left once the boot memory and every device, virtio-mem by
        # its full size, are counted.
        headroom = (element_size(max_memory) - expected['base'] -
                    sum(element_size(m.find('./target/size')) for m in memories))
        self.assertGreater(headroom, 0)
        self.assertEqual(domain.props.hotplug_headroom, headroom)
        self.assertEqual(domain.get_hotplug_headroom(), headroom)

    def assert_usage(self, usage, expected):
        for name, value in expected.items():
            self.assertEqual(getattr(usage.props, name), value, f'node {usage.props.node}: {name}')
        self.assertEqual(usage.get_node(), expected['node'])
        self.assertEqual(usage.get_base(), expected['base'])
        self.assertEqual(usage.get_total(), expected['total'])
        self.assertEqual(usage.get_virtio_mem_requested(), expected['virtio_mem_requested'])
        self.assertEqual(usage.get_virtio_mem_maximum(), expected['virtio_mem_maximum'])
        for model in (Vmem.MemoryModel.DIMM, Vmem.MemoryModel.NVDIMM, Vmem.MemoryModel.VIRTIO_PMEM,
                      Vmem.MemoryModel.VIRTIO_MEM, Vmem.MemoryModel.SGX_EPC):
            self.assertEqual(usage.get_plugged(model),
                             expected[model.value_nick.replace('-', '_')], model.value_nick)

    def test_model_open_close(self):
        # The same model throughout: opening fills it and closing empties
        # it, with one items-changed each and no domain-added or
        # domain-removed.
        conn = Vmem.Connection.new(self.uri)
        domains = conn.props.domains
        self.assertIs(conn.get_domains(), domains)
        self.assertEqual(len(domains), 0)
        seen = []
        domains.connect('items-changed', lambda m, p, r, a: seen.append(('items-changed', p, r, a)))
        conn.connect('domain-added', lambda c, d: seen.append(('added', d.props.name)))
        conn.connect('domain-removed', lambda c, d: seen.append(('removed', d.props.name)))

        conn.open(None)
        self.assertEqual(seen, [('items-changed', 0, 0, 1)])
        self.assertIs(conn.props.domains, domains)
        self.assertEqual([d.props.name for d in domains], ['vmem-python'])

        del seen[:]
        conn.close()
        self.assertEqual(seen, [('items-changed', 0, 1, 0)])
        self.assertIs(conn.props.domains, domains)
        self.assertEqual(len(domains), 0)
        self.assertIsNone(conn.find_domain('vmem-python'))

    def wait_for(self, seen, n, what):
        """Runs a main loop until @seen has @n entries, for at most 10 s."""
        loop = GLib.MainLoop()

        def poll():
            if len(seen) >= n:
                loop.quit()
                return GLib.SOURCE_REMOVE
            return GLib.SOURCE_CONTINUE

        def failsafe():
            loop.quit()
            return GLib.SOURCE_REMOVE

        sources = [GLib.timeout_add(10, poll), GLib.timeout_add_seconds(10, failsafe)]
        loop.run()
        for source in sources:
            if GLib.main_context_default().find_source_by_id(source):
                GLib.source_remove(source)
        self.assertGreaterEqual(len(seen), n, 'timed out waiting for ' + what)

    def test_domain_signals(self):
        # test:///default shares its state within the process: libvirt-python
        # defines and undefines, creates and destroys a domain beside the
        # library.
        conn = Vmem.Connection.new('test:///default')
        conn.open(None)
        plain = libvirt.open('test:///default')
        seen = []
        domains = conn.get_domains()
        domains.connect('items-changed', lambda m, p, r, a: seen.append(('items-changed', p, r, a)))

        def on_domain(conn, domain, what):
            seen.append((what, domain))

        conn.connect('domain-added', on_domain, 'added')
        conn.connect('domain-removed', on_domain, 'removed')
        try:
            n = len(domains)
            dom = plain.defineXML(
                "<domain type='test'><name>vmem-python-signals</name><memory>524288</memory>"
                "<os><type>hvm</type></os></domain>")
            self.wait_for(seen, 2, 'domain-added')
            added = conn.find_domain('vmem-python-signals')
            self.assertIsNotNone(added)
            # The model changed first, in the same dispatch.
            self.assertEqual(seen, [('items-changed', n, 0, 1), ('added', added)])
            self.assertIs(domains[n], added)
            self.assertEqual(added.props.state, Vmem.DomainState.SHUTOFF)
            self.assertEqual(added.props.uuid, dom.UUIDString())

            del seen[:]
            dom.undefine()
            self.wait_for(seen, 2, 'domain-removed')
            self.assertEqual(seen, [('items-changed', n, 1, 0), ('removed', added)])
            self.assertIsNone(conn.find_domain('vmem-python-signals'))
            self.assertEqual(len(domains), n)

            # A transient domain is in the model while it runs.
            del seen[:]
            dom = plain.createXML(
                "<domain type='test'><name>vmem-python-transient</name><memory>524288</memory>"
                "<os><type>hvm</type></os></domain>", 0)
            self.wait_for(seen, 2, 'domain-added')
            added = conn.find_domain('vmem-python-transient')
            self.assertIsNotNone(added)
            self.assertEqual(seen, [('items-changed', n, 0, 1), ('added', added)])
            self.assertEqual(added.props.state, Vmem.DomainState.RUNNING)

            del seen[:]
            dom.destroy()
            self.wait_for(seen, 2, 'domain-removed')
            self.assertEqual(seen, [('items-changed', n, 1, 0), ('removed', added)])
            self.assertIsNone(conn.find_domain('vmem-python-transient'))
        finally:
            plain.close()
            conn.close()

    def test_removed_domain(self):
        # A domain undefined beside the library leaves the model; once the
        # application lets go of it too, its devices belong to no domain
        # and refuse commands.
        conn = Vmem.Connection.new('test:///default')
        conn.open(None)
        plain = libvirt.open('test:///default')
        removed = []
        conn.connect('domain-removed', lambda c, d: removed.append(d.props.name))
        try:
            dom = plain.defineXML(
                "<domain type='test'><name>vmem-python-removed</name>"
                "<maxMemory slots='4' unit='GiB'>8</maxMemory><memory unit='MiB'>1536</memory>"
                "<os><type arch='x86_64'>hvm</type></os>"
                "<cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/></numa></cpu>"
                "<devices><memory model='virtio-mem'><target><size unit='GiB'>1</size>"
                "<node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>128</requested>"
                "</target><alias name='ua-vmem7'/></memory></devices></domain>")
            device = conn.lookup_domain('vmem-python-removed').find_memory_device('ua-vmem7')
            self.assertIsInstance(device, Vmem.VirtioMem)
            gc.collect()
            self.assertIsNotNone(device.props.domain)

            dom.undefine()
            self.wait_for(removed, 1, 'domain-removed')
            self.assertEqual(removed, ['vmem-python-removed'])
            gc.collect()
            self.assertTrue(device.is_live())
            self.assertIsNone(device.props.domain)
            with self.assertRaises(GLib.Error) as cm:
                device.set_requested_size(256 << 20, Vmem.AffectFlags.LIVE, None)
            self.assertTrue(cm.exception.matches(Vmem.error_quark(), Vmem.Error.NOT_FOUND), cm.exception)
            self.assertEqual(device.props.requested_size, 128 << 20)
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
        for cls in (Vmem.VirtioMem, Vmem.Domain, Vmem.Connection, Vmem.DomainConfig, Vmem.MemoryUsage):
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


class AutosizeTestCase(unittest.TestCase):
    """Vmem.Autosize where libvirt's test driver can take it: its
    properties, and what start() refuses before anything is asked of
    libvirt. The policy at work is tested on the bed's guest
    (tests/live/test_autosize.py)."""

    @classmethod
    def setUpClass(cls):
        fd, cls.node_path = tempfile.mkstemp(prefix='vmem-test-autosize-', suffix='.xml')
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(NODE_XML)
        cls.uri = 'test://' + cls.node_path

    @classmethod
    def tearDownClass(cls):
        os.unlink(cls.node_path)

    def setUp(self):
        self.conn = Vmem.Connection.new(self.uri)
        self.conn.open(None)
        self.domain = self.conn.lookup_domain('vmem-python')
        self.policy = Vmem.Autosize.new(self.domain)
        self.decisions = []
        self.policy.connect('decision', lambda p, *args: self.decisions.append(args))

    def tearDown(self):
        self.policy.stop()
        self.conn.close()

    def test_defaults_and_notify(self):
        p = self.policy
        self.assertIs(p.props.domain, self.domain)
        self.assertEqual((p.props.available_low, p.props.available_high), (256 << 20, 512 << 20))
        self.assertEqual((p.props.step_max, p.props.minimum, p.props.maximum),
                         (256 << 20, 0, GLib.MAXUINT64))
        self.assertEqual((p.props.host_reserve, p.props.period), (1 << 30, 1))
        self.assertFalse(p.props.running)
        self.assertEqual((p.props.guest_available, p.props.resizes), (0, 0))
        seen = []
        p.connect('notify', lambda obj, pspec: seen.append(pspec.name))
        p.props.available_low = 300 << 20
        p.props.available_low = 300 << 20
        p.set_period(2)
        self.assertEqual(seen, ['available-low', 'period'])

    def refused(self, code, words):
        with self.assertRaises(GLib.Error) as raised:
            self.policy.start()
        self.assertTrue(raised.exception.matches(Vmem.error_quark(), code), raised.exception.message)
        self.assertIn(words, raised.exception.message)
        self.assertFalse(self.policy.props.running)
        self.assertEqual(self.decisions, [])

    def test_refusals(self):
        self.policy.props.available_high = self.policy.props.available_low + (2 << 20)
        self.refused(Vmem.Error.INVALID_CONFIG, 'too narrow')
        self.policy.props.available_high = self.policy.props.available_low
        self.refused(Vmem.Error.INVALID_CONFIG, 'too narrow')
        self.policy.props.available_high = 1 << 30
        self.policy.props.step_max = 1 << 20
        self.refused(Vmem.Error.INVALID_CONFIG, 'smaller than a block, 2MiB')
        self.policy.props.step_max = 256 << 20
        self.policy.props.minimum = 2 << 30
        self.policy.props.maximum = 1 << 30
        self.refused(Vmem.Error.INVALID_CONFIG, 'exceeds the maximum')

    def test_no_statistics_stops(self):
        """The test driver has no balloon statistics: the first sample
        stops the policy, with the reason."""
        loop = GLib.MainLoop()
        self.policy.connect('notify::running', lambda p, s: loop.quit())
        self.assertTrue(self.policy.start())
        self.assertTrue(self.policy.props.running)
        GLib.timeout_add_seconds(10, loop.quit)
        loop.run()
        self.assertFalse(self.policy.props.running)
        self.assertEqual(len(self.decisions), 1)
        action, device, before, after, reason = self.decisions[0]
        self.assertEqual((action, device, before, after), (Vmem.AutosizeAction.STOP, None, 0, 0))
        # libvirt's own words (9.0: "No memory balloon device configured").
        self.assertTrue(reason)
        self.assertNotIn('unknown libvirt error', reason)

    def test_no_virtio_mem(self):
        xml = NODE_XML.replace('vmem-python', 'vmem-python-plain').replace(
            '3c8e1f2a', '4c8e1f2a')
        tree = ET.fromstring(xml)
        devices = tree.find('domain/devices')
        for memory in devices.findall('memory'):
            if memory.get('model') == 'virtio-mem':
                devices.remove(memory)
        fd, path = tempfile.mkstemp(prefix='vmem-test-autosize-', suffix='.xml')
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(ET.tostring(tree, encoding='unicode'))
        self.addCleanup(os.unlink, path)
        conn = Vmem.Connection.new('test://' + path)
        conn.open(None)
        self.addCleanup(conn.close)
        policy = Vmem.Autosize.new(conn.lookup_domain('vmem-python-plain'))
        with self.assertRaises(GLib.Error) as raised:
            policy.start()
        self.assertTrue(raised.exception.matches(Vmem.error_quark(), Vmem.Error.NOT_SUPPORTED))
        self.assertIn('has no virtio-mem device', raised.exception.message)

if __name__ == '__main__':
    unittest.main(verbosity=2)
