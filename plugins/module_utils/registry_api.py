# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tag retention over the registry's HTTP API (the OCI distribution API that distribution serves).

Three parts, each usable and tested on its own:
- the rules: ``rule_problems`` checks them, ``compile_rules`` turns them into what ``plan_repository`` takes;
- ``RegistryClient``: the few requests retention needs (catalog, tags, manifests, config blobs, manifest
  DELETE), with pagination, Basic credentials that are never sent on to a redirect target (the S3 storage
  answers blob GETs with a 307 to a pre-signed URL), a request counter and clear errors;
- ``scan_repository`` (what the registry holds: tags, manifests, creation times, blob sizes) and
  ``plan_repository`` (what the rules delete: a pure function of the scan, the rules and the time).

The HTTP API does not tell when a tag was pushed, so "most recent" is by image creation time: the ``created``
of an image's config; for an index (multi-platform image) its own ``org.opencontainers.image.created``
annotation when it has one, otherwise the newest ``created`` of its platform manifests.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import calendar
import hashlib
import json
import re
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin

from ansible.module_utils.urls import Request, make_context

from ansible_collections.dockyard.registry.plugins.module_utils.access import pattern_matches, pattern_problem

# Media types ------------------------------------------------------------------------------------------

DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
MANIFEST_ACCEPT = ', '.join((DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX))
INDEX_TYPES = frozenset((DOCKER_LIST, OCI_INDEX))
IMAGE_CONFIG_TYPES = frozenset(('application/vnd.docker.container.image.v1+json',
                                'application/vnd.oci.image.config.v1+json'))
CREATED_ANNOTATION = 'org.opencontainers.image.created'

PAGE_SIZE = 1000

# Durations ------------------------------------------------------------------------------------------

DURATION_UNITS = {'w': 7 * 86400, 'd': 86400, 'h': 3600, 'm': 60, 's': 1}
_DURATION_RE = re.compile(r'\A(?:[0-9]+[wdhms])+\Z')
_DURATION_PART_RE = re.compile(r'([0-9]+)([wdhms])')
DURATION_SYNTAX = ('one or more whole numbers each followed by a unit, w (weeks), d (days), h (hours), m (minutes)'
                   ' or s (seconds), without spaces, such as 30d, 12h or 1w3d; more than zero in total')


def parse_duration(text):
    """Seconds in the duration TEXT (DURATION_SYNTAX). Raises ValueError."""
    if not isinstance(text, str) or not _DURATION_RE.match(text.strip().lower()):
        raise ValueError('%r is not a duration: give %s' % (text, DURATION_SYNTAX))
    seconds = sum(int(number) * DURATION_UNITS[unit]
                  for number, unit in _DURATION_PART_RE.findall(text.strip().lower()))
    if seconds <= 0:
        raise ValueError('%r is not a duration: give %s' % (text, DURATION_SYNTAX))
    return seconds


# Go's time.Time in JSON: RFC 3339 with up to nanoseconds, Z or an offset.
_CREATED_RE = re.compile(r'\A([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?'
                         r'(?:([Zz])|([+-])([0-9]{2}):?([0-9]{2}))\Z')


def parse_created(value):
    """Seconds since the epoch of an RFC 3339 time (an image config's ``created``), or None when VALUE is not
    one (missing, or the zero time some reproducible builds write, 0001-01-01T00:00:00Z, counts as unknown)."""
    if not isinstance(value, str):
        return None
    match = _CREATED_RE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    if year < 1971:
        return None
    try:
        stamp = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    if match.group(7):
        stamp += float('0' + match.group(7)[:10])
    if match.group(9):
        offset = int(match.group(10)) * 3600 + int(match.group(11)) * 60
        stamp -= offset if match.group(9) == '+' else -offset
    return stamp


def format_time(stamp):
    if stamp is None:
        return None
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(stamp))


# Rules ----------------------------------------------------------------------------------------------

def rule_problems(rules):
    """Messages for everything wrong with RULES (the module's rules option), each naming rules[index]."""
    problems = []
    if not rules:
        return ['rules is empty: give at least one rule (repository and keep_last or older_than)']
    for index, rule in enumerate(rules):
        where = 'rules[%d]' % index
        pattern = rule.get('repository')
        if pattern is None:
            problems.append('%s has no repository: give a repository name or pattern such as team-a/* or *' % where)
        else:
            problem = pattern_problem(pattern)
            if problem:
                problems.append('%s: repository %r %s' % (where, pattern, problem))
            where = '%s (%s)' % (where, pattern)
        keep_last = rule.get('keep_last')
        older_than = rule.get('older_than')
        if keep_last is None and older_than is None:
            problems.append('%s: give keep_last, older_than or both; keep_tags alone would delete every other tag'
                            % where)
        if keep_last is not None and (isinstance(keep_last, bool) or not isinstance(keep_last, int) or keep_last < 1):
            problems.append('%s: keep_last must be a whole number of 1 or more, not %r (to delete by age only, leave'
                            ' it out and set older_than)' % (where, keep_last))
        if older_than is not None:
            try:
                parse_duration(older_than)
            except ValueError as exc:
                problems.append('%s: older_than %s' % (where, exc))
        for position, regex in enumerate(rule.get('keep_tags') or []):
            try:
                re.compile(regex)
            except (re.error, TypeError) as exc:
                problems.append('%s: keep_tags[%d] %r is not a regular expression: %s' % (where, position, regex, exc))
    return problems


def compile_rules(rules):
    """RULES (already checked by rule_problems) as dicts with the regexes compiled and older_than in seconds."""
    compiled = []
    for index, rule in enumerate(rules):
        compiled.append(dict(
            index=index,
            repository=rule['repository'],
            keep_last=rule.get('keep_last'),
            keep_tags=[re.compile(regex) for regex in rule.get('keep_tags') or []],
            older_than=parse_duration(rule['older_than']) if rule.get('older_than') is not None else None,
        ))
    return compiled


def match_rules(rules, repositories):
    """{repository: [rules that match it]} for the repositories some rule matches, and the rules matching none."""
    matched = {}
    unused = []
    for rule in rules:
        hits = [name for name in repositories if pattern_matches(rule['repository'], name)]
        if not hits:
            unused.append(rule)
        for name in hits:
            matched.setdefault(name, []).append(rule)
    return matched, unused


# HTTP -----------------------------------------------------------------------------------------------

class RegistryError(Exception):
    """A problem after which retention stops, with a message that says what to fix."""


def next_link(link, current):
    """The absolute URL of the rel="next" page in a Link header, or None."""
    if not link:
        return None
    for part in link.split(','):
        match = re.match(r'\s*<([^>]*)>\s*;(.*)', part)
        if match and re.search(r'rel\s*=\s*"?next"?', match.group(2)):
            return urljoin(current, match.group(1))
    return None


def _message(body):
    """The first error of a registry error body ({"errors": [{"code", "message"}]}), or the body's start."""
    try:
        errors = json.loads(body.decode('utf-8')).get('errors') or []
        return '%s: %s' % (errors[0].get('code'), errors[0].get('message'))
    except Exception:  # pylint: disable=broad-except
        return body[:200].decode('utf-8', 'replace').strip()


class RegistryClient(object):
    """The registry at URL (scheme, host, port and an optional path prefix in front of /v2/)."""

    def __init__(self, url, username=None, password=None, validate_certs=True, ca_path=None, timeout=30):
        self.url = url.rstrip('/')
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        # One TLS context for every request: building one (loading the CA certificates) takes longer than a
        # request to a registry on the same host.
        self._context = None
        self.authorization = None
        if username is not None or password is not None:
            token = base64.b64encode(('%s:%s' % (username or '', password or '')).encode('utf-8')).decode('ascii')
            self.authorization = 'Basic ' + token
        self.requests = 0
        self._lock = threading.Lock()
        self._blobs = {}

    def request(self, method, path, accept=None, ok=(200,)):
        """(status, headers, body) of METHOD on PATH (below the registry URL, or absolute). Statuses outside OK
        that the caller cannot act on raise RegistryError; the caller gets 404 and 405 when it lists them."""
        url = path if '://' in path else self.url + path
        headers = {}
        if accept:
            headers['Accept'] = accept
        unredirected = []
        if self.authorization:
            # Never sent on to a redirect's target: S3's pre-signed URLs refuse a second credential.
            headers['Authorization'] = self.authorization
            unredirected.append('Authorization')
        with self._lock:
            self.requests += 1
        try:
            with self._lock:
                if self._context is None:
                    self._context = make_context(cafile=self.ca_path, validate_certs=self.validate_certs)
            # urllib's own redirect handling: a 307 of a blob GET is followed, without the unredirected headers.
            response = Request(use_netrc=False).open(
                method, url, headers=headers, validate_certs=self.validate_certs, ca_path=self.ca_path,
                timeout=self.timeout, follow_redirects='urllib2', unredirected_headers=unredirected,
                context=self._context)
            status, response_headers, body = response.getcode(), response.headers, response.read()
        except HTTPError as exc:
            status, response_headers = exc.code, exc.headers
            try:
                body = exc.read() or b''
            except Exception:  # pylint: disable=broad-except
                body = b''
        except (URLError, socket.error, ssl.SSLError) as exc:
            raise RegistryError(self._unreachable(exc))
        if status in ok:
            return status, response_headers, body
        raise RegistryError(self._explain(method, url, status, response_headers, body))

    def _unreachable(self, exc):
        reason = getattr(exc, 'reason', exc)
        text = str(reason)
        if isinstance(reason, ssl.SSLError) or 'CERTIFICATE' in text.upper() or 'SSL' in text.upper():
            return ('the registry at %s could not be reached over TLS (%s): check the certificate, ca_path, or'
                    ' validate_certs' % (self.url, text))
        if isinstance(reason, ConnectionRefusedError) or 'refused' in text.lower():
            return ('the registry at %s refused the connection (%s): is it running and listening there? Check url'
                    ' (scheme, host and port)' % (self.url, text))
        if isinstance(reason, socket.timeout) or 'timed out' in text.lower():
            return ('the registry at %s did not answer within %s seconds (%s): check url, firewall and proxy'
                    ' settings, or raise timeout' % (self.url, self.timeout, text))
        return 'the registry at %s could not be reached (%s): check url, DNS, firewall and proxy settings' % (
            self.url, text)

    def _explain(self, method, url, status, headers, body):
        where = '%s %s' % (method, url)
        if status == 401:
            challenge = (headers.get('WWW-Authenticate') or '') if headers else ''
            if challenge.lower().startswith('bearer'):
                return ('%s: 401 Unauthorized with a token (Bearer) challenge; this module supports Basic (htpasswd)'
                        ' credentials only' % where)
            if self.authorization is None:
                return '%s: 401 Unauthorized: the registry needs credentials; set username and password' % where
            return ('%s: 401 Unauthorized: wrong credentials; check username and password (a user of the'
                    " registry's htpasswd file)" % where)
        if status == 403:
            return ('%s: 403 Forbidden (%s): the user may not do this; retention needs an admin user (catalog, read'
                    ' and delete in every repository)' % (where, _message(body)))
        if status == 405 and method == 'DELETE':
            return ('%s: 405 Method Not Allowed (%s): the registry does not allow deletes; set'
                    ' registry_delete_enabled: true (storage.delete.enabled in the registry configuration) and'
                    ' redeploy' % (where, _message(body)))
        if status == 404 and url.rstrip('/').endswith('/v2'):
            return '%s: 404 Not Found: no registry API at this URL; check url' % where
        return '%s: HTTP %s (%s)' % (where, status, _message(body))

    # -- API calls ------------------------------------------------------------------------------------

    def ping(self):
        """GET /v2/: the API is there and the credentials are right."""
        self.request('GET', '/v2/')

    def _pages(self, path, key, missing_ok=False):
        url = '%s%s?n=%d' % (self.url, path, PAGE_SIZE)
        items = []
        while url:
            status, headers, body = self.request('GET', url, ok=(200, 404) if missing_ok else (200,))
            if status == 404:
                return items
            items.extend(json.loads(body.decode('utf-8')).get(key) or [])
            url = next_link(headers.get('Link'), url)
        return items

    def catalog(self):
        return self._pages('/v2/_catalog', 'repositories')

    def tags(self, repository):
        """The tags of REPOSITORY ([] when it has none or is gone)."""
        return self._pages('/v2/%s/tags/list' % repository, 'tags', missing_ok=True)

    def manifest(self, repository, reference):
        """(digest, parsed manifest, media type) of REFERENCE (a tag or digest), or None when it is not there."""
        status, headers, body = self.request('GET', '/v2/%s/manifests/%s' % (repository, reference),
                                             accept=MANIFEST_ACCEPT, ok=(200, 404))
        if status == 404:
            return None
        digest = headers.get('Docker-Content-Digest') or 'sha256:' + hashlib.sha256(body).hexdigest()
        document = json.loads(body.decode('utf-8'))
        media_type = document.get('mediaType') or (headers.get('Content-Type') or '').split(';')[0].strip()
        return digest, document, media_type

    def blob_json(self, repository, digest):
        """The JSON blob DIGEST (an image config) of REPOSITORY, cached by digest; None when it is not there."""
        with self._lock:
            if digest in self._blobs:
                return self._blobs[digest]
        status, dummy, body = self.request('GET', '/v2/%s/blobs/%s' % (repository, digest), ok=(200, 404))
        value = None
        if status == 200:
            try:
                value = json.loads(body.decode('utf-8'))
            except ValueError:
                value = None
        with self._lock:
            self._blobs[digest] = value
        return value

    def delete_manifest(self, repository, digest):
        """DELETE the manifest DIGEST; False when it was already gone."""
        status, dummy, dummy2 = self.request('DELETE', '/v2/%s/manifests/%s' % (repository, digest), ok=(202, 200, 404))
        return status != 404


# Scan -----------------------------------------------------------------------------------------------

def _blob_sizes(document):
    """{digest: size} of the config and layers of an image manifest."""
    sizes = {}
    for descriptor in [document.get('config') or {}] + list(document.get('layers') or []):
        if isinstance(descriptor, dict) and descriptor.get('digest'):
            size = descriptor.get('size')
            sizes[descriptor['digest']] = size if isinstance(size, int) else None
    return sizes


def _map(pool, function, items):
    return list(pool.map(function, items)) if pool else [function(item) for item in items]


def scan_repository(client, repository, pool=None):
    """What REPOSITORY holds: {'tags': {tag: digest}, 'manifests': {digest: info}, 'missing_tags': [..]}.

    info: media_type; children (digests, for an index); blobs ({digest: size} of config and layers, None when
    unknown; for an index those of all its platform manifests); created (seconds since the epoch, or None);
    created_from (config, annotation, platforms or None).
    """
    return scan_repositories(client, [repository], pool)[repository]


def scan_repositories(client, repositories, pool=None):
    """scan_repository for each of REPOSITORIES: {name: scan}. Each step (tag lists, manifests, platform
    manifests, configs) is done for all repositories at once, its requests spread over POOL."""
    tag_lists = _map(pool, client.tags, repositories)
    jobs = [(name, tag) for name, tags in zip(repositories, tag_lists) for tag in tags]
    fetched = _map(pool, lambda job: client.manifest(*job), jobs)
    results = dict((name, dict(tags={}, manifests={}, missing_tags=[])) for name in repositories)
    documents = dict((name, {}) for name in repositories)
    for (name, tag), answer in zip(jobs, fetched):
        if answer is None:
            results[name]['missing_tags'].append(tag)  # deleted since the tag list was read
            continue
        digest, document, media_type = answer
        results[name]['tags'][tag] = digest
        documents[name][digest] = (document, media_type)
    # Platform manifests of the indexes (and of nested indexes), each fetched once.
    pending = [(name, digest) for name in repositories for digest in documents[name]]
    while pending:
        wanted = set()
        for name, digest in pending:
            document, media_type = documents[name][digest]
            if document and media_type in INDEX_TYPES:
                for child in document.get('manifests') or []:
                    child_digest = child.get('digest') if isinstance(child, dict) else None
                    if child_digest and child_digest not in documents[name]:
                        wanted.add((name, child_digest))
        wanted = sorted(wanted)
        answers = _map(pool, lambda job: client.manifest(*job), wanted)
        pending = []
        for (name, digest), answer in zip(wanted, answers):
            documents[name][digest] = (answer[1], answer[2]) if answer else (None, None)
            if answer:
                pending.append((name, digest))
    # Creation times: image configs, each fetched once (the client caches them by digest).
    configs = {}
    for name in repositories:
        for document, media_type in documents[name].values():
            config = document.get('config') if document and media_type not in INDEX_TYPES else None
            if isinstance(config, dict) and config.get('mediaType') in IMAGE_CONFIG_TYPES and config.get('digest'):
                configs.setdefault(config['digest'], name)
    wanted = sorted(configs)
    config_values = dict(zip(wanted, _map(pool, lambda digest: client.blob_json(configs[digest], digest), wanted)))
    for name in repositories:
        _describe(documents[name], config_values, results[name]['manifests'])
    return results


def _describe(documents, config_values, infos):
    """Fill INFOS ({digest: info}) from DOCUMENTS ({digest: (manifest, media type)}) and the configs."""

    def info(digest, depth=0):
        if digest in infos:
            return infos[digest]
        document, media_type = documents.get(digest, (None, None))
        entry = dict(media_type=media_type, children=[], blobs=None, created=None, created_from=None)
        infos[digest] = entry
        if document is None or depth > 4:
            return entry
        annotation = parse_created((document.get('annotations') or {}).get(CREATED_ANNOTATION))
        if media_type in INDEX_TYPES:
            entry['children'] = [child['digest'] for child in document.get('manifests') or []
                                 if isinstance(child, dict) and child.get('digest')]
            blobs = {}
            newest = None
            for child in entry['children']:
                child_info = info(child, depth + 1)
                if blobs is not None:
                    if child_info['blobs'] is None:
                        blobs = None
                    else:
                        blobs.update(child_info['blobs'])
                if child_info['created'] is not None and (newest is None or child_info['created'] > newest):
                    newest = child_info['created']
            entry['blobs'] = blobs
            if annotation is not None:
                entry['created'], entry['created_from'] = annotation, 'annotation'
            elif newest is not None:
                entry['created'], entry['created_from'] = newest, 'platforms'
        else:
            entry['blobs'] = _blob_sizes(document)
            if None in entry['blobs'].values():
                entry['blobs'] = None
            config = config_values.get((document.get('config') or {}).get('digest'))
            created = parse_created(config.get('created')) if isinstance(config, dict) else None
            if created is not None:
                entry['created'], entry['created_from'] = created, 'config'
            elif annotation is not None:
                entry['created'], entry['created_from'] = annotation, 'annotation'
        return entry

    for digest in list(documents):
        info(digest)


# Plan -----------------------------------------------------------------------------------------------

def _referenced(manifests, digests):
    """DIGESTS and, recursively, the platform manifests of those that are indexes."""
    seen = set()
    stack = list(digests)
    while stack:
        digest = stack.pop()
        if digest in seen:
            continue
        seen.add(digest)
        stack.extend((manifests.get(digest) or {}).get('children') or [])
    return seen


def kept_tags(tags, manifests, rules, now):
    """{tag: [reasons]} of the TAGS ({tag: digest}) that RULES keep. A tag whose creation time is unknown is
    always kept (reason: created unknown): neither its age nor its rank can be told."""
    kept = {}

    def keep(tag, reason):
        kept.setdefault(tag, [])
        if reason not in kept[tag]:
            kept[tag].append(reason)

    created = dict((tag, (manifests.get(digest) or {}).get('created')) for tag, digest in tags.items())
    for tag in tags:
        if created[tag] is None:
            keep(tag, 'created unknown')
    dated = sorted((tag for tag in tags if created[tag] is not None), key=lambda tag: (created[tag], tag),
                   reverse=True)
    for rule in rules:
        label = 'rules[%d]' % rule['index']
        for tag in tags:
            for regex in rule['keep_tags']:
                if regex.search(tag):
                    keep(tag, '%s keep_tags %s' % (label, regex.pattern))
                    break
        if rule['keep_last']:
            for tag in dated[:rule['keep_last']]:
                keep(tag, '%s keep_last %d' % (label, rule['keep_last']))
        if rule['older_than'] is not None:
            for tag in dated:
                if created[tag] > now - rule['older_than']:
                    keep(tag, '%s newer than older_than' % label)
    return kept


def plan_repository(name, scan, rules, now):
    """What RULES (those matching repository NAME) delete from it, given SCAN (scan_repository's result):
    the repository's entry of the module's result, with 'delete' (the digests, in order) added.

    A tag is deleted only when no rule keeps it; a manifest is deleted (by digest, which removes every tag on
    it) only when no kept tag points at it and it is no platform manifest of a kept index."""
    tags, manifests = scan['tags'], scan['manifests']
    keep = kept_tags(tags, manifests, rules, now)
    protected = _referenced(manifests, set(tags[tag] for tag in keep))
    doomed = sorted(set(digest for tag, digest in tags.items() if tag not in keep and digest not in protected))
    by_digest = {}
    for tag, digest in tags.items():
        by_digest.setdefault(digest, []).append(tag)
    kept_blobs = {}
    kept_known = True
    for digest in protected:
        blobs = (manifests.get(digest) or {}).get('blobs')
        if blobs is None and not (manifests.get(digest) or {}).get('children'):
            kept_known = False
        kept_blobs.update(blobs or {})
    computable = kept_known
    freed = {}
    deleted = []
    for digest in doomed:
        entry = manifests.get(digest) or {}
        blobs = entry.get('blobs')
        size = None
        if blobs is not None and kept_known:
            own = dict((blob, blob_size) for blob, blob_size in blobs.items() if blob not in kept_blobs)
            freed.update(own)
            size = sum(own.values())
        else:
            computable = False
        deleted.append(dict(digest=digest, media_type=entry.get('media_type'), tags=sorted(by_digest[digest]),
                            created=format_time(entry.get('created')), created_from=entry.get('created_from'),
                            platforms=list(entry.get('children') or []), bytes=size))
    deleted_tags = sorted(tag for digest in doomed for tag in by_digest[digest])
    return dict(
        name=name,
        rules=[rule['index'] for rule in rules],
        tags=len(tags),
        kept_tags=sorted(keep),
        kept_by_digest=sorted(tag for tag in tags if tag not in keep and tags[tag] in protected),
        deleted_tags=deleted_tags,
        deleted=deleted,
        bytes=sum(freed.values()) if computable else None,
        unknown_created=sorted(tag for tag, reasons in keep.items() if 'created unknown' in reasons),
        delete=doomed,
    )


# Run ------------------------------------------------------------------------------------------------

def prune(client, rules, check_mode=False, workers=8, now=None, warn=None):
    """Apply RULES (compile_rules' output) to every repository of the registry CLIENT talks to.

    Returns (repositories, summary); deletes nothing in CHECK_MODE. WARN(message) is called for a rule that
    matches no repository and for other oddities. Raises RegistryError, with the attribute 'partial' holding
    (repositories, summary) when the error came while deleting."""
    started = time.monotonic()
    warn = warn or (lambda message: None)
    now = time.time() if now is None else now
    client.ping()
    catalog = client.catalog()
    matched, unused = match_rules(rules, catalog)
    for rule in unused:
        warn('rules[%d]: repository %r matches no repository in the registry (%d repositories); nothing is'
             ' deleted by it' % (rule['index'], rule['repository'], len(catalog)))
    names = sorted(matched)
    pool = ThreadPoolExecutor(max_workers=max(1, workers)) if workers > 1 else None
    try:
        scans = scan_repositories(client, names, pool)
        for name in names:
            if scans[name]['missing_tags']:
                warn('%s: tags %s disappeared while reading (pushed over or deleted meanwhile); left alone'
                     % (name, ', '.join(scans[name]['missing_tags'])))
        repositories = [plan_repository(name, scans[name], matched[name], now) for name in names]
        for repository in repositories:
            if repository['unknown_created']:
                warn('%s: the creation time of tags %s is unknown (no created in the image config); they are kept'
                     % (repository['name'], ', '.join(repository['unknown_created'])))
        summary = _summary(repositories)
        if not check_mode:
            work = [(repository['name'], digest) for repository in repositories for digest in repository['delete']]
            gone = set()
            done = []
            lock = threading.Lock()

            def delete(item):
                deleted = client.delete_manifest(*item)
                with lock:
                    if deleted:
                        done.append(item)
                    else:
                        gone.add(item)

            try:
                if work:
                    # The first one alone: a registry that refuses deletes (405) fails once, not N times.
                    delete(work[0])
                    _map(pool, delete, work[1:])
            except RegistryError as exc:
                exc.partial = _finish(repositories, client, started)
                exc.done = sorted('%s@%s' % item for item in done)
                raise
            for name, digest in sorted(gone):
                warn('%s: manifest %s was already gone when it was to be deleted' % (name, digest))
        return _finish(repositories, client, started)
    finally:
        if pool:
            pool.shutdown(wait=True)


def _summary(repositories):
    sizes = [repository['bytes'] for repository in repositories]
    return dict(
        repositories=len(repositories),
        tags=sum(repository['tags'] for repository in repositories),
        deleted_tags=sum(len(repository['deleted_tags']) for repository in repositories),
        deleted_digests=sum(len(repository['deleted']) for repository in repositories),
        bytes=None if None in sizes else sum(sizes),
    )


def _finish(repositories, client, started):
    summary = _summary(repositories)
    summary['requests'] = client.requests
    summary['seconds'] = round(time.monotonic() - started, 3)
    for repository in repositories:
        repository.pop('delete', None)
    return repositories, summary
