# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""htpasswd_problems: every problem with the users and the cost, each naming the variable it is about."""

import pytest

from ansible_collections.dockyard.registry.plugins.filter.htpasswd_problems import htpasswd_problems

USER = {'name': 'alice', 'password': 'correct horse'}


def problems(users, cost=10):
    return htpasswd_problems(users, cost, 'registry_users', 'registry_htpasswd_cost')


def test_fine():
    assert problems([USER, {'name': 'bob', 'state': 'absent'}]) == []
    assert problems(None) == []
    assert problems([USER], '12') == []


@pytest.mark.parametrize('cost', [3, 32, 'ten', True, None, 10.5])
def test_cost_named_by_its_variable(cost):
    assert problems([USER], cost) == [
        'registry_htpasswd_cost must be an integer from 4 to 31, not %r; 10 (the default) or 11-12 at most, as the registry'
        ' checks the hash on every request' % (cost,)]


def test_every_problem_at_once():
    found = problems([USER, dict(USER, password='other'), {'name': 'ca:rol', 'password': 'x'}, {'name': 'dave', 'state': 'gone'},
                      {'name': 'erin', 'pasword': 'x'}], 3)
    assert found[0].startswith('registry_htpasswd_cost must be an integer from 4 to 31, not 3;')
    assert "registry_users[3]: state must be present or absent, not 'gone'" in found
    assert 'registry_users[4] has unknown keys pasword; allowed: name, password, state' in found
    assert "registry_users: user 'alice' is listed 2 times in users; list each user once" in found
    assert any(problem.startswith("registry_users: user name 'ca:rol' contains ':'") for problem in found)
    assert len(found) == 6, found


@pytest.mark.parametrize('users, shape', [('alice', 'a single string'), (USER, 'a single dictionary'), (5, 'a single value')])
def test_wrong_shape_in_words(users, shape):
    assert problems(users, 3)[1:] == [
        'registry_users must be a list of dictionaries with name, password and state, such as [{name: ci, password: ...}];'
        ' it is %s' % shape]


def test_passwords_never_in_messages():
    secret = 'x' * 73
    found = problems([{'name': 'alice', 'password': secret}, {'name': 7, 'password': 'hunter2-secret'}])
    assert found and not any(secret in problem or 'hunter2-secret' in problem for problem in found)
