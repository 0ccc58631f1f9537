# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the app's tests share: the application run in the test's own
process on its main context, waiting for a condition, screenshots of the
window and what they show.

A test drives the app the way a person's clicks do: through its actions
(the buttons' own), or through the widgets themselves (text typed into an
entry, a button clicked); then it checks the widgets' state and takes a
screenshot, which it checks too."""

import os
import struct
import subprocess
import sys
import time

import gi

gi.require_version('Gtk', '4.0')
gi.require_version('Adw', '1')
gi.require_version('GdkPixbuf', '2.0')
gi.require_version('Graphene', '1.0')
gi.require_version('GdkX11', '4.0')
from gi.repository import GdkPixbuf, GdkX11, Gio, GLib, Gtk  # noqa: E402

from vmem_monitor import widgets  # noqa: E402
from vmem_monitor.application import MonitorApplication  # noqa: E402

SCREENSHOT_DIR = os.environ.get('VMEM_APP_SCREENSHOT_DIR', os.getcwd())


def log(message):
    print(f'# {message}', flush=True)


def run_until(condition, seconds, what):
    """Runs the main context until condition() holds; fails (with what)
    after seconds. The limit is a failsafe for a test that would otherwise
    hang: no figure is judged against it."""
    context = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    wake = GLib.timeout_add(100, lambda: GLib.SOURCE_CONTINUE)
    try:
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f'{what}: not within {seconds} s')
            context.iteration(True)
    finally:
        GLib.source_remove(wake)


def settle_frames(window, n=2):
    """Lets the window lay out and paint n more frames (each asked for
    with a redraw), so that what changed is on screen."""
    clock = window.get_frame_clock()
    for _ in range(n):
        start = clock.get_frame_counter()
        window.queue_draw()
        run_until(lambda: clock.get_frame_counter() > start, 10, 'a frame painted')
    # Let idle work queued by the frame (a list view's rows) run.
    context = GLib.MainContext.default()
    while context.pending():
        context.iteration(False)


def start_app(*uris):
    """The application with a window, the hosts of uris added (and
    opening), registered and activated without its own main loop."""
    app = MonitorApplication(application_id='org.libvmem.Monitor.Test',
                             flags=Gio.ApplicationFlags.NON_UNIQUE)
    app.register(None)
    app.hold()
    for uri in uris:
        app.activate_action('add-connection', GLib.Variant('s', uri))
    app.activate()
    run_until(lambda: app.window is not None and app.window.get_mapped(), 20, 'the window mapped')
    return app


def stop_app(app):
    app.window.destroy()
    app.release()
    app.quit()
    for host in list(app.hosts):
        host.close()
    ctx = GLib.MainContext.default()
    while ctx.pending():
        ctx.iteration(False)


def descendants(widget, kind=Gtk.Widget):
    child = widget.get_first_child()
    while child is not None:
        if isinstance(child, kind):
            yield child
        yield from descendants(child, kind)
        child = child.get_next_sibling()


def shown(widget):
    """The widget is drawn: mapped, with a size, and every ancestor too."""
    return widget.get_mapped() and widget.get_width() > 0 and widget.get_height() > 0


def device_rows(window):
    return [row for row in descendants(window, widgets.DeviceRow) if row.device is not None and shown(row)]


def device_row(window, alias):
    rows = [row for row in device_rows(window) if row.device.props.alias == alias]
    assert len(rows) == 1, f'one row for device {alias}, found {len(rows)}'
    return rows[0]


def sidebar_titles(window):
    return sorted(row.title.get_label() for row in descendants(window, widgets.SidebarRow)
                  if row.item is not None and shown(row))


class Screenshot:
    """A PNG of the window as the X server shows it (xwd of its X window),
    and its pixels."""

    def __init__(self, window, name):
        self.window = window
        settle_frames(window)
        surface = window.get_native().get_surface()
        xid = GdkX11.X11Surface.get_xid(surface)
        # Widget coordinates are the window's; the X window also has the
        # client-side decoration's margin around them.
        self.offset = window.get_native().get_surface_transform()
        dump = subprocess.run(['xwd', '-silent', '-id', str(xid)], check=True,
                              capture_output=True).stdout
        width, height, rgb = read_xwd(dump)
        self.pixbuf = GdkPixbuf.Pixbuf.new_from_bytes(GLib.Bytes.new(rgb), GdkPixbuf.Colorspace.RGB,
                                                      False, 8, width, height, width * 3)
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        self.path = os.path.join(SCREENSHOT_DIR, f'{name}.png')
        self.pixbuf.savev(self.path, 'png', [], [])
        self.pixels = rgb
        self.stride = width * 3
        self.channels = 3
        log(f'screenshot {self.path} ({width}x{height})')

    def pixel(self, x, y):
        i = int(y) * self.stride + int(x) * self.channels
        return tuple(self.pixels[i:i + 3])

    def colours(self, step=4):
        """The distinct colours of a grid of pixels over the image."""
        return {self.pixel(x, y)
                for y in range(0, self.pixbuf.get_height(), step)
                for x in range(0, self.pixbuf.get_width(), step)}

    def check_not_blank(self):
        colours = self.colours()
        # A blank or failed render is one colour; text alone brings dozens
        # of anti-aliased shades.
        assert len(colours) > 50, f'{self.path}: only {len(colours)} colours'

    def bounds(self, widget):
        """The widget's rectangle in the picture."""
        ok, rect = widget.compute_bounds(self.window)
        assert ok, f'{widget} has no bounds in the window'
        return rect.offset_r(*self.offset)

    def check_inside(self, widget):
        """The widget is drawn, inside the picture."""
        assert shown(widget), f'{widget} is not shown'
        rect = self.bounds(widget)
        assert rect.get_x() >= 0 and rect.get_y() >= 0 and \
            rect.get_x() + rect.get_width() <= self.pixbuf.get_width() + 1 and \
            rect.get_y() + rect.get_height() <= self.pixbuf.get_height() + 1, \
            f'{widget} lies outside the screenshot'

    def gauge_fill(self, gauge):
        """The share of the gauge's width painted in its 'plugged' colour,
        read from the picture, along the gauge's middle line."""
        self.check_inside(gauge)
        rect = self.bounds(gauge)
        colour = tuple(round(c * 255) for c in (gauge.CURRENT.red, gauge.CURRENT.green, gauge.CURRENT.blue))
        y = rect.get_y() + rect.get_height() / 2
        x0, width = rect.get_x(), int(rect.get_width())
        filled = sum(1 for dx in range(width)
                     if all(abs(a - b) <= 2 for a, b in zip(self.pixel(x0 + dx, y), colour)))
        return filled / width

    def requested_mark(self, gauge):
        """Where the gauge's 'requested' mark is drawn, as a share of its
        width, read from the picture."""
        rect = self.bounds(gauge)
        colour = tuple(round(c * 255) for c in (gauge.REQUESTED.red, gauge.REQUESTED.green, gauge.REQUESTED.blue))
        y = rect.get_y() + rect.get_height() / 2
        xs = [dx for dx in range(int(rect.get_width()))
              if all(abs(a - b) <= 2 for a, b in zip(self.pixel(rect.get_x() + dx, y), colour))]
        assert xs, f'{self.path}: no requested mark on the gauge'
        return xs[0] / rect.get_width()


def read_xwd(dump):
    """(width, height, RGB bytes) of an X window dump (XWD, version 7) of
    a 24-bit TrueColor window, 32 bits a pixel."""
    header = struct.unpack('>25I', dump[:100])
    header_size, version, pixmap_format, depth, width, height = header[:6]
    byte_order, bits_per_pixel, bytes_per_line = header[7], header[11], header[12]
    ncolors = header[19]
    assert version == 7 and pixmap_format == 2 and bits_per_pixel == 32, \
        f'an XWD dump this test cannot read: {header}'
    data = dump[header_size + ncolors * 12:]
    rgb = bytearray(width * height * 3)
    for y in range(height):
        line = data[y * bytes_per_line:y * bytes_per_line + width * 4]
        # LSBFirst: each pixel's bytes are blue, green, red, unused.
        order = (2, 1, 0) if byte_order == 0 else (1, 2, 3)
        for i, k in enumerate(order):
            rgb[y * width * 3 + i:(y + 1) * width * 3:3] = line[k::4]
    return width, height, bytes(rgb)


def fail(message):
    print(f'not ok - {message}', flush=True)
    sys.exit(1)
