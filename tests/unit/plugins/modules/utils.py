# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's main() in-process and get back exactly what it produced.

exit_json/fail_json are replaced, so Ansible's no_log masking does not apply: a test sees the raw
result, and an assertion that a secret is absent really proves the module never put it there.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import json

import pytest

from unittest.mock import patch

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


class AnsibleExitJson(Exception):
    pass


class AnsibleFailJson(Exception):
    pass


def exit_json(self, **kwargs):
    kwargs.setdefault('changed', False)
    raise AnsibleExitJson(kwargs)


def fail_json(self, **kwargs):
    kwargs['failed'] = True
    raise AnsibleFailJson(kwargs)


@contextlib.contextmanager
def set_module_args(args):
    args = dict(args, _ansible_remote_tmp='/tmp', _ansible_keep_remote_files=False)
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
    except ImportError:
        with patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))):
            yield
    else:
        with patch_module_args(args):
            yield


def call(main, args, expect, check_mode=False, diff=False):
    """Run MAIN with module ARGS; EXPECT is AnsibleExitJson or AnsibleFailJson. Returns the result dict."""
    args = dict(args)
    if check_mode:
        args['_ansible_check_mode'] = True
    if diff:
        args['_ansible_diff'] = True
    with set_module_args(args):
        with patch.multiple(basic.AnsibleModule, exit_json=exit_json, fail_json=fail_json):
            with pytest.raises(expect) as exc:
                main()
    return exc.value.args[0]
