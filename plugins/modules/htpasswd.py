#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: htpasswd
short_description: Manage the users of a bcrypt htpasswd file, many at a time
version_added: 0.1.0
description:
  - Adds, updates and removes users in an htpasswd file for basic authentication, as read by the Docker registry
    (distribution), nginx C(auth_basic) and Apache.
  - Manages any number of users in one task, verifying the existing entries in parallel on all CPU cores.
  - Passwords are hashed with bcrypt and written with the C($2y$) prefix, which all of the above accept.
  - Existing entries are verified rather than rewritten, so a second run with the same input changes nothing,
    not even the file's modification time.
  - Lines of users that are not named stay exactly as they are and where they are (unless O(exclusive=true)),
    as do comments and blank lines. New users are appended.
  - All input, and every line of the existing file, is checked before anything is changed. A malformed or
    duplicated entry in the file fails the task with the path and line number, and the file is left untouched.
author:
  - dockyard.registry contributors (@dockyard)
requirements:
  - bcrypt (the Python library, on the managed node; C(python3-bcrypt) on Debian and Ubuntu)
options:
  path:
    description:
      - Path to the htpasswd file.
      - Its directory must exist.
    type: path
    required: true
  users:
    description:
      - The users to manage.
      - Mutually exclusive with O(name) and O(password).
      - With O(exclusive=true), an empty list removes every user from the file.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - User name. Must not be empty, contain V(:) or a line break, start with V(#) or start or end with white space.
        type: str
        required: true
      password:
        description:
          - The password in plain text. Required when the user's state is V(present).
          - At most 72 bytes in UTF-8 (bcrypt ignores anything beyond, so longer passwords are refused).
        type: str
      state:
        description:
          - Whether the user should be in the file.
          - Defaults to the value of the top-level O(state).
        type: str
        choices: [present, absent]
      cost:
        description:
          - The bcrypt cost of this user's hash, from 4 to 31; defaults to O(cost).
          - >-
            The user's hash is kept at this cost: with O(update_password=always) it is rehashed when it has another
            cost, and a change of O(cost) alone does not touch it. Users with and without their own cost share the file.
          - A low cost makes each of this user's requests cheaper for the registry (it checks the hash on every
            request), but also makes a leaked hash cheaper to attack. Only for long random secrets (a CI robot, a
            maintenance user making many requests), never for passwords people choose.
        type: int
        version_added: 0.2.0
  name:
    description:
      - User name, to manage a single user. Same rules as O(users[].name).
      - Mutually exclusive with O(users).
    type: str
  password:
    description:
      - Password of the single user O(name). Required when O(state=present).
    type: str
  state:
    description:
      - Whether the user O(name) should be in the file.
      - Also the state of the O(users) entries that do not set their own.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - If V(true), remove every user in the file that is not listed with state V(present).
    type: bool
    default: false
  update_password:
    description:
      - V(always) verifies every listed user that is already in the file and rehashes the password when it no longer
        matches, when the existing hash is not bcrypt (for example C({SHA}) or C($apr1$)), or when the password matches
        but the hash was made with a cost other than the user's (O(users[].cost), else O(cost)).
      - V(on_create) only sets the password of users that are not in the file yet; existing entries are not verified
        nor changed.
    type: str
    choices: [always, on_create]
    default: always
  cost:
    description:
      - The bcrypt cost (log2 of the number of rounds), from 4 to 31, of every user that does not set its own
        O(users[].cost).
      - The registry checks the password on every request, so the cost adds directly to the latency of each
        authenticated request. Each step doubles the time; 10 takes about 0.05-0.1 seconds per check on current
        CPUs, 12 about four times as long.
      - Existing hashes are only rehashed for a new cost when O(update_password=always) and the password matches,
        so changing O(cost) and re-running the task converts all listed users (except those with their own
        O(users[].cost)).
    type: int
    default: 10
  create:
    description:
      - Create the file if it does not exist and there are users to add. If V(false) and the file is missing, adding
        users fails.
      - The file is never created just to hold no users.
    type: bool
    default: true
  mode:
    description:
      - The permissions of the file, as with M(ansible.builtin.file).
      - Defaults to V('0640'), applied to existing files too. Set O(group) to the group of the reading service
        (nginx, the registry) so it can read the file.
    type: raw
    default: '0640'
notes:
  - The hashes use the C($2y$) prefix, as written by Apache's C(htpasswd -B). Python's bcrypt writes C($2b$), which
    is the same algorithm; the module replaces the prefix. Existing C($2a$), C($2b$) and C($2y$) entries are verified
    and kept when they match.
  - Choose the cost with the request latency in mind, see O(cost). A cost of 12 makes every registry request
    roughly 0.3 seconds slower.
  - The file is written atomically (a temporary file in the same directory, renamed over the old one).
  - Unlike M(community.general.htpasswd), this module does not use passlib.
seealso:
  - module: community.general.htpasswd
  - name: Registry htpasswd authentication
    description: The registry's C(auth.htpasswd) configuration.
    link: https://distribution.github.io/distribution/about/configuration/#htpasswd
extends_documentation_fragment:
  - ansible.builtin.files
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Existing entries are still verified, so the reported changes are exact; nothing is hashed or written.
  diff_mode:
    support: full
    details: The diff lists user names only (added, removed, or marked C((new hash))), never a hash or a password.
  platform:
    platforms: posix
"""

EXAMPLES = r"""
- name: Manage the registry users in one task
  dockyard.registry.htpasswd:
    path: /etc/docker-registry/htpasswd
    users:
      - name: ci
        password: "{{ registry_ci_password }}"
      - name: alice
        password: "{{ registry_alice_password }}"
      - name: bob
        state: absent
    owner: root
    group: root
    mode: '0640'

# The registry checks the hash on every request: a retention job making about 1000 requests spends about 49 s
# on bcrypt at cost 10, 4.5 s at cost 4. A low cost only for long random secrets (a leaked hash of a chosen
# password at cost 4 is cheap to crack); the people keep the default cost.
- name: A CI robot with a long random secret at cost 4, the humans at cost 10
  dockyard.registry.htpasswd:
    path: /etc/docker-registry/htpasswd
    cost: 10
    users:
      - name: ci-robot
        password: "{{ registry_ci_robot_secret }}"  # 40 random characters, e.g. from the password lookup
        cost: 4
      - name: alice
        password: "{{ registry_alice_password }}"
    mode: '0600'

- name: Add one user, keeping the password if the user already exists
  dockyard.registry.htpasswd:
    path: /etc/nginx/htpasswd
    name: janedoe
    password: "{{ janedoe_password }}"
    update_password: on_create
    group: www-data

- name: Remove a single user
  dockyard.registry.htpasswd:
    path: /etc/nginx/htpasswd
    name: janedoe
    state: absent

- name: Make the file hold exactly these users (everybody else is removed)
  dockyard.registry.htpasswd:
    path: /etc/docker-registry/htpasswd
    users: "{{ registry_users }}"
    exclusive: true
  register: registry_htpasswd
  notify: Restart registry

- name: Show what changed (names only)
  ansible.builtin.debug:
    msg: "added {{ registry_htpasswd.users_added }}, removed {{ registry_htpasswd.users_removed }}"

- name: Registry configuration that uses the file
  ansible.builtin.copy:
    dest: /etc/docker-registry/config.yml
    content: |
      version: 0.1
      auth:
        htpasswd:
          realm: Registry
          path: /auth/htpasswd
      # ... storage, http ...
    mode: '0640'
"""

RETURN = r"""
path:
  description: The path of the htpasswd file.
  returned: always
  type: str
  sample: /etc/docker-registry/htpasswd
users_added:
  description: Users that were (or in check mode would be) added to the file, in the order given.
  returned: always
  type: list
  elements: str
  sample: [ci, alice]
users_removed:
  description: Users that were (or would be) removed from the file, in file order.
  returned: always
  type: list
  elements: str
  sample: [bob]
users_updated:
  description:
    - Users whose password was (or would be) rehashed, in the order given.
    - Because the password changed, the existing hash was not bcrypt, or it was made with another cost than the
      user's.
  returned: always
  type: list
  elements: str
  sample: []
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.dockyard.registry.plugins.module_utils.htpasswd import (
    BCRYPT_IMPORT_ERROR,
    HAS_BCRYPT,
    HtpasswdError,
    describe,
    parse,
    render,
    update,
    validate_users,
)


def read_file(module, path):
    """The file's content as text (None if it does not exist). Undecodable bytes survive a round trip."""
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'surrogateescape')
    except FileNotFoundError:
        return None
    except (IOError, OSError) as e:
        module.fail_json(msg='Cannot read %s: %s' % (path, to_native(e)))


def write_file(module, path, text):
    """Replace the file atomically with ``text``."""
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=os.path.dirname(path) or '.')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(text.encode('utf-8', 'surrogateescape'))
            f.flush()
            os.fsync(f.fileno())
        # atomic_move() gives a new file the umask's default mode before the module applies O(mode):
        # make that owner-only, so the hashes are never readable by everyone, not even for a moment.
        umask = os.umask(0o077)
        try:
            module.atomic_move(tmp, path, unsafe_writes=module.params['unsafe_writes'])
        finally:
            os.umask(umask)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            users=dict(type='list', elements='dict', options=dict(
                name=dict(type='str', required=True),
                password=dict(type='str', no_log=True),
                state=dict(type='str', choices=['present', 'absent']),
                cost=dict(type='int'),
            )),
            name=dict(type='str'),
            password=dict(type='str', no_log=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            exclusive=dict(type='bool', default=False),
            update_password=dict(type='str', choices=['always', 'on_create'], default='always', no_log=False),
            cost=dict(type='int', default=10),
            create=dict(type='bool', default=True),
            mode=dict(type='raw', default='0640'),
        ),
        mutually_exclusive=[('users', 'name'), ('users', 'password')],
        required_one_of=[('users', 'name')],
        required_by=dict(password='name'),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    if not HAS_BCRYPT:
        module.fail_json(msg=missing_required_lib('bcrypt') + ' On Debian and Ubuntu, install the python3-bcrypt package.',
                         exception=BCRYPT_IMPORT_ERROR)

    path = module.params['path']
    state = module.params['state']
    if module.params['users'] is None:
        users = [dict(name=module.params['name'], password=module.params['password'], state=state)]
    else:
        users = [dict(name=user['name'], password=user['password'], state=user['state'] or state, cost=user['cost'])
                 for user in module.params['users']]

    result = dict(changed=False, path=path, users_added=[], users_removed=[], users_updated=[])

    # Everything is checked before anything is touched.
    errors = validate_users(users, module.params['cost'])
    if errors:
        module.fail_json(msg='; '.join(errors), **result)
    if os.path.isdir(path):
        module.fail_json(msg='%s is a directory; path must name the htpasswd file' % path, **result)
    text = read_file(module, path)
    try:
        lines = parse(text or '', path)
    except HtpasswdError as e:
        module.fail_json(msg=to_native(e), **result)

    if text is None and any(user['state'] == 'present' for user in users):
        directory = os.path.dirname(path) or '.'
        if not module.params['create']:
            module.fail_json(msg='%s does not exist and create=false; create the file first or set create=true' % path, **result)
        if not os.path.isdir(directory):
            module.fail_json(msg='Directory %s of %s does not exist; create it first' % (directory, path), **result)

    outcome = update(lines, users, exclusive=module.params['exclusive'], update_password=module.params['update_password'],
                     cost=module.params['cost'], compute_hashes=not module.check_mode)

    result.update(changed=outcome.changed, users_added=outcome.added, users_removed=outcome.removed,
                  users_updated=outcome.updated)
    diffs = []
    if module._diff:
        before, after = describe(lines, outcome)
        diffs.append(dict(before=before, after=after, after_header=path,
                          before_header=path if text is not None else '%s (absent)' % path))

    if outcome.changed and not module.check_mode:
        try:
            write_file(module, path, render(lines, outcome))
        except (IOError, OSError) as e:
            module.fail_json(msg='Cannot write %s: %s' % (path, to_native(e)), **result)

    # Owner, group and mode apply whenever the file exists; a file that check mode would create has none yet.
    if text is not None or (outcome.added and not module.check_mode):
        file_args = module.load_file_common_arguments(module.params)
        attributes_diff = dict(before_header='%s (attributes)' % path, after_header='%s (attributes)' % path)
        result['changed'] = module.set_fs_attributes_if_different(file_args, result['changed'], attributes_diff)
        if module._diff and text is not None and 'before' in attributes_diff:
            diffs.append(attributes_diff)
    if diffs:
        result['diff'] = diffs

    module.exit_json(**result)


if __name__ == '__main__':
    main()
