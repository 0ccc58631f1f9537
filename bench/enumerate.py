#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# enumerate.py: open a connection and read every memory device of every
# domain from Python, with the library against libvirt-python and
# ElementTree
#
#   enumerate.py DOMAINS.xml [ROUNDS]
#
# The domains of DOMAINS.xml (gen-domains.py's) are defined and started on
# test:///default, whose connections within a process share them (see
# bench-domains.h). Each round opens a fresh connection on each side and
# times, in turn, from the open to the close:
#
#   (b) library   Vmem.Connection.open(), which reads every domain into the
#                 connection's model, then every getter of every device of
#                 every domain of get_domains(), through PyGObject, then
#                 close()
#   (c) etree     libvirt.open(), listAllDomains() and XMLDesc() of each,
#                 read with xml.etree.ElementTree: the same properties, as
#                 people write it today (sizes scaled to bytes, numbers
#                 parsed), then close()
#
# The medians are compared: c/b is how much faster the library is.
# Needs GI_TYPELIB_PATH and LD_LIBRARY_PATH at the build tree for an
# uninstalled library.

import json
import statistics
import sys
import time
import xml.etree.ElementTree as ET

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import Vmem  # noqa: E402
import libvirt  # noqa: E402

UNITS = {'': 1024, 'b': 1, 'byte': 1, 'bytes': 1, 'k': 1024, 'kib': 1024, 'kb': 1000,
         'm': 1024 ** 2, 'mib': 1024 ** 2, 'mb': 1000 ** 2,
         'g': 1024 ** 3, 'gib': 1024 ** 3, 'gb': 1000 ** 3,
         't': 1024 ** 4, 'tib': 1024 ** 4, 'tb': 1000 ** 4}


def size(element):
    """Bytes of a libvirt size element, or 0 when absent."""
    if element is None:
        return 0
    return int(element.text) * UNITS[element.get('unit', '').lower()]


URI = 'test:///default'


def define_domains(path):
    """Replaces test:///default's own domain with the domains of @path,
    defined and started; returns the connection that keeps them."""
    holder = libvirt.open(URI)
    test = holder.lookupByName('test')
    test.destroy()
    test.undefine()
    for element in ET.parse(path).getroot().iterfind('domain'):
        holder.defineXML(ET.tostring(element, encoding='unicode')).create()
    return holder


def enumerate_library():
    n = 0
    sink = 0
    conn = Vmem.Connection.new(URI)
    conn.open(None)
    for domain in conn.get_domains():
        sink += len(domain.get_name()) + int(domain.get_state())
        for device in domain.get_memory_devices():
            sink += int(device.get_model())
            sink += len(device.get_alias() or '')
            sink += device.get_size() + device.get_node()
            sink += int(device.get_access()) + int(device.get_discard())
            sink += device.get_source_pagesize() + device.get_source_alignsize()
            sink += len(device.get_source_nodemask() or '')
            sink += len(device.get_source_path() or '')
            sink += device.get_source_pmem()
            address = device.get_address()
            if address is not None:
                kind = address.get_address_type()
                if kind == Vmem.AddressType.PCI:
                    sink += (address.get_pci_domain() + address.get_pci_bus() +
                             address.get_pci_slot() + address.get_pci_function())
                elif kind == Vmem.AddressType.DIMM:
                    sink += address.get_dimm_slot() + address.get_base()
            if isinstance(device, Vmem.VirtioMem):
                sink += (device.get_block_size() + device.get_requested_size() +
                         device.get_current_size() + device.get_address_base())
            elif isinstance(device, Vmem.Nvdimm):
                sink += device.get_label_size() + device.get_readonly()
                sink += len(device.get_uuid() or '')
            n += 1
    conn.close()
    return n, sink


def enumerate_etree():
    n = 0
    sink = 0
    vconn = libvirt.open(URI)
    for dom in vconn.listAllDomains(0):
        root = ET.fromstring(dom.XMLDesc(0))
        sink += len(root.findtext('name')) + dom.state()[0]
        for memory in root.iterfind('devices/memory'):
            sink += len(memory.get('model'))
            alias = memory.find('alias')
            sink += len(alias.get('name')) if alias is not None else 0
            target = memory.find('target')
            source = memory.find('source')
            if target is not None:
                sink += size(target.find('size'))
                node = target.findtext('node')
                sink += int(node) if node is not None else -1
                sink += size(target.find('block')) + size(target.find('requested'))
                sink += size(target.find('current'))
                base = target.find('address')
                sink += int(base.get('base'), 16) if base is not None else 0
                sink += size(target.find('label/size'))
                sink += target.find('readonly') is not None
            sink += len(memory.get('access', '')) + len(memory.get('discard', ''))
            if source is not None:
                sink += size(source.find('pagesize')) + size(source.find('alignsize'))
                sink += len(source.findtext('nodemask') or '')
                sink += len(source.findtext('path') or '')
                sink += source.find('pmem') is not None
            sink += len(memory.findtext('uuid') or '')
            address = memory.find('address')
            if address is not None:
                if address.get('type') == 'pci':
                    sink += sum(int(address.get(a), 16)
                                for a in ('domain', 'bus', 'slot', 'function'))
                elif address.get('type') == 'dimm':
                    sink += int(address.get('slot'))
                    sink += int(address.get('base', '0'), 16)
            n += 1
    vconn.close()
    return n, sink


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit('usage: enumerate.py DOMAINS.xml [ROUNDS]')
    rounds = max(1, int(sys.argv[2])) if len(sys.argv) == 3 else 7

    start = time.perf_counter()
    holder = define_domains(sys.argv[1])
    n_domains = len(holder.listAllDomains(0))
    print(f'enumerate.py: {n_domains} domains defined and started on {URI} in '
          f'{(time.perf_counter() - start) * 1e3:.0f} ms', flush=True)

    # One round of each unmeasured: imports, wrappers and caches warm.
    n_lib, _ = enumerate_library()
    n_et, _ = enumerate_etree()
    if n_lib != n_et:
        sys.exit(f'enumerate.py: the library lists {n_lib} devices, ElementTree {n_et}')

    t_lib, t_et = [], []
    for r in range(rounds):
        start = time.perf_counter()
        enumerate_library()
        t_lib.append(time.perf_counter() - start)
        start = time.perf_counter()
        enumerate_etree()
        t_et.append(time.perf_counter() - start)
        print(f'enumerate.py: round {r + 1}: library {t_lib[-1] * 1e3:.1f} ms, '
              f'libvirt-python + ElementTree {t_et[-1] * 1e3:.1f} ms', flush=True)

    lib = statistics.median(t_lib) * 1e3
    et = statistics.median(t_et) * 1e3
    ratio = et / lib
    print('RESULT ' + json.dumps({
        'figure': 'enumerate c/b', 'value': et, 'unit': 'ms',
        'baseline': lib, 'ratio': ratio, 'target': '>= 1.2', 'met': ratio >= 1.2,
        'detail': f'(c) libvirt-python + xml.etree.ElementTree against (b) the library '
                  f'from Python (PyGObject getters), the same properties of {n_lib} '
                  f'devices of {n_domains} running domains on {URI}, a fresh connection '
                  f'opened and closed a round on each side; median of {rounds} '
                  f'interleaved rounds'}), flush=True)
    print('RESULT ' + json.dumps({
        'figure': 'enumerate b (Python)', 'value': lib, 'unit': 'ms',
        'baseline': None, 'ratio': None, 'target': None, 'met': None,
        'detail': f'the library from Python: {lib * 1e3 / n_lib:.1f} us a device, '
                  f'open and close included; for information'}), flush=True)
    holder.close()


if __name__ == '__main__':
    main()
