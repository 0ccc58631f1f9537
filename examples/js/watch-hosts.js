#!/usr/bin/gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Watch the domains and virtio-mem devices of several libvirt hosts at
// once: one Vmem.Connection per host, all opened concurrently and all
// followed on one main loop. Prints what each host has as soon as it
// answers, then a line for each domain added or removed and for each size
// change, every line prefixed with its host; reopens a connection that
// closed. Until Ctrl-C, N size changes (--count), or every connection
// closed with --reopen-interval 0; --once prints the domains and exits.
//
//   gjs -m watch-hosts.js qemu+ssh://root@host1/system qemu+ssh://root@host2/system
//   gjs -m watch-hosts.js --once qemu:///system test:///default
//
// Output (the host is the URI's host[:port], or a local URI without its
// query):
//
//   host1: 2 domains
//   host1: guest running, virtiomem0 requested 1GiB, current 640MiB
//   host1: plain shutoff, no virtio-mem device
//   host2: 0 domains
//   host1: guest virtiomem0 1GiB
//   host2: new-guest added
//   host1: closed (eof), reopening every 2 s
//   host1: back, 2 domains
//
// Exit status: 0 stopped as asked, 2 usage error, 3 no host could be
// opened (each host that cannot be is said on stderr; the others are
// watched).

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Vmem from 'gi://Vmem?version=1.0';
import {SIGINT, SIGTERM, UsageError, parseArgs, items, run} from './cli.js';

Gio._promisify(Vmem.Connection.prototype, 'open_async', 'open_finish');

const USAGE = `usage: watch-hosts.js [-h] [--once] [--count N] [--reopen-interval SECONDS] URI [URI...]

Print the domains and virtio-mem devices of several libvirt hosts, then
their changes, until interrupted.

  -h, --help             show this help message and exit
  --once                 print the domains of each host and exit
  --count N              stop after N size changes
  --reopen-interval SECONDS
                         reopen a closed connection every SECONDS
                         (default 2, 0: never)

Exit status: 0 success, 2 usage, 3 no host could be opened.`;

function number(text, fallback, what) {
  const n = Number(text ?? fallback);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${what} needs a positive number`);
  return n;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// An enum value's nick, as Python's value_nick: CloseReason.EOF -> 'eof'.
function nick(enumType, value) {
  return Object.keys(enumType).find(k => enumType[k] === value).toLowerCase().replaceAll('_', '-');
}

// The URI's host[:port], or for a URI without a host (qemu:///system) the
// URI without its query.
function hostLabel(uri) {
  let parsed;
  try {
    parsed = GLib.Uri.parse(uri, GLib.UriFlags.NONE);
  } catch (error) {
    return uri;
  }
  let host = parsed.get_host();
  if (!host)
    return parsed.to_string_partial(GLib.UriHideFlags.QUERY);
  if (host.includes(':'))
    host = `[${host}]`;  // an IPv6 address
  return parsed.get_port() === -1 ? host : `${host}:${parsed.get_port()}`;
}

// Resolves after @seconds, on the main loop.
function sleep(seconds) {
  return new Promise(resolve => GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, seconds, () => {
    resolve();
    return GLib.SOURCE_REMOVE;
  }));
}

// One libvirt host: its connection, and the lines it prints.
class Host {
  constructor(watch, uri) {
    this.watch = watch;
    this.label = hostLabel(uri);
    this.connection = Vmem.Connection.new(uri);
    // The connection stays the same object when it closes and opens
    // again, and so do its domains: its handlers are connected once.
    this.connection.connect('domain-added', (c, domain) => this.say(`${domain.name} added`));
    this.connection.connect('domain-removed', (c, domain) => this.say(`${domain.name} removed`));
    this.connection.connect('memory-device-size-changed', (c, domain, device, bytes) => {
      this.say(`${domain.name} ${device.alias ?? '-'} ${Vmem.size_format(bytes)}`);
      this.watch.sizeChanged();
    });
    this.connection.connect('closed', (c, reason) => this.onClosed(reason));
  }

  // Prints a line of this host with @out, print (stdout) or printerr.
  say(text, out = print) {
    // Events that were already queued when the watch stopped go unsaid.
    if (this.watch.done)
      return;
    out(`${this.label}: ${text}`);
  }

  // Opens the connection, on a worker thread, and prints its domains;
  // resolves to whether it opened.
  async open() {
    try {
      await this.connection.open_async(null);
    } catch (error) {
      if (!(error instanceof GLib.Error))
        throw error;
      this.say(error.message, printerr);
      return false;
    }
    this.printDomains();
    return true;
  }

  printDomains() {
    // Opening read every domain into the connection's live model.
    const domains = items(this.connection.get_domains());
    domains.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    this.say(plural(domains.length, 'domain'));
    for (const domain of domains) {
      const state = nick(Vmem.DomainState, domain.state);
      const devices = items(domain.get_memory_devices()).filter(d => d instanceof Vmem.VirtioMem);
      if (devices.length === 0)
        this.say(`${domain.name} ${state}, no virtio-mem device`);
      for (const device of devices) {
        // Only a running guest has a current size.
        const current = domain.is_active() ? Vmem.size_format(device.current_size) : '-';
        this.say(`${domain.name} ${state}, ${device.alias ?? '-'} requested ` +
                 `${Vmem.size_format(device.requested_size)}, current ${current}`);
      }
    }
  }

  onClosed(reason) {
    // CLIENT: close() was called, when the watch ends.
    if (reason === Vmem.CloseReason.CLIENT)
      return;
    // The model is empty now; reopening fills it again.
    const interval = this.watch.reopenInterval;
    if (interval) {
      this.say(`closed (${nick(Vmem.CloseReason, reason)}), reopening every ${interval} s`);
      this.reopen(interval).catch(this.watch.fail);
    } else {
      this.say(`closed (${nick(Vmem.CloseReason, reason)})`);
      this.watch.endIfAllClosed();
    }
  }

  async reopen(interval) {
    let lastError = null;
    for (;;) {
      await sleep(interval);
      try {
        await this.connection.open_async(null);
        break;
      } catch (error) {
        if (!(error instanceof GLib.Error))
          throw error;
        // Each new error once, not at every try.
        if (error.message !== lastError)
          this.say(error.message, printerr);
        lastError = error.message;
      }
    }
    // The same domain objects as before, in one change of the model and
    // without domain-added.
    this.say(`back, ${plural(this.connection.get_domains().get_n_items(), 'domain')}`);
  }
}

// The hosts, and when the watch ends.
class Watch {
  constructor(uris, once, count, reopenInterval) {
    this.hosts = uris.map(uri => new Host(this, uri));
    this.once = once;
    this.count = count;
    this.reopenInterval = reopenInterval;
    this.answered = false;
    this.changes = 0;
    this.done = false;
    // stop(status) ends the watch with an exit status; fail(error) with
    // an error, which run() in cli.js prints. The first one counts.
    this.stopped = new Promise((resolve, reject) => {
      this.stop = status => {
        this.done = true;
        resolve(status);
      };
      this.fail = reject;
    });
  }

  allAnswered(opened) {
    this.answered = true;
    const n = opened.filter(o => o).length;
    if (n === 0) {
      this.stop(3);
    } else if (this.once) {
      this.stop(0);
    } else {
      // On stderr, so that scripts know when the watch starts.
      printerr(`Watching ${plural(n, 'host')}; Ctrl-C stops.`);
      this.endIfAllClosed();
    }
  }

  // Without reopening, the watch ends with the last connection (once
  // every host has answered).
  endIfAllClosed() {
    if (this.reopenInterval === 0 && this.answered &&
        !this.hosts.some(host => host.connection.is_open()))
      this.stop(0);
  }

  sizeChanged() {
    if (this.count && ++this.changes >= this.count)
      this.stop(0);
  }

  async run() {
    for (const signum of [SIGINT, SIGTERM]) {
      GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, () => {
        this.stop(0);
        return GLib.SOURCE_REMOVE;
      });
    }
    // Every host opens at once; the connections signal on this thread's
    // main context, so one loop serves them all.
    Promise.all(this.hosts.map(host => host.open()))
      .then(opened => this.allAnswered(opened))
      .catch(this.fail);
    const status = await this.stopped;

    for (const host of this.hosts)
      host.connection.close();
    return status;
  }
}

async function main(argv) {
  const [options, uris] = parseArgs(argv,
    {'--count': 'count', '--reopen-interval': 'reopenInterval'}, {'--once': 'once'});
  if (options.help) {
    print(USAGE);
    return 0;
  }

  if (uris.length === 0)
    throw new UsageError('give one connection URI or more');
  const count = number(options.count, 0, '--count');
  const reopenInterval = number(options.reopenInterval, 2, '--reopen-interval');

  return new Watch(uris, options.once ?? false, count, reopenInterval).run();
}

run('watch-hosts.js', USAGE, main);
