#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Check the built HTML reference against the GIR, so that what gtk-doc
# leaves out without a warning (a class without its Properties or Signals
# sections when the type scan fails, an async function without its
# _finish, a symbol without Since:) fails a test.
#
# Usage: check-html.py HTML-DIR Vmem-1.0.gir [MODULE...]
#
# MODULEs (glib, gobject, gio) are those whose gtk-doc reference is
# installed: links to them must be there. GLib 2.76 and later ship a
# gi-docgen reference instead, which gtk-doc cannot link to.

import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = {
    'gi': 'http://www.gtk.org/introspection/core/1.0',
    'c': 'http://www.gtk.org/introspection/c/1.0',
    'glib': 'http://www.gtk.org/introspection/glib/1.0',
}
C_ID = '{%s}identifier' % NS['c']
C_TYPE = '{%s}type' % NS['c']

html_dir, gir_path = sys.argv[1:3]
linked_modules = sys.argv[3:]
problems = []


def problem(text):
    problems.append(text)


def anchor(symbol):
    """gtk-doc's anchor for a C symbol: vmem_thing_do -> vmem-thing-do."""
    return symbol.replace('_', '-')


def read(name):
    path = os.path.join(html_dir, name)
    if not os.path.exists(path):
        problem(f'{name} is missing')
        return ''
    with open(path, encoding='utf-8') as f:
        return f.read()


pages = {os.path.basename(p): read(os.path.basename(p))
         for p in glob.glob(os.path.join(html_dir, '*.html'))}
anchors = {name: set(re.findall(r'<a name="([^"]+)"', text)) for name, text in pages.items()}
all_anchors = set().union(*anchors.values())

namespace = ET.parse(gir_path).getroot().find('gi:namespace', NS)
n_classes = n_properties = n_signals = n_async = 0

for cls in namespace.findall('gi:class', NS) + namespace.findall('gi:record', NS):
    ctype = cls.get(C_TYPE)
    if cls.get('{%s}is-gtype-struct-for' % NS['glib']) or ctype is None:
        continue
    page = f'{ctype}.html'
    if page not in pages:
        problem(f'{ctype} has no page {page}')
        continue
    n_classes += 1
    names = anchors[page]

    properties = [p.get('name') for p in cls.findall('gi:property', NS)]
    signals = [s.get('name') for s in cls.findall('glib:signal', NS)]
    if properties:
        for section in ('properties', 'property-details'):
            if f'{ctype}.{section}' not in names:
                problem(f'{page} has no {section} section')
    for name in properties:
        n_properties += 1
        if f'{ctype}--{name}' not in names:
            problem(f'{page} does not document the property {ctype}:{name}')
    if signals:
        for section in ('signals', 'signal-details'):
            if f'{ctype}.{section}' not in names:
                problem(f'{page} has no {section} section')
    for name in signals:
        n_signals += 1
        if f'{ctype}-{name}' not in names:
            problem(f'{page} does not document the signal {ctype}::{name}')

    callables = [m.get(C_ID) for kind in ('method', 'constructor', 'function')
                 for m in cls.findall(f'gi:{kind}', NS)]
    for symbol in callables:
        if anchor(symbol) not in names:
            problem(f'{page} does not document {symbol}()')
        if symbol.endswith('_async'):
            n_async += 1
            finish = symbol[:-len('_async')] + '_finish'
            if finish not in callables:
                problem(f'{symbol}() has no {finish}() in the GIR')
            elif anchor(finish) not in names:
                problem(f'{page} documents {symbol}() but not {finish}()')

# Functions, enums and constants of the namespace are on the other pages.
for element in namespace:
    symbol = element.get(C_ID) or element.get(C_TYPE)
    if symbol and element.tag.endswith(('function', 'enumeration', 'bitfield')):
        if anchor(symbol) not in all_anchors and symbol not in all_anchors:
            problem(f'no page documents {symbol}')

# Every documented symbol, property and signal says since when.
for page, text in pages.items():
    for block in text.split('<div class="refsect2">')[1:]:
        name = re.search(r'<a name="([^"]+)"', block)
        if name and 'Since:' not in block:
            problem(f'{page}: {name.group(1)} has no Since:')

# The index, the glossary, the overview's examples, and links into the
# installed GLib, GObject and GIO references.
index = pages.get('index.html', '')
for target in ('api-index-full.html', 'annotation-glossary.html', 'overview.html'):
    if target not in index:
        problem(f'index.html does not link to {target}')
api_index = pages.get('api-index-full.html', '')
for cls in namespace.findall('gi:class', NS):
    if cls.get(C_TYPE) not in api_index:
        problem(f'the API index does not list {cls.get(C_TYPE)}')
# An annotation the glossary explains shows its meaning as a tooltip; one
# it does not becomes a link to foldoc.org.
glossary = pages.get('annotation-glossary.html', '')
for page, text in pages.items():
    for term in re.findall(r'href="http://foldoc.org/([^"]*)"', text):
        problem(f'{page}: the annotation {term} is not in the glossary')
    for term in set(re.findall(r'<acronym title="[^"]+"><span class="acronym">([^<]+)<', text)):
        if f'annotation-glossterm-{term.replace(" ", "%20")}"' not in glossary:
            problem(f'{page}: the annotation {term} is not in the glossary')

languages = pages.get('overview-languages.html', '')
for language, call in (('C', 'vmem_virtio_mem_resize_async'),
                       ('Python', 'resize_async(1'),
                       ('JavaScript', 'Gio._promisify'),
                       ('Vala', 'yield device.resize_async')):
    if f'<p>{language}</p>' not in languages or call not in languages:
        problem(f'the overview has no {language} example with {call}')

for module, symbol in (('glib', 'GError'), ('gobject', 'GObject'), ('gio', 'GCancellable')):
    if module not in linked_modules:
        print(f'{symbol}: not linked, no gtk-doc reference of {module} is installed')
        if symbol not in ''.join(pages.values()):
            problem(f'{symbol} is not named anywhere')
    elif not re.search(rf'href="[^"]*/{module}/[^"]*#{symbol}', ''.join(pages.values())):
        problem(f'no link to {symbol} in the {module} reference')

for text in problems:
    print(text)
print(f'{n_classes} classes, {n_properties} properties, {n_signals} signals, '
      f'{n_async} async pairs checked in {len(pages)} pages: {len(problems)} problems')
sys.exit(1 if problems else 0)
