#!/usr/bin/env python
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turn the raw results of bench/run.sh (a directory of JSON files and logs) into one Markdown table.

Usage: report.py RESULTS_DIR             the table: each row a measurement, its figures, the target (if
                                         the issue set one) and whether it is met
       report.py --tuning RESULTS_DIR    the nginx settings A/B (bench/tuning.py) as a table
"""

import glob
import json
import math
import os
import re
import statistics
import sys

# The targets of issue 7 (and of issue 11: the re-run and --tags users).
RERUN_MAX_SHARE = 0.5
TAGS_USERS_MAX_SHARE = 0.25
HTPASSWD_MIN_RATIO = 10.0
HTPASSWD_TARGET_USERS = 50
UPLOAD_MIN_RATIO = 0.9
DOWNLOAD_MIN_RATIO = 0.7
# "nginx's memory stays flat" while 1 GiB passes: less than this much growth of all its processes' RSS.
RSS_MAX_GROWTH_KIB = 16 * 1024
# Issue 12: a 30-layer push and pull never meets nginx's per-address limits.
LIMITS_MAX_PUSH_PULL_429 = 0
# Issue 13: with access rules (10 users, 20 patterns) a HEAD or a download is at most this much slower than
# without, and every request the registry gets is still one bcrypt check: one registry request per client request.
ACCESS_MAX_SLOWDOWN = 0.05
# Issue 14: the retention check of 500 tags (10 repositories) under 10 s.
RETENTION_TARGET_TAGS = 500
RETENTION_MAX_CHECK_S = 10.0
# Issue 15: through nginx, a robot (bcrypt cost 4) makes at least 10 times the authenticated requests a second of a
# human user (cost 10), the same clients and requests, same run.
ROBOTS_MIN_RATIO = 10.0
RETENTION_TASK = 'Delete the images the retention rules do not keep'
GC_FACT_TASK = 'Remember the garbage collection (registry_gc)'

PROFILE_LINE = re.compile(r'^\w+day .*\(\d+:\d\d:[\d.]+\)\s+(\d+):(\d\d):([\d.]+) \*+$', re.MULTILINE)
TASK_TIME = re.compile(r'^(.+?) -+ ([\d.]+)s$', re.MULTILINE)


def load(directory, name):
    with open(os.path.join(directory, name)) as handle:
        return json.load(handle)


def read(directory, name):
    with open(os.path.join(directory, name)) as handle:
        return handle.read()


def met(condition):
    return 'yes' if condition else '**NO**'


def converge_figures(directory, name):
    """Wall clock, the playbook's own elapsed time, changed count, handlers run, slowest tasks."""
    text = read(directory, name + '.log')
    wall = float(read(directory, name + '.seconds'))
    elapsed = [int(h) * 3600 + int(m) * 60 + float(s) for h, m, s in PROFILE_LINE.findall(text)]
    recap = re.search(r'^bench-target\s+:\s+ok=(\d+)\s+changed=(\d+).*failed=(\d+)', text, re.MULTILINE)
    tasks = sorted(((float(seconds), task.strip()) for task, seconds in TASK_TIME.findall(text)), reverse=True)
    return {
        'wall': wall,
        'playbook': elapsed[-1] if elapsed else wall,
        'ok': int(recap.group(1)) if recap else None,
        'changed': int(recap.group(2)) if recap else None,
        'handlers': text.count('RUNNING HANDLER'),
        # Tasks that ran or were skipped, as profile_tasks lists them (includes and skipped tasks count).
        'tasks': len(TASK_TIME.findall(text)),
        'slowest': tasks[:3],
    }


def load_summary(directory):
    values = []
    for line in read(directory, 'load.txt').splitlines():
        parts = line.split()
        if len(parts) >= 2:
            values.append(float(parts[1]))
    if not values:
        return 'load not sampled'
    return '1-min load average during the run: mean %.1f, min %.1f, max %.1f (%d samples)' % (
        statistics.mean(values), min(values), max(values), len(values))


def mb_s(size_mb, seconds):
    return size_mb * 1048576 / seconds / 1e6


def main(directory):
    machine = load(directory, 'machine.json')
    rows = []

    # 1. Site playbook (BENCH_ONLY=limits: the fresh converge only).
    fresh = converge_figures(directory, 'converge-fresh')
    rows.append(('1', 'site playbook, fresh converge of a bare Debian 12 target',
                 '%.1f s (molecule converge: %.1f s wall); changed=%s' % (fresh['playbook'], fresh['wall'], fresh['changed']),
                 '', ''))
    if os.path.exists(os.path.join(directory, 'converge-rerun.log')):
        rerun_rows(directory, fresh, rows)

    # 2.-4. (below), 5. streaming, 6. limits, 7. access rules.
    htpasswd_rows(directory, rows)
    datapath_rows(directory, rows)
    auth_rows(directory, rows)
    if os.path.exists(os.path.join(directory, 'stream.json')):
        stream_rows(directory, rows)
    limits_rows(directory, rows)
    if os.path.exists(os.path.join(directory, 'access.json')):
        access_rows(directory, rows)
    retention_rows(directory, rows)
    if os.path.exists(os.path.join(directory, 'robots.json')):
        robots_rows(directory, rows)

    print('## dockyard.registry benchmark (`make bench`)')
    print()
    print('Started %s on %d cores (%s; %s), %.0f GiB RAM, kernel %s. %s.' % (
        machine['started'], machine['nproc'], machine['cpu'], ' '.join(machine['cpu_flags']), machine['mem_gib'],
        machine['kernel'], load_summary(directory)))
    print()
    print('| # | measurement | result | target | met |')
    print('|---|---|---|---|---|')
    for row in rows:
        print('| %s |' % ' | '.join(cell.replace('|', '\\|') for cell in row))
    return 0


def rerun_rows(directory, fresh, rows):
    rerun = converge_figures(directory, 'converge-rerun')
    share = rerun['playbook'] / fresh['playbook']
    rows.append(('1', 'site playbook, idempotent re-run',
                 '%.1f s (%.1f s wall) = **%.0f%%** of fresh; changed=%s, handlers run: %d; slowest: %s' % (
                     rerun['playbook'], rerun['wall'], share * 100, rerun['changed'], rerun['handlers'],
                     ', '.join('%s %.2f s' % (task.split(' : ')[-1], seconds) for seconds, task in rerun['slowest'])),
                 '<= 50%, changed=0', met(share <= RERUN_MAX_SHARE and rerun['changed'] == 0 and rerun['handlers'] == 0)))

    if os.path.exists(os.path.join(directory, 'converge-tags-users.log')):
        users = converge_figures(directory, 'converge-tags-users')
        users_share = users['playbook'] / rerun['playbook']
        rows.append(('1', 'site playbook --tags users, one password changed',
                     '%.1f s (%.1f s wall) = **%.0f%%** of the idempotent re-run; changed=%s; %d tasks run; slowest: %s' % (
                         users['playbook'], users['wall'], users_share * 100, users['changed'], users['tasks'],
                         ', '.join('%s %.2f s' % (task.split(' : ')[-1], seconds) for seconds, task in users['slowest'])),
                     '<= 25%, changed=1', met(users_share <= TAGS_USERS_MAX_SHARE and users['changed'] == 1)))
    if os.path.exists(os.path.join(directory, 'converge-tags-tls.log')):
        tls = converge_figures(directory, 'converge-tags-tls')
        rows.append(('1', 'site playbook --tags tls, nothing to renew',
                     '%.1f s (%.1f s wall) = **%.0f%%** of the idempotent re-run; changed=%s; %d tasks run' % (
                         tls['playbook'], tls['wall'], tls['playbook'] / rerun['playbook'] * 100, tls['changed'], tls['tasks']),
                     '', ''))


def htpasswd_rows(directory, rows):
    for path in sorted(glob.glob(os.path.join(directory, 'htpasswd-*.json')), key=lambda p: int(re.findall(r'\d+', p)[-1])):
        result = load(directory, os.path.basename(path))
        users, dockyard, community, scaling = result['users'], result['dockyard'], result['community'], result['scaling']
        task_ratio = community['task'] / dockyard['task']
        play_ratio = community['playbook'] / dockyard['playbook']
        target = users == HTPASSWD_TARGET_USERS
        rows.append(('2', 'htpasswd re-run, %d users, cost %d: dockyard.registry.htpasswd (1 task) vs '
                     'community.general.htpasswd (loop)' % (users, result['cost']),
                     'task %.2f s vs %.2f s = **%.1fx**; playbook %.2f s vs %.2f s = **%.1fx**; bcrypt alone: %.2f s '
                     'serial, %.2f s on %d threads' % (
                         dockyard['task'], community['task'], task_ratio, dockyard['playbook'], community['playbook'],
                         play_ratio, scaling['serial'], scaling['parallel'], scaling['cores']),
                     '>= 10x' if target else '',
                     ('task %s, playbook %s' % (met(task_ratio >= HTPASSWD_MIN_RATIO), met(play_ratio >= HTPASSWD_MIN_RATIO)))
                     if target else ''))


def datapath_rows(directory, rows):
    for storage in ('filesystem', 's3'):
        name = 'transfer-%s.json' % storage
        if not os.path.exists(os.path.join(directory, name)):
            continue
        transfer = load(directory, name)
        best = transfer['best_seconds']
        for size_mb in transfer['sizes_mb']:
            for op, minimum in (('upload', UPLOAD_MIN_RATIO), ('download', DOWNLOAD_MIN_RATIO)):
                direct, nginx = best['%d/direct/%s' % (size_mb, op)], best['%d/nginx/%s' % (size_mb, op)]
                ratio = direct / nginx
                cpu = transfer.get('median_total_cpu_s', {})
                cpu_text = ''
                if cpu:
                    cpu_text = '; CPU used on the host (all processes, median): direct %.2f s, nginx+TLS %.2f s' % (
                        cpu['%d/direct/%s' % (size_mb, op)], cpu['%d/nginx/%s' % (size_mb, op)])
                rows.append(('3', '%s %d MiB blob, %s storage (best of %d alternating runs)' % (
                    op, size_mb, storage, transfer['runs']),
                    'direct %.0f MB/s (%.2f s), nginx+TLS %.0f MB/s (%.2f s) = **%.2fx**%s' % (
                        mb_s(size_mb, direct), direct, mb_s(size_mb, nginx), nginx, ratio, cpu_text),
                    '>= %.1fx' % minimum, met(ratio >= minimum)))


def auth_rows(directory, rows):
    for path in sorted(glob.glob(os.path.join(directory, 'auth-*.json')), key=lambda p: int(re.findall(r'\d+', p)[-1])):
        auth = load(directory, os.path.basename(path))
        rows.append(('4', 'authenticated manifest HEAD, bcrypt cost %d (median of %d)' % (auth['cost'], auth['requests']),
                     'nginx+TLS: new connection %.1f ms, keep-alive %.1f ms; direct: %.1f / %.1f ms; a 401 for a wrong '
                     'password %.1f ms, for an unknown user %.1f ms (nginx, keep-alive)' % (
                         auth['nginx']['new_connection_ms'], auth['nginx']['keepalive_ms'],
                         auth['direct']['new_connection_ms'], auth['direct']['keepalive_ms'],
                         auth['nginx'].get('wrong_password_keepalive_ms', float('nan')),
                         auth['nginx'].get('unknown_user_keepalive_ms', float('nan'))),
                     '', ''))
    auths = [load(directory, os.path.basename(path)) for path in glob.glob(os.path.join(directory, 'auth-*.json'))]
    if auths:
        def unauth(endpoint, key):
            return statistics.median(auth[endpoint][key] for auth in auths)
        rows.append(('4', 'the same stack without bcrypt (GET /v2/ without credentials: 401; median of the %d sets)' % len(auths),
                     'nginx+TLS: new connection %.1f ms, keep-alive %.1f ms; direct: %.1f / %.1f ms' % (
                         unauth('nginx', 'unauth_new_connection_ms'), unauth('nginx', 'unauth_keepalive_ms'),
                         unauth('direct', 'unauth_new_connection_ms'), unauth('direct', 'unauth_keepalive_ms')),
                     '', ''))


def stream_rows(directory, rows):
    stream = load(directory, 'stream.json')
    for op in ('upload', 'download'):
        watched = stream[op]
        grown = {temp: watched['temp_used_max'][temp] - watched['temp_used_before'][temp] for temp in watched['temp_used_max']}
        rss_growth = watched['rss_kib_max'] - watched['rss_kib_before']
        streamed = (all(value == 0 for value in grown.values())
                    and all(watched['temp_dirs_are_mounts'].values()) and rss_growth < RSS_MAX_GROWTH_KIB
                    and watched['samples'] >= 5)
        rows.append(('5', 'nginx while a %d MiB blob %ss through it (%d samples, every 0.1 s)' % (
            stream['size_mb'], 'upload' if op == 'upload' else 'download', watched['samples']),
            'temporary directories: %s; RSS of all nginx processes %.1f MiB before, max %.1f MiB (+%.1f MiB)' % (
                ', '.join('%s +%.1f MiB' % (temp, value / 1048576) for temp, value in sorted(grown.items())),
                watched['rss_kib_before'] / 1024, watched['rss_kib_max'] / 1024,
                rss_growth / 1024),
            'no spooling, flat memory' if op == 'upload' else '(not a target: downloads)',
            met(streamed) if op == 'upload' else ('streamed' if streamed else 'spooled or buffered')))

    control_path = os.path.join(directory, 'stream-control.json')
    if os.path.exists(control_path):
        control = load(directory, 'stream-control.json')['upload']
        spooled = control['temp_used_max']['/var/lib/nginx/body'] - control['temp_used_before']['/var/lib/nginx/body']
        rows.append(('5', 'positive control: the same upload through a server with request buffering on',
                     '/var/lib/nginx/body +%.1f MiB (the check above can fail)' % (spooled / 1048576),
                     'spooled', met(spooled > 0)))


def phase_text(phase):
    return '%d requests in %.1f s (busiest second %d; %s)' % (
        phase['requests'], phase['seconds'], phase['busiest_second'],
        ', '.join('%s x%d' % (status, number) for status, number in sorted(phase['statuses'].items())))


def limits_rows(directory, rows):
    """6. nginx's per-address limits (bench/limits.py)."""
    if os.path.exists(os.path.join(directory, 'limits-layers.json')):
        layers = load(directory, 'limits-layers.json')
        configured = layers['limits']
        refused = sum(phase['statuses'].get('429', 0) for phase in (layers['push'], layers['pull']))
        retries = layers['push']['retries'] + layers['pull']['retries']
        rows.append(('6', '%d-layer image (%d KiB layers) pushed then pulled by docker on the target (5 uploads, 3 downloads '
                     'at a time), limits rate=%dr/s burst=%d conn=%d' % (
                         layers['layers'], layers['layer_kib'], configured['rate'], configured['burst'], configured['conn']),
                     'push: %s; pull: %s; docker retries: %d; same image pulled: %s' % (
                         phase_text(layers['push']), phase_text(layers['pull']), retries, layers['same_image']),
                     'no 429', met(refused <= LIMITS_MAX_PUSH_PULL_429 and retries == 0 and layers['same_image'])))
    if os.path.exists(os.path.join(directory, 'limits-burst.json')):
        burst = load(directory, 'limits-burst.json')
        configured = burst['limits']
        served, refused = burst['statuses'].get('401', 0), burst['statuses'].get('429', 0)
        allowed = configured['burst'] + 1 + math.ceil(configured['rate'] * burst['seconds'])
        body = burst['refused_body'] or {}
        code = (body.get('errors') or [{}])[0].get('code')
        rows.append(('6', '%d quick requests from one address (GET /v2/, 10 at a time)' % burst['requests'],
                     'served %d (allowed: burst %d + 1 + %d/s x %.2f s = %d), refused %d with 429 (%s; headers: %s)' % (
                         served, configured['burst'], configured['rate'], burst['seconds'], allowed, refused, code,
                         ' '.join(burst['refused_headers'])),
                     '429s beyond the burst', met(refused > 0 and served <= allowed and code == 'TOOMANYREQUESTS')))
    if os.path.exists(os.path.join(directory, 'limits-flood.json')):
        flood = load(directory, 'limits-flood.json')
        configured = flood['limits']
        text = ('%d clients x %.0f s: %d requests (%s); reached the registry (bcrypt checks, 401s in nginx\'s log): **%d** '
                '(allowed: burst %d + 1 + %d/s x %.1f s = %d; the registry\'s log: %s wrong passwords), %.1f a second over '
                'the last 5 s (configured %d); registry CPU %.2f s (%.2f of a core), nginx %.2f s' % (
                    flood['clients'], flood['seconds'], sum(flood['statuses'].values()),
                    ', '.join('%s x%d' % item for item in sorted(flood['statuses'].items())),
                    flood['reached_registry_nginx_log'], configured['burst'], configured['rate'], flood['seconds'],
                    flood['allowed'], flood['registry_log_refusals'], flood['reached_per_second_last_5s'], configured['rate'],
                    flood['registry_cpu_s'], flood['registry_cpu_s'] / flood['seconds'], flood['nginx_cpu_s']))
        ok = flood['reached_registry_nginx_log'] <= flood['allowed'] and flood['reached_per_second_last_5s'] <= configured['rate'] * 1.2
        if os.path.exists(os.path.join(directory, 'limits-flood-control.json')):
            control = load(directory, 'limits-flood-control.json')
            text += ('; control without the limits: %d requests, **%d** reached the registry (%.1f a second), registry CPU '
                     '%.2f s (%.2f of a core)' % (
                         sum(control['statuses'].values()), control['reached_registry_nginx_log'],
                         control['reached_registry_nginx_log'] / control['seconds'], control['registry_cpu_s'],
                         control['registry_cpu_s'] / control['seconds']))
            ok = ok and control['reached_registry_nginx_log'] > flood['allowed']
        cost = 'of the site'
        if os.path.exists(os.path.join(directory, 'limits-flood-cost')):
            with open(os.path.join(directory, 'limits-flood-cost')) as handle:
                cost = handle.read().strip()
        rows.append(('6', 'wrong-password flood from one address for a real user (%d clients, kept-alive TLS, bcrypt cost %s)'
                     % (flood['clients'], cost), text, '<= burst + rate x t; control above it', met(ok)))


def requests_text(requests):
    """The registry's logged requests ("METHOD path status" -> count), shortest form: "HEAD .../manifests/latest 200 x101"."""
    return ', '.join('%s x%d' % (key.replace('/v2/bench/auth/', '.../').replace('/v2/bench/data/', '.../'), number)
                     for key, number in sorted(requests.items()))


def access_rows(directory, rows):
    """7. Access rules (bench/access.py): the same requests with and without rules, same run."""
    access = load(directory, 'access.json')
    off, on = access['summary']['off'], access['summary']['on']

    def slower(key):
        return on[key] / off[key] - 1

    what = ('10 users, 20 patterns, the measuring user\'s pattern matched last, vs no rules; bcrypt cost %d; '
            '%d alternating rounds' % (access['cost'], access['rounds']))
    head_ok = slower('head_new_connection_ms') <= ACCESS_MAX_SLOWDOWN and slower('head_keepalive_ms') <= ACCESS_MAX_SLOWDOWN
    rows.append(('7', 'authenticated manifest HEAD through nginx with access rules (%s; median of the rounds\' medians of %d)'
                 % (what, access['requests']),
                 'new connection: without %.1f ms, with %.1f ms = **%+.1f%%**; keep-alive: without %.1f ms, with %.1f ms '
                 '= **%+.1f%%**; nginx CPU per 100 kept-alive HEADs (all rounds): %.2f s without, %.2f s with' % (
                     off['head_new_connection_ms'], on['head_new_connection_ms'], slower('head_new_connection_ms') * 100,
                     off['head_keepalive_ms'], on['head_keepalive_ms'], slower('head_keepalive_ms') * 100,
                     off['head_nginx_cpu_s_per_100'], on['head_nginx_cpu_s_per_100']),
                 '<= +5%', met(head_ok)))
    size_mb = access['size_mb']
    rows.append(('7', 'download %d MiB blob through nginx with access rules (%s; best round, median in brackets)'
                 % (size_mb, what),
                 'without %.0f MB/s (%.2f s; %.2f s), with %.0f MB/s (%.2f s; %.2f s) = **%+.1f%%** (median %+.1f%%); '
                 'nginx CPU per download (median) %.2f s without, %.2f s with' % (
                     mb_s(size_mb, off['download_best_s']), off['download_best_s'], off['download_median_s'],
                     mb_s(size_mb, on['download_best_s']), on['download_best_s'], on['download_median_s'],
                     slower('download_best_s') * 100, slower('download_median_s') * 100,
                     off['download_nginx_cpu_s'], on['download_nginx_cpu_s']),
                 '<= +5%', met(slower('download_best_s') <= ACCESS_MAX_SLOWDOWN)))
    denied, wrong = access['refused']['denied'], access['refused']['denied_wrong_password']

    def only_base_check(refusal):
        return refusal['registry_requests'] == {'GET /v2/ %s' % ('200' if refusal['status'] == '403' else '401'):
                                                refusal['client_requests']}
    one_each = (off['head_registry_requests_per_request'] == 1 and on['head_registry_requests_per_request'] == 1
                and off['download_registry_requests_per_request'] == 1 and on['download_registry_requests_per_request'] == 1)
    rows.append(('7', 'bcrypt checks per request: the registry\'s requests (its access log) per client request, and the '
                 'registry\'s CPU seconds per 100 kept-alive requests (all rounds)',
                 'allowed HEAD: without rules %.2f per request (%s), %.2f CPU-s per 100; with rules %.2f per request (%s), '
                 '%.2f CPU-s per 100; download: %.2f / %.2f per request; refused by the rules (403, right password): %.2f per '
                 'request (%s), %.2f CPU-s per 100; wrong password for a refused repository (401): %.2f per request (%s), '
                 '%.2f CPU-s per 100' % (
                     off['head_registry_requests_per_request'], requests_text(off['head_registry_requests']),
                     off['head_registry_cpu_s_per_100'],
                     on['head_registry_requests_per_request'], requests_text(on['head_registry_requests']),
                     on['head_registry_cpu_s_per_100'],
                     off['download_registry_requests_per_request'], on['download_registry_requests_per_request'],
                     denied['registry_requests_per_request'], requests_text(denied['registry_requests']),
                     denied['registry_cpu_s_per_100'],
                     wrong['registry_requests_per_request'], requests_text(wrong['registry_requests']),
                     wrong['registry_cpu_s_per_100']),
                 'one bcrypt check per request (no extra)', met(one_each and only_base_check(denied) and only_base_check(wrong))))


def playbook_tasks(directory, name):
    """(task name, seconds, the target's result) of each task of a playbook run with the json callback."""
    from datetime import datetime

    def stamp(text):
        return datetime.strptime(text.rstrip('Z'), '%Y-%m-%dT%H:%M:%S.%f')
    result = []
    for play in load(directory, name + '.json')['plays']:
        for task in play['tasks']:
            duration = task['task'].get('duration') or {}
            seconds = ((stamp(duration['end']) - stamp(duration['start'])).total_seconds()
                       if duration.get('start') and duration.get('end') else 0.0)
            result.append((task['task']['name'], seconds, task['hosts'].get('bench-target', {})))
    return result


def maintenance_run(directory, name):
    """A maintenance.yml run of step 8: wall clock, the registry's CPU seconds, its tasks."""
    cpu = [json.loads(line)['cpu_s'] for line in read(directory, name + '.cpu').splitlines() if line.strip()]
    return {'wall': float(read(directory, name + '.seconds')), 'registry_cpu': cpu[-1] - cpu[0],
            'tasks': playbook_tasks(directory, name)}


def retention_figures(directory, name):
    run = maintenance_run(directory, name)
    task = [(seconds, result) for task, seconds, result in run['tasks'] if task.endswith(RETENTION_TASK)][0]
    run.update(task_s=task[0], summary=task[1]['summary'])
    return run


def gc_figures(directory, name):
    run = maintenance_run(directory, name)
    facts = [result['ansible_facts']['registry_gc'] for task, seconds, result in run['tasks'] if task.endswith(GC_FACT_TASK)][0]
    run.update(gc=facts, gc_s=sum(seconds for task, seconds, result in run['tasks']
                                  if 'Run registry garbage-collect' in task))
    return run


def growth(figures, key, smallest, largest):
    if smallest in figures and largest in figures and figures[smallest][key]:
        return '%.1fx' % (figures[largest][key] / float(figures[smallest][key]))
    return '?'


def linear(figures, key, smallest, largest):
    """Met when KEY grew at most 1.5 times as much as the number of tags (quadratic would be its square)."""
    if smallest not in figures or largest not in figures or not figures[smallest][key]:
        return '?'
    return met(figures[largest][key] <= 1.5 * largest / float(smallest) * figures[smallest][key])


def retention_rows(directory, rows):
    """8. Retention (registry_prune through playbooks/maintenance.yml) and garbage collection on S3."""
    runs = {}
    for path in glob.glob(os.path.join(directory, 'retention-*.json')):
        match = re.match(r'retention-(\d+)-c(\d+)(-check)?\.json$', os.path.basename(path))
        if match:
            runs[(int(match.group(1)), int(match.group(2)), bool(match.group(3)))] = retention_figures(
                directory, os.path.basename(path)[:-5])
    for (tags, cost, check), run in sorted(runs.items(), key=lambda item: (item[0][1], item[0][0], not item[0][2])):
        summary = run['summary']
        fill = load(directory, 'retention-fill-%d-c%d.json' % (tags, cost))
        target = check and tags == RETENTION_TARGET_TAGS
        rows.append(('8', 'retention %s, %d tags in %d repositories (keep_last), retention user at bcrypt cost %d, S3' % (
            'check (--check)' if check else 'real run', fill['tags'], fill['repositories'], cost),
            'module **%.1f s** (task %.1f s, playbook %.1f s wall); %d requests (%.1f ms each); %d of %d tags, %d images '
            '%s; registry CPU %.1f s (%.0f ms a request)' % (
                summary['seconds'], run['task_s'], run['wall'], summary['requests'],
                summary['seconds'] * 1000.0 / max(summary['requests'], 1), summary['deleted_tags'], summary['tags'],
                summary['deleted_digests'], 'would go' if check else 'deleted', run['registry_cpu'],
                run['registry_cpu'] * 1000.0 / max(summary['requests'], 1)),
            '< %.0f s' % RETENTION_MAX_CHECK_S if target else '',
            met(summary['seconds'] < RETENTION_MAX_CHECK_S) if target else ''))
    sizes = sorted({tags for tags, cost, check in runs})
    if len(sizes) >= 2:
        smallest, largest = sizes[0], sizes[-1]
        for cost in sorted({cost for tags, cost, check in runs}, reverse=True):
            for check in (True, False):
                figures = {tags: dict(runs[(tags, c, k)]['summary'], wall=runs[(tags, c, k)]['wall'])
                           for tags, c, k in runs if c == cost and k == check}
                rows.append(('8', 'retention %s at cost %d: growth from %d to %d tags (%.0fx the tags)' % (
                    'check' if check else 'real run', cost, smallest, largest, largest / float(smallest)),
                    'requests %s, module seconds %s, playbook wall %s' % (
                        growth(figures, 'requests', smallest, largest), growth(figures, 'seconds', smallest, largest),
                        growth(figures, 'wall', smallest, largest)),
                    'linear (about %.0fx), not quadratic' % (largest / float(smallest)),
                    'requests %s, seconds %s' % (linear(figures, 'requests', smallest, largest),
                                                 linear(figures, 'seconds', smallest, largest))))
    gcs = {}
    for path in sorted(glob.glob(os.path.join(directory, 'gc-*.json'))):
        match = re.match(r'gc-(\d+)(-check)?\.json$', os.path.basename(path))
        if match:
            gcs[(int(match.group(1)), bool(match.group(2)))] = gc_figures(directory, os.path.basename(path)[:-5])
    for (tags, check), run in sorted(gcs.items(), key=lambda item: (item[0][0], not item[0][1])):
        before, after = load(directory, 's3-before-gc-%d.json' % tags), load(directory, 's3-after-gc-%d.json' % tags)
        counts = run['gc']['dry_run'] if check else run['gc']['collected']
        rows.append(('8', 'garbage collection %s on S3 after the retention runs of %d tags (%s)' % (
            '--check (dry run)' if check else 'real', tags, ' and '.join(
                'cost %d' % cost for cost in sorted({c for t, c, k in runs if t == tags}, reverse=True))),
            'playbook %.1f s wall, garbage-collect %.1f s; %s blobs marked, %s blobs and %s manifests %s; read-only '
            '%s s%s' % (
                run['wall'], run['gc_s'], counts.get('marked'), counts.get('blobs'), counts.get('manifests'),
                'eligible' if check else 'deleted', run['gc']['readonly_seconds'],
                '' if check else '; bucket: %d objects, %.1f MiB before, %d objects, %.1f MiB after (blobs %d -> %d)' % (
                    before['objects'], before['bytes'] / 1048576.0, after['objects'], after['bytes'] / 1048576.0,
                    before['blob_objects'], after['blob_objects'])),
            '', ''))
    sizes = sorted({tags for tags, check in gcs})
    if len(sizes) >= 2 and all((tags, check) in gcs for tags in sizes for check in (True, False)):
        smallest, largest = sizes[0], sizes[-1]
        figures = {tags: {'dry_run': gcs[(tags, True)]['gc_s'], 'real': gcs[(tags, False)]['gc_s'],
                          'readonly': float(gcs[(tags, False)]['gc']['readonly_seconds'])} for tags in sizes}
        rows.append(('8', 'garbage collection: growth from %d to %d tags' % (smallest, largest),
                     'garbage-collect --dry-run %s, real %s; read-only %s' % (
                         growth(figures, 'dry_run', smallest, largest), growth(figures, 'real', smallest, largest),
                         growth(figures, 'readonly', smallest, largest)),
                     '', ''))


def cpu_text(cell):
    """The CPU a cell used: the registry's, nginx's, the clients', the target's other processes, the machine's."""
    others = ', '.join('%s %.1f' % (name, used) for name, used in sorted(cell['host_cpu_by_process'].items(), key=lambda item: -item[1])
                       if name not in ('registry', 'nginx') and used >= 0.1)
    return ('CPU-s: registry %.1f, nginx %.1f, clients %.1f%s; machine busy %.1f of %.1f core-s (%.1f outside the target: '
            'other containers)' % (
                cell['registry_cpu_s'], cell['nginx_cpu_s'], cell['client_cpu_s'],
                ', other processes on the target: %s' % others if others else '',
                cell['machine_busy_s'], cell['machine_cores'] * cell['seconds'], cell['outside_cpu_s']))


def robots_rows(directory, rows):
    """9. A human user (bcrypt cost 10) against a robot account (cost 4): requests a second, 16 kept-alive clients."""
    robots = load(directory, 'robots.json')
    cells = {(cell['endpoint'], cell['kind'], cell['account']): cell for cell in robots['cells']}
    what = {'base': 'GET /v2/ with credentials (authentication alone)', 'manifest': 'manifest HEAD'}
    order = {'human': 0, 'robot': 1, 'none': 2}
    for endpoint, kind, account in sorted(cells, key=lambda key: (key[0] != 'direct', key[1], order[key[2]])):
        cell = cells[(endpoint, kind, account)]
        bad = dict((status, number) for status, number in cell['statuses'].items() if status != cell['expected'])
        who = ('%s (%s, bcrypt cost %d)' % (account, cell['user'], cell['cost']) if cell['user']
               else 'control: GET /v2/ without credentials (401, no bcrypt)')
        rows.append(('9', '%s%s, %s, %d kept-alive clients, %d rounds x %.0f s' % (
            what[kind] + ', ' if cell['user'] else '', who, 'direct' if endpoint == 'direct' else 'nginx+TLS',
            cell['clients'], cell['rounds'], robots['seconds']),
            '**%.1f requests/s** (rounds: %s; %d requests: %s%s); p50 %.1f ms, p99 %.1f ms; %s; **%.0f requests per registry '
            'CPU-s** (%.0f per registry+nginx CPU-s)' % (
                cell['ok_per_s'], ', '.join('%.1f' % each for each in cell['ok_per_s_rounds']), cell['requests'],
                ', '.join('%s x%d' % item for item in sorted(cell['statuses'].items())),
                '; 429: nginx\'s limits in the way' if '429' in bad else '', cell['p50_ms'], cell['p99_ms'], cpu_text(cell),
                cell['ok_per_registry_cpu_s'] or 0, cell['ok_per_registry_nginx_cpu_s'] or 0),
            'all %s' % cell['expected'], met(not bad)))
    for kind in ('base', 'manifest'):
        human, robot = cells.get(('nginx', kind, 'human')), cells.get(('nginx', kind, 'robot'))
        if human and robot:
            ratio = robot['ok_per_s'] / human['ok_per_s'] if human['ok_per_s'] else float('inf')
            rows.append(('9', 'robot / human through nginx+TLS, %s (same clients, same run)' % what[kind],
                         '%.1f / %.1f requests/s = **%.1fx**; per registry CPU-s %.0f / %.1f = %.1fx' % (
                             robot['ok_per_s'], human['ok_per_s'], ratio, robot['ok_per_registry_cpu_s'] or 0,
                             human['ok_per_registry_cpu_s'] or 0,
                             (robot['ok_per_registry_cpu_s'] or 0) / (human['ok_per_registry_cpu_s'] or 1)),
                         '>= %.0fx' % ROBOTS_MIN_RATIO, met(ratio >= ROBOTS_MIN_RATIO)))
    if os.path.exists(os.path.join(directory, 'robots-uptime.txt')):
        loads = [line.split('load average:')[-1].strip() for line in read(directory, 'robots-uptime.txt').splitlines()]
        rows.append(('9', 'load average (1, 5, 15 min) before and after step 9 (the machine is shared)',
                     ' -> '.join(loads), '', ''))


def tuning(directory):
    result = load(directory, 'tuning.json')
    best, size_mb = result['best'], result['size_mb']
    tuned = best['role (tuned)']
    print('nginx settings, one change at a time from the role\'s configuration: %d MiB blob, %d rounds (variants '
          'interleaved); MB/s: the best round; CPU: median seconds used by nginx / by every process (registry, '
          'docker-proxy, curl included); latency: median of the rounds\' medians of 30 kept-alive requests answered '
          'without bcrypt (401)' % (size_mb, result['rounds']))
    print()
    print('| configuration | upload MB/s | upload CPU s | download MB/s | download CPU s | latency ms |')
    print('|---|---|---|---|---|---|')
    for name, figures in best.items():
        print('| %s | %.0f%s | %.2f / %.2f | %.0f%s | %.2f / %.2f | %.2f |' % (
            name,
            mb_s(size_mb, figures['upload_s']), '' if name == 'role (tuned)' else ' (%+.0f%%)' % (
                (tuned['upload_s'] / figures['upload_s'] - 1) * 100),
            figures['upload_nginx_cpu_s'], figures['upload_total_cpu_s'],
            mb_s(size_mb, figures['download_s']), '' if name == 'role (tuned)' else ' (%+.0f%%)' % (
                (tuned['download_s'] / figures['download_s'] - 1) * 100),
            figures['download_nginx_cpu_s'], figures['download_total_cpu_s'], figures['latency_ms']))
    return 0


if __name__ == '__main__':
    if sys.argv[1] == '--tuning':
        sys.exit(tuning(sys.argv[2]))
    sys.exit(main(sys.argv[1]))
