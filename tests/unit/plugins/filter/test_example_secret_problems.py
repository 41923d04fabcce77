# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""example_secret_problems: the S3 secret key (or any secret setting) is not one of the example inventory's values."""

import pytest

from jinja2.nativetypes import NativeEnvironment

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.registry.plugins.filter.example_secret_problems import FilterModule

ENV = NativeEnvironment()
ENV.filters.update(('dockyard.registry.' + name, flt) for name, flt in FilterModule().filters().items())


def problems(settings):
    """What a role's rule evaluates: `{...} | dockyard.registry.example_secret_problems`, through Jinja."""
    return ENV.from_string('{{ settings | dockyard.registry.example_secret_problems }}').render(settings=settings)


def test_the_example_secret_key_is_refused_by_name():
    found = problems({'registry_s3_secret_key': 'example/secret/key/change/me', 'registry_s3_access_key': 'AKIAREALKEY0'})
    assert len(found) == 1, found
    assert found[0].startswith('registry_s3_secret_key is a value published with the example inventory'
                               ' (inventory/group_vars/registry/vault.yml or its vault password), which anyone can read:')
    assert 'ansible-vault edit' in found[0] and 'ansible-vault rekey' in found[0]
    assert 'example/secret/key/change/me' not in found[0]


@pytest.mark.parametrize('value', ['', 'a-real-secret-key', None])
def test_other_keys_pass(value):
    assert problems({'registry_s3_secret_key': value}) == []


def test_not_a_dictionary():
    with pytest.raises(AnsibleFilterError, match='example_secret_problems: expected a dictionary'):
        problems(['registry_s3_secret_key'])
