# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Python override for Vmem: the documentation for help() and __doc__.
#
# The typelib has signatures and no text, so PyGObject's help() shows
# only signatures. This override adds the reference text, which the build
# takes from the GIR into Vmem-docs.json beside this file, through
# PyGObject's doc string generator; the API is untouched.

import json
import os

from gi import docstring
from ..module import get_introspection_module

Vmem = get_introspection_module('Vmem')

__all__ = []


def _load_docs():
    path = os.path.join(os.path.dirname(__file__), 'Vmem-docs.json')
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except OSError:
        # Installed without its data: signatures only, as without this file.
        return {}


_DOCS = _load_docs()
_generate_default = docstring.get_doc_string_generator()


def _key(info):
    """The name of @info in the docs: Class, Class.method or function."""
    container = info.get_container() if hasattr(info, 'get_container') else None
    if container is not None:
        return f'{container.get_name()}.{info.get_name()}'
    return info.get_name()


def _generate(info):
    text = _generate_default(info)
    if info.get_namespace() != 'Vmem':
        return text
    doc = _DOCS.get(_key(info))
    if not doc:
        return text
    # The signature (or the constructors) first, as PyGObject gives them.
    return f'{text}\n\n{doc}' if text else doc


docstring.set_doc_string_generator(_generate)
