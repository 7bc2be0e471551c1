#!/usr/bin/env python3
# check-docs.py: the generated API reference covers the API
#
# SPDX-License-Identifier: MIT
#
#   check-docs.py GIR HTMLDIR PAGE...
#
# Reads the classes, constructors, methods, properties, signals and enums
# of GIR and checks that gi-docgen wrote a page for each into HTMLDIR, that
# the index links them and each hand-written PAGE (PAGE.md -> PAGE.html),
# and that those pages have their text and links into the API that all
# lead somewhere. Prints TAP, one test per check.

import html
import os
import re
import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'

# The classes the reference must document whatever the GIR says.
REQUIRED_CLASSES = ('Socket', 'Peer', 'Packet')

results = []


def check(ok, name, why=''):
    results.append((bool(ok), name, why))


def read(path):
    """The file's text, or '' when gi-docgen did not write it."""
    try:
        with open(path, encoding='utf-8') as f:
            return f.read()
    except FileNotFoundError:
        return ''


def title_of(text):
    m = re.search(r'<title>(.*?)</title>', text, re.S)
    return html.unescape(m.group(1)).strip() if m else ''


def expected_pages(gir_path):
    """(file name, what it documents) for every symbol gi-docgen pages."""
    root = ET.parse(gir_path).getroot()
    ns = root.find(CORE + 'namespace')
    name = ns.get('name')
    pages = []
    for cls in ns.findall(CORE + 'class'):
        c = cls.get('name')
        pages.append((f'class.{c}.html', f'{name}.{c}'))
        for kind, tag in (('ctor', 'constructor'), ('method', 'method'),
                          ('type_func', 'function')):
            for f in cls.findall(CORE + tag):
                pages.append((f'{kind}.{c}.{f.get("name")}.html',
                              f'{name}.{c}.{f.get("name")}'))
        for p in cls.findall(CORE + 'property'):
            pages.append((f'property.{c}.{p.get("name")}.html',
                          f'{name}.{c}:{p.get("name")}'))
        for s in cls.findall(GLIB + 'signal'):
            pages.append((f'signal.{c}.{s.get("name")}.html',
                          f'{name}.{c}::{s.get("name")}'))
    for enum in ns.findall(CORE + 'enumeration'):
        kind = 'error' if enum.get(GLIB + 'error-domain') else 'enum'
        pages.append((f'{kind}.{enum.get("name")}.html', f'{name}.{enum.get("name")}'))
    return name, pages


def main():
    gir, outdir, extra = sys.argv[1], sys.argv[2], sys.argv[3:]

    index_path = os.path.join(outdir, 'index.html')
    check(os.path.isfile(index_path), 'index.html exists')
    index = read(index_path)

    namespace, pages = expected_pages(gir)
    classes = {p[len('class.'):-len('.html')] for p, _ in pages if p.startswith('class.')}
    for c in REQUIRED_CLASSES:
        check(c in classes, f'the GIR has {namespace}.{c}')

    missing = [p for p, _ in pages if not os.path.isfile(os.path.join(outdir, p))]
    check(not missing, f'a page for each of the {len(pages)} symbols of the GIR',
          'missing: ' + ', '.join(missing))

    for c in REQUIRED_CLASSES:
        path = os.path.join(outdir, f'class.{c}.html')
        text = read(path)
        check(f'{namespace}.{c}' in title_of(text),
              f'class.{c}.html is the page of {namespace}.{c}',
              f'title: {title_of(text)!r}')
        check(f'href="class.{c}.html"' in index, f'the index links {namespace}.{c}')

    # Every method of a class is listed on the class's page.
    unlisted = [p for p, _ in pages if p.startswith('method.')
                and f'href="{p}"' not in read(os.path.join(outdir, 'class.' + p.split('.')[1] + '.html'))]
    check(not unlisted, 'each class page links all its methods', 'unlisted: ' + ', '.join(unlisted))

    for name in extra:
        page = f'{name}.html'
        path = os.path.join(outdir, page)
        text = read(path)
        body = re.sub(r'<[^>]+>', ' ', text)
        check(text != '', f'{page} exists')
        check(f'href="{page}"' in index, f'the index links {page}')
        check(len(body.split()) > 300, f'{page} has its text',
              f'{len(body.split())} words')
        # Links into the API: gi-docgen resolves [method@...] and friends
        # at build time (a target it cannot find is a fatal warning); here
        # each page must link the API and every link must reach a page.
        links = set(re.findall(r'href="((?:class|ctor|method|property|signal|enum|error)\.[^"#]+\.html)', text))
        check(len(links) >= 5, f'{page} links the API', f'{len(links)} links')
        dangling = sorted(l for l in links if not os.path.isfile(os.path.join(outdir, l)))
        check(not dangling, f'{page} links only pages that exist', ', '.join(dangling))

    print('TAP version 13')
    print(f'1..{len(results)}')
    for i, (ok, name, why) in enumerate(results, 1):
        print(f'{"ok" if ok else "not ok"} {i} - {name}')
        if not ok and why:
            print(f'# {why}')
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
