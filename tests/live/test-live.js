#!/usr/bin/gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// test-live.js: the live object model from gjs, on the real test bed
//
// Run inside the bed (tests/bed/vmem-bed run -- gjs -m test-live.js), with
// GI_TYPELIB_PATH and LD_LIBRARY_PATH at the build tree:
//
// - the one-liner conn.lookup_domain(name).find_memory_device(alias)
//   .set_requested_size(...) resizes the guest after System.gc(): the
//   connection holds the domain nobody else does;
// - a second domain defined, started, destroyed and undefined with virsh
//   shows up as items-changed and domain-added/-removed in one dispatch,
//   the same object throughout;
// - the memory figures of each NUMA node equal what libvirt's live XML and
//   the guest's serial console say.
//
// Every case starts and ends with the bed's device at 128 MiB and the
// guest settled (vmem-bed settle). Prints 'ok N - name' per case and ends
// with 'N passed, N failed'; exits 1 on any failure.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Vmem from 'gi://Vmem?version=1.0';
import System from 'system';

const MiB = 1024 * 1024;
const START = 128 * MiB;

function bedEnv(name) {
    const value = GLib.getenv(name);
    if (!value)
        throw new Error(`${name} is not set: run this through tests/bed/vmem-bed run`);
    return value;
}

const URI = bedEnv('VMEM_BED_URI');
const DOMAIN = bedEnv('VMEM_BED_DOMAIN');
const SERIAL_LOG = bedEnv('VMEM_BED_SERIAL_LOG');
const VMEM_BED = bedEnv('VMEM_BED');
const TIME_SCALE = Number(GLib.getenv('VMEM_TEST_TIME_SCALE') || '1');
const SECOND = 'vmem-live-second-js';

function check(condition, what) {
    if (!condition)
        throw new Error(`check failed: ${what}`);
}

function equal(actual, expected, what) {
    if (actual !== expected)
        throw new Error(`${what}: got ${actual}, expected ${expected}`);
}

// Iterates the default main context until done() holds; fails after
// `seconds` (scaled).
function waitUntil(done, seconds, what) {
    const context = GLib.MainContext.default();
    const deadline = GLib.get_monotonic_time() + seconds * TIME_SCALE * 1e6;
    const wake = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 20, () => GLib.SOURCE_CONTINUE);
    try {
        while (!done()) {
            if (GLib.get_monotonic_time() > deadline)
                throw new Error(`${what} did not happen within ${seconds * TIME_SCALE} s`);
            context.iteration(true);
        }
    } finally {
        GLib.source_remove(wake);
    }
}

function run(argv) {
    const process = Gio.Subprocess.new(argv,
        Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
    const [, stdout, stderr] = process.communicate_utf8(null, null);
    if (!process.get_successful())
        throw new Error(`${argv.join(' ')} failed: ${stderr}`);
    return stdout;
}

function virsh(...args) {
    return run(['virsh', '-q', '-c', URI, ...args]);
}

function settle() {
    run([VMEM_BED, 'settle', '--timeout', String(Math.round(60 * TIME_SCALE))]);
}

// The guest's last complete report of `key` on the serial console, in kB.
function serialKb(key) {
    const [, bytes] = GLib.file_get_contents(SERIAL_LOG);
    const text = new TextDecoder().decode(bytes);
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(?<![\\w-])${escaped} (\\d+)\\r?\\n`, 'g');
    let value = null;
    for (const match of text.matchAll(pattern))
        value = Number(match[1]);
    if (value === null)
        throw new Error(`the guest has not reported ${key}`);
    return value;
}

function waitMemTotal(want, what) {
    waitUntil(() => serialKb('VMEM-MEMTOTAL') === want, 30, `the guest MemTotal reaching ${want} kB (${what})`);
}

// The bed's state: the device at 128 MiB, and the guest with it.
function putBack(connection) {
    const device = connection.find_domain(DOMAIN).find_memory_device('virtiomem0');
    if (device.requested_size !== START)
        device.set_requested_size(START, Vmem.AffectFlags.LIVE, null);
    settle();
}

function openConnection() {
    const connection = Vmem.Connection.new(URI);
    connection.open(null);
    return connection;
}

function testOneLinerAfterGc() {
    const connection = openConnection();
    try {
        putBack(connection);
        const before = serialKb('VMEM-MEMTOTAL');

        System.gc();
        connection.lookup_domain(DOMAIN).find_memory_device('virtiomem0')
            .set_requested_size(256 * MiB, Vmem.AffectFlags.LIVE, null);
        System.gc();
        waitMemTotal(before + (256 * MiB - START) / 1024, 'the one-liner');
        print(`# one-liner after System.gc(): guest MemTotal ${before} -> ${serialKb('VMEM-MEMTOTAL')} kB`);

        // A device kept alone still reaches the guest.
        const device = connection.lookup_domain(DOMAIN).find_memory_device('virtiomem0');
        System.gc();
        check(device.is_live(), 'the device is live');
        check(device.domain !== null, 'the device has its domain');
        device.set_requested_size(START, Vmem.AffectFlags.LIVE, null);
        waitMemTotal(before, 'the device kept alone');
    } finally {
        putBack(connection);
        connection.close();
    }
}

// The bed's domain under another name, without its UUID, with a serial
// log of its own.
function secondDomainXml() {
    const serial = GLib.build_filenamev([bedEnv('VMEM_BED_WORKDIR'), 'serial-second-js.log']);
    return virsh('dumpxml', '--inactive', DOMAIN)
        .replace(/<name>[^<]*<\/name>/, `<name>${SECOND}</name>`)
        .replace(/<uuid>[^<]*<\/uuid>/, '')
        .replace(/(<source path=')[^']*serial\.log(')/g, `$1${serial}$2`);
}

function testSecondDomain() {
    const connection = openConnection();
    const domains = connection.get_domains();
    const nBefore = domains.get_n_items();
    const log = [];
    const [file, stream] = Gio.File.new_tmp('vmem-second-XXXXXX.xml');
    const handlers = [];

    try {
        stream.get_output_stream().write_all(new TextEncoder().encode(secondDomainXml()), null);
        stream.close(null);

        handlers.push([domains, domains.connect('items-changed', (model, position, removed, added) => {
            log.push({what: 'items-changed', source: GLib.main_current_source().get_id(), removed, added});
        })]);
        for (const signal of ['domain-added', 'domain-removed']) {
            handlers.push([connection, connection.connect(signal, (conn, domain) => {
                log.push({what: signal, source: GLib.main_current_source().get_id(), domain});
            })]);
        }

        virsh('define', file.get_path());
        waitUntil(() => log.length >= 2, 10, 'domain-added');
        equal(log[0].what, 'items-changed', 'first');
        equal(log[0].added, 1, 'added');
        equal(log[1].what, 'domain-added', 'then');
        equal(log[1].source, log[0].source, 'items-changed and domain-added in one dispatch');
        const domain = log[1].domain;
        equal(domain.get_name(), SECOND, 'the name');
        equal(domain.state, Vmem.DomainState.SHUTOFF, 'the state');
        equal(domains.get_n_items(), nBefore + 1, 'domains');

        virsh('start', SECOND);
        waitUntil(() => domain.state === Vmem.DomainState.RUNNING, 30, 'the running state');
        check(domain.find_memory_device('virtiomem0') !== null, 'the running domain has its device');
        virsh('destroy', SECOND);
        waitUntil(() => domain.state === Vmem.DomainState.SHUTOFF, 30, 'the stopped state');
        equal(log.length, 2, 'signals while it started and stopped');
        check(connection.find_domain(SECOND) === domain, 'the same object');

        virsh('undefine', SECOND);
        waitUntil(() => log.length >= 4, 10, 'domain-removed');
        equal(log[2].what, 'items-changed', 'first');
        equal(log[2].removed, 1, 'removed');
        equal(log[3].what, 'domain-removed', 'then');
        equal(log[3].source, log[2].source, 'items-changed and domain-removed in one dispatch');
        check(log[3].domain === domain, 'the same object removed');
        equal(domains.get_n_items(), nBefore, 'domains');
        print(`# second domain: ${log.map(entry => entry.what).join(', ')}`);
    } finally {
        for (const [object, id] of handlers)
            object.disconnect(id);
        try {
            virsh('undefine', SECOND);
        } catch (e) {
            // Undefined already.
        }
        file.delete(null);
        connection.close();
    }
}

// Sizes of the live XML, which libvirt writes in KiB, summed over the
// memory devices of `model` on `node`.
function xmlSum(xml, model, node, field) {
    let sum = 0;
    for (const [device] of xml.matchAll(/<memory model='[^']*'[^>]*>[\s\S]*?<\/memory>/g)) {
        if (!device.includes(`model='${model}'`) || !device.includes(`<node>${node}</node>`))
            continue;
        const match = device.match(new RegExp(`<${field} unit='KiB'>(\\d+)</${field}>`));
        if (match)
            sum += Number(match[1]) * 1024;
    }
    return sum;
}

function checkNodes(domain) {
    const xml = virsh('dumpxml', DOMAIN);
    const nodes = domain.get_numa_nodes();
    equal(nodes.get_n_items(), [...xml.matchAll(/<cell /g)].length, 'NUMA nodes');
    for (let i = 0; i < nodes.get_n_items(); i++) {
        const usage = nodes.get_item(i);
        const node = usage.node;
        const cell = xml.match(new RegExp(`<cell id='${node}'[^>]*memory='(\\d+)' unit='KiB'`));
        check(cell !== null, `cell ${node} in the live XML`);
        equal(usage.base, Number(cell[1]) * 1024, `node ${node} base`);
        equal(usage.virtio_mem, xmlSum(xml, 'virtio-mem', node, 'current'), `node ${node} plugged`);
        equal(usage.virtio_mem_requested, xmlSum(xml, 'virtio-mem', node, 'requested'), `node ${node} requested`);
        equal(usage.virtio_mem_maximum, xmlSum(xml, 'virtio-mem', node, 'size'), `node ${node} maximum`);
        equal(usage.get_plugged(Vmem.MemoryModel.DIMM), xmlSum(xml, 'dimm', node, 'size'), `node ${node} DIMMs`);
        equal(usage.total, usage.base + usage.dimm + usage.virtio_mem, `node ${node} total`);
        // The guest reports the node after the whole guest: wait for it.
        const want = serialKb(`VMEM-NODE-BASE-MEMTOTAL ${node}`) + (usage.virtio_mem + usage.dimm) / 1024;
        waitUntil(() => serialKb(`VMEM-NODE-MEMTOTAL ${node}`) === want, 30, `node ${node} reaching ${want} kB`);
        const grown = serialKb(`VMEM-NODE-MEMTOTAL ${node}`) - serialKb(`VMEM-NODE-BASE-MEMTOTAL ${node}`);
        equal(grown * 1024, usage.virtio_mem + usage.dimm, `node ${node}: what the guest gained since boot`);
        print(`# node ${node}: base ${Vmem.size_format(usage.base)}, virtio-mem ${Vmem.size_format(usage.virtio_mem)} ` +
              `plugged; the guest has ${grown} kB more than at boot`);
    }
}

function testFigures() {
    const connection = openConnection();
    try {
        putBack(connection);
        const domain = connection.find_domain(DOMAIN);
        const device = domain.find_memory_device('virtiomem0');
        const before = serialKb('VMEM-MEMTOTAL');
        const notified = [];
        const memory = domain.memory;
        const id = memory.connect('notify::virtio-mem', () => notified.push(memory.virtio_mem));

        checkNodes(domain);
        device.set_requested_size(256 * MiB, Vmem.AffectFlags.LIVE, null);
        equal(memory.virtio_mem_requested, 256 * MiB, 'requested, at once');
        waitMemTotal(before + (256 * MiB - START) / 1024, 'growing');
        waitUntil(() => memory.virtio_mem === 256 * MiB, 10, 'the plugged figure following');
        check(notified.length >= 1, 'notify::virtio-mem');
        checkNodes(domain);
        memory.disconnect(id);
    } finally {
        putBack(connection);
        connection.close();
    }
}

const cases = [
    ['one-liner after System.gc()', testOneLinerAfterGc],
    ['second domain', testSecondDomain],
    ['figures', testFigures],
];
let passed = 0, failed = 0;
print(`1..${cases.length}`);
cases.forEach(([name, test], i) => {
    try {
        test();
        passed++;
        print(`ok ${i + 1} - ${name}`);
    } catch (e) {
        failed++;
        print(`not ok ${i + 1} - ${name}: ${e.message}`);
        printerr(e.stack);
    }
});
print(`# ${passed} passed, ${failed} failed`);
System.exit(failed === 0 ? 0 : 1);
