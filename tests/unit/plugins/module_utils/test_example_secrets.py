# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The example inventory's published secrets: the rule's list is the example vault's content, and nothing else."""

import os

import pytest
import yaml

from ansible.constants import DEFAULT_VAULT_ID_MATCH
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.dockyard.registry.plugins.module_utils import example_secrets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def test_the_rule_knows_exactly_the_example_vault():
    """Decrypt the committed example vault with the committed example password: the rule holds exactly its values."""
    with open(os.path.join(ROOT, 'inventory', '.vault-password.example')) as handle:
        password = handle.read().strip()
    assert password == example_secrets.EXAMPLE_VAULT_PASSWORD
    vault = VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(password.encode('utf-8')))])
    with open(os.path.join(ROOT, example_secrets.EXAMPLE_VAULT), 'rb') as handle:
        content = yaml.safe_load(vault.decrypt(handle.read()))
    assert sorted(content.values()) == sorted(example_secrets.EXAMPLE_VAULT_VALUES)
    assert example_secrets.EXAMPLE_SECRETS == set(content.values()) | {password}


@pytest.mark.parametrize('value', sorted(example_secrets.EXAMPLE_SECRETS) + ['change-me-ci-password\n', ' change-this-vault-password'])
def test_published_values_are_refused(value):
    assert example_secrets.is_example_secret(value)


@pytest.mark.parametrize('value', ['', 'change-me', 'change-me-ci-password2', 'CHANGE-ME-CI-PASSWORD', 'correct horse battery staple',
                                   None, 5, ['change-me-ci-password'], {'password': 'change-me-ci-password'}])
def test_other_values_are_not(value):
    assert not example_secrets.is_example_secret(value)


def test_messages_name_the_setting_and_the_fix_never_the_value():
    settings = {'registry_s3_secret_key': 'example/secret/key/change/me', 'registry_s3_access_key': 'AKIAREALKEY',
                'other_password': 'change-this-vault-password'}
    found = example_secrets.example_secret_problems(settings)
    assert [message.split(' ', 1)[0] for message in found] == ['other_password', 'registry_s3_secret_key']
    for message in found:
        assert 'ansible-vault edit inventory/group_vars/registry/vault.yml' in message
        assert 'ansible-vault rekey inventory/group_vars/registry/vault.yml' in message
        assert not any(secret in message for secret in example_secrets.EXAMPLE_SECRETS)


def test_settings_must_be_a_dictionary():
    with pytest.raises(TypeError, match='expected a dictionary'):
        example_secrets.example_secret_problems(['registry_s3_secret_key'])
