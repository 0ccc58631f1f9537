# SPDX-License-Identifier: LGPL-2.1-or-later
"""The window's dialogs: adding a connection, and hot-plugging a DIMM.
Both keep their input until the library or libvirt accepts it, and show a
refusal inline."""

import gi

gi.require_version('Adw', '1')
from gi.repository import Adw, GLib, Gtk, Vmem  # noqa: E402

from . import logic  # noqa: E402


class FormDialog(Adw.Window):
    """A small modal window: a title bar with Cancel and an action button,
    a form, and a line for what was refused."""

    def __init__(self, parent, title, action_label):
        super().__init__(transient_for=parent, application=parent.get_application(),
                         modal=True, title=title,
                         default_width=420, hide_on_close=False)
        header = Adw.HeaderBar(show_end_title_buttons=False, show_start_title_buttons=False)
        cancel = Gtk.Button(label='Cancel')
        cancel.connect('clicked', lambda button: self.close())
        self.accept = Gtk.Button(label=action_label)
        self.accept.add_css_class('suggested-action')
        self.accept.connect('clicked', lambda button: self.on_accept())
        header.pack_start(cancel)
        header.pack_end(self.accept)
        self.form = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12,
                            margin_top=18, margin_bottom=18, margin_start=18, margin_end=18)
        self.fields = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12)
        self.refusal = Gtk.Label(xalign=0, wrap=True, visible=False)
        self.refusal.add_css_class('error')
        self.form.append(self.fields)
        self.form.append(self.refusal)
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        box.append(header)
        box.append(self.form)
        self.set_content(box)

    def add_field(self, label, widget):
        row = Gtk.Box(spacing=12)
        row.append(Gtk.Label(label=label, xalign=0, width_chars=12))
        widget.set_hexpand(True)
        row.append(widget)
        self.fields.append(row)
        return widget

    def refuse(self, message):
        self.refusal.set_label(message or '')
        self.refusal.set_visible(bool(message))
        self.accept.set_sensitive(True)

    def on_accept(self):
        raise NotImplementedError


class AddConnectionDialog(FormDialog):
    """A libvirt URI to follow. The dialog closes when the connection
    opens; a refusal (unreachable, authentication, certificate) is shown
    and the URI stays to be corrected."""

    def __init__(self, parent, hosts):
        super().__init__(parent, 'Add Connection', 'Connect')
        self.hosts = hosts
        self.entry = self.add_field('URI', Gtk.Entry(placeholder_text='qemu+ssh://root@host/system'))
        self.entry.connect('activate', lambda entry: self.on_accept())

    def on_accept(self):
        uri = self.entry.get_text().strip()
        if not uri:
            self.refuse('Type a libvirt URI, such as qemu:///system.')
            return
        self.accept.set_sensitive(False)
        self.refuse(None)
        self.hosts.add(uri, self._on_opened)

    def _on_opened(self, host, error):
        if error is None:
            self.close()
        else:
            # The host stays in the list, closed, to be reopened later.
            self.refuse(error.message)


class HotplugDimmDialog(FormDialog):
    """A DIMM for a running domain: its size and NUMA node, checked by the
    library, then hot-plugged with vmem_domain_attach_device_async()."""

    def __init__(self, parent, domain):
        super().__init__(parent, f'Hot-plug a DIMM into {domain.props.name}', 'Plug')
        self.domain = domain
        self.size = self.add_field('Size', Gtk.Entry(text='128 MiB'))
        nodes = max(1, domain.get_numa_nodes().get_n_items())
        self.node = self.add_field('NUMA node', Gtk.SpinButton.new_with_range(0, nodes - 1, 1))
        self.headroom = Gtk.Label(xalign=0, wrap=True)
        self.headroom.add_css_class('dim-label')
        self.form.append(self.headroom)
        self.headroom.set_label(f'Hot-plug headroom {logic.size_text(domain.props.hotplug_headroom)}, '
                                f'{logic.plural(domain.props.free_memory_slots, "free slot")}')
        self.size.connect('activate', lambda entry: self.on_accept())

    def on_accept(self):
        dimm, message = logic.parse_dimm(self.size.get_text(), int(self.node.get_value()))
        if dimm is None:
            self.refuse(message)
            return
        self.accept.set_sensitive(False)
        self.refuse(None)
        self.domain.attach_device_async(dimm, Vmem.AffectFlags.LIVE, None, self._on_attached)

    def _on_attached(self, domain, result):
        try:
            domain.attach_device_finish(result)
        except GLib.Error as error:
            self.refuse(error.message)
            return
        self.close()
