#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Build a Vala example against the library as installed: install the build
# tree with `meson install --destdir` into a fresh directory (the runtime
# and devel tags, as a -dev package would have them), compile the
# example with valac from the installed VAPI (its .deps brings gio-2.0) and
# the installed pkg-config file, check that the program runs against the
# installed library, and print `--help`.
#
# With --bed, then run the program in a test bed (tests/bed): grow the
# bed's virtio-mem device to 1 GiB and shrink it back to 128 MiB, checking
# the output of each run with check-output.py.
#
# Usage: build-installed.py --build-root DIR --work DIR --prefix P
#          --libdir L --datadir D --source FILE.vala
#          [--bed VMEM_BED --check CHECK_OUTPUT]

import argparse
import os
import shutil
import subprocess
import sys
import time


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def run(command, **kwargs):
    log('+', ' '.join(command))
    subprocess.run(command, check=True, **kwargs)


def under(destdir, path):
    return os.path.join(destdir, os.path.relpath(path, '/'))


parser = argparse.ArgumentParser()
parser.add_argument('--meson', default='meson')
parser.add_argument('--valac', default='valac')
parser.add_argument('--build-root', required=True)
parser.add_argument('--work', required=True)
parser.add_argument('--prefix', required=True)
parser.add_argument('--libdir', required=True)
parser.add_argument('--datadir', required=True)
parser.add_argument('--source', required=True)
parser.add_argument('--bed')
parser.add_argument('--check')
parser.add_argument('--in-bed', action='store_true', help=argparse.SUPPRESS)
args = parser.parse_args()

program = os.path.join(args.work, os.path.splitext(os.path.basename(args.source))[0])
destdir = os.path.join(args.work, 'destdir')
libdir = under(destdir, os.path.join(args.prefix, args.libdir))
env = dict(os.environ, LD_LIBRARY_PATH=libdir)

if args.in_bed:
    # Inside the bed: grow, then shrink back.
    uri, domain = os.environ['VMEM_BED_URI'], os.environ['VMEM_BED_DOMAIN']
    for size in ('1GiB', '128MiB'):
        start = time.monotonic()
        run([sys.executable, args.check,
             '--expect', f'virtiomem0: {size}',
             '--expect', f'virtiomem0 has {size}', '--',
             program, uri, domain, 'virtiomem0', size], env=env)
        log(f'resized to {size} in {time.monotonic() - start:.1f} s')
    sys.exit(0)

# Install into a fresh directory what an application needs to build and
# run: the runtime and devel tags, which leave out the gtk-doc HTML (its
# install step rebuilds the reference in the build tree, under the feet
# of the doc tests). --no-rebuild: the build tree is up to date, and a
# rebuild would do the same.
shutil.rmtree(args.work, ignore_errors=True)
os.makedirs(args.work)
start = time.monotonic()
run([args.meson, 'install', '-C', args.build_root, '--no-rebuild', '--quiet',
     '--tags', 'runtime,devel', '--destdir', destdir], stdout=subprocess.DEVNULL)
log(f'installed in {time.monotonic() - start:.1f} s')

vapidir = under(destdir, os.path.join(args.prefix, args.datadir, 'vala', 'vapi'))
for name in ('vmem-gobject-1.0.vapi', 'vmem-gobject-1.0.deps'):
    if not os.path.exists(os.path.join(vapidir, name)):
        sys.exit(f'{name} is not installed in {vapidir}')

# The installed .pc names the real prefix; a copy names the destdir one.
pcdir = os.path.join(args.work, 'pkgconfig')
os.makedirs(pcdir)
with open(os.path.join(libdir, 'pkgconfig', 'vmem-gobject-1.0.pc'), encoding='utf-8') as f:
    pc = f.read().splitlines(keepends=True)
prefix_lines = [i for i, line in enumerate(pc) if line.startswith('prefix=')]
if len(prefix_lines) != 1:
    sys.exit('vmem-gobject-1.0.pc has no single prefix= line')
pc[prefix_lines[0]] = f'prefix={under(destdir, args.prefix)}\n'
with open(os.path.join(pcdir, 'vmem-gobject-1.0.pc'), 'w', encoding='utf-8') as f:
    f.writelines(pc)

# Compile: only --pkg vmem-gobject-1.0, as an application would; gio-2.0
# comes from the .deps file.
start = time.monotonic()
compile_env = dict(os.environ, PKG_CONFIG_PATH=pcdir)
run([args.valac, '--pkg', 'vmem-gobject-1.0', '--vapidir', vapidir,
     '--directory', args.work, '-X', '-w', '-o', program, args.source],
    env=compile_env)
log(f'compiled in {time.monotonic() - start:.1f} s')

# It must load the installed library, not the build tree's.
ldd = subprocess.run(['ldd', program], env=env, capture_output=True, text=True, check=True)
linked = [line for line in ldd.stdout.splitlines() if 'libvmem-gobject-1.0' in line]
if len(linked) != 1 or libdir not in linked[0]:
    sys.exit(f'{program} does not load the installed library:\n{ldd.stdout}')

help_text = subprocess.run([program, '--help'], env=env, capture_output=True, text=True,
                           check=True).stdout
print(help_text)
if 'URI DOMAIN ALIAS SIZE' not in help_text:
    sys.exit('--help does not show the usage')

if args.bed:
    run([args.bed, 'run', '--', sys.executable, os.path.abspath(__file__), '--in-bed',
         *sys.argv[1:]])
