#!/usr/bin/gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Hot-plug a DIMM into a running guest, or remove one, waiting until the
// guest released it.
//
//   gjs -m hotplug.js attach qemu:///system guest --size 1GiB --node 0
//   gjs -m hotplug.js detach --connect qemu:///system guest dimm0 --timeout 30
//
// attach prints the alias libvirt gave the new device ("dimm0: attached
// (dimm, 1GiB, node 0)"), detach prints "dimm0: detached".
//
// Exit status: 0 success, 1 libvirt or another failure (the guest did not
// release the DIMM in time), 2 usage error, 3 no such domain or device,
// 4 refused size, 6 interrupted (Ctrl-C).

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Vmem from 'gi://Vmem?version=1.0';
import {SIGINT, UsageError, exitStatus, parseArgs, run} from './cli.js';

Gio._promisify(Vmem.Connection.prototype, 'open_async', 'open_finish');
Gio._promisify(Vmem.Connection.prototype, 'lookup_domain_async', 'lookup_domain_finish');
Gio._promisify(Vmem.Domain.prototype, 'attach_device_async', 'attach_device_finish');
Gio._promisify(Vmem.Domain.prototype, 'detach_device_async', 'detach_device_finish');

const USAGE = `usage: hotplug.js attach [-h] --size SIZE [--node N] [-c URI | URI] DOMAIN
       hotplug.js detach [-h] [--timeout S] [-c URI | URI] DOMAIN ALIAS

Hot-plug a DIMM into a running domain, or remove one.

  -h, --help             show this help message and exit
  -c, --connect URI      the libvirt connection URI
  --size SIZE            attach: its size, such as 512MiB
  --node N               attach: the guest NUMA node
  --timeout S            detach: stop waiting for the guest after S seconds

Exit status: 0 success, 1 failure, 2 usage, 3 no such domain or device,
4 refused size, 6 interrupted.`;

function integer(text, fallback, what) {
  const n = Number(text ?? fallback);
  if (!Number.isInteger(n))
    throw new UsageError(`${what} needs a number`);
  return n;
}

async function attach(domain, size, node) {
  const dimm = Vmem.Dimm.new();
  dimm.size = size;
  dimm.node = node;
  // Refused here, with the library's reasons, before libvirt is asked.
  dimm.validate();

  // The device as the domain now shows it, with the alias libvirt gave it.
  const added = await domain.attach_device_async(dimm, Vmem.AffectFlags.LIVE, null);
  const where = node >= 0 ? `, node ${node}` : '';
  print(`${added.alias ?? 'a new DIMM'}: attached (dimm, ${Vmem.size_format(size)}${where})`);
  return 0;
}

async function detach(domain, alias, timeout) {
  if (domain.find_memory_device(alias) === null) {
    throw new GLib.Error(Vmem.error_quark(), Vmem.Error.NOT_FOUND,
      `Domain '${domain.name}' has no memory device '${alias}'`);
  }

  const cancellable = new Gio.Cancellable();
  let timedOut = false;
  const sources = [GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, SIGINT, () => {
    cancellable.cancel();
    return GLib.SOURCE_CONTINUE;
  })];
  if (timeout) {
    sources.push(GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, timeout, () => {
      timedOut = true;
      cancellable.cancel();
      return GLib.SOURCE_CONTINUE;
    }));
  }

  try {
    // Completes once the guest released the device and libvirt said so.
    await domain.detach_device_async(alias, Vmem.AffectFlags.LIVE, cancellable);
    print(`${alias}: detached`);
    return 0;
  } catch (error) {
    if (timedOut) {
      // Either way libvirt was asked: the guest may still let it go.
      printerr(`The guest did not release ${alias} in ${timeout} s; it may still do so later`);
      return 1;
    }
    const status = exitStatus(error);
    if (status === 6)
      printerr(`Interrupted: the removal of ${alias} was asked for; ` +
        'the guest may still release it');
    else
      printerr(`Cannot detach ${alias}: ${error.message}`);
    return status;
  } finally {
    for (const id of sources)
      GLib.source_remove(id);
  }
}

async function main(argv) {
  const command = argv[0];
  const [options, positionals] = parseArgs(argv.slice(1), {
    '-c': 'connect', '--connect': 'connect',
    '--size': 'size', '--node': 'node', '--timeout': 'timeout',
  });
  if (options.help || command === '-h' || command === '--help') {
    print(USAGE);
    return 0;
  }
  if (command !== 'attach' && command !== 'detach')
    throw new UsageError('choose attach or detach');

  const uri = options.connect ?? positionals.shift();
  if (uri === undefined || positionals.length !== (command === 'attach' ? 1 : 2)) {
    throw new UsageError(`give a connection URI, a domain${
      command === 'detach' ? ' and the alias of the DIMM' : ''}`);
  }
  if (command === 'attach' && options.size === undefined)
    throw new UsageError('attach needs --size');
  const node = integer(options.node, -1, '--node');
  const timeout = integer(options.timeout, 0, '--timeout');

  // size_parse()'s boolean is (skip) for Python; gjs 1.74 still returns it.
  const size = command === 'attach' ? Vmem.size_parse(options.size)[1] : 0;
  const connection = Vmem.Connection.new(uri);
  await connection.open_async(null);
  const domain = await connection.lookup_domain_async(positionals[0], null);
  if (command === 'attach')
    return attach(domain, size, node);
  return detach(domain, positionals[1], timeout);
}

run('hotplug.js', USAGE, main);
