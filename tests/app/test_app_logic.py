#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The app's logic without a display (vmem_monitor.logic): hosts and their
connections on libvirt's test driver, sizes as typed, checked by the
library, and a resize the test driver refuses."""

import os
import unittest

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem  # noqa: E402

from vmem_monitor import logic  # noqa: E402

NODE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                         'tools', 'tests', 'two-devices.xml')
NODE_URI = 'test://' + os.path.realpath(NODE_FILE)
MiB = 1 << 20
GiB = 1 << 30


def run_until(condition, seconds, what):
    context = GLib.MainContext.default()
    timed_out = []
    source = GLib.timeout_add_seconds(seconds, lambda: timed_out.append(True))
    while not condition() and not timed_out:
        context.iteration(True)
    if not timed_out:
        GLib.source_remove(source)
    if timed_out:
        raise AssertionError(f'{what}: not within {seconds} s')


class HostTest(unittest.TestCase):
    def open_hosts(self, *uris):
        hosts = logic.HostList()
        answers = []
        for uri in uris:
            hosts.add(uri, lambda host, error: answers.append((host, error)))
        run_until(lambda: len(answers) == len(uris), 30, 'every host answered')
        self.addCleanup(lambda: [host.close() for host in hosts])
        return hosts, answers

    def test_open_and_count(self):
        hosts, answers = self.open_hosts(NODE_URI)
        host = hosts[0]
        self.assertIsNone(answers[0][1])
        self.assertEqual(host.props.state, 'open')
        self.assertEqual(host.props.status, '2 domains')
        self.assertEqual(host.props.label, os.path.realpath(NODE_FILE).join(['test://', '']))
        # The window binds to the connection's own model: no copy.
        self.assertEqual(hash(host.domains), hash(host.connection.get_domains()))
        self.assertEqual(sorted(d.props.name for d in host.domains), ['plain', 'test-domain'])
        self.assertIs(logic.find_domain(hosts, NODE_URI, 'test-domain'),
                      next(d for d in host.domains if d.props.name == 'test-domain'))
        self.assertIsNone(logic.find_domain(hosts, NODE_URI, 'nothing'))

    def test_add_twice_is_one_host(self):
        hosts, _ = self.open_hosts(NODE_URI)
        again = []
        self.assertIs(hosts.add(NODE_URI, lambda h, e: again.append(e)), hosts[0])
        run_until(lambda: again, 10, 'the second add answered')
        self.assertEqual(hosts.get_n_items(), 1)
        self.assertEqual(again, [None])

    def test_close_and_reopen(self):
        hosts, _ = self.open_hosts(NODE_URI)
        host = hosts[0]
        states = []
        host.connect('notify::state', lambda h, p: states.append(h.props.state))
        host.close()
        self.assertEqual(host.props.state, 'closed')
        self.assertEqual(host.domains.get_n_items(), 0)
        reopened = []
        host.open(lambda h, e: reopened.append(e))
        run_until(lambda: reopened, 30, 'reopened')
        self.assertEqual(reopened, [None])
        self.assertEqual(states, ['closed', 'connecting', 'open'])
        self.assertEqual(host.props.status, '2 domains')

    def test_unreachable_host(self):
        # Nothing listens on port 1 of the loopback address.
        uri = 'qemu+tcp://127.0.0.1:1/system'
        hosts, answers = self.open_hosts(uri)
        host, error = answers[0]
        self.assertTrue(error.matches(Vmem.error_quark(), Vmem.Error.UNREACHABLE), error.message)
        self.assertEqual(host.props.state, 'failed')
        self.assertEqual(host.props.status, f'Cannot connect: {error.message}')
        self.assertEqual(host.props.label, '127.0.0.1:1')

    def test_remove_host(self):
        hosts, _ = self.open_hosts(NODE_URI)
        connection = hosts[0].connection
        self.assertTrue(hosts.remove_host(NODE_URI))
        self.assertFalse(connection.is_open())
        self.assertEqual(hosts.get_n_items(), 0)
        self.assertFalse(hosts.remove_host(NODE_URI))


class SizeTest(unittest.TestCase):
    def setUp(self):
        self.device = Vmem.VirtioMem.new()
        self.device.set_size(GiB)
        self.device.set_block_size(2 * MiB)

    def test_accepted(self):
        self.assertEqual(logic.parse_request(self.device, ' 512 MiB '), (512 * MiB, None))
        self.assertEqual(logic.parse_request(self.device, '1GiB'), (GiB, None))
        self.assertEqual(logic.parse_request(self.device, '0'), (0, None))

    def test_refused_with_the_library_message(self):
        cases = {
            '3 MiB': 'is not a multiple of the block size 2MiB',
            '2 GiB': "is larger than the device's size 1GiB",
            '-1 MiB': 'expected a non-negative integer',
            '99999999999 EiB': 'does not fit',
            'lots': "Invalid size 'lots'",
        }
        for text, words in cases.items():
            size, message = logic.parse_request(self.device, text)
            self.assertIsNone(size, text)
            self.assertIn(words, message, text)
            # The same words the library gives.
            with self.assertRaises(GLib.Error) as raised:
                self.device.check_requested_size(Vmem.size_parse(text))
            self.assertEqual(raised.exception.message, message)

    def test_snap_to_block(self):
        block = 2 * MiB
        self.assertEqual(logic.snap_to_block(3 * MiB - 1, block, GiB), 2 * MiB)
        self.assertEqual(logic.snap_to_block(3 * MiB, block, GiB), 4 * MiB)
        self.assertEqual(logic.snap_to_block(-5, block, GiB), 0)
        self.assertEqual(logic.snap_to_block(2 * GiB, block, GiB), GiB)
        # A maximum that is not a multiple: the last whole block.
        self.assertEqual(logic.snap_to_block(GiB, block, GiB + MiB), GiB)

    def test_dimm(self):
        dimm, message = logic.parse_dimm('256 MiB', 1)
        self.assertIsNone(message)
        self.assertEqual((dimm.props.size, dimm.props.node), (256 * MiB, 1))
        self.assertFalse(dimm.is_live())
        for text in ('0', 'ten', '-2 GiB'):
            dimm, message = logic.parse_dimm(text, 0)
            self.assertIsNone(dimm, text)
            self.assertTrue(message, text)


class ResizeTest(unittest.TestCase):
    def test_refused_by_libvirt(self):
        """The test driver cannot update a device: the resize fails with
        libvirt's refusal and the device keeps its requested size."""
        hosts = logic.HostList()
        host = hosts.add(NODE_URI)
        run_until(lambda: host.props.state == 'open', 30, 'opened')
        self.addCleanup(host.close)
        domain = logic.find_domain(hosts, NODE_URI, 'test-domain')
        device = domain.find_memory_device('ua-virtiomem0')
        resize = logic.Resize(device, 512 * MiB)
        states = []
        resize.connect('notify::state', lambda r, p: states.append(r.props.state))
        ended = []
        resize.run(ended.append)
        self.assertTrue(resize.running)
        self.assertEqual(resize.props.message, 'Plugging: 0B of 512MiB')
        run_until(lambda: ended, 30, 'the resize ended')
        self.assertEqual(states, ['plugging', 'failed'])
        self.assertFalse(resize.running)
        self.assertIn('not supported', resize.props.message.lower())
        self.assertEqual(device.props.requested_size, 128 * MiB)

    def test_description_is_refused(self):
        device = Vmem.VirtioMem.new()
        device.set_size(GiB)
        device.set_block_size(2 * MiB)
        resize = logic.Resize(device, 512 * MiB)
        ended = []
        resize.run(ended.append)
        run_until(lambda: ended, 10, 'the resize ended')
        self.assertEqual(resize.props.state, 'failed')
        self.assertTrue(resize.props.message)

    def test_cancelled(self):
        hosts = logic.HostList()
        host = hosts.add(NODE_URI)
        run_until(lambda: host.props.state == 'open', 30, 'opened')
        self.addCleanup(host.close)
        device = logic.find_domain(hosts, NODE_URI, 'test-domain').find_memory_device('ua-virtiomem0')
        resize = logic.Resize(device, 512 * MiB)
        ended = []
        resize.cancel()
        resize.run(ended.append)
        run_until(lambda: ended, 10, 'the resize ended')
        self.assertEqual(resize.props.state, 'cancelled')
        self.assertTrue(resize.props.message.startswith('Cancelled at 0B'), resize.props.message)


class LabelTest(unittest.TestCase):
    def test_host_label(self):
        self.assertEqual(logic.host_label('qemu+ssh://root@host1:2222/system'), 'host1:2222')
        self.assertEqual(logic.host_label('qemu+tls://[::1]/system'), '[::1]')
        self.assertEqual(logic.host_label('qemu:///system?socket=/run/x'), 'qemu:///system')
        self.assertEqual(logic.plural(1, 'domain'), '1 domain')
        self.assertEqual(logic.node_label(-1), 'Whole domain')


if __name__ == '__main__':
    unittest.main(verbosity=2)
