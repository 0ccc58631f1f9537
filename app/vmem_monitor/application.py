# SPDX-License-Identifier: LGPL-2.1-or-later
"""The application: its command line (the libvirt URIs to follow) and its
actions (app.add-connection, app.reopen-connection, app.quit)."""

import sys

import gi

gi.require_version('Adw', '1')
gi.require_version('Gtk', '4.0')
from gi.repository import Adw, Gio, GLib  # noqa: E402

from . import APP_ID, logic  # noqa: E402
from .window import MonitorWindow  # noqa: E402

USAGE = """Usage: vmem-monitor [URI...]

Shows the memory devices of the domains of each libvirt URI, live, and
resizes and hot-plugs them. More connections can be added from the window.

  vmem-monitor qemu:///system qemu+ssh://root@host/system
"""


class MonitorApplication(Adw.Application):
    __gtype_name__ = 'VmemMonitorApplication'

    def __init__(self, application_id=APP_ID, flags=Gio.ApplicationFlags.HANDLES_COMMAND_LINE):
        super().__init__(application_id=application_id, flags=flags)
        self.hosts = logic.HostList()
        self.window = None
        for name, callback, param in [
                ('add-connection', lambda p: self.hosts.add(p.unpack()), 's'),
                ('reopen-connection', self._reopen, 's'),
                ('quit', lambda p: self.quit(), None)]:
            action = Gio.SimpleAction(name=name, parameter_type=param and GLib.VariantType(param))
            action.connect('activate', lambda a, p, cb=callback: cb(p))
            self.add_action(action)
        self.set_accels_for_action('app.quit', ['<Control>q'])
        self.set_accels_for_action('win.add-connection', ['<Control>n'])

    def _reopen(self, param):
        host = self.hosts.find(param.unpack())
        if host is not None:
            host.open()

    def do_activate(self):
        if self.window is None:
            self.window = MonitorWindow(self, self.hosts)
        self.window.present()

    def do_command_line(self, command_line):
        args = command_line.get_arguments()[1:]
        if any(arg in ('-h', '--help') for arg in args):
            command_line.print_literal(USAGE)
            return 0
        unknown = [arg for arg in args if arg.startswith('-')]
        if unknown:
            command_line.printerr_literal(f'vmem-monitor: unknown option {unknown[0]}\n{USAGE}')
            return 2
        for uri in args:
            self.hosts.add(uri)
        self.activate()
        return 0

    def do_shutdown(self):
        for host in self.hosts:
            host.close()
        Adw.Application.do_shutdown(self)


def main(argv=None):
    argv = sys.argv if argv is None else argv
    # Before GTK needs a display.
    if any(arg in ('-h', '--help') for arg in argv[1:]):
        print(USAGE, end='')
        return 0
    return MonitorApplication().run(argv)
