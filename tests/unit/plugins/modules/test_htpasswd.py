# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat
import subprocess

import bcrypt
import pytest

from ansible.module_utils import basic

from ansible_collections.dockyard.registry.plugins.modules import htpasswd
from ansible_collections.dockyard.registry.tests.unit.plugins.modules import utils
from ansible_collections.dockyard.registry.tests.unit.plugins.modules.utils import AnsibleExitJson, AnsibleFailJson

HTPASSWD = '/usr/bin/htpasswd'
OLD = 1000000000  # a past mtime, so an unwanted rewrite cannot hide within the clock's resolution


# --- running the module (tests/unit/plugins/modules/utils.py) ----------------------------------------

def call(args, expect, check_mode=False, diff=False):
    return utils.call(htpasswd.main, args, expect, check_mode=check_mode, diff=diff)


def run(args, **kwargs):
    return call(args, AnsibleExitJson, **kwargs)


def fail(args, **kwargs):
    return call(args, AnsibleFailJson, **kwargs)


# --- file helpers ------------------------------------------------------------------------------------

def bcrypt_hash(password, cost=4, prefix='$2y$'):
    hashed = bcrypt.hashpw(password.encode('utf-8'), bcrypt.gensalt(rounds=cost)).decode('ascii')
    return prefix + hashed[4:]


def entries(path):
    """{name: hash} of the file."""
    with open(path, encoding='utf-8', errors='surrogateescape') as f:
        return dict(line.strip().split(':', 1) for line in f if line.strip() and not line.startswith('#'))


def verifies(path, name, password):
    return bcrypt.checkpw(password.encode('utf-8'), entries(path)[name].encode('ascii'))


def write(path, data, mode=0o640):
    with open(path, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode('utf-8'))
    os.chmod(path, mode)
    os.utime(path, (OLD, OLD))


def snapshot(path):
    st = os.stat(path)
    with open(path, 'rb') as f:
        return f.read(), st.st_mtime_ns, stat.S_IMODE(st.st_mode)


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / 'htpasswd')


@pytest.fixture(scope='module')
def hashes():
    return dict(alice=bcrypt_hash('alice-pw'), bob=bcrypt_hash('bob-pw'))


@pytest.fixture
def existing(path, hashes):
    """A file with two users, comments, a blank line and a non-UTF-8 byte."""
    write(path, b'# managed by hand\nalice:' + hashes['alice'].encode() + b'\n\n# caf\xe9\nbob:' + hashes['bob'].encode() + b'\n')
    return path


# --- creating and adding ------------------------------------------------------------------------------

def test_single_user_creates_file_with_mode_0640(path):
    result = run(dict(path=path, name='alice', password='alice-pw', cost=4))
    assert result['changed']
    assert (result['users_added'], result['users_removed'], result['users_updated']) == (['alice'], [], [])
    assert result['path'] == path
    data, dummy, mode = snapshot(path)
    assert mode == 0o640
    assert data.startswith(b'alice:$2y$04$') and data.endswith(b'\n') and data.count(b'\n') == 1
    assert verifies(path, 'alice', 'alice-pw')


def test_default_cost_is_10(path):
    run(dict(path=path, name='alice', password='alice-pw'))
    assert entries(path)['alice'].startswith('$2y$10$')


def test_list_form_and_idempotence_keeps_bytes_and_mtime(path):
    args = dict(path=path, cost=4, users=[dict(name='alice', password='alice-pw'), dict(name='bob', password=u'bøb-pw')])
    assert run(args)['users_added'] == ['alice', 'bob']
    os.utime(path, (OLD, OLD))
    before = snapshot(path)
    result = run(args)
    assert not result['changed']
    assert (result['users_added'], result['users_removed'], result['users_updated']) == ([], [], [])
    assert snapshot(path) == before
    assert verifies(path, 'bob', u'bøb-pw')


def test_adding_keeps_other_lines_exactly(existing):
    original = snapshot(existing)[0]
    result = run(dict(path=existing, name='carol', password='carol-pw', cost=4))
    assert result['users_added'] == ['carol']
    data = snapshot(existing)[0]
    assert data.startswith(original)
    assert data[len(original):].startswith(b'carol:$2y$04$')


def test_appending_to_file_without_final_newline(path, hashes):
    write(path, 'alice:' + hashes['alice'])
    run(dict(path=path, name='carol', password='carol-pw', cost=4))
    assert snapshot(path)[0].split(b'\n')[0] == b'alice:' + hashes['alice'].encode()
    assert sorted(entries(path)) == ['alice', 'carol']


def test_create_false_with_missing_file_fails(path):
    result = fail(dict(path=path, name='alice', password='pw', cost=4, create=False))
    assert 'does not exist' in result['msg'] and 'create' in result['msg']
    assert not os.path.exists(path)


def test_create_false_with_existing_file_works(existing):
    assert run(dict(path=existing, name='carol', password='pw', cost=4, create=False))['users_added'] == ['carol']


def test_missing_directory_fails(tmp_path):
    path = str(tmp_path / 'nope' / 'htpasswd')
    result = fail(dict(path=path, name='alice', password='pw', cost=4))
    assert 'does not exist' in result['msg'] and str(tmp_path / 'nope') in result['msg']


def test_path_is_a_directory_fails(tmp_path):
    assert 'is a directory' in fail(dict(path=str(tmp_path), name='alice', password='pw', cost=4))['msg']


def test_nothing_to_add_does_not_create_the_file(path):
    result = run(dict(path=path, users=[dict(name='alice', state='absent')], exclusive=True))
    assert not result['changed']
    assert not os.path.exists(path)


# --- verifying and updating ---------------------------------------------------------------------------

def test_password_change_rehashes_only_that_user(existing):
    original = snapshot(existing)[0]
    result = run(dict(path=existing, cost=4, users=[dict(name='alice', password='new-pw'), dict(name='bob', password='bob-pw')]))
    assert result['changed'] and result['users_updated'] == ['alice'] and result['users_added'] == []
    assert verifies(existing, 'alice', 'new-pw')
    old_lines, new_lines = original.split(b'\n'), snapshot(existing)[0].split(b'\n')
    assert len(old_lines) == len(new_lines)
    assert [a == b for a, b in zip(old_lines, new_lines)] == [True, False, True, True, True, True]


def test_on_create_does_not_rehash(existing):
    before = snapshot(existing)
    result = run(dict(path=existing, name='alice', password='another-pw', cost=5, update_password='on_create'))
    assert not result['changed']
    assert snapshot(existing) == before
    assert verifies(existing, 'alice', 'alice-pw')


def test_on_create_still_adds_new_users(existing):
    result = run(dict(path=existing, update_password='on_create', cost=4,
                      users=[dict(name='alice', password='x'), dict(name='carol', password='carol-pw')]))
    assert (result['users_added'], result['users_updated']) == (['carol'], [])


@pytest.mark.parametrize('foreign', ['{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', '$apr1$rRtzXzEU$Lfs9xU7lW6zKeIUZdkzNT/'])
def test_non_bcrypt_hash_is_rehashed(path, foreign):
    write(path, 'alice:%s\n' % foreign)
    assert run(dict(path=path, name='alice', password='secret', cost=4))['users_updated'] == ['alice']
    assert entries(path)['alice'].startswith('$2y$04$')
    assert verifies(path, 'alice', 'secret')
    assert not run(dict(path=path, name='alice', password='secret', cost=4))['changed']


def test_non_bcrypt_hash_is_kept_with_on_create(path):
    write(path, 'alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n')
    assert not run(dict(path=path, name='alice', password='secret', cost=4, update_password='on_create'))['changed']


@pytest.mark.parametrize('prefix', ['$2a$', '$2b$', '$2y$'])
def test_existing_bcrypt_prefixes_are_verified(path, prefix):
    write(path, 'alice:%s\n' % bcrypt_hash('alice-pw', 4, prefix))
    before = snapshot(path)
    assert not run(dict(path=path, name='alice', password='alice-pw', cost=4))['changed']
    assert snapshot(path) == before


def test_cost_change_rehashes_matching_password(existing):
    result = run(dict(path=existing, cost=5, users=[dict(name='alice', password='alice-pw')]))
    assert result['users_updated'] == ['alice']
    assert entries(existing)['alice'].startswith('$2y$05$')
    assert entries(existing)['bob'].startswith('$2y$04$')  # not listed: not touched
    assert not run(dict(path=existing, cost=5, users=[dict(name='alice', password='alice-pw')]))['changed']


def test_cost_change_with_on_create_keeps_hash(existing):
    assert not run(dict(path=existing, cost=5, name='alice', password='alice-pw', update_password='on_create'))['changed']
    assert entries(existing)['alice'].startswith('$2y$04$')


# --- a cost per user (issue 15) -----------------------------------------------------------------------

def test_user_cost_for_new_users_and_rerun_changes_nothing(path):
    args = dict(path=path, cost=5, users=[dict(name='robot', password='robot-secret', cost=4), dict(name='alice', password='alice-pw')])
    assert run(args)['users_added'] == ['robot', 'alice']
    assert entries(path)['robot'].startswith('$2y$04$') and entries(path)['alice'].startswith('$2y$05$')
    assert verifies(path, 'robot', 'robot-secret')
    os.utime(path, (OLD, OLD))
    before = snapshot(path)
    result = run(args)
    assert not result['changed'] and result['users_updated'] == []
    assert snapshot(path) == before


def test_global_cost_change_leaves_users_with_their_own_cost_alone(existing, hashes):
    # alice and bob are at cost 4; alice keeps 4 as her own, bob follows the global cost.
    users = [dict(name='alice', password='alice-pw', cost=4), dict(name='bob', password='bob-pw')]
    assert not run(dict(path=existing, cost=4, users=users))['changed']
    result = run(dict(path=existing, cost=5, users=users))
    assert (result['users_added'], result['users_removed'], result['users_updated']) == ([], [], ['bob'])
    assert entries(existing)['alice'] == hashes['alice']
    assert entries(existing)['bob'].startswith('$2y$05$') and verifies(existing, 'bob', 'bob-pw')
    assert not run(dict(path=existing, cost=5, users=users))['changed']


def test_user_whose_hash_has_another_cost_than_its_own_is_rehashed(existing, hashes):
    users = [dict(name='alice', password='alice-pw', cost=5), dict(name='bob', password='bob-pw', cost=None)]
    # on_create: the stored hash stays, whatever its cost.
    assert not run(dict(path=existing, cost=4, users=users, update_password='on_create'))['changed']
    result = run(dict(path=existing, cost=4, users=users))
    assert result['users_updated'] == ['alice']
    assert entries(existing)['alice'].startswith('$2y$05$') and verifies(existing, 'alice', 'alice-pw')
    assert entries(existing)['bob'] == hashes['bob']  # cost None: the global cost, which its hash has


def test_user_cost_in_check_mode_reports_and_changes_nothing(existing):
    before = snapshot(existing)
    users = [dict(name='alice', password='alice-pw', cost=5), dict(name='bob', password='bob-pw', cost=4),
             dict(name='robot', password='robot-secret', cost=4)]
    result = run(dict(path=existing, cost=4, users=users), check_mode=True, diff=True)
    assert result['changed']
    assert (result['users_added'], result['users_updated']) == (['robot'], ['alice'])
    assert result['diff'][0]['after'] == 'user: alice (new hash)\nuser: bob\nuser: robot\n'
    assert snapshot(existing) == before


@pytest.mark.parametrize('cost', [3, 32, True])
def test_bad_user_cost_fails_with_the_user_name_and_leaves_file_untouched(existing, cost):
    before = snapshot(existing)
    result = fail(dict(path=existing, cost=4, users=[dict(name='carol', password='pw'), dict(name='robot', password='pw', cost=cost)]))
    assert result['msg'].startswith("users[1] ('robot') cost must be an integer from 4 to 31, not %r;" % (cost,))
    assert snapshot(existing) == before


def test_user_cost_not_a_number_fails(path):
    result = fail(dict(path=path, users=[dict(name='robot', password='pw', cost='ten')]))
    assert 'cost' in result['msg'] and 'int' in result['msg']
    assert not os.path.exists(path)


def test_user_cost_as_a_string_of_digits_is_taken(path):
    run(dict(path=path, cost=5, users=[dict(name='robot', password='pw', cost='4')]))
    assert entries(path)['robot'].startswith('$2y$04$')


def test_crlf_file(path, hashes):
    write(path, 'alice:%s\r\nbob:%s\r\n' % (hashes['alice'], hashes['bob']))
    before = snapshot(path)
    assert not run(dict(path=path, name='bob', password='bob-pw', cost=4))['changed']
    assert snapshot(path) == before
    run(dict(path=path, name='alice', password='changed', cost=4))
    data = snapshot(path)[0]
    assert data.count(b'\r\n') == 2 and data.endswith(b'bob:' + hashes['bob'].encode() + b'\r\n')


# --- removing -----------------------------------------------------------------------------------------

def test_single_user_absent(existing):
    result = run(dict(path=existing, name='alice', state='absent'))
    assert result['changed'] and result['users_removed'] == ['alice']
    assert snapshot(existing)[0].startswith(b'# managed by hand\n\n# caf\xe9\nbob:')
    assert not run(dict(path=existing, name='alice', state='absent'))['changed']


def test_absent_on_missing_file_does_nothing(path):
    assert not run(dict(path=path, name='alice', state='absent'))['changed']
    assert not os.path.exists(path)


def test_top_level_state_is_the_default_for_list_entries(existing):
    result = run(dict(path=existing, state='absent', cost=4,
                      users=[dict(name='alice'), dict(name='carol', password='carol-pw', state='present')]))
    assert (result['users_removed'], result['users_added']) == (['alice'], ['carol'])
    assert sorted(entries(existing)) == ['bob', 'carol']


def test_exclusive_removes_unlisted_users_and_keeps_comments(existing, hashes):
    result = run(dict(path=existing, exclusive=True, cost=4, users=[dict(name='bob', password='bob-pw')]))
    assert (result['users_removed'], result['users_added'], result['users_updated']) == (['alice'], [], [])
    assert snapshot(existing)[0] == b'# managed by hand\n\n# caf\xe9\nbob:' + hashes['bob'].encode() + b'\n'


def test_exclusive_with_empty_list_removes_everybody(existing):
    assert run(dict(path=existing, exclusive=True, users=[]))['users_removed'] == ['alice', 'bob']
    assert entries(existing) == {}


def test_not_exclusive_keeps_unlisted_users(existing):
    before = snapshot(existing)
    assert not run(dict(path=existing, users=[dict(name='bob', password='bob-pw')], cost=4))['changed']
    assert snapshot(existing) == before


# --- check mode and diff ------------------------------------------------------------------------------

def test_check_mode_create_changes_nothing(path):
    result = run(dict(path=path, name='alice', password='pw', cost=4), check_mode=True)
    assert result['changed'] and result['users_added'] == ['alice']
    assert not os.path.exists(path)


def test_check_mode_update_leaves_file_untouched(existing):
    before = snapshot(existing)
    result = run(dict(path=existing, exclusive=True, cost=4, mode='0600',
                      users=[dict(name='alice', password='changed'), dict(name='carol', password='pw')]), check_mode=True)
    assert result['changed']
    assert (result['users_added'], result['users_removed'], result['users_updated']) == (['carol'], ['bob'], ['alice'])
    assert snapshot(existing) == before


def test_check_mode_without_changes(existing):
    assert not run(dict(path=existing, name='alice', password='alice-pw', cost=4), check_mode=True)['changed']


def test_diff_shows_names_never_hashes_or_passwords(existing):
    result = run(dict(path=existing, exclusive=True, cost=4,
                      users=[dict(name='alice', password='changed-pw'), dict(name='carol', password='carol-pw')]), diff=True)
    diff = result['diff'][0]
    assert diff['before'] == 'user: alice\nuser: bob\n'
    assert diff['after'] == 'user: alice (new hash)\nuser: carol\n'
    assert diff['before_header'] == diff['after_header'] == existing
    dumped = json.dumps(result)
    assert '$2' not in dumped and 'changed-pw' not in dumped and 'carol-pw' not in dumped
    assert len(result['diff']) == 1  # the mode did not change


def test_diff_of_a_new_file(path):
    result = run(dict(path=path, name='alice', password='pw', cost=4), diff=True)
    assert result['diff'] == [dict(before='', after='user: alice\n', before_header='%s (absent)' % path, after_header=path)]


def test_diff_in_check_mode(existing):
    result = run(dict(path=existing, name='alice', state='absent'), check_mode=True, diff=True)
    assert result['diff'][0]['after'] == 'user: bob\n'
    assert entries(existing)['alice']


# --- file attributes ----------------------------------------------------------------------------------

def test_default_mode_is_enforced_on_existing_file_without_rewriting(existing):
    os.chmod(existing, 0o644)
    data, mtime, dummy = snapshot(existing)
    result = run(dict(path=existing, name='alice', password='alice-pw', cost=4), diff=True)
    assert result['changed'] and result['users_updated'] == []
    assert snapshot(existing) == (data, mtime, 0o640)
    assert result['diff'][1]['before'] == dict(mode='0644') and result['diff'][1]['after'] == dict(mode='0640')


def test_explicit_mode(path):
    run(dict(path=path, name='alice', password='pw', cost=4, mode='0600'))
    assert snapshot(path)[2] == 0o600
    assert not run(dict(path=path, name='alice', password='pw', cost=4, mode='0600'))['changed']


def test_new_file_gets_the_explicit_mode_and_umask_is_restored(path):
    umask = os.umask(0o022)
    try:
        run(dict(path=path, name='alice', password='pw', cost=4, mode='0644'))
        assert os.umask(0o022) == 0o022  # the module's temporary owner-only umask was undone
    finally:
        os.umask(umask)
    assert snapshot(path)[2] == 0o644


def test_mode_change_in_check_mode_is_reported_not_made(existing):
    result = run(dict(path=existing, name='alice', password='alice-pw', cost=4, mode='0600'), check_mode=True)
    assert result['changed']
    assert snapshot(existing)[2] == 0o640


def test_owner_and_group(existing):
    import grp
    import pwd
    owner, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    assert not run(dict(path=existing, name='alice', password='alice-pw', cost=4, owner=owner, group=group))['changed']
    result = fail(dict(path=existing, name='alice', password='alice-pw', cost=4, group='no-such-group-dockyard'))
    assert 'no-such-group-dockyard' in result['msg']


def test_write_is_atomic_via_atomic_move(existing, monkeypatch):
    moves = []
    real = basic.AnsibleModule.atomic_move

    def spy(self, src, dest, *args, **kwargs):
        moves.append((os.path.dirname(src), dest))
        return real(self, src, dest, *args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'atomic_move', spy)
    run(dict(path=existing, name='carol', password='pw', cost=4))
    assert moves == [(os.path.dirname(existing), existing)]
    assert os.listdir(os.path.dirname(existing)) == ['htpasswd']  # no temp file left


# --- bad input: fails, names the user and the fix, file untouched ------------------------------------

@pytest.mark.parametrize('users, fragments', [
    ([dict(name='a:b', password='pw')], ["'a:b'", "contains ':'"]),
    ([dict(name='a\nb', password='pw')], ["'a\\nb'", 'line break']),
    ([dict(name='', password='pw')], ['empty', 'non-empty name']),
    ([dict(name='#x', password='pw')], ["'#x'", 'comment']),
    ([dict(name='alice', password='')], ["'alice'", 'password is empty']),
    ([dict(name='alice')], ["'alice'", 'password is required']),
    ([dict(name='alice', password='x' * 73)], ["'alice'", '73 bytes', 'at most 72 bytes']),
    ([dict(name='alice', password=u'é' * 37)], ["'alice'", '74 bytes']),
    ([dict(name='alice', password='a'), dict(name='alice', password='b')], ["'alice'", 'listed 2 times', 'once']),
    ([dict(name='carol', password='pw'), dict(name='x:y', password='pw')], ["'x:y'"]),  # valid users first: nothing added
])
def test_bad_users_fail_and_leave_file_untouched(existing, users, fragments):
    before = snapshot(existing)
    result = fail(dict(path=existing, users=users, cost=4))
    for fragment in fragments:
        assert fragment in result['msg']
    assert snapshot(existing) == before


def test_bad_single_user(path):
    assert "'a:b'" in fail(dict(path=path, name='a:b', password='pw'))['msg']
    assert 'password is required' in fail(dict(path=path, name='alice'))['msg']
    assert not os.path.exists(path)


def test_password_of_exactly_72_bytes_is_accepted(path):
    run(dict(path=path, name='alice', password=u'é' * 36, cost=4))
    assert verifies(path, 'alice', u'é' * 36)


@pytest.mark.parametrize('cost', [3, 32, -1])
def test_cost_out_of_range(existing, cost):
    before = snapshot(existing)
    assert 'cost must be an integer from 4 to 31, not %d;' % cost in fail(dict(path=existing, name='alice', password='pw', cost=cost))['msg']
    assert snapshot(existing) == before


def test_malformed_line_reports_line_number_and_path(existing):
    with open(existing, 'ab') as f:
        f.write(b'this-line-has-no-colon\n')
    before = snapshot(existing)
    result = fail(dict(path=existing, name='carol', password='pw', cost=4))
    assert '%s line 6: malformed entry' % existing in result['msg']
    assert 'this-line-has-no-colon' not in result['msg']
    assert snapshot(existing) == before


def test_duplicate_user_in_file_fails(existing, hashes):
    with open(existing, 'a') as f:
        f.write('alice:%s\n' % hashes['alice'])
    before = snapshot(existing)
    assert "user 'alice' appears on lines 2 and 6" in fail(dict(path=existing, name='bob', state='absent'))['msg']
    assert snapshot(existing) == before


@pytest.mark.parametrize('args', [
    dict(users=[dict(name='a', password='b')], name='c', password='d'),
    dict(users=[dict(name='a', password='b')], password='d'),
])
def test_users_and_name_are_mutually_exclusive(path, args):
    assert 'mutually exclusive' in fail(dict(args, path=path))['msg']


def test_users_or_name_is_required(path):
    assert 'one of the following is required' in fail(dict(path=path))['msg']


def test_bad_state_in_list(path):
    assert 'state' in fail(dict(path=path, users=[dict(name='a', password='b', state='gone')]))['msg']


def test_missing_bcrypt(path, monkeypatch):
    monkeypatch.setattr(htpasswd, 'HAS_BCRYPT', False)
    result = fail(dict(path=path, name='alice', password='pw'))
    assert 'bcrypt' in result['msg'] and 'python3-bcrypt' in result['msg']
    assert not os.path.exists(path)


# --- no_log -------------------------------------------------------------------------------------------

def test_passwords_are_hidden_but_names_are_returned(path, capsys):
    args = dict(path=path, cost=4, users=[dict(name='alice', password='Very-Secret-1'), dict(name='bob', password='Very-Secret-2')],
                _ansible_diff=True)
    with utils.set_module_args(args):
        with pytest.raises(SystemExit):
            htpasswd.main()
    out = capsys.readouterr().out
    assert 'Very-Secret' not in out
    result = json.loads(out)
    assert result['users_added'] == ['alice', 'bob']
    assert result['diff'][0]['after'] == 'user: alice\nuser: bob\n'
    logged = result['invocation']['module_args']['users']
    assert [user['name'] for user in logged] == ['alice', 'bob']
    assert set(user['password'] for user in logged) == {'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'}


# --- interoperability with Apache's htpasswd ----------------------------------------------------------

needs_htpasswd = pytest.mark.skipif(not os.path.exists(HTPASSWD),
                                    reason='%s is missing: install apache2-utils to run the interop tests' % HTPASSWD)


def apache_verify(path, name, password):
    return subprocess.run([HTPASSWD, '-vb', path, name, password], capture_output=True, check=False).returncode


@needs_htpasswd
def test_apache_accepts_module_hashes(path):
    run(dict(path=path, users=[dict(name='alice', password=u'pässword'), dict(name='bob', password='bob-pw')]))
    assert entries(path)['alice'].startswith('$2y$10$')
    assert apache_verify(path, 'alice', u'pässword') == 0
    assert apache_verify(path, 'bob', 'bob-pw') == 0
    assert apache_verify(path, 'alice', 'wrong') != 0
    assert apache_verify(path, 'bob', 'alice-pw') != 0


@needs_htpasswd
def test_module_verifies_apache_bcrypt_file(path):
    subprocess.run([HTPASSWD, '-cbB', '-C', '10', path, 'alice', 'alice-pw'], check=True, capture_output=True)
    subprocess.run([HTPASSWD, '-bB', '-C', '10', path, 'bob', u'bøb-pw'], check=True, capture_output=True)
    os.chmod(path, 0o640)
    os.utime(path, (OLD, OLD))
    before = snapshot(path)
    result = run(dict(path=path, users=[dict(name='alice', password='alice-pw'), dict(name='bob', password=u'bøb-pw')]))
    assert not result['changed']
    assert snapshot(path) == before
    result = run(dict(path=path, name='bob', password='other'))
    assert result['users_updated'] == ['bob']
    assert apache_verify(path, 'bob', 'other') == 0
    assert apache_verify(path, 'alice', 'alice-pw') == 0


@needs_htpasswd
def test_apache_md5_entry_is_converted(path):
    subprocess.run([HTPASSWD, '-cbm', path, 'alice', 'alice-pw'], check=True, capture_output=True)
    assert entries(path)['alice'].startswith('$apr1$')
    assert run(dict(path=path, name='alice', password='alice-pw', cost=5))['users_updated'] == ['alice']
    assert entries(path)['alice'].startswith('$2y$05$')
    assert apache_verify(path, 'alice', 'alice-pw') == 0
