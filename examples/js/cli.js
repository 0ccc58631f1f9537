// SPDX-License-Identifier: LGPL-2.1-or-later
//
// What the gjs examples share: their command lines, exit statuses that
// tell failures apart by the library's error codes, and an async main()
// run on a GLib main loop.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Vmem from 'gi://Vmem?version=1.0';
import System from 'system';

// Signal numbers, which GLib does not name.
export const SIGINT = 2, SIGTERM = 15;

export class UsageError extends Error {}

// What the library refuses before libvirt is asked: sizes, models, XML.
const REFUSED = [Vmem.Error.INVALID_SIZE, Vmem.Error.OVERFLOW, Vmem.Error.NOT_ALIGNED,
  Vmem.Error.OUT_OF_RANGE, Vmem.Error.UNSUPPORTED_MODEL, Vmem.Error.INVALID_CONFIG,
  Vmem.Error.INVALID_XML];

// The exit status for an error, what went wrong rather than where: 2 usage,
// 3 no such domain or device, 4 refused input, 5 the guest stalled,
// 6 interrupted, 1 anything else.
export function exitStatus(error) {
  if (error instanceof UsageError)
    return 2;
  if (!(error instanceof GLib.Error))
    return 1;
  const vmem = code => error.matches(Vmem.error_quark(), code);
  if (vmem(Vmem.Error.NOT_FOUND))
    return 3;
  if (REFUSED.some(vmem))
    return 4;
  if (vmem(Vmem.Error.STALLED))
    return 5;
  if (error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
    return 6;
  return 1;
}

// Options and positionals; @valued maps the options that take a value,
// such as '-c' and '--connect', to their name, 'connect'; @flags maps
// those that take none, such as '--once', to theirs, set to true.
export function parseArgs(argv, valued, flags = {}) {
  const options = {}, positionals = [];
  for (let i = 0; i < argv.length; i++) {
    let [name, value] = argv[i].split(/=(.*)/s);
    if (!name.startsWith('-') || name === '-') {
      positionals.push(argv[i]);
    } else if (name === '-h' || name === '--help') {
      options.help = true;
    } else if (name in flags && value === undefined) {
      options[flags[name]] = true;
    } else if (name in valued) {
      value ??= argv[++i];
      if (value === undefined)
        throw new UsageError(`${name} needs a value`);
      options[valued[name]] = value;
    } else {
      throw new UsageError(`unknown option ${name}`);
    }
  }
  return [options, positionals];
}

// The items of a GListModel, as an array.
export function items(model) {
  const list = [];
  for (let i = 0; i < model.get_n_items(); i++)
    list.push(model.get_item(i));
  return list;
}

// Runs main(ARGV) on a main loop, where the library's signals arrive,
// and exits with the status it resolves to, or with the status of its
// error after printing it as @program.
export function run(program, usage, main) {
  const loop = new GLib.MainLoop(null, false);
  let status = 1;
  main(ARGV).then(code => {
    status = code;
  }, error => {
    status = exitStatus(error);
    printerr(`${program}: ${error.message}`);
    if (status === 2)
      printerr(usage.split('\n\n')[0]);
    else if (!(error instanceof GLib.Error))
      printerr(error.stack);
  }).finally(() => loop.quit());
  loop.run();
  System.exit(status);
}
