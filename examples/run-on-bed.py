#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run one language's examples, in turn, against the test bed's guest and
# check what each prints and how it exits. Run it inside a bed:
#
#   tests/bed/vmem-bed run -- run-on-bed.py examples/python .py /usr/bin/python3
#   tests/bed/vmem-bed run -- run-on-bed.py examples/js .js /usr/bin/gjs -m
#
# The story, on the bed's virtio-mem device virtiomem0 (1 GiB, 2 MiB
# blocks, 128 MiB at boot) and its free DIMM slots:
#
#   list-devices   the guest and its device, with the live sizes
#   watch          in the background, through the two resizes below, then
#                  Ctrl-C: at least two timestamped changes, 1GiB then
#                  128MiB last, and the size the device was left with;
#                  beside it, watch --count 2 must end by itself, and so
#                  must watch-hosts --count 2, after the guest's listing
#   resize         to 1GiB and back to 128MiB, with progress lines; the
#                  guest's MemTotal (its serial console) follows
#   hotplug        attach a 128 MiB DIMM, see it in list-devices and in
#                  MemTotal; detach it, and it is gone from both
#   resize         while the guest is paused: it stalls, exit status 5
#
# Stops at the first failure with what was expected and what was printed;
# exits 1 then.

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

MiB = 1 << 20
GiB = 1 << 30
UNITS = {'B': 1, 'KiB': 1 << 10, 'MiB': MiB, 'GiB': GiB, 'TiB': 1 << 40}
TIMESTAMP = r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)'

examples_dir, suffix, *interpreter = sys.argv[1:]
URI = os.environ.get('VMEM_BED_URI')
DOMAIN = os.environ.get('VMEM_BED_DOMAIN')
SERIAL_LOG = os.environ.get('VMEM_BED_SERIAL_LOG')
if not (URI and DOMAIN and SERIAL_LOG and interpreter):
    sys.exit('usage: run-on-bed.py DIR SUFFIX INTERPRETER [ARG...], inside vmem-bed run')


def fail(message, result=None):
    print(f'FAIL: {message}', file=sys.stderr)
    if result is not None:
        print(f'--- stdout:\n{result.stdout}--- stderr:\n{result.stderr}', file=sys.stderr)
    sys.exit(1)


def command(name, *args):
    return interpreter + [os.path.join(examples_dir, name + suffix)] + list(args)


def run(name, *args, status=0):
    """Runs an example, which must exit with @status; returns its result."""
    cmd = command(name, *args)
    print('$ ' + ' '.join(cmd[len(interpreter):]), flush=True)
    start = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    sys.stdout.write(result.stdout)
    sys.stdout.write(''.join('  stderr: ' + line + '\n' for line in result.stderr.splitlines()))
    print(f'  exit status {result.returncode} in {time.monotonic() - start:.1f} s', flush=True)
    if result.returncode != status:
        fail(f'{name} exited with {result.returncode}, expected {status}', result)
    return result


def lines(text):
    return [' '.join(line.split()) for line in text.splitlines()]


def expect(result, *wanted, stream='stdout'):
    got = lines(getattr(result, stream))
    for text in wanted:
        if not any(text in line for line in got):
            fail(f'{stream} lacks {text!r}', result)


def parse_size(text):
    match = re.fullmatch(r'(\d+)(B|KiB|MiB|GiB|TiB)', text)
    if match is None:
        fail(f'not a size: {text!r}')
    return int(match[1]) * UNITS[match[2]]


def memtotal_kb():
    """The guest's last complete VMEM-MEMTOTAL report, or None."""
    with open(SERIAL_LOG, 'rb') as f:
        values = re.findall(rb'VMEM-MEMTOTAL (\d+)\r?\n', f.read())
    return int(values[-1]) if values else None


def wait_until(condition, seconds=30):
    """Polls @condition every 0.2 s; whether it held within @seconds."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def wait_for_memtotal(kb, what, seconds=30):
    deadline = time.monotonic() + seconds
    while memtotal_kb() != kb:
        if time.monotonic() > deadline:
            fail(f"{what}: the guest's MemTotal is {memtotal_kb()} kB, expected {kb} kB")
        time.sleep(0.2)
    print(f'  guest MemTotal {kb} kB: {what}', flush=True)


def settled_memtotal():
    """MemTotal once the guest has what libvirt says it has (vmem-bed
    settle)."""
    subprocess.run([os.environ['VMEM_BED'], 'settle'], check=True, timeout=90)
    return memtotal_kb()


def virsh(*args):
    subprocess.run(['virsh', '-q', '-c', URI, *args], check=True, timeout=60,
                   stdout=subprocess.DEVNULL)


def device_row(result, alias):
    rows = [line.split() for line in lines(result.stdout)]
    return next((row for row in rows if row[:2] == [DOMAIN, alias]), None)


def check_resize(result, alias, start, target):
    """The start line, progress lines from the signal, each a block
    multiple between the two sizes, and the size reached."""
    expect(result, f'{alias}: {start} -> {target}', f'{alias} has {target}')
    progress = re.findall(rf'^{alias}: (\S+) / {target}$', result.stdout, re.M)
    if not progress:
        fail('no progress line', result)
    low, high = sorted((parse_size(start), parse_size(target)))
    for size in map(parse_size, progress):
        if not low <= size <= high or size % (2 * MiB):
            fail(f'a progress size out of the way or off the blocks: {size}', result)
    if progress[-1] != target:
        fail(f'the last progress line is {progress[-1]}, not {target}', result)


def watch_events(result):
    """The (timestamp, size) of each change of virtiomem0 watch printed."""
    return re.findall(rf'^({TIMESTAMP}) {DOMAIN} virtiomem0 (\S+)$', result.stdout, re.M)


def watch_sizes(result):
    return [size for _, size in watch_events(result)]


def check_watch_hosts(result):
    """watch-hosts --count 2 on the bed's URI, labelled without its query:
    the guest as it booted, then two changes of virtiomem0."""
    label = URI.split('?')[0]
    if result.returncode != 0:
        fail(f'watch-hosts --count 2 exited with {result.returncode}', result)
    expect(result, f'{label}: {DOMAIN} running, virtiomem0 requested 128MiB, current 128MiB')
    changes = re.findall(rf'^{re.escape(label)}: {DOMAIN} virtiomem0 (\S+)$', result.stdout, re.M)
    if len(changes) != 2:
        fail(f'watch-hosts --count 2 printed {len(changes)} size changes', result)


class Background:
    """An example run in the background, with its output in files that
    can be read while it runs."""

    def __init__(self, name, *args):
        self.command = command(name, *args)
        print('$ ' + ' '.join(self.command[len(interpreter):]) + ' &', flush=True)
        self.dir = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.dir.name, 'stdout')
        self.err = os.path.join(self.dir.name, 'stderr')
        with open(self.out, 'w') as out, open(self.err, 'w') as err:
            self.process = subprocess.Popen(self.command, stdout=out, stderr=err)

    def result(self):
        with open(self.out) as out, open(self.err) as err:
            return subprocess.CompletedProcess(self.command, self.process.returncode,
                                               out.read(), err.read())

    def stop(self, signum=None):
        """Sends @signum, if any, and waits up to 30 s for the end."""
        if signum is not None:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        result = self.result()
        print('$ ' + ' '.join(self.command[len(interpreter):]) +
              f' ended with exit status {self.process.returncode}')
        print(result.stdout + ''.join('  stderr: ' + line + '\n'
                                      for line in result.stderr.splitlines()), end='', flush=True)
        return result

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def main():
    boot_total = settled_memtotal()
    print(f'guest MemTotal {boot_total} kB at boot', flush=True)

    # list-devices: the bed's guest and its device, live.
    result = run('list-devices', URI)
    expect(result, 'DOMAIN ALIAS MODEL NODE SIZE BLOCK REQUESTED CURRENT')
    if device_row(result, 'virtiomem0') != [DOMAIN, 'virtiomem0', 'virtio-mem', '0', '1GiB',
                                            '2MiB', '128MiB', '128MiB']:
        fail('wrong virtiomem0 row', result)
    run('list-devices', '--connect', URI, DOMAIN)

    # watch, in the background, through a grow and a shrink: one until
    # Ctrl-C, one for two changes.
    watch = Background('watch', '--connect', URI, DOMAIN, '--timeout', '300')
    counted = Background('watch', URI, '--count', '2', '--timeout', '120')
    hosts = Background('watch-hosts', URI, '--count', '2')
    try:
        for background, ready in ((watch, 'Watching the memory devices of 1 domain'),
                                  (counted, 'Watching the memory devices of 1 domain'),
                                  (hosts, 'Watching 1 host')):
            wait_until(lambda: ready in background.result().stderr or
                       background.process.poll() is not None)
            if ready not in background.result().stderr:
                fail(f'{background.command[len(interpreter)]} did not start',
                     background.result())

        result = run('resize', URI, DOMAIN, 'virtiomem0', '1GiB')
        check_resize(result, 'virtiomem0', '128MiB', '1GiB')
        wait_for_memtotal(boot_total + (GiB - 128 * MiB) // 1024, 'grown by 896 MiB')

        result = run('resize', '--connect', URI, DOMAIN, 'virtiomem0', '128MiB')
        check_resize(result, 'virtiomem0', '1GiB', '128MiB')
        wait_for_memtotal(boot_total, 'back to its boot size')

        # The watchers have connections of their own: their events may come
        # a little after those of the resize.
        wait_until(lambda: watch_sizes(watch.result())[-1:] == ['128MiB'])
        # Ctrl-C ends one; the others must have ended on their own.
        counted_result = counted.stop()
        hosts_result = hosts.stop()
        result = watch.stop(signal.SIGINT)
    finally:
        watch.kill()
        counted.kill()
        hosts.kill()

    check_watch_hosts(hosts_result)

    if counted_result.returncode != 0:
        fail(f'watch --count 2 exited with {counted_result.returncode}', counted_result)
    if len(watch_sizes(counted_result)) != 2 or \
            not re.search(rf'^{DOMAIN} virtiomem0 has \S+$', counted_result.stdout, re.M):
        fail('watch --count 2 did not print 2 changes, then the size left', counted_result)

    if result.returncode != 0:
        fail(f'watch exited with {result.returncode} on Ctrl-C', result)
    events = watch_events(result)
    sizes = [e[1] for e in events]
    if len(events) < 2:
        fail(f'watch printed {len(events)} size changes through two resizes', result)
    if [e[0] for e in events] != sorted(e[0] for e in events):
        fail('watch timestamps go backwards', result)
    if '1GiB' not in sizes[:-1] or sizes[-1] != '128MiB':
        fail('watch did not see 1GiB, then 128MiB last', result)
    if result.stdout.splitlines()[-1:] != [f'{DOMAIN} virtiomem0 has 128MiB']:
        fail('watch did not end with the size virtiomem0 was left with', result)
    print(f'  watch: {len(events)} size changes', flush=True)

    # hotplug: a 128 MiB DIMM comes and goes, in libvirt and in the guest.
    result = run('hotplug', 'attach', URI, DOMAIN, '--size', '128MiB', '--node', '0')
    expect(result, 'dimm0: attached (dimm, 128MiB, node 0)')
    wait_for_memtotal(boot_total + 128 * 1024, 'grown by the DIMM')
    result = run('list-devices', URI, DOMAIN)
    if device_row(result, 'dimm0') != [DOMAIN, 'dimm0', 'dimm', '0', '128MiB', '-', '-', '-']:
        fail('wrong dimm0 row', result)

    result = run('hotplug', 'detach', '--connect', URI, DOMAIN, 'dimm0', '--timeout', '60')
    expect(result, 'dimm0: detached')
    wait_for_memtotal(boot_total, 'the DIMM released')
    result = run('list-devices', URI, DOMAIN)
    if device_row(result, 'dimm0') is not None:
        fail('dimm0 is still listed', result)
    result = run('hotplug', 'detach', URI, DOMAIN, 'dimm0', status=3)
    expect(result, f"Domain '{DOMAIN}' has no memory device 'dimm0'", stream='stderr')

    # resize: a paused guest makes no progress, and the example says so.
    virsh('suspend', DOMAIN)
    result = run('resize', URI, DOMAIN, 'virtiomem0', '256MiB', '--stall-timeout', '1500',
                 status=5)
    expect(result, 'virtiomem0: 128MiB -> 256MiB')
    expect(result, "The guest stalled: The guest stopped at 128MiB of the 256MiB requested "
                   "from 'virtiomem0': no progress for 1500 ms", stream='stderr')
    if 'has' in result.stdout:
        fail('a stalled resize printed a final size', result)
    virsh('resume', DOMAIN)

    print('PASS')


if __name__ == '__main__':
    main()
