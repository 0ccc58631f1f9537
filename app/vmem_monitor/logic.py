# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the window shows and does, without GTK, so that it can be tested
without a display.

The window binds its lists straight to the library's live models (a
connection's domains, a domain's memory devices and NUMA nodes); the
objects here are only what the library has no notion of: the hosts a
person added and the state of their connections, the text typed into a
size field, and a resize under way with its progress."""

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import Gio, GLib, GObject, Vmem  # noqa: E402


def host_label(uri):
    """The URI's host[:port], or for a URI without a host (qemu:///system)
    the URI without its query, which holds transport options rather than
    what tells hosts apart."""
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


def plural(n, word):
    return f'{n} {word}{"" if n == 1 else "s"}'


def size_text(size):
    return Vmem.size_format(size)


CLOSE_REASONS = {
    Vmem.CloseReason.EOF: 'the daemon went away',
    Vmem.CloseReason.KEEPALIVE: 'the daemon stopped answering',
    Vmem.CloseReason.ERROR: 'the link failed',
    Vmem.CloseReason.CLIENT: 'closed here',
}


class Host(GObject.Object):
    """One libvirt URI that the monitor follows, and its connection.

    state is 'connecting', 'open', 'closed' or 'failed'; status says it
    in words ('2 domains', 'Closed: the daemon went away'). The
    connection, and so its model of domains, stays the same object when
    it closes and opens again: a view bound to the model needs nothing
    when the host comes back."""

    __gtype_name__ = 'VmemMonitorHost'

    state = GObject.Property(type=str, default='closed')
    status = GObject.Property(type=str, default='')

    def __init__(self, uri):
        super().__init__()
        self._uri = uri
        self._label = host_label(uri)
        self.connection = Vmem.Connection.new(uri)
        self.connection.connect('closed', self._on_closed)
        # The count follows the model, whoever changes it.
        self.domains.connect('items-changed', self._on_domains_changed)
        self._cancellable = None

    @GObject.Property(type=str)
    def uri(self):
        return self._uri

    @GObject.Property(type=str)
    def label(self):
        return self._label

    @property
    def domains(self):
        """The connection's live model of domains (a Gio.ListModel of
        Vmem.Domain), the same object for the host's whole life."""
        return self.connection.get_domains()

    def _set(self, state, status):
        if self.props.state != state:
            self.props.state = state
        if self.props.status != status:
            self.props.status = status

    def open(self, callback=None):
        """Opens (or reopens) the connection on a worker; callback(host,
        error or None) follows on this thread's main context."""
        if self.props.state in ('connecting', 'open'):
            if callback:
                GLib.idle_add(lambda: callback(self, None) and False)
            return
        self._set('connecting', 'Connecting…')
        self._cancellable = Gio.Cancellable()
        self.connection.open_async(self._cancellable, self._on_opened, callback)

    def _on_opened(self, connection, result, callback):
        self._cancellable = None
        try:
            connection.open_finish(result)
        except GLib.Error as error:
            self._set('failed', f'Cannot connect: {error.message}')
            if callback:
                callback(self, error)
            return
        self._set('open', plural(self.domains.get_n_items(), 'domain'))
        if callback:
            callback(self, None)

    def close(self):
        if self._cancellable:
            self._cancellable.cancel()
        if self.connection.is_open():
            self.connection.close()
        self._set('closed', 'Closed')

    def _on_closed(self, connection, reason):
        # The model is empty now, without domain-removed.
        self._set('closed', f'Closed: {CLOSE_REASONS.get(reason, reason.value_nick)}')

    def _on_domains_changed(self, model, position, removed, added):
        if self.props.state == 'open':
            self._set('open', plural(model.get_n_items(), 'domain'))


class HostList(Gio.ListStore):
    """The hosts the monitor follows, in the order they were added."""

    __gtype_name__ = 'VmemMonitorHostList'

    def __init__(self):
        super().__init__(item_type=Host)

    def find(self, uri):
        for host in self:
            if host.props.uri == uri:
                return host
        return None

    def add(self, uri, callback=None):
        """Adds the host of uri (once) and opens it."""
        host = self.find(uri)
        if host is None:
            host = Host(uri)
            self.append(host)
        host.open(callback)
        return host

    def remove_host(self, uri):
        for i, host in enumerate(self):
            if host.props.uri == uri:
                host.close()
                self.remove(i)
                return True
        return False


def find_domain(hosts, uri, name):
    host = hosts.find(uri)
    if host is None:
        return None
    return next((d for d in host.domains if d.props.name == name), None)


def parse_request(device, text):
    """The size typed for a virtio-mem device's requested size, checked by
    the library as a resize would be: (size, None), or (None, the
    library's message)."""
    try:
        size = Vmem.size_parse(text.strip())
    except GLib.Error as error:
        return None, error.message
    try:
        device.check_requested_size(size)
    except GLib.Error as error:
        return None, error.message
    return size, None


def snap_to_block(value, block, maximum):
    """value (bytes, from a slider) at the nearest multiple of block within
    [0, maximum]."""
    if block == 0:
        return min(max(0, int(value)), maximum)
    snapped = int((max(0, value) + block / 2) // block) * block
    return min(snapped, maximum // block * block)


def parse_dimm(size_text_, node):
    """A DIMM description for a hot-plug, checked by the library: (dimm,
    None) or (None, the library's message)."""
    try:
        size = Vmem.size_parse(size_text_.strip())
    except GLib.Error as error:
        return None, error.message
    dimm = Vmem.Dimm.new()
    dimm.set_size(size)
    dimm.set_node(node)
    try:
        dimm.validate()
    except GLib.Error as error:
        return None, error.message
    return dimm, None


class Resize(GObject.Object):
    """A resize of a live virtio-mem device, from the request to the guest
    having the size, with its progress.

    state: 'plugging' (or 'unplugging') while the guest follows, then
    'done', 'stalled' (the guest stopped making progress: the library's
    VMEM_ERROR_STALLED after the device's stall-timeout), 'cancelled' or
    'failed'. message says it in words; fraction is how far the guest has
    come from where it was to the target."""

    __gtype_name__ = 'VmemMonitorResize'

    state = GObject.Property(type=str, default='idle')
    message = GObject.Property(type=str, default='')
    fraction = GObject.Property(type=float, default=0.0, minimum=0.0, maximum=1.0)

    def __init__(self, device, target):
        super().__init__()
        self.device = device
        self.target = target
        self.start = device.props.current_size
        self.cancellable = Gio.Cancellable()
        self._handler = device.connect('notify::current-size', self._on_current)

    def run(self, callback=None):
        """Sends the request; callback(resize) follows when it ends."""
        self._callback = callback
        self.props.state = 'plugging' if self.target >= self.start else 'unplugging'
        self._progress()
        self.device.resize_async(self.target, self.cancellable, self._on_finished)

    def cancel(self):
        self.cancellable.cancel()

    @property
    def running(self):
        return self.props.state in ('plugging', 'unplugging')

    def _progress(self):
        current = self.device.props.current_size
        span = abs(self.target - self.start)
        done = abs(current - self.start)
        fraction = 1.0 if span == 0 else min(1.0, done / span)
        if abs(self.props.fraction - fraction) > 1e-9:
            self.props.fraction = fraction
        verb = 'Plugging' if self.props.state == 'plugging' else 'Unplugging'
        self.props.message = f'{verb}: {size_text(current)} of {size_text(self.target)}'

    def _on_current(self, device, pspec):
        if self.running:
            self._progress()

    def _on_finished(self, device, result):
        device.disconnect(self._handler)
        current = size_text(device.props.current_size)
        try:
            device.resize_finish(result)
        except GLib.Error as error:
            if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                self.props.state = 'cancelled'
                self.props.message = f'Cancelled at {current}; requested stays {size_text(self.device.props.requested_size)}'
            elif error.matches(Vmem.error_quark(), Vmem.Error.STALLED):
                self.props.state = 'stalled'
                self.props.message = f'Stalled at {current} of {size_text(self.target)}: {error.message}'
            else:
                self.props.state = 'failed'
                self.props.message = error.message
        else:
            self.props.fraction = 1.0
            self.props.state = 'done'
            self.props.message = f'Done: the guest has {current}'
        if self._callback:
            self._callback(self)


def node_label(node):
    return 'Whole domain' if node < 0 else f'Node {node}'


class DeviceState(GObject.Object):
    """What the window keeps about a live device across the rows that show
    it (a list view recycles its rows): the size being typed, the library's
    refusal of it, and the last resize."""

    __gtype_name__ = 'VmemMonitorDeviceState'

    entry_text = GObject.Property(type=str, default='')
    refusal = GObject.Property(type=str, default='')
    resize = GObject.Property(type=Resize)
