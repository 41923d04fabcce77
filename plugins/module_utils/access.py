# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who may do what: the access levels and repository patterns of registry users, and the nginx maps that apply them.

One home for the rules: the registry role's and the nginx role's validation, the site's wiring and the nginx
template all call these functions (through plugins/filter/access.py).

How nginx applies them (README.md, "Access control"): every request is classified from its method and raw
request line (the form the registry receives) into an operation and a repository name; a map on
"<Basic user name>:<operation>:<repository>" says whether that user may; a second map on the user name and
the ``from`` argument says whether a cross-repository mount reads a repository the user may read (when not,
the registry gets the upload without its query string: a plain upload instead of the mount). nginx
never checks the password: an allowed request goes to the registry, which checks it (one bcrypt check, as
without rules), so a request naming alice with bob's password is refused with 401 there. A refused request
is never sent to the registry: nginx asks the registry's ``GET /v2/`` with the same credentials (one bcrypt
check) and answers 401 when they are wrong, 403 DENIED when they are right.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

ACCESS_LEVELS = ('pull', 'push', 'admin')
# An entry without access: read and write, as every user could before access levels existed.
DEFAULT_ACCESS = 'push'
KEYS = ('name', 'access', 'repositories')

# distribution's repository name grammar (reference/regexp.go): path components of lower-case alphanumerics
# joined by '.', '_', '__' or dashes, separated by '/'.
_COMPONENT = r'[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
REPOSITORY = r'%s(?:/%s)*' % (_COMPONENT, _COMPONENT)
_REPOSITORY_RE = re.compile(REPOSITORY + r'\Z')
# What '*' stands for in a pattern: any run of characters a repository name may have, '/' included.
_WILDCARD = r'[a-z0-9._/-]+'
# In the query string, clients (Docker, containers/image) send the '/' of ?from=team/app as %2F.
_WILDCARD_QUERY = r'(?:[a-z0-9._-]|%2[Ff])+'

# The operations nginx tells apart, and which access level may do each.
#   base     GET/HEAD /v2/ (the client's login check)          every user
#   catalog  GET /v2/_catalog                                   admin, and users without repository limits
#   read     GET/HEAD of manifests, blobs, tags/list, referrers pull, push, admin (in their repositories)
#   write    blob uploads (POST, PATCH, PUT, status, cancel),  push, admin
#            manifest PUT
#   delete   DELETE of a manifest or a blob                     admin
#   other    anything else (an unknown path, a percent-encoded  admin (the registry answers it)
#            name): never allowed to the others
OPERATIONS = {'pull': ('read',), 'push': ('read', 'write'), 'admin': ('read', 'write', 'delete')}
_REF = r'[^/?]+'
_QUERY = r'(?:\?.*)?'
# The query of an upload start: parameters with plain lower-case names only. The registry reads ?from= with Go's
# r.FormValue (names percent-decoded, matched case-sensitively, first one wins); nginx's $arg_from matches the name
# case-insensitively and undecoded: with "FROM=team-a/x&from=team-b/app" or "fr%6Fm=team-b/app" the two would
# read different sources, so such a query is "other" (admins only), never a write the source map could clear.
_UPLOAD_QUERY = r'(?:\?[a-z0-9_.-]*(?:=[^&]*)?(?:&[a-z0-9_.-]*(?:=[^&]*)?)*)?'
# (methods, path after the repository name, operation[, query]), matched against "<method> <request line URI>".
_REQUESTS = (
    ('GET|HEAD', r'/(?:manifests|blobs|referrers)/%s' % _REF, 'read'),
    ('GET|HEAD', r'/tags/list', 'read'),
    ('POST', r'/blobs/uploads/', 'write', _UPLOAD_QUERY),
    ('GET|PATCH|PUT|DELETE', r'/blobs/uploads/%s' % _REF, 'write'),
    ('PUT', r'/manifests/%s' % _REF, 'write'),
    ('DELETE', r'/(?:manifests|blobs)/%s' % _REF, 'delete'),
)


def _shape(value):
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, dict):
        return 'a dictionary'
    return 'a %s' % type(value).__name__


def unknown_keys_problem(label, entry, keys, hint=''):
    """The message for the keys of ENTRY (a dict) that are not in KEYS, or None: '<LABEL> has unknown keys a, b;
    allowed: ...<HINT>'. Keys of any type (YAML reads 1: x as a number) are named as text, in order."""
    unknown = sorted(str(key) for key in set(entry) - set(keys))
    if not unknown:
        return None
    return '%s has unknown keys %s; allowed: %s%s' % (label, ', '.join(unknown), ', '.join(keys), hint)


def pattern_problem(pattern):
    """Why PATTERN is not a repository pattern (a repository name, where '*' stands for any run of name
    characters, '/' included), or None."""
    if not isinstance(pattern, str):
        return 'must be a string, not %s' % _shape(pattern)
    if pattern == '':
        return 'is empty'
    if '://' in pattern:
        return 'has a scheme: give the repository path only, such as team-a/* (no registry name or scheme)'
    if pattern != pattern.lower():
        return 'has upper-case letters: repository names are lower case'
    if '**' in pattern:
        return "has '**': a single '*' already matches across '/'"
    # Each '*' stands for at least one character of a name: the pattern is sound when some name matches it.
    if not _REPOSITORY_RE.match(pattern.replace('*', 'x')):
        return ('is not a repository name or pattern: lower-case letters and digits, joined by . _ __ or -, in'
                " components separated by /, with * for any part (such as team-a/* or tools/builder); no '..',"
                ' no leading or trailing / and no tag or digest')
    return None


def rule_problems(entries, variable, allow_password=False):
    """Messages for the access keys of ENTRIES (a list of dicts: registry_users or nginx_access_rules), each
    starting with VARIABLE[index]. Names, passwords and duplicates are the htpasswd rules' concern when
    ALLOW_PASSWORD is set (registry_users); otherwise (the nginx role's rules) names and duplicates are checked
    here too. Entries that are not dictionaries are left to the caller's shape check."""
    problems = []
    seen = {}
    for index, entry in enumerate(entries or []):
        if not isinstance(entry, dict):
            continue
        where = '%s[%d]' % (variable, index)
        name = entry.get('name')
        label = '%s (%r)' % (where, name) if isinstance(name, str) else where
        if not allow_password:
            unknown = unknown_keys_problem(label, entry, KEYS)
            if unknown:
                problems.append(unknown)
            if not isinstance(name, str) or not name or ':' in name or name != name.strip() or '\n' in name:
                problems.append("%s: name must be a user name (a non-empty string without ':', line breaks or"
                                ' surrounding white space)' % where)
            elif name in seen:
                problems.append('%s: user %r is listed twice (also %s[%d]); list each user once'
                                % (where, name, variable, seen[name]))
            else:
                seen[name] = index
        access = entry.get('access', DEFAULT_ACCESS)
        if access not in ACCESS_LEVELS:
            problems.append('%s: access must be one of %s, not %r' % (label, ', '.join(ACCESS_LEVELS), access))
        if 'repositories' not in entry:
            continue
        # In nginx_access_rules, null means every repository, as an absent key does; in registry_users it stays
        # refused below, so a forgotten list never means every repository.
        if entry['repositories'] is None and not allow_password:
            continue
        repositories = entry['repositories']
        if not isinstance(repositories, list):
            problems.append('%s: repositories must be a list of patterns such as [team-a/*, tools/builder], not %s'
                            % (label, _shape(repositories)))
            continue
        if access == 'admin':
            problems.append('%s: repositories cannot limit an admin user (admins delete and read the catalog of'
                            ' every repository); remove repositories, or give access: push or pull' % label)
        if not repositories:
            problems.append('%s: repositories is an empty list, which would allow no repository at all; remove'
                            ' the key for every repository, or list patterns' % label)
        for position, pattern in enumerate(repositories):
            problem = pattern_problem(pattern)
            if problem:
                problems.append('%s: repositories[%d] %s %s' % (label, position, _quote(pattern), problem))
    return problems


def _quote(value):
    return repr(value) if isinstance(value, str) else '(%s)' % _shape(value)


def access_rules(users):
    """The access rules of the users that will be in the htpasswd file: [{name, access, repositories}] with
    access filled in (DEFAULT_ACCESS) and repositories absent for every repository. Passwords are left out."""
    rules = []
    if not isinstance(users, list):
        return rules
    for user in users:
        # Malformed entries are refused by the validation; here they are skipped, so the checks can run.
        if not isinstance(user, dict) or not isinstance(user.get('name'), str):
            continue
        if (user.get('state') or 'present') != 'present':
            continue
        # An entry whose access keys are wrong is refused by the users' own check, which names registry_users;
        # left out here (its user may then do nothing), the nginx role's check does not report it a second time.
        if rule_problems([user], 'users', allow_password=True):
            continue
        # A user listed twice is refused by the users' own check (registry_users); one rule here, so the nginx
        # role's duplicate check does not report it again under a variable the inventory never set.
        if user['name'] in [rule['name'] for rule in rules]:
            continue
        rule = {'name': user['name'], 'access': user.get('access', DEFAULT_ACCESS)}
        # Absent for every repository, as nginx_access_rules documents it.
        if isinstance(user.get('repositories'), list):
            rule['repositories'] = list(user['repositories'])
        rules.append(rule)
    return rules


def without_access(users):
    """USERS as the htpasswd module takes them: the access keys removed (name, password, state and the user's own
    bcrypt cost stay)."""
    return [dict((key, value) for key, value in user.items() if key not in ('access', 'repositories'))
            for user in users or []]


def _literal(text):
    """TEXT as a PCRE literal that survives nginx's quoted strings: every byte but letters, digits, '_' and '-'
    written as \\xHH (nginx keeps '\\x' as it is; PCRE without UTF mode matches bytes)."""
    out = []
    for byte in bytearray(text.encode('utf-8')):
        char = chr(byte)
        out.append(char if (char.isalnum() and byte < 128) or char in '_-' else '\\x%02x' % byte)
    return ''.join(out)


def _pattern_regex(pattern, query=False):
    wildcard = _WILDCARD_QUERY if query else _WILDCARD
    parts = []
    for part in pattern.split('*'):
        literal = _literal(part)
        if query:
            literal = literal.replace('\\x2f', '(?:/|%2[Ff])')
        parts.append(literal)
    return wildcard.join(parts)


def _alternatives(patterns, query=False):
    return '(?:%s)' % '|'.join(_pattern_regex(pattern, query) for pattern in patterns)


def nginx_maps(rules):
    """The entries of the nginx maps for RULES (access_rules' output): a dict of lists of [key, value] pairs.

    request:  "$request_method $request_uri"   -> "<operation>:<repository>" (default "other:")
    user:     "$remote_user:$dockyard_request" -> 1 where allowed (default 0)
    source:   "$remote_user:$arg_from"         -> 1 where the mount source may be read (default 0)
    Empty lists when RULES is empty: nginx then decides nothing, as before access levels.
    """
    if not rules:
        return {'request': [], 'user': [], 'source': []}
    request = [
        ['~^(?:GET|HEAD) /v2/%s$' % _QUERY, 'base:'],
        ['~^GET /v2/_catalog%s$' % _QUERY, 'catalog:'],
    ]
    for entry in _REQUESTS:
        methods, path, operation = entry[:3]
        query = entry[3] if len(entry) > 3 else _QUERY
        request.append(['~^(?:%s) /v2/(?<dockyard_repository>%s)%s%s$' % (methods, REPOSITORY, path, query),
                        '%s:$dockyard_repository' % operation])
    # No user name (no credentials, or not Basic): the registry answers with its 401 and challenge.
    user = [['~^:', '1']]
    source = [['~^[^:]*:$', '1'], ['~^:', '1']]
    for rule in rules:
        name = _literal(rule['name'])
        level = rule.get('access', DEFAULT_ACCESS)
        if level == 'admin':
            user.append(['~^%s:' % name, '1'])
            source.append(['~^%s:' % name, '1'])
            continue
        operations = '|'.join(OPERATIONS[level])
        if rule.get('repositories') is None:
            user.append(['~^%s:(?:base|catalog|%s):' % (name, operations), '1'])
            source.append(['~^%s:' % name, '1'])
            continue
        user.append(['~^%s:base:$' % name, '1'])
        user.append(['~^%s:(?:%s):%s$' % (name, operations, _alternatives(rule['repositories'])), '1'])
        source.append(['~^%s:%s$' % (name, _alternatives(rule['repositories'], query=True)), '1'])
    return {'request': request, 'user': user, 'source': source}


def pattern_matches(pattern, name):
    """Whether the repository NAME matches PATTERN ('*' = any run of name characters, '/' included), as the
    nginx maps match it (the same regular expression, anchored at both ends)."""
    return re.match(r'(?:%s)\Z' % _pattern_regex(pattern), name) is not None
