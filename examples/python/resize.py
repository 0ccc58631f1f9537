#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Resize a virtio-mem device of a running guest and wait until the guest
# has the memory, printing each size it reports on the way.
#
#   ./resize.py qemu:///system guest virtiomem0 4GiB
#   ./resize.py --connect qemu:///system guest virtiomem0 512MiB
#
# A guest that stops making progress (no virtio-mem driver, paused, out of
# movable memory) fails the resize with Vmem.Error.STALLED.
#
# Exit status: 0 the guest has the size, 1 libvirt or another failure,
# 2 usage error, 3 no such domain or device, 4 refused size, 5 the guest
# stalled, 6 interrupted (Ctrl-C).

import argparse
import signal
import sys

import gi

gi.require_version('Vmem', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import GLib, Gio, Vmem  # noqa: E402

REFUSED = (Vmem.Error.INVALID_SIZE, Vmem.Error.OVERFLOW, Vmem.Error.NOT_ALIGNED,
           Vmem.Error.OUT_OF_RANGE, Vmem.Error.UNSUPPORTED_MODEL)


def exit_status(error):
    """The exit status for an error: what went wrong, not where."""
    def vmem(code):
        return error.matches(Vmem.error_quark(), code)

    if vmem(Vmem.Error.NOT_FOUND):
        return 3
    if any(vmem(code) for code in REFUSED):
        return 4
    if vmem(Vmem.Error.STALLED):
        return 5
    if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
        return 6
    return 1


class Resize:
    """Resizes @device to @target, printing the progress the domain
    signals, until the guest has it, stalls or Ctrl-C."""

    def __init__(self, domain, device, target):
        self.domain = domain
        self.device = device
        self.alias = device.props.alias
        self.target = target
        self.error = None
        self.loop = GLib.MainLoop()
        self.cancellable = Gio.Cancellable()

    def on_size_changed(self, domain, device, size):
        # The signal comes for every memory device of the domain.
        if device == self.device:
            print(f'{self.alias}: {Vmem.size_format(size)} / {Vmem.size_format(self.target)}',
                  flush=True)

    def on_interrupt(self):
        # Cancelling stops the waiting, not the resize.
        self.cancellable.cancel()
        return GLib.SOURCE_CONTINUE

    def on_done(self, device, result):
        try:
            device.resize_finish(result)
        except GLib.Error as error:
            self.error = error
        self.loop.quit()

    def run(self):
        start = self.device.props.current_size
        print(f'{self.alias}: {Vmem.size_format(start)} -> {Vmem.size_format(self.target)}',
              flush=True)
        handler = self.domain.connect('memory-device-size-changed', self.on_size_changed)
        sigint = GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, self.on_interrupt)
        self.device.resize_async(self.target, self.cancellable, self.on_done)
        self.loop.run()
        GLib.source_remove(sigint)
        self.domain.disconnect(handler)

        current = Vmem.size_format(self.device.props.current_size)
        wanted = Vmem.size_format(self.target)
        if self.error is None:
            print(f'{self.alias} has {current}')
            return 0

        status = exit_status(self.error)
        if status == 5:
            print(f'The guest stalled: {self.error.message}', file=sys.stderr)
        elif status == 6:
            print(f'Interrupted: {self.alias} is usable with {current} plugged; the guest '
                  f'was asked for {wanted} and may still get there', file=sys.stderr)
        else:
            print(f'Cannot resize {self.alias}: {self.error.message}', file=sys.stderr)
        return status


def find_virtio_mem(domain, alias):
    device = domain.find_memory_device(alias)
    if device is None:
        raise GLib.Error.new_literal(
            Vmem.error_quark(), f"Domain '{domain.props.name}' has no memory device '{alias}'",
            Vmem.Error.NOT_FOUND)
    if not isinstance(device, Vmem.VirtioMem):
        raise GLib.Error.new_literal(
            Vmem.error_quark(),
            f"'{alias}' is not a virtio-mem device: only virtio-mem devices resize",
            Vmem.Error.UNSUPPORTED_MODEL)
    return device


def main():
    parser = argparse.ArgumentParser(
        usage='%(prog)s [-h] [--stall-timeout MS] [-c URI | URI] DOMAIN ALIAS SIZE',
        description='Resize a virtio-mem device of a running domain and wait until the '
                    'guest has the memory. SIZE is a number and a unit, such as 1GiB.',
        epilog='Exit status: 0 success, 1 failure, 2 usage, 3 no such domain or device, '
               '4 refused size, 5 the guest stalled, 6 interrupted.')
    parser.add_argument('-c', '--connect', metavar='URI', help='the libvirt connection URI')
    parser.add_argument('--stall-timeout', metavar='MS', type=int,
                        help='give up when the guest makes no progress for MS milliseconds')
    parser.add_argument('args', nargs='*', metavar='URI DOMAIN ALIAS SIZE',
                        help='the connection URI, unless --connect gives it, the domain, '
                             'the device alias and the size')
    args = parser.parse_args()

    positionals = list(args.args)
    uri = args.connect or (positionals.pop(0) if positionals else None)
    if uri is None or len(positionals) != 3:
        parser.error('give a connection URI, a domain, a device alias and a size')
    name, alias, size_text = positionals
    if args.stall_timeout is not None and args.stall_timeout <= 0:
        parser.error('--stall-timeout needs a positive number of milliseconds')

    try:
        # A bad size is refused before libvirt is even asked.
        size = Vmem.size_parse(size_text)
        connection = Vmem.Connection.new(uri)
        connection.open(None)
        domain = connection.lookup_domain(name)
        device = find_virtio_mem(domain, alias)
        device.check_requested_size(size)
        if args.stall_timeout is not None:
            device.props.stall_timeout = args.stall_timeout
    except GLib.Error as error:
        print(f'{parser.prog}: {error.message}', file=sys.stderr)
        return exit_status(error)

    return Resize(domain, device, size).run()


if __name__ == '__main__':
    sys.exit(main())
