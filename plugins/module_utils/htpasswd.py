# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse, check and render htpasswd files holding bcrypt hashes.

Everything here works on text and plain values (no file access, no AnsibleModule), so the
module stays a thin wrapper and the logic is unit-tested directly.

File format, as read by the registry (distribution), nginx and Apache: one ``name:hash`` entry per
line; surrounding whitespace is ignored; blank lines and lines starting with ``#`` are skipped.
Unmanaged lines are kept byte for byte, so the text is handled as UTF-8 with ``surrogateescape``
by the caller and never re-encoded here.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import traceback
from concurrent.futures import ThreadPoolExecutor

try:
    import bcrypt
except ImportError:
    HAS_BCRYPT = False
    BCRYPT_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_BCRYPT = True
    BCRYPT_IMPORT_ERROR = None

# bcrypt only looks at the first 72 bytes of a password; longer ones would be silently truncated.
MAX_PASSWORD_BYTES = 72
MIN_COST = 4
MAX_COST = 31
# All three name the same algorithm. $2y$ is what Apache's htpasswd writes and what all consumers accept.
BCRYPT_PREFIXES = ('$2y$', '$2b$', '$2a$')
WRITE_PREFIX = '$2y$'


class HtpasswdError(Exception):
    """The existing file cannot be used as it is (malformed or ambiguous lines)."""


class Line(object):
    """One line of the file as read, with its line ending.

    ``name`` and ``hash`` are set for user entries and are None for comments and blank lines.
    """

    __slots__ = ('text', 'lineno', 'name', 'hash')

    def __init__(self, text, lineno, name=None, hashed=None):
        self.text = text
        self.lineno = lineno
        self.name = name
        self.hash = hashed

    def __repr__(self):
        # Never show the hash.
        return 'Line(%d, name=%r)' % (self.lineno, self.name)


def split_lines(text):
    """Split on '\\n' only, keeping the line endings (str.splitlines() also splits on \\x0c, \\x1c...)."""
    pieces = text.split('\n')
    lines = [piece + '\n' for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def parse(text, path):
    """Return the list of Line objects for the file content ``text``.

    Raises HtpasswdError naming the path and the line numbers of malformed entries (no ':' or an empty
    name) and of users that appear more than once (the registry uses the last of them, Apache the first).
    The message never quotes a line, as it may hold a hash or a plain text password.
    """
    lines = []
    errors = []
    seen = {}
    for lineno, raw in enumerate(split_lines(text), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith('#'):
            lines.append(Line(raw, lineno))
            continue
        name, sep, hashed = stripped.partition(':')
        if not sep or not name:
            errors.append("%s line %d: malformed entry, expected 'name:hash'; fix or delete that line" % (path, lineno))
            continue
        if name in seen:
            errors.append("%s: user %r appears on lines %d and %d (the registry would use the last entry, Apache the first);"
                          " delete one of them" % (path, name, seen[name], lineno))
            continue
        seen[name] = lineno
        lines.append(Line(raw, lineno, name, hashed))
    if errors:
        raise HtpasswdError('; '.join(errors))
    return lines


def bcrypt_cost(hashed):
    """The cost of a bcrypt hash, or None if ``hashed`` is not a bcrypt hash."""
    if hashed[:4] not in BCRYPT_PREFIXES or len(hashed) != 60 or hashed[6:7] != '$':
        return None
    try:
        return int(hashed[4:6])
    except ValueError:
        return None


def hash_password(password, cost):
    """bcrypt hash of ``password`` (text) with the ``$2y$`` prefix."""
    hashed = bcrypt.hashpw(password.encode('utf-8'), bcrypt.gensalt(rounds=cost)).decode('ascii')
    # The library writes $2b$; the algorithm is the same, only the prefix differs.
    return WRITE_PREFIX + hashed[len(WRITE_PREFIX):]


def check_password(password, hashed):
    """Whether ``password`` matches the bcrypt hash ``hashed`` ($2y$, $2b$ or $2a$). False for anything else."""
    if bcrypt_cost(hashed) is None:
        return False
    try:
        return bcrypt.checkpw(password.encode('utf-8'), hashed.encode('ascii'))
    except ValueError:  # not a valid bcrypt hash after all (bad salt characters...)
        return False


def parallel_map(func, items, workers=None):
    """``[func(item) for item in items]`` on a thread pool.

    bcrypt releases the GIL while hashing, so threads use all cores.
    """
    items = list(items)
    workers = min(workers or os.cpu_count() or 1, len(items))
    if workers <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(func, items))


def validate_name(name):
    """An error message for a user name that cannot be written to the file, or None."""
    if not name:
        return 'a user name is empty; give every user a non-empty name'
    if ':' in name:
        return "user name %r contains ':', which separates name and hash in htpasswd files; choose a name without ':'" % name
    if '\n' in name or '\r' in name:
        return 'user name %r contains a line break; choose a name on one line' % name
    if name != name.strip():
        return ('user name %r starts or ends with white space, which readers of htpasswd files strip;'
                ' remove the white space' % name)
    if name.startswith('#'):
        return "user name %r starts with '#', so the line would be read as a comment; choose a name not starting with '#'" % name
    return None


def validate_password(name, password):
    """An error message for a password that cannot be hashed safely, or None."""
    if password is None:
        return 'user %r: a password is required with state=present; set password (or state=absent to remove the user)' % name
    if password == '':
        return 'user %r: the password is empty; set a non-empty password' % name
    if '\0' in password:
        return ('user %r: the password contains a NUL character, which the C implementations of bcrypt (nginx, Apache)'
                ' treat as its end; use a password without it' % name)
    size = len(password.encode('utf-8'))
    if size > MAX_PASSWORD_BYTES:
        return ('user %r: the password is %d bytes long in UTF-8, but bcrypt only uses the first %d and would silently'
                ' ignore the rest; use a password of at most %d bytes' % (name, size, MAX_PASSWORD_BYTES, MAX_PASSWORD_BYTES))
    return None


def validate_cost(cost, name='cost'):
    """An error message for a bcrypt cost that is not an integer in bcrypt's range, or None.

    NAME is how the message calls the setting (the module's option, or the role variable it came from).
    """
    if isinstance(cost, bool) or not isinstance(cost, int) or not MIN_COST <= cost <= MAX_COST:
        return ('%s must be an integer from %d to %d, not %r; 10 (the default) or 11-12 at most, as the registry'
                ' checks the hash on every request' % (name, MIN_COST, MAX_COST, cost))
    return None


def validate_users(users, cost, cost_name='cost'):
    """Error messages for the requested users (list of dicts with name, password, state and optionally cost) and
    the global cost.

    An empty list means the input is fine. COST_NAME is how the cost's message calls it.
    """
    message = validate_cost(cost, cost_name)
    return ([message] if message else []) + validate_user_list(users)


def user_label(variable, index, name):
    """How a message names the entry at INDEX of the list VARIABLE: ``users[2] ('ci')`` (without the name when it is
    not a string), as the access rules' messages do (plugins/module_utils/access.py)."""
    where = '%s[%d]' % (variable, index)
    return '%s (%r)' % (where, name) if isinstance(name, str) else where


def validate_user_cost(cost, label):
    """An error message for a user's own bcrypt cost, or None. None (not set) is fine: the user gets the global
    cost. LABEL names the entry (user_label()); the rule and its wording are validate_cost()'s."""
    if cost is None:
        return None
    return validate_cost(cost, '%s cost' % label)


def user_cost(user, cost):
    """The cost USER's hash must have: its own ``cost`` when it sets one (not None), else the global COST."""
    own = user.get('cost')
    return cost if own is None else own


def validate_user_list(users, variable='users'):
    """Error messages for the requested users (list of dicts with name, password, state and optionally cost); empty
    when fine. VARIABLE is how a per-user cost's message calls the list (users[0] ('alice') cost ...)."""
    errors = []
    counts = {}
    for user in users:
        counts[user['name']] = counts.get(user['name'], 0) + 1
    for index, user in enumerate(users):
        message = validate_name(user['name'])
        if message:
            errors.append(message)
            continue
        message = validate_user_cost(user.get('cost'), user_label(variable, index, user['name']))
        if message:
            errors.append(message)
        if counts[user['name']] > 1:
            message = 'user %r is listed %d times in users; list each user once' % (user['name'], counts[user['name']])
            if message not in errors:
                errors.append(message)
            continue
        if user['state'] == 'present':
            message = validate_password(user['name'], user['password'])
            if message:
                errors.append(message)
    return errors


class Result(object):
    """Outcome of update(): the names involved and the new hashes (None in check mode)."""

    def __init__(self, added, removed, updated, hashes):
        self.added = added
        self.removed = removed
        self.updated = updated
        self.hashes = hashes

    @property
    def changed(self):
        return bool(self.added or self.removed or self.updated)


def update(lines, users, exclusive=False, update_password='always', cost=10, compute_hashes=True, workers=None):
    """Work out what has to change in the parsed file ``lines`` for the validated ``users``.

    - A new user is added (at the end of the file, in the order of ``users``).
    - With update_password=always, an existing user is rehashed when the password does not verify against
      the stored hash, when that hash is not bcrypt (SHA, apr1, crypt...: cannot be verified here), or when
      the password verifies but the hash was made with a different cost than the user's (user_cost()). With
      on_create existing users are left alone (not even verified).
    - Each user's hash has the user's own ``cost`` when the entry sets one, else ``cost``: a user at its own
      cost is left alone when only the global cost changes.
    - state=absent users, and with ``exclusive`` every user not listed as present, are removed.

    Verification and hashing run in parallel. With compute_hashes=False (check mode) nothing is hashed.
    Returns a Result; added/updated follow the order of ``users``, removed the order of the file.
    """
    existing = dict((line.name, line) for line in lines if line.name is not None)
    present = [user for user in users if user['state'] == 'present']
    present_names = set(user['name'] for user in present)
    absent_names = set(user['name'] for user in users if user['state'] == 'absent')

    removed = [line.name for line in lines if line.name is not None
               and (line.name in absent_names or (exclusive and line.name not in present_names))]

    added = [user for user in present if user['name'] not in existing]
    stale = set()
    to_verify = []
    if update_password == 'always':
        for user in present:
            line = existing.get(user['name'])
            if line is None:
                continue
            if bcrypt_cost(line.hash) is None:
                stale.add(user['name'])
            else:
                to_verify.append((user, line.hash))

    def up_to_date(item):
        user, hashed = item
        return bcrypt_cost(hashed) == user_cost(user, cost) and check_password(user['password'], hashed)

    for (user, dummy), ok in zip(to_verify, parallel_map(up_to_date, to_verify, workers)):
        if not ok:
            stale.add(user['name'])
    updated = [user for user in present if user['name'] in stale]

    hashes = None
    if compute_hashes:
        todo = added + updated
        new = parallel_map(lambda user: hash_password(user['password'], user_cost(user, cost)), todo, workers)
        hashes = dict((user['name'], hashed) for user, hashed in zip(todo, new))
    return Result([user['name'] for user in added], removed, [user['name'] for user in updated], hashes)


def render(lines, result):
    """The new file content: ``lines`` with removed users dropped, updated users' hashes replaced and added
    users appended. Every other line is kept exactly as read."""
    removed = set(result.removed)
    updated = set(result.updated)
    touched = removed | updated
    out = []
    for line in lines:
        if line.name is None or line.name not in touched:
            out.append(line.text)
        elif line.name in updated:
            ending = '\r\n' if line.text.endswith('\r\n') else '\n'
            out.append('%s:%s%s' % (line.name, result.hashes[line.name], ending))
    if result.added and out and not out[-1].endswith('\n'):
        out[-1] += '\n'
    for name in result.added:
        out.append('%s:%s\n' % (name, result.hashes[name]))
    return ''.join(out)


def describe(lines, result):
    """(before, after) texts for diff mode: one 'user: NAME' line per user, never a hash or a password.

    Rehashed users appear as 'user: NAME (new hash)' after the change.
    """
    before = ''.join('user: %s\n' % line.name for line in lines if line.name is not None)
    removed = set(result.removed)
    updated = set(result.updated)
    after = []
    for line in lines:
        if line.name is None or line.name in removed:
            continue
        after.append('user: %s%s\n' % (line.name, ' (new hash)' if line.name in updated else ''))
    after.extend('user: %s\n' % name for name in result.added)
    return before, ''.join(after)
