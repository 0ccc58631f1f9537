#!/usr/bin/gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// List every domain of a libvirt connection with its memory devices, as a
// table; or, with --xml, the devices of a domain XML document, offline.
//
//   gjs -m list-devices.js qemu:///system
//   gjs -m list-devices.js --connect qemu:///system guest
//   virsh dumpxml guest | gjs -m list-devices.js --xml -
//
// Exit status: 0 success, 1 libvirt or another failure, 2 usage error,
// 3 no such domain, 4 the XML was refused.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Vmem from 'gi://Vmem?version=1.0';
import {UsageError, parseArgs, items, run} from './cli.js';

Gio._promisify(Vmem.Connection.prototype, 'open_async', 'open_finish');
Gio._promisify(Vmem.Connection.prototype, 'lookup_domain_async', 'lookup_domain_finish');

const USAGE = `usage: list-devices.js [-h] [-c URI | URI] [DOMAIN]
       list-devices.js --xml FILE

List the memory devices of every domain of a libvirt connection, or of one
domain.

  -h, --help             show this help message and exit
  -c, --connect URI      the libvirt connection URI
  --xml FILE             read a domain XML document instead ('-' for
                         standard input)

Exit status: 0 success, 1 failure, 2 usage, 3 no such domain, 4 refused XML.`;

const HEADER = ['DOMAIN', 'ALIAS', 'MODEL', 'NODE', 'SIZE', 'BLOCK', 'REQUESTED', 'CURRENT'];

function size(bytes, known = true) {
  return known ? Vmem.size_format(bytes) : '-';
}

// libvirt's name of a model, the enum value's nick: VIRTIO_MEM -> virtio-mem.
function modelName(model) {
  const key = Object.keys(Vmem.MemoryModel).find(k => Vmem.MemoryModel[k] === model);
  return key.toLowerCase().replaceAll('_', '-');
}

// A table row; block, requested and current are for virtio-mem, and
// current only while the domain runs.
function row(domainName, device, active) {
  const virtioMem = device instanceof Vmem.VirtioMem;
  return [
    domainName,
    device.alias ?? '-',
    modelName(device.model),
    device.node >= 0 ? String(device.node) : '-',
    size(device.size),
    size(virtioMem ? device.block_size : 0, virtioMem),
    size(virtioMem ? device.requested_size : 0, virtioMem),
    size(virtioMem ? device.current_size : 0, virtioMem && active),
  ];
}

function printTable(rows, emptyDomains) {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map(r => r[i].length)));
  for (const r of all) {
    // NODE and the sizes are right-aligned.
    const cells = r.map((cell, i) => i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]));
    print(cells.join('  ').trimEnd());
  }
  for (const name of emptyDomains)
    print(`${name}: no memory devices`);
}

async function listConnection(uri, name) {
  const connection = Vmem.Connection.new(uri);
  await connection.open_async(null);
  let domains;
  if (name !== undefined) {
    domains = [await connection.lookup_domain_async(name, null)];
  } else {
    // Opening read them all: the connection's live model.
    domains = items(connection.get_domains());
    domains.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  const rows = [], empty = [];
  for (const domain of domains) {
    const devices = items(domain.get_memory_devices());
    if (devices.length === 0)
      empty.push(domain.name);
    rows.push(...devices.map(device => row(domain.name, device, domain.is_active())));
  }
  printTable(rows, empty);
}

function listXml(path) {
  const [, bytes] = GLib.file_get_contents(path === '-' ? '/dev/stdin' : path);
  const config = Vmem.DomainConfig.new_from_xml(new TextDecoder().decode(bytes));
  // Only a running domain's XML has an id, and current sizes.
  const active = config.id >= 0;
  const devices = items(config.get_memory_devices());
  printTable(devices.map(device => row(config.name, device, active)),
    devices.length ? [] : [config.name]);
}

async function main(argv) {
  const [options, positionals] = parseArgs(argv,
    {'-c': 'connect', '--connect': 'connect', '--xml': 'xml'});
  if (options.help) {
    print(USAGE);
    return 0;
  }

  if (options.xml !== undefined) {
    if (positionals.length || options.connect !== undefined)
      throw new UsageError('--xml takes no connection or domain');
    listXml(options.xml);
    return 0;
  }

  const uri = options.connect ?? positionals.shift();
  if (uri === undefined)
    throw new UsageError('give a connection URI, such as qemu:///system');
  if (positionals.length > 1)
    throw new UsageError('too many arguments');
  await listConnection(uri, positionals[0]);
  return 0;
}

run('list-devices.js', USAGE, main);
