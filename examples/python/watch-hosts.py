#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Watch the domains and virtio-mem devices of several libvirt hosts at
# once: one Vmem.Connection per host, all opened concurrently and all
# followed on one main loop. Prints what each host has as soon as it
# answers, then a line for each domain added or removed and for each size
# change, every line prefixed with its host; reopens a connection that
# closed. Until Ctrl-C, N size changes (--count), or every connection
# closed with --reopen-interval 0; --once prints the domains and exits.
#
#   ./watch-hosts.py qemu+ssh://root@host1/system qemu+ssh://root@host2/system
#   ./watch-hosts.py --once qemu:///system test:///default
#
# Output (the host is the URI's host[:port], or a local URI without its
# query):
#
#   host1: 2 domains
#   host1: guest running, virtiomem0 requested 1GiB, current 640MiB
#   host1: plain shutoff, no virtio-mem device
#   host2: 0 domains
#   host1: guest virtiomem0 1GiB
#   host2: new-guest added
#   host1: closed (eof), reopening every 2 s
#   host1: back, 2 domains
#
# Exit status: 0 stopped as asked, 2 usage error, 3 no host could be
# opened (each host that cannot be is said on stderr; the others are
# watched).

import argparse
import signal
import sys

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem  # noqa: E402


def plural(n, word):
    return f'{n} {word}{"" if n == 1 else "s"}'


def host_label(uri):
    """The URI's host[:port], or for a URI without a host (qemu:///system)
    the URI without its query."""
    try:
        parsed = GLib.Uri.parse(uri, GLib.UriFlags.NONE)
    except GLib.Error:
        return uri
    host = parsed.get_host()
    if not host:
        return parsed.to_string_partial(GLib.UriHideFlags.QUERY)
    if ':' in host:
        host = f'[{host}]'  # an IPv6 address
    return host if parsed.get_port() == -1 else f'{host}:{parsed.get_port()}'


class Host:
    """One libvirt host: its connection, and the lines it prints."""

    def __init__(self, watch, uri):
        self.watch = watch
        self.label = host_label(uri)
        self.connection = Vmem.Connection.new(uri)
        self.last_error = None
        # The connection stays the same object when it closes and opens
        # again, and so do its domains: its handlers are connected once.
        self.connection.connect('domain-added', self.on_domain_added)
        self.connection.connect('domain-removed', self.on_domain_removed)
        self.connection.connect('memory-device-size-changed', self.on_size_changed)
        self.connection.connect('closed', self.on_closed)

    def say(self, text, file=sys.stdout):
        # Events that were already queued when the watch stopped go unsaid.
        if self.watch.done:
            return
        print(f'{self.label}: {text}', file=file, flush=True)

    def open(self, done):
        """Opens the connection, on a worker thread; the callback comes
        back to this thread's main loop, which then calls done(opened)."""
        self.connection.open_async(None, self.on_opened, done)

    def on_opened(self, connection, result, done):
        try:
            connection.open_finish(result)
        except GLib.Error as error:
            self.say(error.message, file=sys.stderr)
            done(False)
            return
        self.print_domains()
        done(True)

    def print_domains(self):
        # Opening read every domain into the connection's live model.
        domains = sorted(self.connection.get_domains(), key=lambda d: d.props.name)
        self.say(plural(len(domains), 'domain'))
        for domain in domains:
            name, state = domain.props.name, domain.props.state.value_nick
            devices = [d for d in domain.get_memory_devices() if isinstance(d, Vmem.VirtioMem)]
            if not devices:
                self.say(f'{name} {state}, no virtio-mem device')
            for device in devices:
                # Only a running guest has a current size.
                current = Vmem.size_format(device.props.current_size) if domain.is_active() else '-'
                self.say(f'{name} {state}, {device.props.alias or "-"} requested '
                         f'{Vmem.size_format(device.props.requested_size)}, current {current}')

    def on_domain_added(self, connection, domain):
        self.say(f'{domain.props.name} added')

    def on_domain_removed(self, connection, domain):
        self.say(f'{domain.props.name} removed')

    def on_size_changed(self, connection, domain, device, size):
        self.say(f'{domain.props.name} {device.props.alias or "-"} {Vmem.size_format(size)}')
        self.watch.size_changed()

    def on_closed(self, connection, reason):
        # CLIENT: close() was called, when the watch ends.
        if reason == Vmem.CloseReason.CLIENT:
            return
        # The model is empty now; reopening fills it again.
        interval = self.watch.reopen_interval
        if interval:
            self.say(f'closed ({reason.value_nick}), reopening every {interval} s')
            GLib.timeout_add_seconds(interval, self.reopen)
        else:
            self.say(f'closed ({reason.value_nick})')
            self.watch.end_if_all_closed()

    def reopen(self):
        self.connection.open_async(None, self.on_reopened)
        return GLib.SOURCE_REMOVE

    def on_reopened(self, connection, result):
        try:
            connection.open_finish(result)
        except GLib.Error as error:
            # Each new error once, not at every try.
            if error.message != self.last_error:
                self.say(error.message, file=sys.stderr)
            self.last_error = error.message
            GLib.timeout_add_seconds(self.watch.reopen_interval, self.reopen)
            return
        self.last_error = None
        # The same domain objects as before, in one change of the model
        # and without domain-added.
        self.say(f'back, {plural(connection.get_domains().get_n_items(), "domain")}')


class Watch:
    """The hosts, and when the watch ends."""

    def __init__(self, uris, once, count, reopen_interval):
        self.hosts = [Host(self, uri) for uri in uris]
        self.once = once
        self.count = count
        self.reopen_interval = reopen_interval
        self.answers = []
        self.changes = 0
        self.status = 0
        self.done = False
        self.loop = GLib.MainLoop()

    def stop(self, status):
        if not self.done:
            self.done = True
            self.status = status
            self.loop.quit()
        return GLib.SOURCE_REMOVE

    def host_answered(self, opened):
        self.answers.append(opened)
        if len(self.answers) < len(self.hosts):
            return
        if not any(self.answers):
            self.stop(3)
        elif self.once:
            self.stop(0)
        else:
            # On stderr, so that scripts know when the watch starts.
            print(f'Watching {plural(sum(self.answers), "host")}; Ctrl-C stops.',
                  file=sys.stderr, flush=True)
            self.end_if_all_closed()

    def end_if_all_closed(self):
        """Without reopening, the watch ends with the last connection
        (once every host has answered)."""
        if self.reopen_interval == 0 and len(self.answers) == len(self.hosts) and \
                not any(host.connection.is_open() for host in self.hosts):
            self.stop(0)

    def size_changed(self):
        self.changes += 1
        if self.count and self.changes >= self.count:
            self.stop(0)

    def run(self):
        # Ctrl-C and SIGTERM call self.stop(0).
        for signum in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, self.stop, 0)
        # Every host opens at once; the connections signal on this
        # thread's main context, so one loop serves them all.
        for host in self.hosts:
            host.open(self.host_answered)
        self.loop.run()

        for host in self.hosts:
            host.connection.close()
        return self.status


def main():
    parser = argparse.ArgumentParser(
        usage='%(prog)s [-h] [--once] [--count N] [--reopen-interval SECONDS] URI [URI...]',
        description='Print the domains and virtio-mem devices of several libvirt hosts, '
                    'then their changes, until interrupted.',
        epilog='Exit status: 0 success, 2 usage, 3 no host could be opened.')
    parser.add_argument('--once', action='store_true',
                        help='print the domains of each host and exit')
    parser.add_argument('--count', metavar='N', type=int, default=0,
                        help='stop after N size changes')
    parser.add_argument('--reopen-interval', metavar='SECONDS', type=int, default=2,
                        help='reopen a closed connection every SECONDS (default 2, 0: never)')
    parser.add_argument('uris', nargs='*', metavar='URI', help='a libvirt connection URI')
    args = parser.parse_args()

    if not args.uris:
        parser.error('give one connection URI or more')
    for option, value in (('--count', args.count), ('--reopen-interval', args.reopen_interval)):
        if value < 0:
            parser.error(f'{option} needs a positive number')

    return Watch(args.uris, args.once, args.count, args.reopen_interval).run()


if __name__ == '__main__':
    sys.exit(main())
