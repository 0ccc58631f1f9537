/* resize.vala: resize a virtio-mem device and follow the guest
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sets the requested size of a running guest's virtio-mem device and
 * prints each size the guest reaches until it has it, then the final size.
 *
 *   valac --pkg vmem-gobject-1.0 resize.vala
 *   ./resize qemu:///system guest virtiomem0 4GiB
 *
 * Exit status: 0 done, 1 failed (the guest stalled, the domain stopped,
 * libvirt refused), 2 bad usage or size, 3 no such domain or device,
 * 4 interrupted.
 */

int stall_timeout = 0;

const OptionEntry[] options = {
  { "stall-timeout", 't', OptionFlags.NONE, OptionArg.INT, ref stall_timeout,
    "Give up when the guest makes no progress for MSEC milliseconds", "MSEC" },
  { null }
};

async int resize (string uri, string name, string alias, uint64 size, Cancellable cancellable) {
  /* An open connection holds its domains and lives until it is closed:
   * close it on every way out. */
  var conn = new Vmem.Connection (uri);
  try {
    yield conn.open_async (cancellable);
    var domain = yield conn.lookup_domain_async (name, cancellable);

    var device = domain.find_memory_device (alias) as Vmem.VirtioMem;
    if (device == null) {
      printerr ("%s has no virtio-mem device %s\n", name, alias);
      return 3;
    }
    if (stall_timeout > 0)
      device.stall_timeout = stall_timeout;

    /* The guest plugs or unplugs blocks, and libvirt reports the size it
     * reached at most once a second: current-size follows. */
    device.notify["current-size"].connect (() => {
      print ("%s: %s\n", alias, Vmem.size_format (device.current_size));
    });

    print ("%s: %s, resizing to %s\n", alias,
           Vmem.size_format (device.current_size), Vmem.size_format (size));
    yield device.resize_async (size, cancellable);
    print ("%s has %s\n", alias, Vmem.size_format (device.current_size));
    return 0;
  } catch (Vmem.Error.NOT_FOUND e) {
    printerr ("%s\n", e.message);
    return 3;
  } catch (Vmem.Error.NOT_ALIGNED e) {
    printerr ("Refused: %s\n", e.message);
    return 2;
  } catch (Vmem.Error.OUT_OF_RANGE e) {
    printerr ("Refused: %s\n", e.message);
    return 2;
  } catch (Vmem.Error.STALLED e) {
    printerr ("The guest stalled: %s\n", e.message);
    return 1;
  } catch (Vmem.Error e) {
    printerr ("%s\n", e.message);
    return 1;
  } catch (IOError.CANCELLED e) {
    printerr ("Interrupted\n");
    return 4;
  } catch (Error e) {
    printerr ("%s\n", e.message);
    return 1;
  } finally {
    conn.close ();
  }
}

int main (string[] args) {
  var context = new OptionContext ("URI DOMAIN ALIAS SIZE");
  context.set_summary ("Resize a virtio-mem device of a running domain and print each size\n" +
                       "the guest reaches until it has SIZE (like 512MiB or 4GiB).");
  context.add_main_entries (options, null);
  try {
    context.parse (ref args);
  } catch (OptionError e) {
    printerr ("%s\n", e.message);
    return 2;
  }
  if (args.length != 5) {
    printerr ("%s", context.get_help (true, null));
    return 2;
  }

  uint64 size;
  try {
    Vmem.size_parse (args[4], out size);
  } catch (Vmem.Error e) {
    printerr ("%s\n", e.message);
    return 2;
  }

  var loop = new MainLoop ();
  var cancellable = new Cancellable ();
  Unix.signal_add (ProcessSignal.INT, () => {
    cancellable.cancel ();
    return Source.REMOVE;
  });

  int status = 1;
  resize.begin (args[1], args[2], args[3], size, cancellable, (obj, res) => {
    status = resize.end (res);
    loop.quit ();
  });
  loop.run ();
  return status;
}
