# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's README variable table, generated from its meta/argument_specs.yml.

    python scripts/role_docs.py           rewrite the table between the markers in every roles/*/README.md
    python scripts/role_docs.py --check   exit 1 when a README's table differs from its argument spec

The table sits between `<!-- BEGIN VARIABLES -->` and `<!-- END VARIABLES -->`.
tests/unit/docs/test_role_docs.py runs the check, so the tables cannot drift.
"""
import glob
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = '<!-- BEGIN VARIABLES -->', '<!-- END VARIABLES -->'
MARKUP = re.compile(r'\b[OVCIPMR]V?\(([^)]*)\)')


def plain(text):
    """Ansible doc markup (O(x=y), V(y), C(z), P(a.b.c#filter), ...) as Markdown code."""
    def code(match):
        inner = match.group(1)
        if '#' in inner:  # a reference to another plugin: P(fqcn#type) or O(fqcn#type:option)
            fqcn, _sep, rest = inner.partition('#')
            inner = rest.partition(':')[2] or fqcn
        return '`%s`' % inner
    return MARKUP.sub(code, text)


def default_of(option):
    if option.get('required'):
        return '(required)'
    if 'default' not in option:
        return ''
    return '`%s`' % json.dumps(option['default'])


def table(spec_path):
    with open(spec_path) as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    rows = ['| variable | type | default | description |', '|---|---|---|---|']
    for name, option in options.items():
        description = option.get('description', '')
        if isinstance(description, list):
            description = ' '.join(description)
        kind = option.get('type', 'str')
        if option.get('choices'):
            kind += ': ' + ', '.join('`%s`' % c for c in option['choices'])
        rows.append('| `%s` | %s | %s | %s |' % (name, kind, default_of(option), plain(description).replace('|', '\\|')))
    return '\n'.join(rows)


def main(check):
    stale = []
    for spec in sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml'))):
        readme = os.path.join(os.path.dirname(os.path.dirname(spec)), 'README.md')
        text = open(readme).read() if os.path.exists(readme) else ''
        if BEGIN not in text or END not in text:
            stale.append('%s: no %s ... %s markers' % (os.path.relpath(readme, ROOT), BEGIN, END))
            continue
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = '%s%s\n%s\n%s%s' % (head, BEGIN, table(spec), END, tail)
        if new != text:
            stale.append(os.path.relpath(readme, ROOT))
            if not check:
                with open(readme, 'w') as handle:
                    handle.write(new)
    if stale and check:
        print('role READMEs out of date with meta/argument_specs.yml (run scripts/role_docs.py):\n  ' + '\n  '.join(stale))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main('--check' in sys.argv[1:]))
