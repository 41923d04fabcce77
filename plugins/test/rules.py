# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jinja tests for the rules every role shares (plugins/module_utils/rules.py holds them)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.registry.plugins.module_utils import rules


def server_name(value, tls=None):
    try:
        return rules.is_server_name(value, tls)
    except ValueError as error:
        raise AnsibleFilterError('dockyard.registry.server_name: %s' % error)


class TestModule(object):
    """dockyard.registry rule tests."""

    def tests(self):
        return {
            'dns_name': rules.is_dns_name,
            'ip_address': rules.is_ip_address,
            'server_name': server_name,
            'go_duration': rules.is_go_duration,
            'http_url': rules.is_http_url,
            'host_port': rules.is_host_port,
            'email_address': rules.is_email_address,
            'loopback_address': rules.is_loopback_address,
            'image_reference': rules.is_image_reference,
            'memory_size': rules.is_memory_size,
        }
