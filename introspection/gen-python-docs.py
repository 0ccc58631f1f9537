#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Writes the documentation of the Vmem GIR as JSON for the Python override
# (gi/overrides/Vmem.py), which hands it to help() and __doc__: the typelib
# PyGObject reads has no documentation, only signatures.
#
#   gen-python-docs.py Vmem-1.0.gir Vmem-docs.json
#
# Output: {"Class": class text, "Class.method": text, "function": text},
# keyed as PyGObject names them. A class's text is its description, then
# its properties, signals and methods with the first sentence of each.

import json
import re
import sys
import xml.etree.ElementTree as ET

NS = {'gi': 'http://www.gtk.org/introspection/core/1.0',
      'c': 'http://www.gtk.org/introspection/c/1.0',
      'glib': 'http://www.gtk.org/introspection/glib/1.0'}

# C names of enumeration members, as Python spells them (filled from the
# GIR: VMEM_MEMORY_MODEL_VIRTIO_MEM -> Vmem.MemoryModel.VIRTIO_MEM).
CONSTANTS = {'TRUE': 'True', 'FALSE': 'False', 'NULL': 'None'}

# gtk-doc markup, as a Python reader would say it.
MARKUP = [
    (re.compile(r'%([A-Z][A-Z0-9_]*)\b'), lambda m: CONSTANTS.get(m.group(1), m.group(1))),
    (re.compile(r'#Vmem([A-Z]\w*)'), r'Vmem.\1'),
    (re.compile(r'#G([A-Z]\w*)'), r'G\1'),
    (re.compile(r'\bvmem_(\w+)\(\)'), r'vmem_\1()'),
    (re.compile(r'@(\w+)'), r'\1'),
    (re.compile(r'\|\[(?:<!-- language="\w+" -->)?'), ''),
    (re.compile(r'\]\|'), ''),
]


def text_of(element):
    doc = element.find('gi:doc', NS)
    if doc is None or not doc.text:
        return ''
    text = doc.text.strip()
    for pattern, replacement in MARKUP:
        text = pattern.sub(replacement, text)
    return text


def first_sentence(text):
    paragraph = text.split('\n\n')[0].replace('\n', ' ')
    match = re.match(r'(.+?\.)(\s|$)', paragraph)
    return match.group(1) if match else paragraph


def section(title, entries):
    if not entries:
        return ''
    lines = [f'{title}:', '']
    for name, text in entries:
        lines.append(f'    {name}')
        if text:
            lines.append(f'        {first_sentence(text)}')
    return '\n'.join(lines) + '\n'


def class_docs(element, docs):
    name = element.get('name')
    methods = []
    for kind in ('constructor', 'method', 'function'):
        for callable_ in element.findall(f'gi:{kind}', NS):
            key = f"{name}.{callable_.get('name')}"
            docs[key] = text_of(callable_)
            methods.append((callable_.get('name') + '()', docs[key]))

    properties = [(prop.get('name').replace('-', '_'), text_of(prop))
                  for prop in element.findall('gi:property', NS)]
    signals = [(signal.get('name'), text_of(signal))
               for signal in element.findall('glib:signal', NS)]

    parts = [text_of(element),
             section('Properties (obj.props.NAME)', properties),
             section('Signals (obj.connect(NAME, handler))', signals),
             section('Methods', sorted(methods))]
    docs[name] = '\n\n'.join(part.rstrip() for part in parts if part)


def main(gir, output):
    namespace = ET.parse(gir).getroot().find('gi:namespace', NS)
    for kind in ('enumeration', 'bitfield'):
        for enum in namespace.findall(f'gi:{kind}', NS):
            for member in enum.findall('gi:member', NS):
                CONSTANTS[member.get('{%s}identifier' % NS['c'])] = \
                    f"Vmem.{enum.get('name')}.{member.get('name').upper()}"
    docs = {}
    for kind in ('class', 'record', 'enumeration', 'bitfield'):
        for element in namespace.findall(f'gi:{kind}', NS):
            # Class structs are not for applications.
            if element.get('{%s}is-gtype-struct-for' % NS['glib']):
                continue
            class_docs(element, docs)
    for function in namespace.findall('gi:function', NS):
        docs[function.get('name')] = text_of(function)

    with open(output, 'w', encoding='utf-8') as f:
        json.dump(docs, f, indent=0, sort_keys=True, ensure_ascii=False)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: gen-python-docs.py GIR OUTPUT')
    main(sys.argv[1], sys.argv[2])
