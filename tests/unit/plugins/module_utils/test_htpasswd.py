# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import threading

import bcrypt
import pytest

from ansible_collections.dockyard.registry.plugins.module_utils import htpasswd as ht

PATH = '/etc/registry/htpasswd'


def bcrypt_hash(password, cost=4, prefix='$2y$'):
    hashed = bcrypt.hashpw(password.encode('utf-8'), bcrypt.gensalt(rounds=cost)).decode('ascii')
    return prefix + hashed[4:]


def user(name, password=None, state='present', **kwargs):
    return dict(name=name, password=password, state=state, **kwargs)


# --- split_lines / parse ---------------------------------------------------------------------------

def test_split_lines_keeps_endings_and_only_splits_on_newline():
    assert ht.split_lines('a\r\nb\x0cc\n\nd') == ['a\r\n', 'b\x0cc\n', '\n', 'd']
    assert ht.split_lines('') == []
    assert ht.split_lines('a\n') == ['a\n']


def test_parse_users_comments_and_blank_lines():
    text = '# users\n\nalice:HASH1\n  bob:HASH2  \r\n#carol:x\ndave:a:b'
    lines = ht.parse(text, PATH)
    assert [(line.lineno, line.name, line.hash) for line in lines] == [
        (1, None, None), (2, None, None), (3, 'alice', 'HASH1'), (4, 'bob', 'HASH2'), (5, None, None), (6, 'dave', 'a:b')]
    assert ''.join(line.text for line in lines) == text
    assert 'HASH' not in repr(lines)


@pytest.mark.parametrize('bad', ['nocolon', ':hashwithoutname', '  :x'])
def test_parse_malformed_line_reports_path_and_line_number(bad):
    with pytest.raises(ht.HtpasswdError) as exc:
        ht.parse('alice:x\n# ok\n%s\n' % bad, PATH)
    assert str(exc.value).startswith('%s line 3: malformed entry' % PATH)
    assert bad.strip() not in str(exc.value)  # never quote the line: it may hold a password


def test_parse_reports_every_malformed_line():
    with pytest.raises(ht.HtpasswdError) as exc:
        ht.parse('a\nb:x\nc\n', PATH)
    assert 'line 1:' in str(exc.value) and 'line 3:' in str(exc.value)


def test_parse_duplicate_user_in_file():
    with pytest.raises(ht.HtpasswdError) as exc:
        ht.parse('alice:x\nbob:y\n alice:z\n', PATH)
    assert "user 'alice' appears on lines 1 and 3" in str(exc.value)
    assert PATH in str(exc.value)


# --- hashes -------------------------------------------------------------------------------------------

def test_bcrypt_cost():
    assert ht.bcrypt_cost(bcrypt_hash('x', 4)) == 4
    assert ht.bcrypt_cost(bcrypt_hash('x', 5, '$2b$')) == 5
    assert ht.bcrypt_cost(bcrypt_hash('x', 6, '$2a$')) == 6
    assert ht.bcrypt_cost('$2x$04$' + 'a' * 53) is None
    assert ht.bcrypt_cost('{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=') is None
    assert ht.bcrypt_cost('$apr1$abcdefgh$0123456789012345678901') is None
    assert ht.bcrypt_cost('$2y$xx$' + 'a' * 53) is None
    assert ht.bcrypt_cost('$2y$04$short') is None
    assert ht.bcrypt_cost('') is None


def test_hash_password_writes_2y_with_the_cost():
    hashed = ht.hash_password(u'pässword', 5)
    assert hashed.startswith('$2y$05$') and len(hashed) == 60
    assert bcrypt.checkpw(u'pässword'.encode('utf-8'), hashed.encode('ascii'))
    assert ht.check_password(u'pässword', hashed)
    assert not ht.check_password(u'password', hashed)


@pytest.mark.parametrize('prefix', ['$2y$', '$2b$', '$2a$'])
def test_check_password_accepts_all_bcrypt_prefixes(prefix):
    hashed = bcrypt_hash('secret', 4, prefix)
    assert ht.check_password('secret', hashed)
    assert not ht.check_password('Secret', hashed)


def test_check_password_is_false_for_other_schemes_and_garbage():
    assert not ht.check_password('secret', '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=')
    assert not ht.check_password('secret', 'plain')
    assert not ht.check_password('secret', '$2y$04$' + '!' * 53)


# --- validation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('name, fragment', [
    ('', 'empty'),
    ('a:b', "contains ':'"),
    ('a\nb', 'line break'),
    ('a\rb', 'line break'),
    (' alice', 'white space'),
    ('alice\t', 'white space'),
    ('#alice', "starts with '#'"),
])
def test_validate_name_rejects(name, fragment):
    message = ht.validate_name(name)
    assert fragment in message
    if name:
        assert repr(name) in message


@pytest.mark.parametrize('name', ['alice', 'ci-bot', 'a.b@example.com', u'jürgen', 'a b'])
def test_validate_name_accepts(name):
    assert ht.validate_name(name) is None


def test_validate_password():
    assert ht.validate_password('alice', 'x' * 72) is None
    assert ht.validate_password('alice', u'€' * 24) is None  # 72 bytes
    message = ht.validate_password('alice', 'x' * 73)
    assert "'alice'" in message and '73 bytes' in message and 'at most 72 bytes' in message
    message = ht.validate_password('alice', u'€' * 25)  # 25 characters but 75 bytes
    assert '75 bytes' in message
    assert 'empty' in ht.validate_password('alice', '')
    assert 'required' in ht.validate_password('alice', None)
    assert 'NUL' in ht.validate_password('alice', 'a\0b')


def test_validate_cost():
    assert ht.validate_cost(4) is None
    assert ht.validate_cost(31) is None
    assert ht.validate_cost(3).startswith('cost must be an integer from 4 to 31, not 3; ')
    assert ht.validate_cost(32, 'registry_htpasswd_cost').startswith('registry_htpasswd_cost must be an integer from 4 to 31, not 32; ')
    assert ht.validate_cost('10') is not None
    assert ht.validate_cost(True) is not None


def test_validate_users_collects_all_errors():
    errors = ht.validate_users([
        user('alice', 'a'), user('alice', 'b'), user('bob', ''), user('carol', state='absent'), user('d:e', 'x')], 3)
    assert len(errors) == 4
    assert errors[0].startswith('cost must be an integer from 4 to 31, not 3')
    assert "user 'alice' is listed 2 times" in errors[1]
    assert "user 'bob'" in errors[2]
    assert "'d:e'" in errors[3]


def test_validate_users_fine():
    assert ht.validate_users([user('alice', 'a'), user('bob', state='absent')], 10) == []


def test_user_label():
    assert ht.user_label('users', 2, 'ci') == "users[2] ('ci')"
    assert ht.user_label('registry_users', 0, 7) == 'registry_users[0]'


@pytest.mark.parametrize('cost', [3, 32, -1, True, False, 'ten', '4', 4.0, [4]])
def test_validate_users_refuses_a_bad_user_cost_by_name(cost):
    errors = ht.validate_users([user('alice', 'a'), user('ci', 'b', cost=cost)], 10)
    assert errors == ["users[1] ('ci') cost must be an integer from 4 to 31, not %r; 10 (the default) or 11-12 at most,"
                      " as the registry checks the hash on every request" % (cost,)]


def test_validate_user_list_names_the_variable_and_checks_absent_users_too():
    errors = ht.validate_user_list([user('gone', state='absent', cost=99)], 'registry_users')
    assert errors == ["registry_users[0] ('gone') cost must be an integer from 4 to 31, not 99; 10 (the default) or"
                      " 11-12 at most, as the registry checks the hash on every request"]


def test_validate_users_accepts_user_costs_in_range_and_none():
    assert ht.validate_users([user('a', 'a', cost=4), user('b', 'b', cost=31), user('c', 'c', cost=None), user('d', 'd')], 10) == []


def test_validate_users_reports_user_cost_with_the_other_problems():
    errors = ht.validate_users([user('alice', 'a', cost=3), user('alice', 'b'), user('bob', '', cost=50)], 3)
    assert errors[0].startswith('cost must be an integer from 4 to 31, not 3;')
    assert errors[1].startswith("users[0] ('alice') cost must be an integer from 4 to 31, not 3;")
    assert "user 'alice' is listed 2 times" in errors[2]
    assert errors[3].startswith("users[2] ('bob') cost must be an integer from 4 to 31, not 50;")
    assert "user 'bob': the password is empty" in errors[4]
    assert len(errors) == 5, errors


def test_user_cost():
    assert ht.user_cost(user('a', 'a'), 10) == 10
    assert ht.user_cost(user('a', 'a', cost=None), 10) == 10
    assert ht.user_cost(user('a', 'a', cost=4), 10) == 4


# --- parallel_map -------------------------------------------------------------------------------------

def test_parallel_map_keeps_order():
    assert ht.parallel_map(lambda x: x * 2, range(20), workers=4) == [x * 2 for x in range(20)]
    assert ht.parallel_map(lambda x: x, [], workers=4) == []
    assert ht.parallel_map(lambda x: x + 1, [1]) == [2]


def test_parallel_map_really_runs_concurrently():
    # Both calls must be inside func at the same time to pass the barrier; serial execution times out.
    barrier = threading.Barrier(2, timeout=10)
    assert ht.parallel_map(lambda x: barrier.wait() is not None, [1, 2], workers=2) == [True, True]


def test_parallel_map_one_worker_is_serial():
    barrier = threading.Barrier(2, timeout=0.2)
    with pytest.raises(threading.BrokenBarrierError):
        ht.parallel_map(lambda x: barrier.wait(), [1, 2], workers=1)


# --- update / render / describe ----------------------------------------------------------------------

@pytest.fixture(scope='module')
def hashes():
    return dict(alice=bcrypt_hash('alice-pw'), bob=bcrypt_hash('bob-pw'), carol=bcrypt_hash('carol-pw', 5))


def file_text(hashes):
    return ('# registry users\nalice:%s\n\nbob:%s\ncarol:%s\nsha:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n'
            % (hashes['alice'], hashes['bob'], hashes['carol']))


def test_update_nothing_to_do(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    result = ht.update(lines, [user('alice', 'alice-pw'), user('bob', 'bob-pw'), user('zed', state='absent')], cost=4)
    assert not result.changed
    assert (result.added, result.removed, result.updated, result.hashes) == ([], [], [], {})
    assert ht.render(lines, result) == file_text(hashes)


def test_update_add_change_remove(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    users = [user('dave', 'dave-pw'), user('bob', 'new-pw'), user('alice', 'alice-pw'), user('carol', state='absent'),
             user('sha', 'sha-pw'), user('erin', 'erin-pw')]
    result = ht.update(lines, users, cost=4)
    assert result.changed
    assert result.added == ['dave', 'erin']
    assert result.removed == ['carol']
    assert result.updated == ['bob', 'sha']  # wrong password; not a bcrypt hash
    assert sorted(result.hashes) == ['bob', 'dave', 'erin', 'sha']
    text = ht.render(lines, result)
    new = ht.parse(text, PATH)
    assert [line.name for line in new] == [None, 'alice', None, 'bob', 'sha', 'dave', 'erin']
    assert text.startswith('# registry users\nalice:%s\n\nbob:$2y$04$' % hashes['alice'])
    entries = dict((line.name, line.hash) for line in new if line.name)
    for name in ('bob', 'dave', 'erin', 'sha'):
        assert entries[name].startswith('$2y$04$')
    assert ht.check_password('new-pw', entries['bob'])
    assert ht.check_password('sha-pw', entries['sha'])
    assert ht.check_password('dave-pw', entries['dave'])


def test_update_exclusive(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    result = ht.update(lines, [user('bob', 'bob-pw'), user('alice', state='absent')], exclusive=True, cost=4)
    assert result.removed == ['alice', 'carol', 'sha']
    assert ht.render(lines, result) == '# registry users\n\nbob:%s\n' % hashes['bob']


def test_update_exclusive_with_no_users_empties_the_file(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    result = ht.update(lines, [], exclusive=True, cost=4)
    assert result.removed == ['alice', 'bob', 'carol', 'sha']
    assert ht.render(lines, result) == '# registry users\n\n'


def test_update_on_create_leaves_existing_users_alone(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    result = ht.update(lines, [user('bob', 'other'), user('sha', 'x'), user('carol', 'carol-pw'), user('new', 'pw')],
                       update_password='on_create', cost=4)
    assert (result.added, result.updated) == (['new'], [])


def test_update_cost_change_rehashes_matching_passwords(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    # carol's hash is at cost 5, the others at cost 4
    result = ht.update(lines, [user('alice', 'alice-pw'), user('carol', 'carol-pw')], cost=5)
    assert result.updated == ['alice']
    result = ht.update(lines, [user('alice', 'alice-pw'), user('carol', 'carol-pw')], cost=4)
    assert result.updated == ['carol']
    assert result.hashes['carol'].startswith('$2y$04$')


def test_update_new_users_get_their_own_cost_or_the_global_one():
    result = ht.update([], [user('robot', 'robot-pw', cost=4), user('alice', 'alice-pw'), user('bob', 'bob-pw', cost=None)],
                       cost=5)
    assert result.added == ['robot', 'alice', 'bob']
    assert ht.bcrypt_cost(result.hashes['robot']) == 4
    assert ht.bcrypt_cost(result.hashes['alice']) == 5
    assert ht.bcrypt_cost(result.hashes['bob']) == 5
    assert ht.check_password('robot-pw', result.hashes['robot'])


def test_update_user_at_its_own_cost_is_up_to_date_whatever_the_global_cost(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    # carol's hash is at cost 5, alice's and bob's at 4
    users = [user('alice', 'alice-pw', cost=4), user('bob', 'bob-pw'), user('carol', 'carol-pw', cost=5)]
    assert not ht.update(lines, users, cost=4).changed
    # Only the global cost changes: bob (without a cost of his own) is rehashed, alice and carol are left alone.
    result = ht.update(lines, users, cost=6)
    assert (result.added, result.removed, result.updated) == ([], [], ['bob'])
    assert list(result.hashes) == ['bob'] and ht.bcrypt_cost(result.hashes['bob']) == 6


def test_update_user_whose_hash_has_another_cost_than_its_own_is_rehashed(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    # alice's hash is at 4 = the global cost, but she asks for 5; carol's at 5, she asks for 4.
    users = [user('alice', 'alice-pw', cost=5), user('carol', 'carol-pw', cost=4)]
    result = ht.update(lines, users, cost=4)
    assert result.updated == ['alice', 'carol']
    assert ht.bcrypt_cost(result.hashes['alice']) == 5 and ht.bcrypt_cost(result.hashes['carol']) == 4
    assert ht.check_password('alice-pw', result.hashes['alice'])
    # With on_create the stored hash stays, whatever its cost.
    assert not ht.update(lines, users, update_password='on_create', cost=4).changed
    # In check mode the same users are reported, nothing is hashed.
    result = ht.update(lines, users, cost=4, compute_hashes=False)
    assert (result.updated, result.hashes) == (['alice', 'carol'], None)


def test_update_without_hashing_for_check_mode(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    result = ht.update(lines, [user('bob', 'changed'), user('new', 'pw')], cost=4, compute_hashes=False)
    assert (result.added, result.updated, result.hashes) == (['new'], ['bob'], None)


def test_update_uses_the_given_workers(hashes, monkeypatch):
    seen = []
    real = ht.parallel_map

    def spy(func, items, workers=None):
        seen.append(workers)
        return real(func, items, workers)

    monkeypatch.setattr(ht, 'parallel_map', spy)
    ht.update(ht.parse(file_text(hashes), PATH), [user('alice', 'alice-pw'), user('bob', 'bob-pw')], cost=4, workers=3)
    assert seen == [3, 3]


def test_render_keeps_crlf_and_adds_missing_final_newline():
    lines = ht.parse('alice:old\r\nbob:old', PATH)
    result = ht.Result(['carol'], [], ['alice'], dict(alice='H1', carol='H2'))
    assert ht.render(lines, result) == 'alice:H1\r\nbob:old\ncarol:H2\n'


def test_render_into_empty_file():
    result = ht.Result(['alice'], [], [], dict(alice='H1'))
    assert ht.render([], result) == 'alice:H1\n'


def test_describe_names_only(hashes):
    lines = ht.parse(file_text(hashes), PATH)
    result = ht.update(lines, [user('bob', 'new-pw'), user('carol', state='absent'), user('dave', 'dave-pw')], cost=4)
    before, after = ht.describe(lines, result)
    assert before == 'user: alice\nuser: bob\nuser: carol\nuser: sha\n'
    assert after == 'user: alice\nuser: bob (new hash)\nuser: sha\nuser: dave\n'
    assert '$2' not in before + after and 'pw' not in before + after
