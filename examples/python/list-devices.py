#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# List the memory devices of a libvirt domain XML document as a table.
#
#   virsh dumpxml GUEST | ./list-devices.py -
#   ./list-devices.py guest.xml

import argparse
import sys

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem  # noqa: E402


def size(nbytes):
    return Vmem.size_format(nbytes) if nbytes else '-'


def main():
    parser = argparse.ArgumentParser(
        description='List the memory devices of a libvirt domain XML document.')
    parser.add_argument('file', help="domain XML file, or '-' for standard input")
    args = parser.parse_args()

    xml = sys.stdin.read() if args.file == '-' else open(args.file).read()
    try:
        config = Vmem.DomainConfig.new_from_xml(xml)
    except GLib.Error as error:
        if error.matches(Vmem.error_quark(), Vmem.Error.INVALID_XML):
            print(f'Not a valid domain XML document: {error.message}', file=sys.stderr)
        else:
            print(f'Cannot read the domain: {error.message}', file=sys.stderr)
        return 1

    print(f'{config.props.name}: maxMemory {size(config.props.max_memory)} '
          f'in {config.props.max_memory_slots} slots, '
          f'{config.get_numa_cells().get_n_items()} NUMA cells')
    print(f'{"alias":<12} {"model":<12} {"node":>4} {"size":>9} '
          f'{"block":>7} {"requested":>9} {"current":>9}')
    for device in config.get_memory_devices():
        block = requested = current = 0
        if isinstance(device, Vmem.VirtioMem):
            block = device.props.block_size
            requested = device.props.requested_size
            current = device.props.current_size
        print(f'{device.props.alias or "-":<12} {device.props.model.value_nick:<12} '
              f'{device.props.node:>4} {size(device.props.size):>9} {size(block):>7} '
              f'{size(requested):>9} {size(current):>9}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
