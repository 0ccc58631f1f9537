# SPDX-License-Identifier: LGPL-2.1-or-later
"""The gauge of a virtio-mem device, and the rows of the window's lists.

Rows are made once by a list view's factory and bound to one item after
another as the view scrolls: each row connects to its item when bound and
disconnects everything when unbound, so that a recycled row never shows
an earlier item's changes."""

import gi

gi.require_version('Gtk', '4.0')
gi.require_version('Graphene', '1.0')
gi.require_version('Vmem', '1.0')
from gi.repository import Gdk, GLib, GObject, Graphene, Gtk, Vmem  # noqa: E402

from . import logic  # noqa: E402


def rgba(spec):
    color = Gdk.RGBA()
    color.parse(spec)
    return color


class Handlers:
    """Signal handlers connected for one binding, disconnected together."""

    def __init__(self):
        self._handlers = []

    def connect(self, obj, signal, callback, *args):
        self._handlers.append((obj, obj.connect(signal, callback, *args)))

    def clear(self):
        for obj, handler in self._handlers:
            obj.disconnect(handler)
        self._handlers = []


class Gauge(Gtk.Widget):
    """A virtio-mem device at a glance: the bar is the device's size (the
    most it can plug), filled up to what the guest has plugged (current),
    with a mark at what it was asked to plug (requested)."""

    __gtype_name__ = 'VmemMonitorGauge'

    TROUGH = rgba('#deddda')
    CURRENT = rgba('#3584e4')
    REQUESTED = rgba('#c64600')

    maximum = GObject.Property(type=GObject.TYPE_UINT64, default=0)
    requested = GObject.Property(type=GObject.TYPE_UINT64, default=0)
    current = GObject.Property(type=GObject.TYPE_UINT64, default=0)

    def __init__(self):
        super().__init__(accessible_role=Gtk.AccessibleRole.METER)
        self.set_size_request(240, 22)
        self.set_hexpand(True)
        # Called after each paint with the frame clock's frame counter
        # (the benchmark's hook).
        self.paint_hooks = []
        for prop in ('maximum', 'requested', 'current'):
            self.connect(f'notify::{prop}', self._on_notify)

    def _on_notify(self, gauge, pspec):
        self.queue_draw()
        self.set_tooltip_text(f'{logic.size_text(self.current)} plugged, '
                              f'{logic.size_text(self.requested)} requested, '
                              f'{logic.size_text(self.maximum)} at most')

    def _x(self, value, width):
        return 0 if self.maximum == 0 else width * min(value, self.maximum) / self.maximum

    def do_snapshot(self, snapshot):
        width, height = self.get_width(), self.get_height()
        snapshot.append_color(self.TROUGH, Graphene.Rect().init(0, 0, width, height))
        plugged = self._x(self.current, width)
        if plugged > 0:
            snapshot.append_color(self.CURRENT, Graphene.Rect().init(0, 0, plugged, height))
        mark = min(self._x(self.requested, width), width - 3)
        snapshot.append_color(self.REQUESTED, Graphene.Rect().init(mark, 0, 3, height))
        if self.paint_hooks:
            clock = self.get_frame_clock()
            frame = clock.get_frame_counter() if clock else -1
            for hook in list(self.paint_hooks):
                hook(self, frame)


def dim_label(text=''):
    label = Gtk.Label(label=text, xalign=0)
    label.add_css_class('dim-label')
    return label


class SidebarRow(Gtk.Box):
    """A host (its label, its connection's state, and a reopen button when
    it is closed) or one of its domains (name and state)."""

    __gtype_name__ = 'VmemMonitorSidebarRow'

    def __init__(self):
        super().__init__(orientation=Gtk.Orientation.HORIZONTAL, spacing=8,
                         margin_top=4, margin_bottom=4)
        self.icon = Gtk.Image()
        texts = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, hexpand=True)
        self.title = Gtk.Label(xalign=0, ellipsize=3)
        self.subtitle = dim_label()
        self.subtitle.set_wrap(True)
        self.subtitle.add_css_class('caption')
        texts.append(self.title)
        texts.append(self.subtitle)
        self.reopen = Gtk.Button(label='Reopen', valign=Gtk.Align.CENTER)
        self.reopen.add_css_class('flat')
        self.append(self.icon)
        self.append(texts)
        self.append(self.reopen)
        self.item = None
        self.handlers = Handlers()

    def bind(self, item):
        self.item = item
        if isinstance(item, logic.Host):
            self.icon.set_from_icon_name('network-server-symbolic')
            self.title.set_label(item.props.label)
            self.title.set_tooltip_text(item.props.uri)
            self.reopen.set_action_target_value(GLib.Variant('s', item.props.uri))
            self.reopen.set_action_name('app.reopen-connection')
            self.handlers.connect(item, 'notify::status', self._host_changed)
            self.handlers.connect(item, 'notify::state', self._host_changed)
            self._host_changed()
        else:
            self.title.set_label(item.props.name)
            self.title.set_tooltip_text(None)
            self.reopen.set_visible(False)
            self.reopen.set_action_name(None)
            self.handlers.connect(item, 'notify::state', self._domain_changed)
            self._domain_changed()

    def unbind(self):
        self.handlers.clear()
        self.item = None

    def _host_changed(self, *args):
        host = self.item
        self.subtitle.set_label(host.props.status)
        closed = host.props.state in ('closed', 'failed')
        self.reopen.set_visible(closed)
        if closed:
            self.subtitle.add_css_class('error')
        else:
            self.subtitle.remove_css_class('error')

    def _domain_changed(self, *args):
        domain = self.item
        state = domain.props.state.value_nick
        self.subtitle.set_label(state)
        self.icon.set_from_icon_name('media-playback-start-symbolic' if domain.is_active()
                                     else 'media-playback-stop-symbolic')


MODEL_NAMES = {
    Vmem.MemoryModel.DIMM: 'DIMM',
    Vmem.MemoryModel.NVDIMM: 'NVDIMM',
    Vmem.MemoryModel.VIRTIO_MEM: 'virtio-mem',
    Vmem.MemoryModel.VIRTIO_PMEM: 'virtio-pmem',
    Vmem.MemoryModel.SGX_EPC: 'SGX EPC',
}


class DeviceRow(Gtk.Box):
    """A live memory device. A virtio-mem device gets its gauge, a size
    control that snaps to its block size, the library's verdict on what is
    typed, the progress of a resize and a cancel button; a device that is
    hot-plugged whole gets a remove button."""

    __gtype_name__ = 'VmemMonitorDeviceRow'

    def __init__(self, window):
        super().__init__(orientation=Gtk.Orientation.VERTICAL, spacing=6,
                         margin_top=10, margin_bottom=10, margin_start=12, margin_end=12)
        self.window = window
        top = Gtk.Box(spacing=8)
        self.title = Gtk.Label(xalign=0, hexpand=True)
        self.title.add_css_class('heading')
        self.remove_button = Gtk.Button(label='Remove')
        self.remove_button.add_css_class('destructive-action')
        top.append(self.title)
        top.append(self.remove_button)
        self.append(top)

        self.gauge = Gauge()
        self.append(self.gauge)
        self.figures = dim_label()
        self.append(self.figures)

        self.controls = Gtk.Box(spacing=8)
        self.adjustment = Gtk.Adjustment()
        self.scale = Gtk.Scale(adjustment=self.adjustment, hexpand=True, draw_value=False)
        self.scale.connect('change-value', self._on_scale_moved)
        self.entry = Gtk.Entry(width_chars=12, placeholder_text='e.g. 1 GiB')
        self.entry.connect('changed', self._on_entry_changed)
        self.entry.connect('activate', lambda entry: self.resize_button.activate())
        self.resize_button = Gtk.Button(label='Resize')
        self.resize_button.add_css_class('suggested-action')
        self.cancel_button = Gtk.Button(label='Cancel')
        for widget in (self.scale, self.entry, self.resize_button, self.cancel_button):
            self.controls.append(widget)
        self.append(self.controls)

        self.refusal = Gtk.Label(xalign=0, wrap=True)
        self.refusal.add_css_class('error')
        self.append(self.refusal)

        self.progress_box = Gtk.Box(spacing=8)
        self.progress = Gtk.ProgressBar(hexpand=True, valign=Gtk.Align.CENTER)
        self.status = Gtk.Label(xalign=0, wrap=True)
        self.progress_box.append(self.progress)
        self.progress_box.append(self.status)
        self.append(self.progress_box)

        self.device = None
        self.state = None
        self.handlers = Handlers()
        self.resize_handlers = Handlers()

    @property
    def is_virtio_mem(self):
        return isinstance(self.device, Vmem.VirtioMem)

    def bind(self, device):
        self.device = device
        self.state = self.window.device_state(device)
        alias = device.props.alias or ''
        target = GLib.Variant('s', alias)
        # Each button runs a window action on this device (its alias).
        self.remove_button.set_action_target_value(target)
        self.remove_button.set_action_name('win.remove-device')
        self.cancel_button.set_action_target_value(target)
        self.cancel_button.set_action_name('win.cancel-resize')
        self.handlers.connect(device, 'notify', self._on_device_notify)
        self.handlers.connect(self.state, 'notify::resize', self._on_resize_changed)
        self.handlers.connect(self.state, 'notify::refusal', self._show_refusal)
        self.gauge.set_visible(self.is_virtio_mem)
        self.controls.set_visible(self.is_virtio_mem)
        self.remove_button.set_visible(not self.is_virtio_mem and bool(alias))
        self.resize_button.set_action_name(None)
        self.entry.set_text(self.state.props.entry_text or '')
        self._on_entry_changed(self.entry)
        self._show_device()
        self._on_resize_changed()
        self._show_refusal()

    def unbind(self):
        self.handlers.clear()
        self.resize_handlers.clear()
        self.device = None
        self.state = None

    def _show_device(self):
        device = self.device
        node = device.props.node
        where = f' · node {node}' if node >= 0 else ''
        self.title.set_label(f'{MODEL_NAMES.get(device.props.model, "memory")} '
                             f'{device.props.alias or "(no alias)"}{where}')
        if not self.is_virtio_mem:
            self.figures.set_label(f'{logic.size_text(device.props.size)}')
            return
        size, block = device.props.size, device.props.block_size
        requested, current = device.props.requested_size, device.props.current_size
        # Set only what changed: each set is a notification and a redraw.
        for prop, value in (('maximum', size), ('requested', requested), ('current', current)):
            if self.gauge.get_property(prop) != value:
                self.gauge.set_property(prop, value)
        self.figures.set_label(f'current {logic.size_text(current)} · requested '
                               f'{logic.size_text(requested)} · size {logic.size_text(size)} · '
                               f'block {logic.size_text(block)}')
        if (self.adjustment.get_upper() != size or self.adjustment.get_step_increment() != block):
            self.adjustment.configure(requested, 0, size, block or 1, (block or 1) * 16, 0)
        if not self.state.props.entry_text:
            self.adjustment.set_value(requested)

    def _on_device_notify(self, device, pspec):
        self._show_device()

    def _on_scale_moved(self, scale, scroll, value):
        device = self.device
        snapped = logic.snap_to_block(value, device.props.block_size, device.props.size)
        self.adjustment.set_value(snapped)
        self.entry.set_text(logic.size_text(snapped))
        return True

    def _on_entry_changed(self, entry):
        if self.state is None or not self.is_virtio_mem:
            return
        text = entry.get_text()
        self.state.props.entry_text = text
        size, message = logic.parse_request(self.device, text) if text.strip() else (None, '')
        self.state.props.refusal = message or ''
        if size is not None:
            self.adjustment.set_value(size)
            self.resize_button.set_action_target_value(
                GLib.Variant('(st)', (self.device.props.alias or '', size)))
            self.resize_button.set_action_name('win.resize-device')
        else:
            self.resize_button.set_action_name(None)
        self._update_buttons(size is not None)

    def _update_buttons(self, valid=None):
        resize = self.state.props.resize if self.state else None
        running = bool(resize and resize.running)
        if valid is None:
            valid = not self.state.props.refusal and bool(self.state.props.entry_text.strip())
        # An action button is sensitive when its action is: the target is
        # set only when the library accepted the size.
        self.resize_button.set_sensitive(valid and not running)
        self.cancel_button.set_visible(running)

    def _show_refusal(self, *args):
        message = self.state.props.refusal if self.state else ''
        self.refusal.set_label(message)
        self.refusal.set_visible(bool(message))
        self._update_buttons()

    def _on_resize_changed(self, *args):
        self.resize_handlers.clear()
        resize = self.state.props.resize
        self.progress_box.set_visible(resize is not None)
        if resize is not None:
            self.resize_handlers.connect(resize, 'notify', self._show_resize)
            self._show_resize()
        self._update_buttons()

    def _show_resize(self, *args):
        resize = self.state.props.resize
        self.progress.set_fraction(resize.props.fraction)
        self.status.set_label(resize.props.message)
        for css in ('warning', 'error', 'success'):
            self.status.remove_css_class(css)
        css = {'stalled': 'warning', 'failed': 'error', 'cancelled': 'warning',
               'done': 'success'}.get(resize.props.state)
        if css:
            self.status.add_css_class(css)
        self._update_buttons()
