# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""host:port with an IPv6 address in brackets (the site derives nginx's upstream from the registry's address)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.dockyard.registry.plugins.module_utils.rules import join_host_port


class FilterModule(object):
    def filters(self):
        return {'join_host_port': join_host_port}
