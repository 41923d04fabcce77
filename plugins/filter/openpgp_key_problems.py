# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Everything that keeps a downloaded OpenPGP public key from being the pinned one (plugins/module_utils/openpgp.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.registry.plugins.module_utils.openpgp import key_problems


def openpgp_key_problems(text, fingerprint, variable='fingerprint', source='the key'):
    if not isinstance(variable, str) or not isinstance(source, str):
        raise AnsibleFilterError('dockyard.registry.openpgp_key_problems: variable and source must be strings')
    return key_problems(text, fingerprint, variable, source)


class FilterModule(object):
    def filters(self):
        return {'openpgp_key_problems': openpgp_key_problems}
