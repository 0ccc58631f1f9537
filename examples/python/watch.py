#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Print every size change libvirt reports for the memory devices of every
# domain of a connection (or of one), with a timestamp, until Ctrl-C, N
# changes (--count) or S seconds (--timeout); then the size each
# virtio-mem device was left with.
#
#   ./watch.py qemu:///system
#   ./watch.py --connect qemu:///system guest --count 2
#
# Output, one line per change, then one per virtio-mem device:
#
#   2026-12-02T07:50:01.482913Z guest virtiomem0 640MiB
#   guest virtiomem0 has 1GiB
#
# Exit status: 0 stopped as asked, 1 libvirt or another failure (the
# connection closed), 2 usage error, 3 no such domain.

import argparse
import signal
import sys

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem  # noqa: E402


class Watch:
    def __init__(self, connection, domain, count):
        self.connection = connection
        # One domain, or every domain of the connection, those defined
        # while the watch runs included.
        self.domain = domain
        self.count = count
        self.seen = 0
        self.error = None
        self.loop = GLib.MainLoop()

    def on_size_changed(self, domain, device, size):
        # GLib's clock and ISO 8601 format, as gjs and C programs print it.
        now = GLib.DateTime.new_now_utc().format_iso8601()
        print(f'{now} {domain.props.name} {device.props.alias or "-"} '
              f'{Vmem.size_format(size)}', flush=True)
        self.seen += 1
        if self.count and self.seen >= self.count:
            self.loop.quit()

    def on_closed(self, connection, reason):
        self.error = f'The connection to libvirt closed ({reason.value_nick})'
        self.loop.quit()

    def on_stop(self, *args):
        self.loop.quit()
        return GLib.SOURCE_REMOVE

    def run(self, timeout):
        if self.domain is not None:
            handlers = [(self.domain, self.domain.connect('memory-device-size-changed',
                                                          self.on_size_changed))]
        else:
            handlers = [(self.connection, self.connection.connect(
                'memory-device-size-changed', lambda conn, domain, device, size:
                    self.on_size_changed(domain, device, size)))]
        handlers.append((self.connection, self.connection.connect('closed', self.on_closed)))
        sources = [GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, self.on_stop)
                   for signum in (signal.SIGINT, signal.SIGTERM)]
        if timeout:
            sources.append(GLib.timeout_add_seconds(timeout, self.on_stop))

        # On stderr, so that scripts know when changes start to count.
        n = 1 if self.domain is not None else self.connection.get_domains().get_n_items()
        print(f'Watching the memory devices of {n} domain{"" if n == 1 else "s"}; '
              'Ctrl-C stops.', file=sys.stderr, flush=True)
        self.loop.run()

        for source in sources:
            # Those that fired are gone already.
            if GLib.main_context_default().find_source_by_id(source):
                GLib.source_remove(source)
        for obj, handler in handlers:
            obj.disconnect(handler)

        if self.error is not None:
            print(self.error, file=sys.stderr)
            return 1

        domains = [self.domain] if self.domain is not None else self.connection.get_domains()
        for domain in sorted(domains, key=lambda d: d.props.name):
            for device in domain.get_memory_devices():
                if isinstance(device, Vmem.VirtioMem) and domain.is_active():
                    print(f'{domain.props.name} {device.props.alias} has '
                          f'{Vmem.size_format(device.props.current_size)}')
        return 0


def main():
    parser = argparse.ArgumentParser(
        usage='%(prog)s [-h] [--count N] [--timeout S] [-c URI | URI] [DOMAIN]',
        description='Print the size changes of memory devices as libvirt reports them, '
                    'with a timestamp, until interrupted.',
        epilog='Exit status: 0 success, 1 failure, 2 usage, 3 no such domain.')
    parser.add_argument('-c', '--connect', metavar='URI', help='the libvirt connection URI')
    parser.add_argument('--count', metavar='N', type=int, default=0,
                        help='stop after N size changes')
    parser.add_argument('--timeout', metavar='S', type=int, default=0,
                        help='stop after S seconds')
    parser.add_argument('args', nargs='*', metavar='URI DOMAIN',
                        help='the connection URI, unless --connect gives it, and a domain')
    args = parser.parse_args()

    positionals = list(args.args)
    uri = args.connect or (positionals.pop(0) if positionals else None)
    if uri is None or len(positionals) > 1:
        parser.error('give a connection URI and, optionally, a domain')
    if args.count < 0 or args.timeout < 0:
        parser.error('--count and --timeout need positive numbers')

    try:
        connection = Vmem.Connection.new(uri)
        connection.open(None)
        domain = connection.lookup_domain(positionals[0]) if positionals else None
    except GLib.Error as error:
        print(f'{parser.prog}: {error.message}', file=sys.stderr)
        return 3 if error.matches(Vmem.error_quark(), Vmem.Error.NOT_FOUND) else 1

    try:
        return Watch(connection, domain, args.count).run(args.timeout)
    finally:
        connection.close()


if __name__ == '__main__':
    sys.exit(main())
