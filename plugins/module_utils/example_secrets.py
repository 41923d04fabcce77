# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The example inventory's published secrets: one home for the rule that refuses them as real ones.

inventory/ is meant to be copied. Its vault (inventory/group_vars/registry/vault.yml) is encrypted with a
password that is committed next to it (inventory/.vault-password.example), so every value in it is public:
whoever copies the inventory and runs the site without changing them deploys users anyone can log in as.
The values are kept here (tests/unit/plugins/module_utils/test_example_secrets.py decrypts the example vault
and fails when they drift apart). Messages name the setting, never the value.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

EXAMPLE_VAULT = 'inventory/group_vars/registry/vault.yml'
EXAMPLE_VAULT_PASSWORD = 'change-this-vault-password'
# Every value of the example vault (the users' placeholder passwords and the S3 key pair).
EXAMPLE_VAULT_VALUES = (
    'change-me-ci-password',
    'change-me-alice-password',
    'AKIAEXAMPLEEXAMPLE00',
    'example/secret/key/change/me',
)
EXAMPLE_SECRETS = frozenset(EXAMPLE_VAULT_VALUES + (EXAMPLE_VAULT_PASSWORD,))

FIX = ('set a secret of your own in your vault (ansible-vault edit %s), and re-encrypt the vault with a password of'
       ' your own (ansible-vault rekey %s), since the example\'s vault password is published too' % (EXAMPLE_VAULT, EXAMPLE_VAULT))


def is_example_secret(value):
    """Whether VALUE is one of the example inventory's published values (or its vault password).

    Surrounding white space is ignored: a copied placeholder with a stray newline is still the placeholder.
    """
    return isinstance(value, str) and value.strip() in EXAMPLE_SECRETS


def example_secret_problem(what):
    """The message for WHAT (such as "registry_s3_secret_key", or "user 'ci': the password") being a published value."""
    return '%s is a value published with the example inventory (%s or its vault password), which anyone can read: %s' % (
        what, EXAMPLE_VAULT, FIX)


def example_secret_problems(settings):
    """Messages for each {variable: value} of SETTINGS whose value is a published one, in the order of the names."""
    if not isinstance(settings, dict):
        raise TypeError('expected a dictionary of {variable: value}')
    return [example_secret_problem(name) for name in sorted(settings) if is_example_secret(settings[name])]
