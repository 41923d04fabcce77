# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retention rules and garbage collection of the registry (playbooks/maintenance.yml, the registry role's gc entry point).

The retention rules' checks are the registry_prune module's (plugins/module_utils/registry_api.py): one home.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.dockyard.registry.plugins.module_utils.registry_api import rule_problems

# garbage-collect keeps the platform manifests of an index it keeps with --delete-untagged from distribution 3.0.0 on
# (commit 601b37d, "Handle OCI image index and V2 manifest list during garbage collection", first in v3.0.0-beta.1).
# 2.8 deletes them (distribution#3178, #3004): multi-platform images lose their platforms.
DELETE_UNTAGGED_DIALECTS = ('3',)
# Both 2.8 and 3.x print this line at the end of the mark phase (registry/storage/garbagecollect.go).
_SUMMARY = re.compile(r'([0-9]+) blobs marked, ([0-9]+) blobs and ([0-9]+) manifests eligible for deletion')
# The lines of a garbage-collect run that say what went wrong (logrus levels, the command's own "failed to ...").
_ERROR_LINE = re.compile(r'level=(?:error|fatal|panic)|^\s*(?:failed to |panic: |Error: |configuration error)', re.IGNORECASE)
_RULE_KEYS = ('repository', 'keep_last', 'keep_tags', 'older_than')


def _shape(value):
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, dict):
        return 'a dictionary'
    if isinstance(value, list):
        return 'a list'
    return 'nothing' if value is None else 'something else'


def retention_problems(rules, users=None, retention_user='', variable='registry_retention_rules',
                       user_variable='registry_retention_user'):
    """Messages for everything wrong with the retention RULES (registry_prune's rules) and the user that applies them.

    An empty list of RULES is fine (no retention). With rules, RETENTION_USER must name an admin of USERS
    (registry_users): retention reads every repository and deletes manifests.
    """
    if rules is None or rules == []:
        return []
    if not isinstance(rules, list):
        return ['%s must be a list of rules (dictionaries with repository and keep_last, older_than or both); got %s'
                % (variable, _shape(rules))]
    problems = []
    checkable = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            problems.append('%s[%d] must be a dictionary with repository and keep_last, older_than or both; got %s'
                            % (variable, index, _shape(rule)))
            continue
        unknown = sorted(str(key) for key in rule if key not in _RULE_KEYS)
        if unknown:
            problems.append('%s[%d] has unknown keys %s: a rule takes %s'
                            % (variable, index, ', '.join(unknown), ', '.join(_RULE_KEYS)))
        keep_tags = rule.get('keep_tags')
        if keep_tags is not None and not (isinstance(keep_tags, list) and all(isinstance(t, str) for t in keep_tags)):
            problems.append('%s[%d]: keep_tags must be a list of regular expressions (strings); got %s'
                            % (variable, index, _shape(keep_tags)))
            rule = dict(rule, keep_tags=[])
        repository = rule.get('repository')
        if repository is not None and not isinstance(repository, str):
            problems.append('%s[%d]: repository must be a string such as team-a/* ; got %s'
                            % (variable, index, _shape(repository)))
            rule = dict(rule, repository=None)
        older_than = rule.get('older_than')
        if older_than is not None and not isinstance(older_than, str):
            rule = dict(rule, older_than=str(older_than))
        checkable.append((index, rule))
    for index, rule in checkable:
        for problem in rule_problems([rule]):
            problems.append(problem.replace('rules[0]', '%s[%d]' % (variable, index), 1))
    problems.extend(_user_problems(users, retention_user, variable, user_variable))
    return problems


def _user_problems(users, retention_user, variable, user_variable):
    if not isinstance(retention_user, str) or not retention_user:
        return ['%s is required with %s: the name of a user of registry_users with access admin, which reads every'
                ' repository and deletes manifests' % (user_variable, variable)]
    entries = [user for user in (users if isinstance(users, list) else []) if isinstance(user, dict)
               and user.get('name') == retention_user and user.get('state', 'present') == 'present']
    if not entries:
        return ["%s '%s' is not a user of registry_users: name one with access admin" % (user_variable, retention_user)]
    if entries[0].get('access', 'push') != 'admin':
        return ["%s '%s' has access %s in registry_users: retention deletes manifests, give it access admin"
                % (user_variable, retention_user, entries[0].get('access', 'push'))]
    return []


def registry_gc_command(config_path, dialect, dry_run=False, delete_untagged=True):
    """The container command of a garbage collection of a registry of DIALECT ('2' or '3') reading CONFIG_PATH.

    --delete-untagged only where the registry keeps the platform manifests of a tagged index (DELETE_UNTAGGED_DIALECTS).
    """
    dialect = str(dialect)
    if dialect not in ('2', '3'):
        raise AnsibleFilterError("registry_gc_command: dialect must be 2 or 3; got '%s'" % dialect)
    if not isinstance(config_path, str) or not config_path.startswith('/'):
        raise AnsibleFilterError("registry_gc_command: config_path must be an absolute path; got '%s'" % (config_path,))
    command = ['garbage-collect']
    if dry_run:
        command.append('--dry-run')
    if delete_untagged and dialect in DELETE_UNTAGGED_DIALECTS:
        command.append('--delete-untagged')
    return command + [config_path]


def registry_gc_summary(output):
    """What a garbage-collect run printed, as {done, marked, blobs, manifests, errors}: done is false when the output has
    no summary line (the run stopped before the end of its mark phase); errors holds the last 3 lines that report an
    error. Counts only otherwise: the digests can be tens of thousands."""
    if isinstance(output, list):
        output = '\n'.join(str(line) for line in output)
    if not isinstance(output, str):
        output = ''
    match = None
    for match in _SUMMARY.finditer(output):
        pass
    errors = [line.strip() for line in output.splitlines() if _ERROR_LINE.search(line)][-3:]
    if match is None:
        return {'done': False, 'marked': None, 'blobs': None, 'manifests': None, 'errors': errors}
    return {'done': True, 'marked': int(match.group(1)), 'blobs': int(match.group(2)),
            'manifests': int(match.group(3)), 'errors': errors}


class FilterModule(object):
    def filters(self):
        return {
            'retention_problems': retention_problems,
            'registry_gc_command': registry_gc_command,
            'registry_gc_summary': registry_gc_summary,
        }
