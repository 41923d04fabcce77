#!/usr/bin/env python
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What access rules cost per request (issue 13), run ON the registry host (Python stdlib and curl).

Usage (bench/run.sh copies this file, datapath.py and limits.py to one directory on the target):
  access.py compare DIR ROUNDS SIZE_MB REQUESTS OFF_CONF ON_CONF
      ROUNDS rounds; in each, nginx runs once with the configuration OFF_CONF (rendered by the site without
      access rules) and once with ON_CONF (the same site with nginx_access_rules), alternating which comes
      first. Each configuration is installed as conf.d/dockyard-registry.conf and nginx reloaded; a probe
      waits until the new one answers. Then, through nginx: REQUESTS authenticated manifest HEADs with a new
      connection each (curl process per request), REQUESTS + 1 on one kept-alive connection, and one download
      of the SIZE_MB MiB blob (from datapath.py blobs/transfer). For the kept-alive HEADs and the download:
      the requests the registry logged (each one a bcrypt check of the request's credentials) and the CPU
      seconds the registry's process and nginx used. Finally, with ON_CONF: REQUESTS + 1 kept-alive HEADs of
      a repository the user may not read (403, each after one GET /v2/ to the registry), and as many with a
      wrong password (401, the same), counted the same way. The configuration installed before is restored.
      JSON.

Each configuration starts with this address's nginx rate-limit allowance whole (limits.py's drain), so
that no request meets a 429 (every status is checked).
Environment: as datapath.py and limits.py (BENCH_USER, BENCH_PASSWORD, BENCH_DOMAIN, BENCH_CA,
BENCH_REGISTRY_CONTAINER).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import json
import os
import re
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datapath  # noqa: E402 pylint: disable=wrong-import-position
import limits  # noqa: E402 pylint: disable=wrong-import-position

# A repository the measuring user's patterns (bench/access-users.yml) do not cover.
DENIED_REPO = 'other/app'
# The registry's access log line (gorilla's combined format): address - - [time] "METHOD URI HTTP/1.1" status.
REGISTRY_LINE = re.compile(r'^\S+ - \S+ \[[^\]]+\] "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) ')
HEAD_ARGS = ['--head', '-H', 'Accept: ' + datapath.MANIFEST_TYPE, '-w', '%{http_code} %{time_total}\\n']


def registry_log_lines():
    """The registry container's log so far (stdout and stderr), as lines."""
    return limits.run(['docker', 'logs', limits.CONTAINER]).splitlines()


def registry_pid():
    return limits.run(['docker', 'inspect', '--format', '{{.State.Pid}}', limits.CONTAINER]).strip()


def counted(action):
    """Run action(); return (its result, the requests the registry logged meanwhile by "METHOD path status",
    registry CPU seconds, nginx CPU seconds)."""
    ticks = os.sysconf('SC_CLK_TCK')
    pid, nginx = registry_pid(), limits.nginx_pids()
    lines_before = len(registry_log_lines())
    registry_before, nginx_before = limits.cpu_ticks([pid]), limits.cpu_ticks(nginx)
    result = action()
    registry_cpu = (limits.cpu_ticks([pid]) - registry_before) / ticks
    nginx_cpu = (limits.cpu_ticks(nginx) - nginx_before) / ticks
    # The registry writes its access log line as each response ends: give the last one time to arrive.
    time.sleep(0.5)
    requests = collections.Counter()
    for line in registry_log_lines()[lines_before:]:
        match = REGISTRY_LINE.match(line)
        if match:
            path = match.group('path').split('?')[0]
            requests['%s %s %s' % (match.group('method'), path, match.group('status'))] += 1
    return result, dict(requests), round(registry_cpu, 3), round(nginx_cpu, 3)


def install(conf, expect):
    """Install the nginx configuration CONF and reload; wait until a HEAD of DENIED_REPO answers EXPECT (403
    with the rules, 404 from the registry without them): the new workers are serving."""
    shutil.copyfile(conf, limits.CONF)
    limits.run(['sh', '-c', 'nginx -t -q && systemctl reload nginx'])
    probe = datapath.url('nginx', '/v2/%s/manifests/latest' % DENIED_REPO)
    deadline = time.monotonic() + 30
    while True:
        status = datapath.curl('nginx', ['--head', '-o', '/dev/null', '-w', '%{http_code}', probe]).strip()
        if status == expect:
            return
        if time.monotonic() > deadline:
            raise RuntimeError('%s: a HEAD of %s still answers %s, not %s' % (conf, DENIED_REPO, status, expect))
        time.sleep(0.2)


def head_batch(repo, count, expect, credentials=None):
    """COUNT + 1 HEADs of REPO's manifest on one kept-alive connection; the times of all but the first."""
    manifest = datapath.url('nginx', '/v2/%s/manifests/latest' % repo)
    args = HEAD_ARGS + datapath.to_null([manifest] * (count + 1))
    if credentials is None:
        out = datapath.curl('nginx', args)
    else:
        out = datapath.curl('nginx', ['-u', credentials] + args, auth=False)
    return datapath.timings(out, expect)[1:]


def measure(size_mb, digest, count):
    """One configuration's figures (its configuration installed)."""
    manifest = datapath.url('nginx', '/v2/%s/manifests/latest' % datapath.AUTH_REPO)
    fresh = [datapath.timings(datapath.curl('nginx', HEAD_ARGS + datapath.to_null([manifest])), '200')[0]
             for dummy in range(count)]
    kept, kept_requests, kept_registry_cpu, kept_nginx_cpu = counted(lambda: head_batch(datapath.AUTH_REPO, count, '200'))
    (seconds, dummy), download_requests, download_registry_cpu, download_nginx_cpu = counted(
        lambda: datapath.download('nginx', datapath.DATA_REPO, digest, size_mb << 20))
    return {
        'head_new_connection_ms': round(statistics.median(fresh) * 1000, 2),
        'head_keepalive_ms': round(statistics.median(kept) * 1000, 2),
        'head_keepalive_client_requests': count + 1,
        'head_keepalive_registry_requests': kept_requests,
        'head_keepalive_registry_cpu_s': kept_registry_cpu,
        'head_keepalive_nginx_cpu_s': kept_nginx_cpu,
        'download_seconds': seconds,
        'download_registry_requests': download_requests,
        'download_registry_cpu_s': download_registry_cpu,
        'download_nginx_cpu_s': download_nginx_cpu,
    }


def refused(count):
    """The rules' refusals, with the rules installed: a repository the user may not read, right and wrong password."""
    result = {}
    for name, credentials, expect in (('denied', None, '403'),
                                      ('denied_wrong_password', '%s:not-the-password' % datapath.USER, '401')):
        limits.cmd_drain()
        times, requests, registry_cpu, nginx_cpu = counted(lambda: head_batch(DENIED_REPO, count, expect, credentials))
        result[name] = {'status': expect, 'client_requests': count + 1, 'keepalive_ms': round(statistics.median(times) * 1000, 2),
                        'registry_requests': requests, 'registry_cpu_s': registry_cpu, 'nginx_cpu_s': nginx_cpu}
    return result


def per_request(requests, client_requests):
    return round(sum(requests.values()) / float(client_requests), 3)


def cmd_compare(directory, rounds, size_mb, count, off_conf, on_conf):
    digest = datapath.load_digests(directory)[str(size_mb)]
    saved = limits.CONF + '.bench-saved'
    shutil.copyfile(limits.CONF, saved)
    configs = {'off': (off_conf, '404'), 'on': (on_conf, '403')}
    samples = []
    try:
        for run in range(rounds):
            # Alternate which configuration goes first, so that a slow spell of the machine does not always
            # fall on the same one.
            for name in (('off', 'on') if run % 2 == 0 else ('on', 'off')):
                install(*configs[name])
                limits.cmd_drain()
                samples.append(dict(measure(size_mb, digest, count), config=name, run=run))
        install(*configs['on'])
        refusals = refused(count)
    finally:
        shutil.copyfile(saved, limits.CONF)
        os.unlink(saved)
        limits.run(['sh', '-c', 'nginx -t -q && systemctl reload nginx'])

    summary = {}
    for name in configs:
        mine = [sample for sample in samples if sample['config'] == name]
        client = sum(sample['head_keepalive_client_requests'] for sample in mine)
        registry = collections.Counter()
        download_registry = collections.Counter()
        for sample in mine:
            registry.update(sample['head_keepalive_registry_requests'])
            download_registry.update(sample['download_registry_requests'])
        summary[name] = {
            # The median of the rounds' medians (HEAD), the best and the median round (download).
            'head_new_connection_ms': statistics.median(sample['head_new_connection_ms'] for sample in mine),
            'head_keepalive_ms': statistics.median(sample['head_keepalive_ms'] for sample in mine),
            'download_best_s': min(sample['download_seconds'] for sample in mine),
            'download_median_s': statistics.median(sample['download_seconds'] for sample in mine),
            'head_client_requests': client,
            'head_registry_requests': dict(registry),
            'head_registry_requests_per_request': per_request(registry, client),
            # CPU seconds per 100 kept-alive HEADs, over all rounds (the kernel counts in ticks of 10 ms: one
            # round's nginx share is a few ticks).
            'head_registry_cpu_s_per_100': round(
                sum(sample['head_keepalive_registry_cpu_s'] for sample in mine) * 100.0 / client, 3),
            'head_nginx_cpu_s_per_100': round(sum(sample['head_keepalive_nginx_cpu_s'] for sample in mine) * 100.0 / client, 3),
            'download_registry_requests': dict(download_registry),
            'download_registry_requests_per_request': per_request(download_registry, len(mine)),
            'download_registry_cpu_s': statistics.median(sample['download_registry_cpu_s'] for sample in mine),
            'download_nginx_cpu_s': statistics.median(sample['download_nginx_cpu_s'] for sample in mine),
        }
    for refusal in refusals.values():
        refusal['registry_requests_per_request'] = per_request(refusal['registry_requests'], refusal['client_requests'])
        refusal['registry_cpu_s_per_100'] = round(refusal['registry_cpu_s'] * 100.0 / refusal['client_requests'], 3)
    return {'rounds': rounds, 'size_mb': size_mb, 'requests': count, 'cost': datapath.htpasswd_cost(),
            'limits': limits.limits(), 'summary': summary, 'refused': refusals, 'samples': samples}


def main(argv):
    if len(argv) != 8 or argv[1] != 'compare':
        sys.stderr.write(__doc__)
        return 2
    print(json.dumps(cmd_compare(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), argv[6], argv[7])))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
