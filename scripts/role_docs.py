# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Variable tables, generated from the roles' meta/argument_specs.yml (entry point main).

    python scripts/role_docs.py           rewrite every table
    python scripts/role_docs.py --check   exit 1 when a table differs from its argument spec

In roles/<role>/README.md the table of all the role's variables sits between `<!-- BEGIN VARIABLES -->` and
`<!-- END VARIABLES -->`. In the top-level README.md, `<!-- BEGIN VARIABLES <role> [variable ...] -->` ...
`<!-- END VARIABLES -->` holds a table of that role's variables (all of them, or those listed, in that order):
the site's own table comes from roles/site. tests/unit/docs/test_role_docs.py runs the check, so no table drifts.
"""
import glob
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = '<!-- BEGIN VARIABLES', '<!-- END VARIABLES -->'
README = 'README.md'
MARKERS = re.compile(r'(?P<begin><!-- BEGIN VARIABLES(?P<args>[^>]*?) ?-->).*?' + re.escape(END), re.S)
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


def options_of(role):
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']


def table(role, names=None):
    options = options_of(role)
    unknown = [name for name in names or [] if name not in options]
    if unknown:
        raise SystemExit('%s: no such variable in roles/%s/meta/argument_specs.yml: %s' % (README, role, ', '.join(unknown)))
    rows = ['| variable | type | default | description |', '|---|---|---|---|']
    for name in names or options:
        option = options[name]
        description = option.get('description', '')
        if isinstance(description, list):
            description = ' '.join(description)
        kind = option.get('type', 'str')
        if option.get('choices'):
            kind += ': ' + ', '.join('`%s`' % c for c in option['choices'])
        rows.append('| `%s` | %s | %s | %s |' % (name, kind, default_of(option), plain(description).replace('|', '\\|')))
    return '\n'.join(rows)


def regenerate(text, default_role):
    """TEXT with every table between markers rewritten."""
    def replace(match):
        words = match.group('args').split()
        role, names = (words[0], words[1:]) if words else (default_role, None)
        return '%s\n%s\n%s' % (match.group('begin'), table(role, names), END)
    return MARKERS.sub(replace, text)


def main(check):
    stale = []
    readmes = [(os.path.join(ROOT, 'README.md'), None)] + [
        (os.path.join(os.path.dirname(os.path.dirname(spec)), 'README.md'), os.path.basename(os.path.dirname(os.path.dirname(spec))))
        for spec in sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')))]
    for readme, role in readmes:
        text = open(readme).read() if os.path.exists(readme) else ''
        if role is not None and (BEGIN not in text or END not in text):
            stale.append('%s: no %s ... %s markers' % (os.path.relpath(readme, ROOT), BEGIN, END))
            continue
        new = regenerate(text, role)
        if new != text:
            stale.append(os.path.relpath(readme, ROOT))
            if not check:
                with open(readme, 'w') as handle:
                    handle.write(new)
    if stale and check:
        print('READMEs out of date with meta/argument_specs.yml (run scripts/role_docs.py):\n  ' + '\n  '.join(stale))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main('--check' in sys.argv[1:]))
