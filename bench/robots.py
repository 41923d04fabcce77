#!/usr/bin/env python
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Authenticated requests a second for a human user and a robot account (issue 15), run ON the registry host.

Usage (bench/run.sh copies this file, datapath.py and limits.py to one directory on the target):
  robots.py run SECONDS CLIENTS PROCESSES ROUNDS
      Checks the htpasswd file first: the human (BENCH_USER) must be hashed at bcrypt cost BENCH_HUMAN_COST (10),
      the robot (BENCH_ROBOT_USER) at BENCH_ROBOT_COST (4); anything else fails the run. Pushes the small image
      of datapath.py's `manifest` (bench/auth:latest). Then ROUNDS rounds; in each, for each endpoint (direct: the
      registry on http://127.0.0.1:5000; nginx: https://BENCH_DOMAIN, TLS; which comes first alternates round by
      round) and each request kind (base: GET /v2/ with credentials, the authentication alone; manifest: HEAD of
      bench/auth's manifest), one cell per account, the human's and the robot's next to each other (which goes
      first alternates), and a control cell (GET /v2/ without credentials: 401, no bcrypt). A cell: CLIENTS
      threads, spread over PROCESSES processes (so that Python's lock does not make the clients the limit), each
      thread with one kept-alive connection opened before the clock starts, send the request for SECONDS. Per
      cell, its rounds together: requests a second (and each round's), statuses (anything but the expected
      200, 401 for the control, is counted and reported; a 429 is nginx's limits), p50/p99 latency,
      reconnections, and the CPU seconds the registry's process, nginx's processes, the clients and every other
      process on this host used meanwhile (/proc), with the whole machine's busy time (/proc/stat: the host's,
      other containers' included). JSON.

Every request is one bcrypt check of the account's password by the registry (it caches nothing), so the
human's cells measure cost 10 and the robot's cost 4 on the same stack, same run.
Environment: as datapath.py and limits.py (BENCH_USER, BENCH_PASSWORD, BENCH_DOMAIN, BENCH_CA,
BENCH_REGISTRY_CONTAINER), and BENCH_ROBOT_USER (ci-robot), BENCH_ROBOT_PASSWORD, BENCH_HUMAN_COST (10),
BENCH_ROBOT_COST (4).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import collections
import http.client
import json
import multiprocessing
import os
import resource
import socket
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datapath  # noqa: E402 pylint: disable=wrong-import-position
import limits  # noqa: E402 pylint: disable=wrong-import-position

# The two accounts. The robot's password is its secret file (registry_robot_secrets_dir/<name> on the controller),
# which bench/run.sh passes as BENCH_ROBOT_PASSWORD.
ACCOUNTS = collections.OrderedDict([
    ('human', {'user': datapath.USER, 'password': datapath.PASSWORD,
               'cost': int(os.environ.get('BENCH_HUMAN_COST', '10')), 'expect': '200'}),
    ('robot', {'user': os.environ.get('BENCH_ROBOT_USER', 'ci-robot'), 'password': os.environ.get('BENCH_ROBOT_PASSWORD', ''),
               'cost': int(os.environ.get('BENCH_ROBOT_COST', '4')), 'expect': '200'}),
    # The control: no credentials (401, no bcrypt).
    ('none', {'user': None, 'password': None, 'cost': None, 'expect': '401'}),
])
ENDPOINTS = collections.OrderedDict([('direct', ('127.0.0.1', 5000, False)), ('nginx', ('127.0.0.1', 443, True))])
KINDS = collections.OrderedDict([
    ('base', ('GET', '/v2/', {})),
    ('manifest', ('HEAD', '/v2/%s/manifests/latest' % datapath.AUTH_REPO, {'Accept': datapath.MANIFEST_TYPE})),
])


def htpasswd_costs():
    """The bcrypt cost of every entry of the registry's htpasswd file (name -> cost, or the hash's prefix)."""
    costs = {}
    with open(datapath.HTPASSWD) as handle:
        for line in handle:
            name, dummy, hashed = line.strip().partition(':')
            if name:
                parts = hashed.split('$')
                costs[name] = int(parts[2]) if len(parts) > 3 and parts[1] == '2y' else hashed[:7]
    return costs


def check_costs():
    """Fail loudly unless the human's and the robot's hashes are $2y$ at the expected costs."""
    costs = htpasswd_costs()
    wrong = ['%s: expected $2y$%02d$, found %s' % (account['user'], account['cost'], costs.get(account['user'], 'no entry'))
             for account in ACCOUNTS.values() if account['user'] and costs.get(account['user']) != account['cost']]
    if wrong:
        raise SystemExit('robots.py: %s: %s' % (datapath.HTPASSWD, '; '.join(wrong)))
    return costs


def connection(endpoint):
    host, port, tls = ENDPOINTS[endpoint]
    if not tls:
        return http.client.HTTPConnection(host, port, timeout=60)
    conn = http.client.HTTPSConnection(datapath.DOMAIN, port, context=ssl.create_default_context(cafile=datapath.CA),
                                       timeout=60)
    # Always 127.0.0.1, with DOMAIN as the SNI and Host (as limits.py's flood).
    conn._create_connection = lambda address, timeout, source: socket.create_connection((host, port), timeout)
    return conn


def client(endpoint, kind, account, start, deadline, results, lock):
    """One client: one kept-alive connection, the request again and again until the deadline."""
    method, path, headers = KINDS[kind]
    if account['user']:
        headers = dict(headers, Authorization='Basic ' + base64.b64encode(
            ('%s:%s' % (account['user'], account['password'])).encode()).decode())
    statuses, latencies, reconnects = collections.Counter(), [], 0
    conn = connection(endpoint)
    conn.connect()
    time.sleep(max(0.0, start - time.monotonic()))
    while time.monotonic() < deadline:
        if conn is None:
            conn, reconnects = connection(endpoint), reconnects + 1
        began = time.monotonic()
        try:
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            response.read()
            statuses[str(response.status)] += 1
            latencies.append(time.monotonic() - began)
            if response.getheader('Connection', '').lower() == 'close':
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            statuses['error'] += 1
            conn.close()
            conn = None
    if conn is not None:
        conn.close()
    with lock:
        results['statuses'].update(statuses)
        results['latencies'].extend(latencies)
        results['reconnects'] += reconnects
        results['finished'] = max(results['finished'], time.monotonic())


def load_process(endpoint, kind, account, threads, start, deadline, queue):
    """A process of THREADS clients; puts its results and its own CPU seconds (all its threads) on QUEUE."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results = {'statuses': collections.Counter(), 'latencies': [], 'reconnects': 0, 'finished': 0.0}
    lock = threading.Lock()
    workers = [threading.Thread(target=client, args=(endpoint, kind, account, start, deadline, results, lock))
               for dummy in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    results['cpu_s'] = (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime)
    queue.put(results)


def machine_busy():
    """The whole machine's busy and total jiffies (/proc/stat is the host's, not this container's)."""
    with open('/proc/stat') as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields[:8]) - idle, sum(fields[:8])


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float('nan')


def cell(endpoint, kind, name, seconds, clients, processes):
    """One cell: CLIENTS clients of one account, one request kind, one endpoint, for SECONDS. Its figures, and its
    latencies apart (for the percentiles of all rounds)."""
    account = ACCOUNTS[name]
    ticks = os.sysconf('SC_CLK_TCK')
    pid, nginx = limits.run(['docker', 'inspect', '--format', '{{.State.Pid}}', limits.CONTAINER]).strip(), limits.nginx_pids()
    queue = multiprocessing.Queue()
    # Every process gets the same start (CLOCK_MONOTONIC is the host's, shared by the processes), a second
    # ahead: the connections (and TLS handshakes) are made before it.
    start = time.monotonic() + 1.0
    deadline = start + seconds
    shares = [clients // processes + (1 if number < clients % processes else 0) for number in range(processes)]
    workers = [multiprocessing.Process(target=load_process, args=(endpoint, kind, account, share, start, deadline, queue))
               for share in shares if share]
    for worker in workers:
        worker.start()
    time.sleep(max(0.0, start - time.monotonic()))
    snapshot, busy_before = datapath.cpu_snapshot(), machine_busy()
    registry_before, nginx_before = limits.cpu_ticks([pid]), limits.cpu_ticks(nginx)
    gathered = [queue.get() for dummy in workers]
    for worker in workers:
        worker.join()
    registry_cpu = (limits.cpu_ticks([pid]) - registry_before) / ticks
    nginx_cpu = (limits.cpu_ticks(nginx) - nginx_before) / ticks
    busy_after, after = machine_busy(), datapath.cpu_snapshot()
    statuses, latencies = collections.Counter(), []
    for result in gathered:
        statuses.update(result['statuses'])
        latencies.extend(result['latencies'])
    # Every process on this host by name (the clients' processes are gone by now: their own figure is apart).
    by_name = collections.Counter()
    for each, (comm, used) in after.items():
        by_name[comm] += (used - snapshot.get(each, (comm, 0))[1]) / ticks
    return {
        'endpoint': endpoint, 'kind': kind, 'account': name, 'seconds': max(result['finished'] for result in gathered) - start,
        'statuses': statuses, 'reconnects': sum(result['reconnects'] for result in gathered),
        'registry_cpu_s': registry_cpu, 'nginx_cpu_s': nginx_cpu,
        'client_cpu_s': sum(result['cpu_s'] for result in gathered),
        'host_cpu_by_process': by_name, 'machine_busy_s': (busy_after[0] - busy_before[0]) / ticks,
    }, latencies


def rate(count, seconds):
    return round(count / seconds, 1) if seconds else None


def summary(samples, latencies, clients):
    """The rounds of one cell together: rates over their summed time, CPU summed, percentiles of every latency."""
    first = samples[0]
    account = ACCOUNTS[first['account']]
    statuses, by_name = collections.Counter(), collections.Counter()
    for sample in samples:
        statuses.update(sample['statuses'])
        by_name.update(sample['host_cpu_by_process'])

    def total(key):
        return sum(sample[key] for sample in samples)
    seconds, registry_cpu, nginx_cpu, client_cpu = total('seconds'), total('registry_cpu_s'), total('nginx_cpu_s'), total('client_cpu_s')
    expected = account['expect']
    ok = statuses.get(expected, 0)
    target = sum(by_name.values()) + client_cpu
    return {
        'endpoint': first['endpoint'], 'kind': first['kind'], 'account': first['account'], 'user': account['user'],
        'cost': account['cost'], 'expected': expected, 'clients': clients, 'rounds': len(samples), 'seconds': round(seconds, 3),
        'requests': sum(statuses.values()), 'statuses': dict((str(status), number) for status, number in statuses.items()),
        'ok_per_s': rate(ok, seconds), 'ok_per_s_rounds': [rate(sample['statuses'].get(expected, 0), sample['seconds'])
                                                           for sample in samples],
        'p50_ms': round(percentile(latencies, 0.5) * 1000, 2), 'p99_ms': round(percentile(latencies, 0.99) * 1000, 2),
        'reconnects': total('reconnects'),
        'registry_cpu_s': round(registry_cpu, 2), 'nginx_cpu_s': round(nginx_cpu, 2), 'client_cpu_s': round(client_cpu, 2),
        'ok_per_registry_cpu_s': rate(ok, registry_cpu), 'ok_per_registry_nginx_cpu_s': rate(ok, registry_cpu + nginx_cpu),
        # Every process of this host (the target container: registry, docker-proxy, dockerd, nginx, ...), the clients
        # apart; the whole machine's busy time (other containers' too: the machine is shared) and what of it was not
        # this host's.
        'host_cpu_by_process': dict((comm, round(used, 2)) for comm, used in by_name.most_common(8) if used >= 0.01),
        'target_cpu_s': round(target, 2), 'machine_busy_s': round(total('machine_busy_s'), 2),
        'outside_cpu_s': round(total('machine_busy_s') - target, 2), 'machine_cores': os.cpu_count(),
    }


def cmd_run(seconds, clients, processes, rounds):
    costs = check_costs()
    manifest = datapath.cmd_manifest()
    samples, latencies, order = collections.OrderedDict(), collections.defaultdict(list), 0
    for run in range(rounds):
        # The endpoints' order alternates round by round, the human's and the robot's cell by cell (they run next
        # to each other): a slow spell of the machine falls on both.
        for endpoint in (list(ENDPOINTS) if run % 2 == 0 else list(reversed(ENDPOINTS))):
            for kind in KINDS:
                for name in (('human', 'robot') if order % 2 == 0 else ('robot', 'human')):
                    sample, times = cell(endpoint, kind, name, seconds, clients, processes)
                    samples.setdefault((endpoint, kind, name), []).append(sample)
                    latencies[(endpoint, kind, name)].extend(times)
                order += 1
            # The control: GET /v2/ without credentials, answered 401 before any bcrypt (what a request costs the
            # registry without the password check).
            sample, times = cell(endpoint, 'base', 'none', seconds, clients, processes)
            samples.setdefault((endpoint, 'base', 'none'), []).append(sample)
            latencies[(endpoint, 'base', 'none')].extend(times)
    return {'seconds': seconds, 'clients': clients, 'processes': processes, 'rounds': rounds,
            'costs': {name: costs[account['user']] for name, account in ACCOUNTS.items() if account['user']},
            'users': {name: account['user'] for name, account in ACCOUNTS.items()},
            'limits': limits.limits(), 'manifest': manifest,
            'cells': [summary(each, latencies[key], clients) for key, each in samples.items()]}


def main(argv):
    if len(argv) != 6 or argv[1] != 'run':
        sys.stderr.write(__doc__)
        return 2
    print(json.dumps(cmd_run(float(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]))))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
