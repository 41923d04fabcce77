# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jinja test: is the value an OpenPGP key fingerprint (plugins/module_utils/openpgp.py holds the rule)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.dockyard.registry.plugins.module_utils.openpgp import is_fingerprint


class TestModule(object):
    """dockyard.registry OpenPGP tests."""

    def tests(self):
        return {'openpgp_fingerprint': is_fingerprint}
