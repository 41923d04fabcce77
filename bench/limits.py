#!/usr/bin/env python
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""nginx's per-address limits against real clients, run ON the registry host (Python stdlib, curl, docker).

Usage (bench/run.sh copies this file to the target and runs it there, after bench-datapath.py):
  limits.py layers DIR N KIB      build an N-layer image (KIB KiB of random data per layer) with no pulls,
                                  `docker push` it through nginx, remove it, `docker pull` it back; JSON: per
                                  phase the seconds, the requests nginx logged (by status), the busiest
                                  second, and docker's output; the 429s must be none
  limits.py burst N               N quick requests (GET /v2/ without credentials, which the registry answers at
                                  once), 10 at a time, from one address; JSON: statuses, seconds, a 429's headers
                                  and body
  limits.py flood SECONDS CLIENTS [ENDPOINT]
                                  CLIENTS threads, each on its own kept-alive TLS connection, send GET /v2/ with
                                  BENCH_USER and a wrong password for SECONDS; JSON: responses by status and by
                                  second, what reached the registry (nginx's access log: the 401s it proxied;
                                  the registry's own log: its refusals), and the CPU seconds the registry and
                                  nginx used meanwhile. ENDPOINT: nginx (the role's server, default) or control
                                  (bench/control-server.conf: the same proxy without the limits)
  limits.py drain                 sleep until one address's burst allowance is whole again (burst / rate s)

The limits are read from the installed configuration (conf.d/dockyard-registry.conf). Every request from this
host comes from one address: 127.0.0.1 for curl and the flood, the host's own address for docker.
Environment: BENCH_DOMAIN, BENCH_USER, BENCH_PASSWORD, BENCH_CA, BENCH_REGISTRY_CONTAINER (registry).
"""

import base64
import collections
import hashlib
import http.client
import io
import json
import math
import os
import re
import socket
import ssl
import subprocess
import sys
import tarfile
import threading
import time

DOMAIN = os.environ.get('BENCH_DOMAIN', 'registry.dockyard.test')
USER = os.environ.get('BENCH_USER', 'bench')
PASSWORD = os.environ.get('BENCH_PASSWORD', '')
CA = os.environ.get('BENCH_CA', '/etc/nginx/tls/%s/fullchain.pem' % DOMAIN)
CONTAINER = os.environ.get('BENCH_REGISTRY_CONTAINER', 'registry')
CONF = '/etc/nginx/conf.d/dockyard-registry.conf'
ACCESS_LOG = '/var/log/nginx/access.log'
PORTS = {'nginx': 443, 'control': 8444}
# nginx's "combined" format: address - user [time] "request" status bytes "referer" "agent".
LOG_LINE = re.compile(r'^(?P<address>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+)[^"]*" (?P<status>\d{3}) ')


def limits():
    """The rate (requests a second), burst and connection limit in the installed configuration."""
    with open(CONF) as handle:
        text = handle.read()
    return {'rate': int(re.search(r'rate=(\d+)r/s', text).group(1)),
            'burst': int(re.search(r'burst=(\d+)', text).group(1)),
            'conn': int(re.search(r'limit_conn dockyard_registry_conn (\d+);', text).group(1))}


def log_size():
    return os.path.getsize(ACCESS_LOG)


def log_since(offset):
    """The access log lines written after byte `offset`, parsed."""
    with open(ACCESS_LOG, 'rb') as handle:
        handle.seek(offset)
        lines = handle.read().decode('utf-8', 'replace').splitlines()
    return [match.groupdict() for match in map(LOG_LINE.match, lines) if match]


def summary(entries):
    """Requests, statuses, and the busiest second, of parsed access log lines."""
    per_second = collections.Counter(entry['time'] for entry in entries)
    return {'requests': len(entries),
            'statuses': dict(collections.Counter(entry['status'] for entry in entries)),
            'methods': dict(collections.Counter(entry['method'] for entry in entries)),
            'busiest_second': max(per_second.values()) if per_second else 0,
            'addresses': sorted(set(entry['address'] for entry in entries))}


def run(argv, stdin=None):
    proc = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError('%s failed (%d): %s' % (' '.join(argv), proc.returncode, proc.stdout.strip()))
    return proc.stdout


def image_archive(path, name, layers, kib):
    """A `docker save` style archive of an image with `layers` layers of random data; its config digest."""
    layer_names, diff_ids, history = [], [], []
    with tarfile.open(path, 'w') as archive:
        for number in range(layers):
            content = io.BytesIO()
            with tarfile.open(fileobj=content, mode='w') as layer:
                data = os.urandom(kib * 1024)
                info = tarfile.TarInfo('data/layer-%02d.bin' % number)
                info.size, info.mtime = len(data), 0
                layer.addfile(info, io.BytesIO(data))
            blob = content.getvalue()
            digest = hashlib.sha256(blob).hexdigest()
            name_in_archive = '%s/layer.tar' % digest
            info = tarfile.TarInfo(name_in_archive)
            info.size = len(blob)
            archive.addfile(info, io.BytesIO(blob))
            layer_names.append(name_in_archive)
            diff_ids.append('sha256:' + digest)
            history.append({'created': '2026-01-01T00:00:00Z', 'created_by': 'bench/limits.py layer %d' % number})
        config = json.dumps({'architecture': 'amd64', 'os': 'linux', 'created': '2026-01-01T00:00:00Z',
                             'config': {}, 'history': history,
                             'rootfs': {'type': 'layers', 'diff_ids': diff_ids}}).encode()
        config_digest = hashlib.sha256(config).hexdigest()
        for member, data in (('%s.json' % config_digest, config),
                             ('manifest.json', json.dumps([{'Config': '%s.json' % config_digest, 'RepoTags': [name],
                                                            'Layers': layer_names}]).encode())):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return 'sha256:' + config_digest


def timed_phase(argv):
    """Run a docker command; return its seconds, output and what nginx logged meanwhile."""
    offset, start = log_size(), time.monotonic()
    output = run(argv)
    seconds = time.monotonic() - start
    # nginx writes its access log line when a request ends: every one has by now.
    return dict(summary(log_since(offset)), seconds=round(seconds, 2), retries=output.count('Retrying in'),
                output=output.strip().splitlines()[-3:])


def cmd_layers(directory, layers, kib):
    name = '%s/bench/layers:%d' % (DOMAIN, layers)
    certs = '/etc/docker/certs.d/%s' % DOMAIN
    os.makedirs(certs, exist_ok=True)
    with open(CA) as source, open(os.path.join(certs, 'ca.crt'), 'w') as target:
        target.write(source.read())
    run(['docker', 'login', '--username', USER, '--password-stdin', DOMAIN], stdin=PASSWORD)
    archive = os.path.join(directory, 'layers-%d.tar' % layers)
    config_digest = image_archive(archive, name, layers, kib)
    run(['docker', 'load', '--input', archive])
    os.unlink(archive)
    push = timed_phase(['docker', 'push', name])
    run(['docker', 'rmi', name])
    pull = timed_phase(['docker', 'pull', name])
    pulled = run(['docker', 'image', 'inspect', '--format', '{{.Id}}', name]).strip()
    run(['docker', 'rmi', name])
    return {'layers': layers, 'layer_kib': kib, 'limits': limits(), 'push': push, 'pull': pull,
            'same_image': pulled == config_digest}


def cmd_burst(count):
    args = ['curl', '-sS', '--cacert', CA, '--resolve', '%s:443:127.0.0.1' % DOMAIN, '-Z', '--parallel-immediate',
            '--parallel-max', '10', '-o', '/tmp/bench-burst-#1.json',
            '-w', '%{http_code} %header{retry-after}|%header{strict-transport-security}|%header{content-type}\\n',
            'https://%s/v2/?burst=[1-%d]' % (DOMAIN, count)]
    start = time.monotonic()
    out = run(args)
    seconds = time.monotonic() - start
    rows = [line.split(' ', 1) for line in out.splitlines() if re.match(r'\d{3} ', line)]
    statuses = collections.Counter(status for status, dummy in rows)
    refused_headers = sorted(set(headers for status, headers in rows if status == '429'))
    body = None
    for number in range(1, count + 1):
        path = '/tmp/bench-burst-%d.json' % number
        with open(path) as handle:
            text = handle.read()
        os.unlink(path)
        if body is None and 'TOOMANYREQUESTS' in text:
            body = json.loads(text)
    return {'requests': count, 'seconds': round(seconds, 3), 'statuses': dict(statuses), 'limits': limits(),
            'refused_headers': refused_headers, 'refused_body': body}


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open('/proc/%s/stat' % pid) as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


def nginx_pids():
    pids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/comm' % entry) as handle:
                    if handle.read().strip() == 'nginx':
                        pids.append(entry)
            except OSError:
                pass
    return pids


def flood_client(port, deadline, results, lock):
    """One client: a kept-alive TLS connection sending GET /v2/ with a wrong password until the deadline."""
    context = ssl.create_default_context(cafile=CA)
    auth = 'Basic ' + base64.b64encode(('%s:not-the-password' % USER).encode()).decode()
    counts = collections.Counter()
    conn = None
    while time.monotonic() < deadline:
        if conn is None:
            conn = http.client.HTTPSConnection(DOMAIN, port, context=context, timeout=30)
            # Always 127.0.0.1 (one address), with DOMAIN as the SNI and Host.
            conn._create_connection = lambda address, timeout, source: socket.create_connection(('127.0.0.1', port), timeout)
        try:
            conn.request('GET', '/v2/', headers={'Authorization': auth})
            response = conn.getresponse()
            response.read()
            counts[(response.status, int(time.monotonic()))] += 1
            if response.getheader('Connection', '').lower() == 'close':
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            counts[('error', int(time.monotonic()))] += 1
            conn.close()
            conn = None
    if conn is not None:
        conn.close()
    with lock:
        results.update(counts)


def registry_refusals(since):
    """How many wrong passwords the registry's own log shows since the Unix time `since` (None: unknown)."""
    proc = subprocess.run(['docker', 'logs', '--since', str(int(since)), CONTAINER], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.count('invalid authorization credential')


def cmd_flood(seconds, clients, endpoint):
    port = PORTS[endpoint]
    registry_pid = run(['docker', 'inspect', '--format', '{{.State.Pid}}', CONTAINER]).strip()
    ticks = os.sysconf('SC_CLK_TCK')
    nginx = nginx_pids()
    offset, wall_start = log_size(), time.time()
    registry_before, nginx_before = cpu_ticks([registry_pid]), cpu_ticks(nginx)
    start = time.monotonic()
    results, lock = collections.Counter(), threading.Lock()
    threads = [threading.Thread(target=flood_client, args=(port, start + seconds, results, lock)) for dummy in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    registry_cpu = (cpu_ticks([registry_pid]) - registry_before) / ticks
    nginx_cpu = (cpu_ticks(nginx) - nginx_before) / ticks
    time.sleep(1)  # the registry's log lines of the last requests
    entries = [entry for entry in log_since(offset) if entry['address'] == '127.0.0.1']
    statuses = collections.Counter()
    per_second = collections.defaultdict(collections.Counter)
    for (status, second), number in results.items():
        statuses[str(status)] += number
        per_second[second - int(start)][str(status)] += number
    # The registry checks the password (bcrypt) of every request nginx passes on: the 401s it proxied.
    reached = sum(1 for entry in entries if entry['status'] == '401')
    last = sorted(per_second)[-6:-1]  # the last five whole seconds
    steady = sum(per_second[second].get('401', 0) for second in last) / float(len(last) or 1)
    result = {'endpoint': endpoint, 'seconds': round(elapsed, 2), 'clients': clients, 'statuses': dict(statuses),
              'per_second': {str(second): dict(counts) for second, counts in sorted(per_second.items())},
              'reached_registry_nginx_log': reached, 'registry_log_refusals': registry_refusals(wall_start),
              'reached_per_second_last_5s': round(steady, 1),
              'registry_cpu_s': round(registry_cpu, 2), 'nginx_cpu_s': round(nginx_cpu, 2), 'limits': limits()}
    result['allowed'] = result['limits']['burst'] + 1 + int(math.ceil(result['limits']['rate'] * elapsed))
    return result


def cmd_drain():
    configured = limits()
    seconds = int(math.ceil(configured['burst'] / float(configured['rate']))) + 1
    time.sleep(seconds)
    return {'slept': seconds}


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    command, args = argv[1], argv[2:]
    if command == 'layers':
        result = cmd_layers(args[0], int(args[1]), int(args[2]))
    elif command == 'burst':
        result = cmd_burst(int(args[0]))
    elif command == 'flood':
        result = cmd_flood(float(args[0]), int(args[1]), args[2] if len(args) > 2 else 'nginx')
    elif command == 'drain':
        result = cmd_drain()
    else:
        sys.stderr.write(__doc__)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
