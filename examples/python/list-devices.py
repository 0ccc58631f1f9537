#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# List every domain of a libvirt connection with its memory devices, as a
# table; or, with --xml, the devices of a domain XML document, offline.
#
#   ./list-devices.py qemu:///system
#   ./list-devices.py --connect qemu:///system guest
#   virsh dumpxml guest | ./list-devices.py --xml -
#
# Exit status: 0 success, 1 libvirt or another failure, 2 usage error,
# 3 no such domain, 4 the XML was refused.

import argparse
import sys

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem  # noqa: E402

HEADER = ('DOMAIN', 'ALIAS', 'MODEL', 'NODE', 'SIZE', 'BLOCK', 'REQUESTED', 'CURRENT')


def exit_status(error):
    """The exit status for an error: what went wrong, not where."""
    if error.matches(Vmem.error_quark(), Vmem.Error.NOT_FOUND):
        return 3
    if error.matches(Vmem.error_quark(), Vmem.Error.INVALID_XML):
        return 4
    return 1


def size(nbytes, known=True):
    return Vmem.size_format(nbytes) if known else '-'


def row(domain_name, device, active):
    """A table row; block, requested and current are for virtio-mem, and
    current only while the domain runs."""
    virtio_mem = isinstance(device, Vmem.VirtioMem)
    node = device.props.node
    return (domain_name,
            device.props.alias or '-',
            device.props.model.value_nick,
            str(node) if node >= 0 else '-',
            size(device.props.size),
            size(device.props.block_size if virtio_mem else 0, virtio_mem),
            size(device.props.requested_size if virtio_mem else 0, virtio_mem),
            size(device.props.current_size if virtio_mem else 0, virtio_mem and active))


def print_table(rows, empty_domains):
    widths = [max(len(r[i]) for r in [HEADER] + rows) for i in range(len(HEADER))]
    for r in [HEADER] + rows:
        # NODE and the sizes are right-aligned.
        cells = [cell.ljust(w) if i < 3 else cell.rjust(w)
                 for i, (cell, w) in enumerate(zip(r, widths))]
        print('  '.join(cells).rstrip())
    for name in empty_domains:
        print(f'{name}: no memory devices')


def list_connection(uri, name):
    connection = Vmem.Connection.new(uri)
    connection.open(None)
    if name is not None:
        domains = [connection.lookup_domain(name)]
    else:
        # Opening read them all: the connection's live model.
        domains = sorted(connection.get_domains(), key=lambda d: d.props.name)

    rows, empty = [], []
    for domain in domains:
        devices = list(domain.get_memory_devices())
        if not devices:
            empty.append(domain.props.name)
        rows += [row(domain.props.name, device, domain.is_active()) for device in devices]
    print_table(rows, empty)


def list_xml(path):
    if path == '-':
        xml = sys.stdin.read()
    else:
        with open(path, encoding='utf-8') as f:
            xml = f.read()
    config = Vmem.DomainConfig.new_from_xml(xml)
    # Only a running domain's XML has an id, and current sizes.
    active = config.props.id >= 0
    devices = list(config.get_memory_devices())
    print_table([row(config.props.name, device, active) for device in devices],
                [] if devices else [config.props.name])


def main():
    parser = argparse.ArgumentParser(
        usage='%(prog)s [-h] [-c URI | URI] [DOMAIN]\n       %(prog)s --xml FILE',
        description='List the memory devices of every domain of a libvirt connection, '
                    'or of one domain.',
        epilog='Exit status: 0 success, 1 failure, 2 usage, 3 no such domain, '
               '4 refused XML.')
    parser.add_argument('-c', '--connect', metavar='URI', help='the libvirt connection URI')
    parser.add_argument('--xml', metavar='FILE',
                        help="read a domain XML document instead ('-' for standard input)")
    parser.add_argument('args', nargs='*', metavar='URI DOMAIN',
                        help='the connection URI, unless --connect gives it, and a domain')
    args = parser.parse_args()

    positionals = list(args.args)
    if args.xml is not None:
        if positionals or args.connect:
            parser.error('--xml takes no connection or domain')
    else:
        uri = args.connect or (positionals.pop(0) if positionals else None)
        if uri is None:
            parser.error('give a connection URI, such as qemu:///system')
        if len(positionals) > 1:
            parser.error('too many arguments')

    try:
        if args.xml is not None:
            list_xml(args.xml)
        else:
            list_connection(uri, positionals[0] if positionals else None)
    except GLib.Error as error:
        print(f'{parser.prog}: {error.message}', file=sys.stderr)
        return exit_status(error)
    except OSError as error:
        print(f'{parser.prog}: {error}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
