#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: registry_prune
short_description: Delete old tags from a Docker registry by retention rules
version_added: 0.2.0
description:
  - Applies retention rules to the repositories of a registry (CNCF distribution) through its HTTP API, as a user
    that may read the catalog and delete (an admin user), and deletes the images that no rule keeps.
  - Each rule names repositories by a pattern (O(rules[].repository)) and says which tags to keep in them,
    the O(rules[].keep_last) most recent, those matching O(rules[].keep_tags), and those newer than
    O(rules[].older_than). A tag is deleted only when no rule matching its repository keeps it.
    Repositories that no rule matches are left alone.
  - "Most recent is by image creation time: the HTTP API does not tell when a tag was pushed. The creation time of
    an image is the C(created) of its config; for an index (a multi-platform image or manifest list) it is the
    index's own C(org.opencontainers.image.created) annotation when it has one, otherwise the newest C(created) of
    its platform manifests. A tag whose creation time cannot be told (no C(created) in the config, a zero time,
    or an artifact that is not an image) is always kept, with a warning."
  - "Images are deleted by digest (C(DELETE /v2/<name>/manifests/<digest>)), which removes every tag on that digest.
    So a digest is deleted only when none of its tags is kept (a tag that no rule keeps stays when it shares its
    digest with a kept tag, see RV(repositories[].kept_by_digest)), and never when it is a platform manifest of a
    kept index. Of an index only the index itself is deleted, never its platform manifests: they are no longer
    referenced and the registry's garbage collection removes them with the blobs."
  - Deleting manifests frees no storage by itself; the blobs go when the registry's garbage collection runs.
  - Manifests and image configs are read in parallel (O(workers)), for all matching repositories at once; each
    image config is read once per digest.
author:
  - dockyard.registry contributors (!UNKNOWN)
options:
  url:
    description:
      - URL of the registry, without C(/v2/), for example V(http://127.0.0.1:5000) (the registry's own port, on the
        registry host) or V(https://registry.example.com) (through the TLS proxy).
    type: str
    required: true
  username:
    description:
      - User name for Basic authentication (a user of the registry's htpasswd file).
      - The user must be able to read the catalog, manifests and blobs of every repository and delete manifests
        (an admin user where access levels are in use).
      - Leave out for a registry without authentication.
    type: str
  password:
    description:
      - Password of O(username).
      - The credentials are never sent on to a redirect target (such as the pre-signed S3 URL of a blob).
    type: str
  validate_certs:
    description:
      - Whether to verify the registry's TLS certificate (for an V(https) O(url)).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificates to verify the registry's certificate with, instead of the system ones.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
    type: int
    default: 30
  workers:
    description:
      - How many requests are made at a time (manifest and config reads, and deletes).
      - V(1) makes them one after another.
    type: int
    default: 8
  rules:
    description:
      - The retention rules. A repository may match several rules; a tag in it is kept when any of them keeps it.
      - Each rule needs O(rules[].keep_last), O(rules[].older_than) or both; a rule with O(rules[].keep_tags)
        alone is refused, as it would delete every other tag.
      - A rule that matches no repository is reported with a warning, not as a failure.
    type: list
    elements: dict
    required: true
    suboptions:
      repository:
        description:
          - Repository name or pattern, where C(*) stands for any run of characters a repository name may have,
            C(/) included, as in the access rules of C(registry_users), for example V(team-a/*), V(tools/builder)
            or V(*) (every repository).
        type: str
        required: true
      keep_last:
        description:
          - Keep this many tags of each matching repository, the most recent first (by image creation time, see
            above). Several tags on one image count one each; tags of the same creation time are ranked by name,
            the greater first.
          - 1 or more.
        type: int
      keep_tags:
        description:
          - "Regular expressions (Python syntax, searched anywhere in the tag: anchor them with C(^) and C($));
            a tag that matches any of them is never deleted, for example V(^v[0-9]) or V(^latest$)."
        type: list
        elements: str
        default: []
      older_than:
        description:
          - Keep the tags created less than this long ago; only older tags can be deleted.
          - "A duration: whole numbers each followed by a unit, V(w) (weeks), V(d) (days), V(h) (hours), V(m) (minutes)
            or V(s) (seconds), without spaces, such as V(30d), V(12h) or V(1w3d); more than zero in total."
          - With O(rules[].keep_last) too, a tag is kept when either keeps it (the last N are kept even when old).
        type: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Check mode reads everything as a real run does and returns the same result, with what would be deleted;
        nothing is deleted.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - The registry must allow deletes (C(registry_delete_enabled=true), C(storage.delete.enabled) in its
    configuration); otherwise the first delete fails with a message that says so (check mode works either way).
  - Token (Bearer) authentication is not supported; Basic (htpasswd) credentials are.
  - "The registry checks the password of every request with bcrypt, so with htpasswd authentication that check,
    not the module, sets the run time: a run over N tags makes about 2N requests, and at bcrypt cost 10 (the
    registry role's default C(registry_htpasswd_cost)) each check takes about 80 ms of the registry host's CPU.
    Measured on a 2-core host: 500 tags in 10 repositories, 1012 requests, 10 to 11 s without authentication
    and 17 to 20 s at bcrypt cost 5; 100 tags (212 requests) at cost 10 took 74 s on the same, busy, host."
  - Proxy settings of the environment (C(http_proxy), C(https_proxy), C(no_proxy)) apply, as for other modules
    that use Ansible's URL functions.
  - "Requests made: the catalog and the tag list of each matching repository (in pages of 1000), one manifest
    GET per tag and per platform manifest of an index, one GET per distinct image config, and one DELETE per
    deleted digest. RV(summary.requests) counts them."
seealso:
  - name: The registry's HTTP API
    description: The OCI distribution specification, which the registry implements.
    link: https://github.com/opencontainers/distribution-spec/blob/main/spec.md
"""

EXAMPLES = r"""
- name: Keep the last 10 tags of each repository and every release and latest tag
  dockyard.registry.registry_prune:
    url: http://127.0.0.1:5000
    username: admin
    password: "{{ registry_admin_password }}"
    rules:
      - repository: "*"
        keep_last: 10
        keep_tags: ['^v[0-9]', '^latest$']

- name: See what would go from the CI repositories (tags older than 30 days, but always the last 3)
  dockyard.registry.registry_prune:
    url: https://registry.example.com
    username: admin
    password: "{{ registry_admin_password }}"
    ca_path: /etc/ssl/certs/example-ca.pem
    rules:
      - repository: ci/*
        older_than: 30d
        keep_last: 3
  check_mode: true
  register: retention

- name: Show how much the deletes would free
  ansible.builtin.debug:
    msg: "{{ retention.summary.deleted_digests }} images, {{ retention.summary.bytes }} bytes"
"""

RETURN = r"""
repositories:
  description:
    - One entry per repository that some rule matches, sorted by name, with what was deleted (or, in check mode,
      what would be).
    - The same structure in check mode and in a real run.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The repository.
      type: str
      sample: team-a/app
    rules:
      description: Indexes in O(rules) of the rules that match the repository.
      type: list
      elements: int
      sample: [0]
    tags:
      description: How many tags the repository had.
      type: int
      sample: 12
    kept_tags:
      description: The tags that a rule keeps (or whose creation time is unknown), sorted.
      type: list
      elements: str
      sample: [latest, v1.0, build-41, build-42]
    kept_by_digest:
      description: >-
        Tags that no rule keeps but that stay because they are on the same digest as a kept tag, or on a platform
        manifest of a kept index.
      type: list
      elements: str
      sample: [sha-3f2a9c1]
    deleted_tags:
      description: The tags deleted (all the tags on the deleted digests), sorted.
      type: list
      elements: str
      sample: [build-39, build-40]
    deleted:
      description: The manifests deleted, by digest.
      type: list
      elements: dict
      contains:
        digest:
          description: The manifest's digest.
          type: str
          sample: sha256:4f1c0b6a2e8e1d7d0c6a3e0b7f0c9e0f1a2b3c4d5e6f708192a3b4c5d6e7f809
        media_type:
          description: The manifest's media type (an image manifest, or an index or manifest list).
          type: str
          sample: application/vnd.oci.image.manifest.v1+json
        tags:
          description: The tags that were on it.
          type: list
          elements: str
          sample: [build-39]
        created:
          description: Its creation time (UTC, RFC 3339), as used for O(rules[].keep_last) and O(rules[].older_than).
          type: str
          sample: '2026-10-01T12:00:00Z'
        created_from:
          description: >-
            Where the creation time comes from: V(config) (the image config's C(created)), V(annotation) (the
            manifest's C(org.opencontainers.image.created)) or V(platforms) (the newest of an index's platform
            manifests).
          type: str
          sample: config
        platforms:
          description: >-
            For an index, the digests of its platform manifests (not deleted by this module; garbage collection
            removes them); empty for an image manifest.
          type: list
          elements: str
          sample: []
        bytes:
          description: >-
            Total size of the config and layer blobs of this manifest (of all platforms, for an index) that no kept
            manifest of the repository references. V(null) when it cannot be told (a platform manifest is missing).
          type: int
          sample: 28311552
    bytes:
      description:
        - Total size of the blobs that only the deleted manifests reference in this repository (each blob counted
          once). Garbage collection frees them unless another repository or an untagged manifest uses them.
        - V(null) when it cannot be told.
      type: int
      sample: 56623104
    unknown_created:
      description: Tags kept because their creation time is unknown.
      type: list
      elements: str
      sample: []
summary:
  description: Totals over RV(repositories), and the cost of the run.
  returned: always
  type: dict
  contains:
    repositories:
      description: How many repositories some rule matches.
      type: int
      sample: 10
    tags:
      description: How many tags they had.
      type: int
      sample: 500
    deleted_tags:
      description: How many tags were (or would be) deleted.
      type: int
      sample: 380
    deleted_digests:
      description: How many manifests were (or would be) deleted.
      type: int
      sample: 380
    bytes:
      description: Sum of RV(repositories[].bytes); V(null) when one of them is.
      type: int
      sample: 1073741824
    requests:
      description: HTTP requests made to the registry.
      type: int
      sample: 1402
    seconds:
      description: How long the run took, in seconds.
      type: float
      sample: 3.21
deleted_so_far:
  description: When a delete failed part way, the manifests that were deleted before, as C(<repository>@<digest>).
  returned: on a failed delete
  type: list
  elements: str
  sample: ['team-a/app@sha256:4f1c0b6a2e8e1d7d0c6a3e0b7f0c9e0f1a2b3c4d5e6f708192a3b4c5d6e7f809']
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dockyard.registry.plugins.module_utils.registry_api import (
    RegistryClient, RegistryError, compile_rules, prune, rule_problems)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type='str', required=True),
            username=dict(type='str'),
            password=dict(type='str', no_log=True),
            validate_certs=dict(type='bool', default=True),
            ca_path=dict(type='path'),
            timeout=dict(type='int', default=30),
            workers=dict(type='int', default=8),
            rules=dict(type='list', elements='dict', required=True, options=dict(
                repository=dict(type='str', required=True),
                keep_last=dict(type='int'),
                keep_tags=dict(type='list', elements='str', default=[], no_log=False),
                older_than=dict(type='str'),
            )),
        ),
        supports_check_mode=True,
    )
    params = module.params
    problems = rule_problems(params['rules'])
    url = params['url']
    if '://' not in url or not url.split('://', 1)[0].lower() in ('http', 'https'):
        problems.append('url must start with http:// or https://, such as http://127.0.0.1:5000, not %r' % url)
    if params['workers'] < 1:
        problems.append('workers must be 1 or more, not %d' % params['workers'])
    if params['timeout'] < 1:
        problems.append('timeout must be 1 or more seconds, not %d' % params['timeout'])
    if problems:
        module.fail_json(msg='; '.join(problems), problems=problems)

    client = RegistryClient(url, username=params['username'], password=params['password'],
                            validate_certs=params['validate_certs'], ca_path=params['ca_path'],
                            timeout=params['timeout'])
    try:
        repositories, summary = prune(client, compile_rules(params['rules']), check_mode=module.check_mode,
                                      workers=params['workers'], warn=module.warn)
    except RegistryError as exc:
        partial = getattr(exc, 'partial', None)
        if partial:
            done = getattr(exc, 'done', [])
            module.fail_json(msg=str(exc), changed=bool(done), repositories=partial[0], summary=partial[1],
                             deleted_so_far=done)
        module.fail_json(msg=str(exc))
    module.exit_json(changed=summary['deleted_digests'] > 0, repositories=repositories, summary=summary)


if __name__ == '__main__':
    main()
