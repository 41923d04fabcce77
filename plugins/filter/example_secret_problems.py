# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Refuse the example inventory's published secrets (plugins/module_utils/example_secrets.py holds the rule)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.registry.plugins.module_utils import example_secrets


def example_secret_problems(settings):
    try:
        return example_secrets.example_secret_problems(settings)
    except TypeError as error:
        raise AnsibleFilterError('dockyard.registry.example_secret_problems: %s' % error)


class FilterModule(object):
    def filters(self):
        return {'example_secret_problems': example_secret_problems}
