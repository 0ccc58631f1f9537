# SPDX-License-Identifier: LGPL-2.1-or-later
"""The main window: hosts and their domains on the left, the selected
domain on the right, with its memory figures, its NUMA nodes and its
memory devices.

Every list is bound to the library's live models as they are: the
sidebar is a GtkTreeListModel whose children are each connection's
VmemConnection:domains; the domain's devices and NUMA nodes are its
VmemDomain:memory-devices and VmemDomain:numa-nodes. What libvirt does,
whoever asked for it, shows up through those models and the objects'
notifications; the window copies nothing into models of its own.

Each button runs one of the window's actions (win.resize-device,
win.cancel-resize, win.remove-device, win.hotplug-dimm, win.add-connection,
win.select-domain), which is also the path a script or a test takes."""

import gi

gi.require_version('Adw', '1')
gi.require_version('Gtk', '4.0')
from gi.repository import Adw, Gio, GLib, Gtk, Vmem  # noqa: E402

from . import dialogs, logic  # noqa: E402
from .widgets import DeviceRow, Handlers, SidebarRow, dim_label  # noqa: E402

# The figures of a domain (VmemDomain) or of its memory (VmemMemoryUsage):
# (title, object, property).
DOMAIN_FIGURES = [
    ('Guest RAM', 'memory', 'total'),
    ('Boot memory', 'memory', 'base'),
    ('virtio-mem plugged', 'memory', 'virtio-mem'),
    ('virtio-mem requested', 'memory', 'virtio-mem-requested'),
    ('virtio-mem maximum', 'memory', 'virtio-mem-maximum'),
    ('DIMMs', 'memory', 'dimm'),
    ('Maximum memory', 'domain', 'max-memory'),
    ('Hot-plug headroom', 'domain', 'hotplug-headroom'),
    ('Free slots', 'domain', 'free-memory-slots'),
]

NUMA_COLUMNS = [
    ('Node', 'node'),
    ('Boot memory', 'base'),
    ('virtio-mem', 'virtio-mem'),
    ('Requested', 'virtio-mem-requested'),
    ('Maximum', 'virtio-mem-maximum'),
    ('DIMMs', 'dimm'),
    ('Total', 'total'),
]


def figure_text(obj, prop):
    value = obj.get_property(prop)
    if prop == 'node':
        return logic.node_label(value)
    if prop in ('free-memory-slots', 'memory-slots'):
        return str(value)
    return logic.size_text(value)


class Figure(Gtk.Box):
    """A title and a value, as a tile of the domain's figures."""

    def __init__(self, title):
        super().__init__(orientation=Gtk.Orientation.VERTICAL, spacing=2,
                         margin_start=6, margin_end=18)
        caption = dim_label(title)
        caption.add_css_class('caption')
        self.value = Gtk.Label(xalign=0)
        self.value.add_css_class('title-4')
        self.append(caption)
        self.append(self.value)


class DomainView(Gtk.Box):
    """One domain: its figures, its NUMA nodes and its memory devices."""

    def __init__(self, window):
        super().__init__(orientation=Gtk.Orientation.VERTICAL, spacing=12,
                         margin_top=18, margin_bottom=18, margin_start=18, margin_end=18)
        self.window = window
        self.domain = None
        self.handlers = Handlers()

        header = Gtk.Box(spacing=12)
        titles = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, hexpand=True)
        self.name = Gtk.Label(xalign=0)
        self.name.add_css_class('title-2')
        self.state = dim_label()
        titles.append(self.name)
        titles.append(self.state)
        self.hotplug = Gtk.Button(label='Hot-plug DIMM…', action_name='win.hotplug-dimm',
                                  valign=Gtk.Align.CENTER)
        header.append(titles)
        header.append(self.hotplug)
        self.append(header)

        self.figures = {}
        flow = Gtk.FlowBox(selection_mode=Gtk.SelectionMode.NONE, max_children_per_line=5,
                           min_children_per_line=3, row_spacing=12, column_spacing=6)
        for title, source, prop in DOMAIN_FIGURES:
            figure = Figure(title)
            self.figures[(source, prop)] = figure
            flow.append(figure)
        self.append(flow)

        self.append(self._heading('NUMA nodes'))
        self.numa = Gtk.ColumnView(reorderable=False)
        self.numa.add_css_class('data-table')
        for title, prop in NUMA_COLUMNS:
            self.numa.append_column(self._numa_column(title, prop))
        frame = Gtk.Frame(child=self.numa)
        self.append(frame)

        self.append(self._heading('Memory devices'))
        factory = Gtk.SignalListItemFactory()
        factory.connect('setup', lambda f, item: item.set_child(DeviceRow(self.window)))
        factory.connect('bind', lambda f, item: item.get_child().bind(item.get_item()))
        factory.connect('unbind', lambda f, item: item.get_child().unbind())
        self.devices = Gtk.ListView(factory=factory, show_separators=True)
        self.devices.add_css_class('boxed-list')
        scrolled = Gtk.ScrolledWindow(child=self.devices, vexpand=True,
                                      hscrollbar_policy=Gtk.PolicyType.NEVER)
        self.append(Gtk.Frame(child=scrolled, vexpand=True))

    @staticmethod
    def _heading(text):
        label = Gtk.Label(label=text, xalign=0)
        label.add_css_class('heading')
        return label

    @staticmethod
    def _numa_column(title, prop):
        def bind(factory, item):
            label, usage = item.get_child(), item.get_item()
            label.set_label(figure_text(usage, prop))
            label.handler = usage.connect(f'notify::{prop}',
                                          lambda obj, pspec: label.set_label(figure_text(obj, prop)))

        def unbind(factory, item):
            item.get_item().disconnect(item.get_child().handler)

        factory = Gtk.SignalListItemFactory()
        factory.connect('setup', lambda f, item: item.set_child(Gtk.Label(xalign=0)))
        factory.connect('bind', bind)
        factory.connect('unbind', unbind)
        return Gtk.ColumnViewColumn(title=title, factory=factory, expand=True)

    def show(self, domain):
        self.handlers.clear()
        self.domain = domain
        if domain is None:
            self.numa.set_model(None)
            self.devices.set_model(None)
            return
        # The library's own live models, bound as they are.
        self.numa.set_model(Gtk.NoSelection(model=domain.get_numa_nodes()))
        self.devices.set_model(Gtk.NoSelection(model=domain.get_memory_devices()))
        self.handlers.connect(domain, 'notify', self._on_notify)
        self.handlers.connect(domain.get_memory(), 'notify', self._on_notify)
        self._show_all()

    def _on_notify(self, obj, pspec):
        self._show_all()

    def _show_all(self):
        domain = self.domain
        self.name.set_label(domain.props.name)
        self.state.set_label(f'{domain.props.state.value_nick} · '
                             f'{domain.props.connection.props.uri}')
        sources = {'domain': domain, 'memory': domain.get_memory()}
        for (source, prop), figure in self.figures.items():
            text = figure_text(sources[source], prop)
            if prop == 'free-memory-slots':
                text = f'{text} of {domain.props.memory_slots}'
            figure.value.set_label(text)
        self.window.update_actions()


class MonitorWindow(Adw.ApplicationWindow):
    __gtype_name__ = 'VmemMonitorWindow'

    def __init__(self, application, hosts):
        super().__init__(application=application, title='Memory Monitor',
                         default_width=1180, default_height=780)
        self.hosts = hosts
        self.states = {}

        self.toasts = Adw.ToastOverlay()
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
        header = Adw.HeaderBar()
        self.title = Adw.WindowTitle(title='Memory Monitor')
        header.set_title_widget(self.title)
        add = Gtk.Button(icon_name='list-add-symbolic', action_name='win.add-connection',
                         tooltip_text='Add a connection')
        header.pack_start(add)
        box.append(header)

        # Hosts, and under each host its connection's live model of domains.
        self.tree = Gtk.TreeListModel.new(hosts, False, True, self._children)
        # Without autoselect before the model comes, nothing is selected.
        self.selection = Gtk.SingleSelection(autoselect=False, can_unselect=True)
        self.selection.set_model(self.tree)
        self.selection.connect('notify::selected-item', self._on_selected)
        factory = Gtk.SignalListItemFactory()
        factory.connect('setup', self._sidebar_setup)
        factory.connect('bind', self._sidebar_bind)
        factory.connect('unbind', self._sidebar_unbind)
        self.sidebar = Gtk.ListView(model=self.selection, factory=factory)
        self.sidebar.add_css_class('navigation-sidebar')
        sidebar = Gtk.ScrolledWindow(child=self.sidebar, hscrollbar_policy=Gtk.PolicyType.NEVER,
                                     width_request=300)

        self.stack = Gtk.Stack(hexpand=True)
        self.empty = Adw.StatusPage(icon_name='network-server-symbolic')
        self.stack.add_named(self.empty, 'empty')
        self.host_page = Adw.StatusPage(icon_name='network-server-symbolic')
        self.host_reopen = Gtk.Button(label='Reopen', halign=Gtk.Align.CENTER)
        self.host_reopen.add_css_class('pill')
        self.host_page.set_child(self.host_reopen)
        self.stack.add_named(self.host_page, 'host')
        self.domain_view = DomainView(self)
        self.stack.add_named(self.domain_view, 'domain')
        self.host = None
        self.host_handlers = Handlers()

        paned = Gtk.Paned(start_child=sidebar, end_child=self.stack, position=300,
                          shrink_start_child=False, vexpand=True)
        box.append(paned)
        self.toasts.set_child(box)
        self.set_content(self.toasts)

        self._add_actions()
        hosts.connect('items-changed', lambda *args: self._on_selected())
        self._on_selected()

    # -- the sidebar --

    @staticmethod
    def _children(item):
        return item.domains if isinstance(item, logic.Host) else None

    @staticmethod
    def _sidebar_setup(factory, item):
        expander = Gtk.TreeExpander()
        expander.set_child(SidebarRow())
        item.set_child(expander)

    @staticmethod
    def _sidebar_bind(factory, item):
        expander, row = item.get_child(), item.get_item()
        expander.set_list_row(row)
        expander.get_child().bind(row.get_item())

    @staticmethod
    def _sidebar_unbind(factory, item):
        expander = item.get_child()
        expander.get_child().unbind()
        expander.set_list_row(None)

    def selected(self):
        row = self.selection.get_selected_item()
        return row.get_item() if row is not None else None

    def _on_selected(self, *args):
        item = self.selected()
        self.host_handlers.clear()
        if isinstance(item, Vmem.Domain):
            self.domain_view.show(item)
            self.stack.set_visible_child_name('domain')
            self.title.set_subtitle(f'{item.props.name} on {logic.host_label(item.props.connection.props.uri)}')
        else:
            self.domain_view.show(None)
            if isinstance(item, logic.Host):
                self.host = item
                self.host_handlers.connect(item, 'notify::status', self._show_host)
                self._show_host()
                self.stack.set_visible_child_name('host')
            else:
                self.empty.set_title('No connection' if self.hosts.get_n_items() == 0 else
                                     'No domain selected')
                self.empty.set_description('Add a libvirt connection with the + button.'
                                           if self.hosts.get_n_items() == 0 else
                                           'Choose a domain on the left.')
                self.stack.set_visible_child_name('empty')
            self.title.set_subtitle('')
        self.update_actions()

    def _show_host(self, *args):
        host = self.host
        self.host_page.set_title(host.props.label)
        self.host_page.set_description(f'{host.props.uri}\n{host.props.status}')
        self.host_reopen.set_action_target_value(GLib.Variant('s', host.props.uri))
        self.host_reopen.set_action_name('app.reopen-connection')
        self.host_reopen.set_visible(host.props.state in ('closed', 'failed'))

    def select_domain(self, uri, name):
        """Selects the domain of that host and name in the sidebar; False
        if the sidebar has no such row."""
        for i in range(self.tree.get_n_items()):
            item = self.tree.get_item(i).get_item()
            if isinstance(item, Vmem.Domain) and item.props.name == name and \
                    item.props.connection.props.uri == uri:
                self.selection.set_selected(i)
                return True
        return False

    # -- devices --

    def device_state(self, device):
        state = self.states.get(device)
        if state is None:
            state = self.states[device] = logic.DeviceState()
        return state

    def selected_domain(self):
        item = self.selected()
        return item if isinstance(item, Vmem.Domain) else None

    def _device(self, alias):
        domain = self.selected_domain()
        device = domain.find_memory_device(alias) if domain and alias else None
        if device is None:
            self.toast(f'No device {alias!r} in the selected domain')
        return device

    def resize_device(self, alias, size):
        """Asks the library to resize the device and follows the guest.
        The library checks the size first: a refusal is shown on the
        device's row and nothing is sent."""
        device = self._device(alias)
        if device is None:
            return None
        state = self.device_state(device)
        if state.props.resize is not None and state.props.resize.running:
            state.props.refusal = 'A resize of this device is under way; cancel it first.'
            return None
        try:
            device.check_requested_size(size)
        except GLib.Error as error:
            state.props.refusal = error.message
            return None
        state.props.refusal = ''
        resize = logic.Resize(device, size)
        state.props.resize = resize
        resize.run(lambda r: self.update_actions())
        return resize

    def cancel_resize(self, alias):
        device = self._device(alias)
        if device is not None:
            resize = self.device_state(device).props.resize
            if resize is not None and resize.running:
                resize.cancel()

    def remove_device(self, alias):
        domain = self.selected_domain()
        device = self._device(alias)
        if device is None:
            return

        def detached(domain, result):
            try:
                domain.detach_device_finish(result)
            except GLib.Error as error:
                self.device_state(device).props.refusal = error.message
                return
            self.toast(f'{alias} removed from {domain.props.name}')

        domain.detach_device_async(alias, Vmem.AffectFlags.LIVE, None, detached)

    def toast(self, text):
        self.toasts.add_toast(Adw.Toast(title=GLib.markup_escape_text(text), timeout=4))

    # -- actions --

    def _add_actions(self):
        def action(name, callback, param_type=None):
            act = Gio.SimpleAction(name=name, parameter_type=param_type and GLib.VariantType(param_type))
            act.connect('activate', lambda a, p: callback(p))
            self.add_action(act)
            return act

        action('add-connection', lambda p: dialogs.AddConnectionDialog(self, self.hosts).present())
        action('select-domain', lambda p: self.select_domain(*p.unpack()), '(ss)')
        action('resize-device', lambda p: self.resize_device(*p.unpack()), '(st)')
        action('cancel-resize', lambda p: self.cancel_resize(p.unpack()), 's')
        action('remove-device', lambda p: self.remove_device(p.unpack()), 's')
        self.hotplug_action = action(
            'hotplug-dimm', lambda p: dialogs.HotplugDimmDialog(self, self.selected_domain()).present())

    def update_actions(self):
        domain = self.selected_domain()
        self.hotplug_action.set_enabled(domain is not None and domain.is_active())
