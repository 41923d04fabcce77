# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The messages of a failed task's result, one per problem (the site's validation collects them)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.six import string_types


def failure_messages(result):
    """One message per problem in RESULT (ansible_failed_result): argument spec errors, failed loop items, or msg (a list: each)."""
    if not isinstance(result, dict):
        return ['a task failed without a result']
    errors = result.get('argument_errors')
    if is_sequence(errors) and not isinstance(errors, string_types) and errors:
        return [str(error) for error in errors]
    items = result.get('results')
    if is_sequence(items) and not isinstance(items, string_types):
        messages = []
        for item in items:
            if isinstance(item, dict) and item.get('failed'):
                messages.extend(failure_messages(item))
        if messages:
            return messages
    message = result.get('msg') or result.get('message')
    if is_sequence(message) and not isinstance(message, string_types):
        # An assert whose fail_msg is a list: one problem per element.
        return [str(line) for line in message] or ['a task failed without a message']
    return [str(message) if message else 'a task failed without a message']


class FilterModule(object):
    def filters(self):
        return {'failure_messages': failure_messages}
