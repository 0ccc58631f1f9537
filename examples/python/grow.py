#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Grow a virtio-mem device and print each size the guest reports until it
# has the memory.  Usage: grow.py URI DOMAIN ALIAS SIZE   (SIZE like 1GiB)
import sys
import gi
gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem

uri, name, alias, size = sys.argv[1:5]
conn = Vmem.Connection.new(uri)
conn.open(None)
domain = conn.lookup_domain(name)
device = domain.find_memory_device(alias)
domain.connect('memory-device-size-changed',
               lambda d, dev, bytes_: print(f'{dev.props.alias}: {Vmem.size_format(bytes_)}'))
loop = GLib.MainLoop()


def done(dev, result):
    try:
        dev.resize_finish(result)
        print(f'{alias} has {Vmem.size_format(dev.props.current_size)}')
    except GLib.Error as error:
        print(f'{alias}: {error.message}', file=sys.stderr)
        sys.exit(1)
    finally:
        loop.quit()


device.resize_async(Vmem.size_parse(size), None, done)
loop.run()
