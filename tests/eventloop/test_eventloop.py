#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test_eventloop.py: libvirt's events on the application's GLib main loop
#
# libvirt takes one event loop implementation per process, registered once.
# Each case runs in a process of its own and checks that the library's
# signals reach the GLib main loop of the main thread whoever registered it:
#
#   none             nobody: the library makes events flow by itself
#   libvirt-glib     the application called libvirt-glib's
#                    gvir_event_register() before using the library
#   libvirt-default  the application called virEventRegisterDefaultImpl()
#                    and runs virEventRunDefaultImpl() on a thread of its own
#
# Against the test bed's running guest ($VMEM_BED_URI, $VMEM_BED_DOMAIN,
# one virtio-mem device 'virtiomem0' of 1 GiB at 128 MiB):
#
# - a second, plain libvirt-python connection to the same daemon, opened
#   after the library's, suspends the guest while no main loop runs and
#   resumes it from the running main loop: the VmemDomain's "state" goes
#   PAUSED then RUNNING, notified on the main thread, and the application's
#   own libvirt lifecycle callback still fires (with libvirt-glib, on the
#   main thread too);
# - Vmem.VirtioMem.resize_async() grows the device to 512 MiB: at least one
#   memory-device-size-changed signal and notify::current-size arrive, and
#   the callback runs, all on the main thread, and the device ends at
#   512 MiB; then it shrinks back to 128 MiB the same way.
#
# libvirt's default implementation (libvirt >= 6.1) dispatches its sources
# by iterating GLib's global default main context. An application that runs
# it on a thread of its own therefore iterates that context from two
# threads, and nothing posted there is sure to reach the main thread. Such
# an application gives its main loop a context of its own, thread-default
# on the main thread when it opens the connection and starts async calls,
# as the 'libvirt-default' case does; the other cases use the global
# default context, where the main thread alone may dispatch.
#
# Every wait is bounded; a hang fails loudly with a traceback.
#
# Usage, inside the test bed (tests/bed/vmem-bed run -- ...):
#   test_eventloop.py none|libvirt-glib|libvirt-default

import faulthandler
import os
import sys
import threading
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem  # noqa: E402

import libvirt  # noqa: E402

CASES = ('none', 'libvirt-glib', 'libvirt-default')
MiB = 1 << 20
ALIAS = 'virtiomem0'
START_SIZE = 128 * MiB

# Bounds, in seconds. The bed measured a grow to 1 GiB in ~1 s and a shrink
# in ~1.5 s; lifecycle events take milliseconds.
EVENT_TIMEOUT = 30
RESIZE_TIMEOUT = 90
SETTLE_MS = 500
# Below the meson timeout of the bed (300 s), which includes its set-up.
PROCESS_TIMEOUT = 200

CASE = None
URI = None
DOMAIN = None
# The main thread's main context: the global default one, or one of its own.
CONTEXT = None


def on_main_thread():
    return threading.current_thread() is threading.main_thread()


def run_default_impl():
    while True:
        try:
            libvirt.virEventRunDefaultImpl()
        except libvirt.libvirtError as e:
            print('virEventRunDefaultImpl failed:', e, file=sys.stderr)


def register_event_loop(case):
    """Registers libvirt's event loop as an application would, or not."""
    if case == 'libvirt-glib':
        gi.require_version('LibvirtGLib', '1.0')
        from gi.repository import LibvirtGLib
        LibvirtGLib.init(None)
        LibvirtGLib.event_register()
    elif case == 'libvirt-default':
        libvirt.virEventRegisterDefaultImpl()
        threading.Thread(target=run_default_impl, name='app-libvirt-events',
                         daemon=True).start()


def add_source(source, func):
    """Attaches @source, calling @func, to the main thread's context."""
    source.set_callback(lambda *args: func())
    source.attach(CONTEXT)
    return source


def spin(msec):
    """Runs the main loop for @msec whatever happens."""
    loop = GLib.MainLoop(CONTEXT)
    source = add_source(GLib.timeout_source_new(msec), loop.quit)
    loop.run()
    source.destroy()


class EventLoopTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = Vmem.Connection.new(URI)
        if not cls.conn.open(None) or not cls.conn.is_open():
            raise AssertionError('the connection to %s did not open' % URI)
        cls.domain = cls.conn.lookup_domain(DOMAIN)
        # After the library's connection: the library saw the event loop
        # as the application left it.
        cls.plain = libvirt.open(URI)

    @classmethod
    def tearDownClass(cls):
        cls.plain.close()
        cls.conn.close()

    def run_until(self, predicate, what, seconds, start=None):
        """Runs a GLib.MainLoop until @predicate holds; fails after @seconds.

        @start, if given, is called from the running loop first."""
        if start is None and predicate():
            return
        loop = GLib.MainLoop(CONTEXT)
        errors = []

        def call_start():
            try:
                start()
            except Exception as e:  # raised again after the loop
                errors.append(e)
                loop.quit()
            return GLib.SOURCE_REMOVE

        def poll():
            if predicate():
                loop.quit()
                return GLib.SOURCE_REMOVE
            return GLib.SOURCE_CONTINUE

        def failsafe():
            loop.quit()
            return GLib.SOURCE_REMOVE

        sources = [add_source(GLib.timeout_source_new(20), poll),
                   add_source(GLib.timeout_source_new_seconds(seconds), failsafe)]
        if start is not None:
            sources.append(add_source(GLib.idle_source_new(), call_start))
        loop.run()
        for source in sources:
            source.destroy()
        if errors:
            raise errors[0]
        if not predicate():
            self.fail('timed out after %d s waiting for %s' % (seconds, what))

    def test_lifecycle_events(self):
        PAUSED = Vmem.DomainState.PAUSED
        RUNNING = Vmem.DomainState.RUNNING
        states = []
        app_events = []

        def on_state(domain, pspec):
            states.append((domain.get_state(), on_main_thread()))

        def on_app_event(conn, dom, event, detail, opaque):
            app_events.append((event, threading.current_thread()))

        self.assertEqual(self.domain.get_state(), RUNNING)
        vdom = self.plain.lookupByName(DOMAIN)
        handler = self.domain.connect('notify::state', on_state)
        callback = self.plain.domainEventRegisterAny(
            vdom, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_app_event, None)
        try:
            # As an application does between two runs of its main loop.
            vdom.suspend()
            self.run_until(lambda: len(states) >= 1, 'the state PAUSED', EVENT_TIMEOUT)
            # From inside the running main loop.
            self.run_until(lambda: len(states) >= 2, 'the state RUNNING', EVENT_TIMEOUT,
                           start=vdom.resume)
            self.run_until(lambda: len(app_events) >= 2,
                           "the application's own lifecycle callbacks", EVENT_TIMEOUT)
            spin(SETTLE_MS)
        finally:
            self.domain.disconnect(handler)
            self.plain.domainEventDeregisterAny(callback)
            if vdom.state()[0] == libvirt.VIR_DOMAIN_PAUSED:
                vdom.resume()

        self.assertEqual([state for state, _ in states], [PAUSED, RUNNING])
        self.assertEqual([main for _, main in states], [True, True],
                         'notify::state came on another thread')
        self.assertEqual(self.domain.get_state(), RUNNING)
        self.assertTrue(self.domain.is_active())

        self.assertEqual([event for event, _ in app_events],
                         [libvirt.VIR_DOMAIN_EVENT_SUSPENDED, libvirt.VIR_DOMAIN_EVENT_RESUMED])
        if CASE == 'libvirt-glib':
            self.assertEqual({thread for _, thread in app_events}, {threading.main_thread()},
                             "libvirt-glib's callbacks left the main loop")

    def resize(self, device, size):
        signals = []
        currents = []
        threads = []
        result = {}

        def on_size_changed(domain, changed, size_bytes):
            signals.append((changed, size_bytes))
            threads.append(on_main_thread())

        def on_current_size(changed, pspec):
            currents.append(changed.get_current_size())
            threads.append(on_main_thread())

        def done(source, res):
            threads.append(on_main_thread())
            try:
                result['ok'] = source.resize_finish(res)
            except GLib.Error as e:
                result['error'] = e
            result['current'] = source.get_current_size()

        what = 'the resize to %d MiB' % (size // MiB)
        signal_handler = self.domain.connect('memory-device-size-changed', on_size_changed)
        notify_handler = device.connect('notify::current-size', on_current_size)
        try:
            device.resize_async(size, None, done)
            self.run_until(lambda: result, what, RESIZE_TIMEOUT)
            spin(SETTLE_MS)
        finally:
            self.domain.disconnect(signal_handler)
            device.disconnect(notify_handler)

        if 'error' in result:
            self.fail('%s failed: %s' % (what, result['error'].message))
        self.assertTrue(result['ok'])
        self.assertEqual(result['current'], size, 'current-size when %s finished' % what)
        self.assertEqual(device.get_current_size(), size)
        self.assertEqual(device.props.current_size, size)
        self.assertEqual(device.get_requested_size(), size)

        self.assertGreaterEqual(len(signals), 1, 'no memory-device-size-changed during ' + what)
        for changed, _ in signals:
            self.assertIs(changed, device)
        self.assertEqual(signals[-1][1], size)
        self.assertGreaterEqual(len(currents), 1, 'no notify::current-size during ' + what)
        self.assertEqual(currents[-1], size)
        self.assertTrue(all(threads), 'a signal or the callback came on another thread')

        # libvirt agrees.
        live = self.plain.lookupByName(DOMAIN).XMLDesc(0)
        self.assertIn("<current unit='KiB'>%d</current>" % (size // 1024), live)

    def restore_size(self, device):
        """Brings the device back to its start size after a failure."""
        if device.get_requested_size() == START_SIZE:
            return
        result = {}
        device.resize_async(START_SIZE, None, lambda source, res: result.update(done=True))
        self.run_until(lambda: result, 'the device back at its start size', RESIZE_TIMEOUT)

    def test_resize_events(self):
        device = self.domain.find_memory_device(ALIAS)
        self.assertIsInstance(device, Vmem.VirtioMem)
        self.assertEqual(device.get_current_size(), START_SIZE)
        self.assertEqual(device.get_requested_size(), START_SIZE)
        self.addCleanup(self.restore_size, device)

        self.resize(device, 512 * MiB)
        self.resize(device, START_SIZE)


def main():
    global CASE, URI, DOMAIN, CONTEXT

    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        sys.exit('usage: %s %s' % (sys.argv[0], '|'.join(CASES)))
    CASE = sys.argv[1]
    URI = os.environ.get('VMEM_BED_URI')
    DOMAIN = os.environ.get('VMEM_BED_DOMAIN')
    if not URI or not DOMAIN:
        sys.exit('VMEM_BED_URI and VMEM_BED_DOMAIN are not set: run inside tests/bed/vmem-bed')

    faulthandler.dump_traceback_later(PROCESS_TIMEOUT, exit=True)
    print('event loop: %s, URI %s, domain %s' % (CASE, URI, DOMAIN))
    register_event_loop(CASE)

    if CASE == 'libvirt-default':
        # Thread-default on the main thread for good: the connection is
        # opened and the async calls are started with it.
        CONTEXT = GLib.MainContext.new()
        CONTEXT.push_thread_default()
    else:
        CONTEXT = GLib.MainContext.default()

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(EventLoopTestCase)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)

    # A skip would be a test that did not run: it counts as a failure.
    failed = len(result.failures) + len(result.errors) + len(result.skipped)
    passed = max(result.testsRun - failed, 0)
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == '__main__':
    main()
