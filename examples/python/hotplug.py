#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Hot-plug a DIMM into a running guest, or remove one, waiting until the
# guest released it.
#
#   ./hotplug.py attach qemu:///system guest --size 1GiB --node 0
#   ./hotplug.py detach --connect qemu:///system guest dimm0 --timeout 30
#
# attach prints the alias libvirt gave the new device ("dimm0: attached
# (dimm, 1GiB, node 0)"), detach prints "dimm0: detached".
#
# Exit status: 0 success, 1 libvirt or another failure (the guest did not
# release the DIMM in time), 2 usage error, 3 no such domain or device,
# 4 refused size, 6 interrupted (Ctrl-C).

import argparse
import signal
import sys

import gi

gi.require_version('Vmem', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import GLib, Gio, Vmem  # noqa: E402

REFUSED = (Vmem.Error.INVALID_SIZE, Vmem.Error.OVERFLOW, Vmem.Error.NOT_ALIGNED,
           Vmem.Error.OUT_OF_RANGE, Vmem.Error.UNSUPPORTED_MODEL, Vmem.Error.INVALID_CONFIG)


def exit_status(error):
    """The exit status for an error: what went wrong, not where."""
    if error.matches(Vmem.error_quark(), Vmem.Error.NOT_FOUND):
        return 3
    if any(error.matches(Vmem.error_quark(), code) for code in REFUSED):
        return 4
    if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
        return 6
    return 1


def attach(domain, size, node):
    dimm = Vmem.Dimm.new()
    dimm.props.size = size
    dimm.props.node = node
    # Refused here, with the library's reasons, before libvirt is asked.
    dimm.validate()

    # The device as the domain now shows it, with the alias libvirt gave it.
    added = domain.attach_device(dimm, Vmem.AffectFlags.LIVE, None)
    where = f', node {node}' if node >= 0 else ''
    print(f'{added.props.alias or "a new DIMM"}: attached '
          f'(dimm, {Vmem.size_format(size)}{where})')
    return 0


def detach(domain, alias, timeout):
    if domain.find_memory_device(alias) is None:
        raise GLib.Error.new_literal(
            Vmem.error_quark(), f"Domain '{domain.props.name}' has no memory device '{alias}'",
            Vmem.Error.NOT_FOUND)

    loop = GLib.MainLoop()
    cancellable = Gio.Cancellable()
    outcome = {}

    def on_done(domain, result):
        try:
            domain.detach_device_finish(result)
        except GLib.Error as error:
            outcome['error'] = error
        loop.quit()

    def on_timeout():
        outcome['timed_out'] = True
        cancellable.cancel()
        return GLib.SOURCE_REMOVE

    def on_interrupt():
        cancellable.cancel()
        return GLib.SOURCE_REMOVE

    sources = [GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, on_interrupt)]
    if timeout:
        sources.append(GLib.timeout_add_seconds(timeout, on_timeout))
    # Completes once the guest released the device and libvirt said so.
    domain.detach_device_async(alias, Vmem.AffectFlags.LIVE, cancellable, on_done)
    loop.run()
    for source in sources:
        if GLib.main_context_default().find_source_by_id(source):
            GLib.source_remove(source)

    error = outcome.get('error')
    if error is None:
        print(f'{alias}: detached')
        return 0
    if outcome.get('timed_out'):
        # Either way libvirt was asked: the guest may still let it go.
        print(f'The guest did not release {alias} in {timeout} s; it may still do so later',
              file=sys.stderr)
        return 1
    if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
        print(f'Interrupted: the removal of {alias} was asked for; the guest may still '
              'release it', file=sys.stderr)
    else:
        print(f'Cannot detach {alias}: {error.message}', file=sys.stderr)
    return exit_status(error)


def main():
    parser = argparse.ArgumentParser(
        description='Hot-plug a DIMM into a running domain, or remove one.',
        epilog='Exit status: 0 success, 1 failure, 2 usage, 3 no such domain or device, '
               '4 refused size, 6 interrupted.')
    commands = parser.add_subparsers(dest='command', required=True, metavar='attach|detach')
    connect = argparse.ArgumentParser(add_help=False)
    connect.add_argument('-c', '--connect', metavar='URI', help='the libvirt connection URI')

    attach_parser = commands.add_parser(
        'attach', parents=[connect], help='hot-plug a DIMM',
        usage='%(prog)s [-h] --size SIZE [--node N] [-c URI | URI] DOMAIN')
    attach_parser.add_argument('--size', required=True, help='its size, such as 512MiB')
    attach_parser.add_argument('--node', type=int, default=-1, metavar='N',
                               help='the guest NUMA node')
    attach_parser.add_argument('args', nargs='*', metavar='URI DOMAIN',
                               help='the connection URI, unless --connect gives it, '
                                    'and the domain')

    detach_parser = commands.add_parser(
        'detach', parents=[connect], help='remove a DIMM, waiting for the guest',
        usage='%(prog)s [-h] [--timeout S] [-c URI | URI] DOMAIN ALIAS')
    detach_parser.add_argument('--timeout', type=int, default=0, metavar='S',
                               help='stop waiting for the guest after S seconds')
    detach_parser.add_argument('args', nargs='*', metavar='URI DOMAIN ALIAS',
                               help='the connection URI, unless --connect gives it, '
                                    'the domain and the alias of the DIMM')
    args = parser.parse_args()

    sub = attach_parser if args.command == 'attach' else detach_parser
    positionals = list(args.args)
    uri = args.connect or (positionals.pop(0) if positionals else None)
    if uri is None or len(positionals) != (1 if args.command == 'attach' else 2):
        sub.error('give a connection URI, a domain' +
                  (' and the alias of the DIMM' if args.command == 'detach' else ''))

    try:
        size = Vmem.size_parse(args.size) if args.command == 'attach' else 0
        connection = Vmem.Connection.new(uri)
        connection.open(None)
        domain = connection.lookup_domain(positionals[0])
        if args.command == 'attach':
            return attach(domain, size, args.node)
        return detach(domain, positionals[1], args.timeout)
    except GLib.Error as error:
        print(f'{sub.prog}: {error.message}', file=sys.stderr)
        return exit_status(error)


if __name__ == '__main__':
    sys.exit(main())
