#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Vmem.Autosize on the test bed's real guest (vmem-bed run --balloon): the
guest reports its memory through a virtio balloon every second, and takes
a memory load through its load port (tests/bed/guest-init).

With the band at BAND, the guest's available memory starts inside it;
then a load of LOAD_MIB MiB is put on the guest, held until the policy has
brought the guest's available memory back into the band, and freed. The
test checks, from the policy's decisions and the device's requested size:

- after each change of load, the available memory is back inside the band
  within BOUND seconds;
- requested never leaves [MINIMUM, MAXIMUM];
- at most MAX_RESIZES resizes, all the grows before all the shrinks (no
  oscillation);
- once the load is freed, memory goes back to the host: the device's
  requested and current sizes come down, and the guest's MemTotal (from
  its console) with them;
- every decision has a reason; vmemctl autosize --json prints the same
  decisions, one JSON object a line.

The guest is put back as the bed made it (128 MiB, settled) at the end."""

import json
import os
import re
import socket
import subprocess
import sys
import time

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem  # noqa: E402

MiB = 1 << 20
START = 128 * MiB
BAND = (320 * MiB, 576 * MiB)
MINIMUM, MAXIMUM = 64 * MiB, 896 * MiB
LOAD_MIB = 300
# The stated bound: the available memory is back in the band within this
# many seconds of a change of load. A step is a resize the guest follows at
# QEMU's pace, and a decision waits for a sample taken after it.
BOUND = 30
MAX_RESIZES = 6


def bed_env(name):
    value = os.environ.get(name)
    if not value:
        print(f'Bail out! {name} is not set: run this in vmem-bed run --balloon', flush=True)
        sys.exit(1)
    return value


URI = bed_env('VMEM_BED_URI')
DOMAIN = bed_env('VMEM_BED_DOMAIN')
SERIAL_LOG = bed_env('VMEM_BED_SERIAL_LOG')
VMEM_BED = bed_env('VMEM_BED')
LOAD_SOCKET = bed_env('VMEM_BED_LOAD_SOCKET')
VMEMCTL = sys.argv[1] if len(sys.argv) > 1 else 'vmemctl'

steps = 0


def ok(name):
    global steps
    steps += 1
    print(f'ok {steps} - {name}', flush=True)


def log(text):
    print(f'# {text}', flush=True)


def serial_reports(key):
    with open(SERIAL_LOG, 'rb') as f:
        text = f.read().decode('utf-8', 'replace')
    return [int(v) for v in re.findall(r'(?<![\w-])' + re.escape(key) + r' (\d+)\r?\n', text)]


def settle():
    subprocess.run([VMEM_BED, 'settle', '--timeout', '120'], check=True)


def run_until(condition, seconds, what):
    context = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    tick = GLib.timeout_add(50, lambda: GLib.SOURCE_CONTINUE)
    try:
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f'{what}: not within {seconds} s')
            context.iteration(True)
    finally:
        GLib.source_remove(tick)


class LoadPort:
    """The host side of the guest's load port."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.socket.connect(LOAD_SOCKET)

    def send(self, command, answer):
        """Sends a command and waits until the guest says it holds answer MiB."""
        before = len(serial_reports('VMEM-LOAD'))
        self.socket.sendall(f'{command}\n'.encode())
        sent = time.monotonic()
        run_until(lambda: serial_reports('VMEM-LOAD')[before:] == [answer], 60,
                  f'the guest holding {answer} MiB')
        return sent


class Recorder:
    """The policy's decisions, and every requested size the device took."""

    def __init__(self, policy, device):
        self.decisions = []
        self.requested = [device.props.requested_size]
        policy.connect('decision', self.on_decision)
        policy.connect('stalled', lambda p, d, m: self.decisions.append(
            (time.monotonic(), 'stalled', None, 0, 0, m, 0)))
        device.connect('notify::requested-size',
                       lambda d, p: self.requested.append(d.props.requested_size))
        self.policy = policy

    def on_decision(self, policy, action, device, before, after, reason):
        entry = (time.monotonic(), action.value_nick, device, before, after, reason,
                 policy.props.guest_available)
        self.decisions.append(entry)
        alias = device.props.alias if device else '-'
        log(f'{action.value_nick} {alias} {before // MiB}->{after // MiB} MiB, '
            f'available {policy.props.guest_available // MiB} MiB: {reason}')

    def since(self, t):
        return [d for d in self.decisions if d[0] >= t]

    def back_in_band(self, t):
        """The time of the first hold 'inside the band' after a resize
        decided after t, or None."""
        resized = False
        for when, action, _, _, _, reason, _ in self.since(t):
            if action in ('grow', 'shrink'):
                resized = True
            elif resized and action == 'hold' and 'inside the band' in reason:
                return when
        return None


def main():
    print('1..6', flush=True)
    settle()
    connection = Vmem.Connection.new(URI)
    connection.open(None)
    domain = connection.lookup_domain(DOMAIN)
    device = next(d for d in domain.get_memory_devices() if isinstance(d, Vmem.VirtioMem))
    assert device.props.requested_size == START
    port = LoadPort()

    policy = Vmem.Autosize.new(domain)
    policy.props.available_low, policy.props.available_high = BAND
    policy.props.minimum, policy.props.maximum = MINIMUM, MAXIMUM
    recorder = Recorder(policy, device)
    policy.start()
    assert policy.props.running
    run_until(lambda: any(d[1] == 'hold' and 'inside the band' in d[5] for d in recorder.decisions),
              30, 'a first decision inside the band')
    idle = policy.props.guest_available
    memtotal_idle = serial_reports('VMEM-MEMTOTAL')[-1]
    log(f'idle: available {idle // MiB} MiB, MemTotal {memtotal_idle} kB, '
        f'host free {policy.props.host_free // MiB} MiB')
    ok('the policy runs, reads the guest\'s memory from the balloon, and holds inside the band')

    # The load: the guest's available memory falls under the band.
    t_load = port.send(f'load {LOAD_MIB}', LOAD_MIB)
    run_until(lambda: recorder.back_in_band(t_load) is not None, BOUND,
              'the available memory back in the band after the load')
    grown = device.props.requested_size
    took = recorder.back_in_band(t_load) - t_load
    assert grown > START, grown
    first_grow = next(d for d in recorder.since(t_load) if d[1] == 'grow')
    log(f'load: first grow {first_grow[0] - t_load:.1f} s after it, back in the band after '
        f'{took:.1f} s, requested {grown // MiB} MiB')
    ok(f'under a {LOAD_MIB} MiB load, back in the band in {took:.1f} s (bound {BOUND} s)')

    # Let the guest have it, then free the load: memory goes back.
    run_until(lambda: device.props.current_size == device.props.requested_size, 60, 'the guest plugged')
    settle()
    # What the guest has under the load, once it has it.
    grown = device.props.requested_size
    memtotal_peak = serial_reports('VMEM-MEMTOTAL')[-1]
    t_free = port.send('free', 0)
    run_until(lambda: recorder.back_in_band(t_free) is not None, BOUND,
              'the available memory back in the band after the load ended')
    took = recorder.back_in_band(t_free) - t_free
    shrunk = device.props.requested_size
    assert shrunk < grown, (shrunk, grown)
    run_until(lambda: device.props.current_size == shrunk, 60, 'the guest unplugged')
    settle()
    memtotal_after = serial_reports('VMEM-MEMTOTAL')[-1]
    assert memtotal_after < memtotal_peak, (memtotal_after, memtotal_peak)
    assert (memtotal_peak - memtotal_after) * 1024 == grown - shrunk, \
        (memtotal_peak, memtotal_after, grown, shrunk)
    log(f'free: back in the band after {took:.1f} s; requested {grown // MiB} -> {shrunk // MiB} MiB, '
        f'MemTotal {memtotal_peak} -> {memtotal_after} kB')
    ok(f'after the load, {(grown - shrunk) // MiB} MiB went back to the host, in {took:.1f} s; '
       'the device and the guest\'s MemTotal show it')

    # Bounds, resizes and no oscillation.
    policy.stop()
    assert not policy.props.running and recorder.decisions[-1][1] == 'stop'
    assert all(MINIMUM <= r <= MAXIMUM for r in recorder.requested[1:]), recorder.requested
    actions = [d[1] for d in recorder.decisions if d[1] in ('grow', 'shrink')]
    assert 2 <= len(actions) <= MAX_RESIZES, actions
    assert actions == sorted(actions, key=lambda a: a != 'grow'), f'oscillation: {actions}'
    assert policy.props.resizes == len(actions)
    assert all(d[5] for d in recorder.decisions), 'a decision without a reason'
    assert not any(d[1] == 'stalled' for d in recorder.decisions)
    ok(f'{len(actions)} resizes ({", ".join(actions)}), requested always within '
       f'[{MINIMUM // MiB}, {MAXIMUM // MiB}] MiB, no oscillation')

    # The refusals: a band narrower than two blocks, and a stopped policy
    # changes nothing.
    narrow = Vmem.Autosize.new(domain)
    narrow.props.available_low, narrow.props.available_high = 256 * MiB, 258 * MiB
    try:
        narrow.start()
    except GLib.Error as error:
        assert error.matches(Vmem.error_quark(), Vmem.Error.INVALID_CONFIG), error.message
        assert 'too narrow' in error.message
    else:
        raise AssertionError('a band of one block was accepted')
    assert not narrow.props.running
    ok('a band narrower than two blocks is refused')

    # vmemctl autosize: the same policy, a JSON object per decision.
    port.send(f'load {LOAD_MIB}', LOAD_MIB)
    out = subprocess.run([VMEMCTL, '-c', URI, 'autosize', DOMAIN, '--json', '--count', '1',
                          '--band', f'{BAND[0] // MiB}MiB:{BAND[1] // MiB}MiB',
                          '--min', f'{MINIMUM // MiB}MiB', '--max', f'{MAXIMUM // MiB}MiB'],
                         check=True, capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    resizes = [line for line in lines if line['action'] in ('grow', 'shrink')]
    assert len(resizes) == 1 and resizes[0]['action'] == 'grow', lines
    grow = resizes[0]
    assert grow['alias'] == device.props.alias and grow['to'] > grow['from'], grow
    assert grow['available'] < BAND[0] and grow['reason'], grow
    assert lines[-1]['action'] == 'stop', lines[-1]
    log(f'vmemctl autosize: {len(lines)} lines, {grow["from"] // MiB} -> {grow["to"] // MiB} MiB')
    port.send('free', 0)
    ok('vmemctl autosize --json prints each decision, and --count stops it')

    # Back to the bed's state. vmemctl's resize went through another
    # connection, which tells this one nothing of the requested size (only
    # of the current one, as the guest plugs): set it, whatever the guest
    # is doing, and wait for the guest to be there.
    device.set_requested_size(START, Vmem.AffectFlags.LIVE, None)
    run_until(lambda: device.props.current_size == START, 60, 'the device back at 128 MiB')
    settle()
    connection.close()


if __name__ == '__main__':
    main()
