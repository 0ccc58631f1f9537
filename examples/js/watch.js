#!/usr/bin/gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Print every size change libvirt reports for the memory devices of every
// domain of a connection (or of one), with a timestamp, until Ctrl-C, N
// changes (--count) or S seconds (--timeout); then the size each
// virtio-mem device was left with.
//
//   gjs -m watch.js qemu:///system
//   gjs -m watch.js --connect qemu:///system guest --count 2
//
// Output, one line per change, then one per virtio-mem device:
//
//   2026-12-02T07:50:01.482913Z guest virtiomem0 640MiB
//   guest virtiomem0 has 1GiB
//
// Exit status: 0 stopped as asked, 1 libvirt or another failure (the
// connection closed), 2 usage error, 3 no such domain.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Vmem from 'gi://Vmem?version=1.0';
import {SIGINT, SIGTERM, UsageError, parseArgs, items, run} from './cli.js';

Gio._promisify(Vmem.Connection.prototype, 'open_async', 'open_finish');
Gio._promisify(Vmem.Connection.prototype, 'lookup_domain_async', 'lookup_domain_finish');

const USAGE = `usage: watch.js [-h] [--count N] [--timeout S] [-c URI | URI] [DOMAIN]

Print the size changes of memory devices as libvirt reports them, with a
timestamp, until interrupted.

  -h, --help             show this help message and exit
  -c, --connect URI      the libvirt connection URI
  --count N              stop after N size changes
  --timeout S            stop after S seconds

Exit status: 0 success, 1 failure, 2 usage, 3 no such domain.`;

function count(text, what) {
  const n = Number(text ?? 0);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${what} needs a positive number`);
  return n;
}

// Prints the changes until one of the ends comes; resolves to the exit
// status.
function watch(connection, domain, maxCount, timeout) {
  return new Promise(resolve => {
    const handlers = [];
    const sources = [];
    let seen = 0, stopped = false;

    const stop = status => {
      if (stopped)
        return GLib.SOURCE_REMOVE;
      stopped = true;
      for (const id of sources)
        GLib.source_remove(id);
      for (const [object, id] of handlers)
        object.disconnect(id);
      resolve(status);
      return GLib.SOURCE_REMOVE;
    };

    const onSizeChanged = (d, device, bytes) => {
      // GLib's clock and ISO 8601 format, as Python and C programs print it.
      const now = GLib.DateTime.new_now_utc().format_iso8601();
      print(`${now} ${d.name} ${device.alias ?? '-'} ${Vmem.size_format(bytes)}`);
      if (maxCount && ++seen >= maxCount)
        stop(0);
    };
    // One domain, or every domain of the connection, those defined while
    // the watch runs included.
    if (domain !== null) {
      handlers.push([domain, domain.connect('memory-device-size-changed', onSizeChanged)]);
    } else {
      handlers.push([connection, connection.connect('memory-device-size-changed',
        (c, d, device, bytes) => onSizeChanged(d, device, bytes))]);
    }
    handlers.push([connection, connection.connect('closed', (c, reason) => {
      const name = Object.keys(Vmem.CloseReason).find(k => Vmem.CloseReason[k] === reason);
      printerr(`The connection to libvirt closed (${name.toLowerCase()})`);
      stop(1);
    })]);
    // Each stops everything, its own source included.
    for (const signum of [SIGINT, SIGTERM])
      sources.push(GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, () => stop(0)));
    if (timeout)
      sources.push(GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, timeout, () => stop(0)));

    // On stderr, so that scripts know when changes start to count.
    const n = domain !== null ? 1 : connection.get_domains().get_n_items();
    printerr(`Watching the memory devices of ${n} domain${n === 1 ? '' : 's'}; Ctrl-C stops.`);
  });
}

async function main(argv) {
  const [options, positionals] = parseArgs(argv,
    {'-c': 'connect', '--connect': 'connect', '--count': 'count', '--timeout': 'timeout'});
  if (options.help) {
    print(USAGE);
    return 0;
  }

  const uri = options.connect ?? positionals.shift();
  if (uri === undefined || positionals.length > 1)
    throw new UsageError('give a connection URI and, optionally, a domain');
  const maxCount = count(options.count, '--count');
  const timeout = count(options.timeout, '--timeout');

  const connection = Vmem.Connection.new(uri);
  await connection.open_async(null);
  const domain = positionals.length ? await connection.lookup_domain_async(positionals[0], null) : null;

  const status = await watch(connection, domain, maxCount, timeout);
  if (status === 0) {
    const domains = domain !== null ? [domain] : items(connection.get_domains());
    domains.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const d of domains) {
      for (const device of items(d.get_memory_devices())) {
        if (device instanceof Vmem.VirtioMem && d.is_active())
          print(`${d.name} ${device.alias} has ${Vmem.size_format(device.current_size)}`);
      }
    }
  }
  connection.close();
  return status;
}

run('watch.js', USAGE, main);
