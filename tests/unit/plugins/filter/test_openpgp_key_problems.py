# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openpgp_key_problems as the docker role calls it, through Jinja (the cases: test_openpgp.py)."""

import os

import pytest

from jinja2.nativetypes import NativeEnvironment

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.registry.plugins.filter.openpgp_key_problems import FilterModule

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'module_utils', 'fixtures', 'openpgp')
ENV = NativeEnvironment()
ENV.filters.update(('dockyard.registry.' + name, flt) for name, flt in FilterModule().filters().items())
A = '9338 7DF3 80AE F179 23D9 E010 A097 1A20 2D89 4348'
CALL = ("{{ key | dockyard.registry.openpgp_key_problems(fingerprint, 'docker_upstream_repo_deb_key_fingerprint',"
        " 'https://mirror.example.com/linux/debian/gpg') }}")


def problems(name, fingerprint=A, call=CALL):
    with open(os.path.join(FIXTURES, name)) as handle:
        return ENV.from_string(call).render(key=handle.read(), fingerprint=fingerprint)


def test_the_pinned_key_passes():
    assert problems('key-a.asc') == []


def test_another_key_is_refused():
    found = problems('key-b.asc')
    assert len(found) == 1 and found[0].startswith('https://mirror.example.com/linux/debian/gpg is the key 8EFC D034'), found
    assert 'docker_upstream_repo_deb_key_fingerprint (9338 7DF3' in found[0]


def test_defaults_for_the_names():
    assert problems('key-b.asc', call='{{ key | dockyard.registry.openpgp_key_problems(fingerprint) }}')[0].startswith(
        'the key is the key 8EFC')


def test_names_must_be_strings():
    with pytest.raises(AnsibleFilterError, match='variable and source must be strings'):
        problems('key-a.asc', call='{{ key | dockyard.registry.openpgp_key_problems(fingerprint, 5) }}')
