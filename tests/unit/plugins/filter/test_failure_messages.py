# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""failure_messages and join_host_port: the small filters of the site's validation and wiring."""

import pytest

from ansible_collections.dockyard.registry.plugins.filter.failure_messages import failure_messages


def test_argument_spec_errors_one_each():
    result = {'failed': True, 'msg': 'Validation of arguments failed:\nvalue of a ...\nmissing b',
              'argument_errors': ['value of registry_storage must be one of: filesystem, s3, got: gcs',
                                  'missing required arguments: registry_domain']}
    assert failure_messages(result) == result['argument_errors']


def test_failed_loop_items_only():
    result = {'failed': True, 'msg': 'One or more items failed', 'results': [
        {'failed': True, 'msg': 'registry_domain must be a DNS name', 'item': {'variable': 'registry_domain'}},
        {'failed': False, 'msg': 'All assertions passed'},
        {'failed': True, 'msg': 'registry_port must be a TCP port'},
        {'skipped': True},
    ]}
    assert failure_messages(result) == ['registry_domain must be a DNS name', 'registry_port must be a TCP port']


def test_plain_message():
    assert failure_messages({'failed': True, 'msg': 'docker_users names users that do not exist'}) == [
        'docker_users names users that do not exist']


def test_a_list_message_gives_each_element():
    result = {'failed': True, 'msg': 'One or more items failed', 'results': [
        {'failed': True, 'msg': ['registry_domain must be set; it is empty', "registry_uploadpurging_age must be a duration"]},
        {'failed': True, 'msg': 'registry_port must be a TCP port'}]}
    assert failure_messages(result) == ['registry_domain must be set; it is empty', 'registry_uploadpurging_age must be a duration',
                                        'registry_port must be a TCP port']


@pytest.mark.parametrize('result', [{'failed': True}, {'failed': True, 'results': []}, None, 'boom'])
def test_never_empty(result):
    messages = failure_messages(result)
    assert len(messages) == 1 and messages[0].startswith('a task failed without')
