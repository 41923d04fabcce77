# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every README variable table matches its argument spec, and every default matches defaults/main.yml."""
import glob
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLES = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
               for p in glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')))


# The site role holds the site playbook's own variables, which carry the collection's prefix.
PREFIX = {'site': 'registry_'}


def test_readme_has_the_site_table():
    with open(os.path.join(ROOT, 'README.md')) as handle:
        readme = handle.read()
    assert '<!-- BEGIN VARIABLES site -->' in readme


def test_readme_tables_match_argument_specs():
    result = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'role_docs.py'), '--check'],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize('role', ROLES)
def test_defaults_match_argument_specs(role):
    """Same variables in defaults/main.yml and the spec (required ones have no default), same values."""
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    with open(os.path.join(ROOT, 'roles', role, 'defaults', 'main.yml')) as handle:
        defaults = yaml.safe_load(handle) or {}
    prefix = PREFIX.get(role, role + '_')
    assert all(name.startswith(prefix) for name in list(options) + list(defaults)), 'variables carry the role prefix'
    expected = {name for name, option in options.items() if not option.get('required')}
    assert set(defaults) == expected
    for name in defaults:
        if 'default' in options[name] and '{{' not in str(defaults[name]):
            assert options[name]['default'] == defaults[name], name
