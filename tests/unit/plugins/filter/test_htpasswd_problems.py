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
    assert 'registry_users[4] has unknown keys pasword; allowed: name, password, state, cost, access, repositories' in found
    assert "registry_users: user 'alice' is listed 2 times in users; list each user once" in found
    assert any(problem.startswith("registry_users: user name 'ca:rol' contains ':'") for problem in found)
    assert len(found) == 6, found


# A user's own bcrypt cost (issue 15): the htpasswd module's users[].cost, with validate_cost's rule and words.
COST_MESSAGE = ("registry_users[%d] ('%s') cost must be an integer from 4 to 31, not %r; 10 (the default) or 11-12 at most,"
                " as the registry checks the hash on every request")


def test_user_cost_fine():
    assert problems([dict(USER, cost=4), {'name': 'bob', 'password': 'x', 'cost': 31}, {'name': 'ci', 'password': 'y', 'cost': None},
                     {'name': 'robot', 'password': 'z', 'cost': '4'}]) == []
    # Only the users without their own cost take the global one: its problem is the global one's.
    assert problems([dict(USER, cost=4)], 3) == [
        'registry_htpasswd_cost must be an integer from 4 to 31, not 3; 10 (the default) or 11-12 at most, as the registry'
        ' checks the hash on every request']


@pytest.mark.parametrize('cost', [3, 32, 0, 'ten', True, 4.5, [4]])
def test_user_cost_named_by_its_entry(cost):
    assert problems([USER, {'name': 'robot', 'password': 'x', 'cost': cost}]) == [COST_MESSAGE % (1, 'robot', cost)]


def test_user_cost_with_other_problems_of_the_same_and_other_entries():
    found = problems([{'name': 'robot', 'password': 'x', 'cost': 3, 'state': 'gone'}, dict(USER, cost=99), dict(USER, password='o'),
                      {'name': 7, 'password': 'x', 'cost': 2}])
    assert COST_MESSAGE % (0, 'robot', 3) in found
    assert "registry_users[0]: state must be present or absent, not 'gone'" in found
    assert COST_MESSAGE % (1, 'alice', 99) in found
    assert ('registry_users[3] cost must be an integer from 4 to 31, not 2; 10 (the default) or 11-12 at most, as the registry'
            ' checks the hash on every request') in found
    assert 'registry_users[3]: name and password must be strings (quote numbers in YAML)' in found
    assert "registry_users: user 'alice' is listed 2 times in users; list each user once" in found
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


# The example inventory's published values (plugins/module_utils/example_secrets.py): refused as passwords.
PUBLISHED_MESSAGE = ("registry_users: user %r: the password is a value published with the example inventory"
                     " (inventory/group_vars/registry/vault.yml or its vault password), which anyone can read: set a"
                     " secret of your own in your vault (ansible-vault edit inventory/group_vars/registry/vault.yml), and"
                     " re-encrypt the vault with a password of your own (ansible-vault rekey"
                     " inventory/group_vars/registry/vault.yml), since the example's vault password is published too")


def test_the_example_inventory_as_copied_is_refused():
    """inventory/group_vars/registry/main.yml's users with the example vault's values: both refused, by name."""
    found = problems([{'name': 'ci', 'password': 'change-me-ci-password'}, {'name': 'alice', 'password': 'change-me-alice-password'}])
    assert found == [PUBLISHED_MESSAGE % 'ci', PUBLISHED_MESSAGE % 'alice']


@pytest.mark.parametrize('password', ['change-this-vault-password', 'example/secret/key/change/me', 'AKIAEXAMPLEEXAMPLE00',
                                      'change-me-alice-password\n'])
def test_any_published_value_is_refused_as_a_password(password):
    found = problems([USER, {'name': 'ci', 'password': password}])
    assert found == [PUBLISHED_MESSAGE % 'ci']
    assert password.strip() not in found[0]


def test_a_user_being_removed_may_keep_a_published_password():
    assert problems([USER, {'name': 'ci', 'password': 'change-me-ci-password', 'state': 'absent'}]) == []


def test_published_passwords_reported_with_the_other_problems():
    found = problems([{'name': 'ci', 'password': 'change-me-ci-password'}, {'name': 'ca:rol', 'password': 'x'}], 3)
    assert PUBLISHED_MESSAGE % 'ci' in found and len(found) == 3, found


def test_a_key_that_is_not_a_string_is_named_not_a_crash():
    """YAML reads `1: x` as a number: sorting it with the other keys used to raise TypeError."""
    found = htpasswd_problems([{'name': 'ci', 'password': 'pw-ci-123', 1: 'x', 'pasword': 'y'}], 10, 'registry_users')
    assert found == ['registry_users[0] has unknown keys 1, pasword; allowed: name, password, state, cost, access,'
                     ' repositories']
