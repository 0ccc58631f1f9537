#!/usr/bin/gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Resize a virtio-mem device of a running guest and wait until the guest
// has the memory, printing each size it reports on the way.
//
//   gjs -m resize.js qemu:///system guest virtiomem0 4GiB
//   gjs -m resize.js --connect qemu:///system guest virtiomem0 512MiB
//
// A guest that stops making progress (no virtio-mem driver, paused, out of
// movable memory) fails the resize with Vmem.Error.STALLED.
//
// Exit status: 0 the guest has the size, 1 libvirt or another failure,
// 2 usage error, 3 no such domain or device, 4 refused size, 5 the guest
// stalled, 6 interrupted (Ctrl-C).

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Vmem from 'gi://Vmem?version=1.0';
import {SIGINT, UsageError, exitStatus, parseArgs, run} from './cli.js';

Gio._promisify(Vmem.Connection.prototype, 'open_async', 'open_finish');
Gio._promisify(Vmem.Connection.prototype, 'lookup_domain_async', 'lookup_domain_finish');
Gio._promisify(Vmem.VirtioMem.prototype, 'resize_async', 'resize_finish');

const USAGE = `usage: resize.js [-h] [--stall-timeout MS] [-c URI | URI] DOMAIN ALIAS SIZE

Resize a virtio-mem device of a running domain and wait until the guest has
the memory. SIZE is a number and a unit, such as 1GiB.

  -h, --help             show this help message and exit
  -c, --connect URI      the libvirt connection URI
  --stall-timeout MS     give up when the guest makes no progress for MS
                         milliseconds

Exit status: 0 success, 1 failure, 2 usage, 3 no such domain or device,
4 refused size, 5 the guest stalled, 6 interrupted.`;

function vmemError(code, message) {
  return new GLib.Error(Vmem.error_quark(), code, message);
}

function findVirtioMem(domain, alias) {
  const device = domain.find_memory_device(alias);
  if (device === null)
    throw vmemError(Vmem.Error.NOT_FOUND,
      `Domain '${domain.name}' has no memory device '${alias}'`);
  if (!(device instanceof Vmem.VirtioMem)) {
    throw vmemError(Vmem.Error.UNSUPPORTED_MODEL,
      `'${alias}' is not a virtio-mem device: only virtio-mem devices resize`);
  }
  return device;
}

// Resizes @device to @target, printing the progress the domain signals,
// until the guest has it, stalls or Ctrl-C.
async function resize(domain, device, target) {
  const alias = device.alias;
  const cancellable = new Gio.Cancellable();
  print(`${alias}: ${Vmem.size_format(device.current_size)} -> ${Vmem.size_format(target)}`);

  // The signal comes for every memory device of the domain.
  const handler = domain.connect('memory-device-size-changed', (_domain, changed, bytes) => {
    if (changed === device)
      print(`${alias}: ${Vmem.size_format(bytes)} / ${Vmem.size_format(target)}`);
  });
  // Cancelling stops the waiting, not the resize.
  const sigint = GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, SIGINT, () => {
    cancellable.cancel();
    return GLib.SOURCE_CONTINUE;
  });

  try {
    await device.resize_async(target, cancellable);
    print(`${alias} has ${Vmem.size_format(device.current_size)}`);
    return 0;
  } catch (error) {
    const status = exitStatus(error);
    if (status === 5) {
      printerr(`The guest stalled: ${error.message}`);
    } else if (status === 6) {
      printerr(`Interrupted: ${alias} is usable with ${Vmem.size_format(device.current_size)} ` +
        `plugged; the guest was asked for ${Vmem.size_format(target)} and may still get there`);
    } else {
      printerr(`Cannot resize ${alias}: ${error.message}`);
    }
    return status;
  } finally {
    GLib.source_remove(sigint);
    domain.disconnect(handler);
  }
}

async function main(argv) {
  const [options, positionals] = parseArgs(argv,
    {'-c': 'connect', '--connect': 'connect', '--stall-timeout': 'stallTimeout'});
  if (options.help) {
    print(USAGE);
    return 0;
  }

  const uri = options.connect ?? positionals.shift();
  if (uri === undefined || positionals.length !== 3)
    throw new UsageError('give a connection URI, a domain, a device alias and a size');
  const [name, alias, sizeText] = positionals;
  const stallTimeout = options.stallTimeout === undefined
    ? undefined : Number(options.stallTimeout);
  if (stallTimeout !== undefined && !(Number.isInteger(stallTimeout) && stallTimeout > 0))
    throw new UsageError('--stall-timeout needs a positive number of milliseconds');

  // A bad size is refused before libvirt is even asked. size_parse()'s
  // boolean is (skip) for Python; gjs 1.74 still returns it.
  const [, size] = Vmem.size_parse(sizeText);
  const connection = Vmem.Connection.new(uri);
  await connection.open_async(null);
  const domain = await connection.lookup_domain_async(name, null);
  const device = findVirtioMem(domain, alias);
  device.check_requested_size(size);
  if (stallTimeout !== undefined)
    device.stall_timeout = stallTimeout;

  return resize(domain, device, size);
}

run('resize.js', USAGE, main);
