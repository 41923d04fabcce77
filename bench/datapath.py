#!/usr/bin/env python
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Registry data path and authentication benchmarks, run ON the registry host (Python stdlib and curl).

Usage (bench/run.sh copies this file to the target and runs it there):
  datapath.py blobs DIR SIZE_MB...          random blobs DIR/<size>.blob (DIR: a tmpfs), digests in DIR/digests.json
  datapath.py transfer DIR RUNS SIZE_MB...  upload then download each blob, straight to the registry and
                                            through nginx, alternating the order run by run; JSON
  datapath.py stream DIR SIZE_MB [control]  one upload and one download through nginx while sampling nginx's
                                            temporary directories and memory; JSON. With `control`: one upload
                                            through bench/control-server.conf (request buffering on) instead
  datapath.py manifest                      push a small image (config, one layer, manifest) for `auth`
  datapath.py auth N                        N authenticated HEADs of that manifest: one curl process (new TCP
                                            and TLS connection) per request, and N on one kept-alive
                                            connection; also N unauthenticated GET /v2/ (401, no bcrypt)
                                            as the stack's own latency, and N with a wrong password for the
                                            user and for an unknown user (kept alive); JSON with the medians

Two endpoints: "direct" is the registry on http://127.0.0.1:5000 (plain HTTP); "nginx" is
https://BENCH_DOMAIN resolved to 127.0.0.1 (TLS, nginx, then the same registry). The registry checks the
password (bcrypt) on every request on both. Monolithic blob upload, as the registry API defines it:
POST /v2/<repo>/blobs/uploads/, then PUT <location>?digest=<digest> with the whole blob as the body.
Times are curl's time_total (name lookup to last byte; curl's own start-up is not included). `transfer`
also records the CPU seconds every process on the host used during each transfer (curl included).
Environment: BENCH_DOMAIN, BENCH_USER, BENCH_PASSWORD, BENCH_CA (the certificate nginx serves).
"""

import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urljoin, urlsplit, urlunsplit

DOMAIN = os.environ.get('BENCH_DOMAIN', 'registry.dockyard.test')
USER = os.environ.get('BENCH_USER', 'bench')
PASSWORD = os.environ.get('BENCH_PASSWORD', '')
CA = os.environ.get('BENCH_CA', '/etc/nginx/tls/%s/fullchain.pem' % DOMAIN)
HTPASSWD = os.environ.get('BENCH_HTPASSWD', '/etc/dockyard-registry/auth/htpasswd')
NGINX_TEMP_DIRS = ['/var/lib/nginx/body', '/var/lib/nginx/proxy']
DATA_REPO = 'bench/data'
AUTH_REPO = 'bench/auth'
MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json'

ENDPOINTS = {
    'direct': {'base': 'http://127.0.0.1:5000', 'args': []},
    'nginx': {'base': 'https://' + DOMAIN, 'args': ['--cacert', CA, '--resolve', '%s:443:127.0.0.1' % DOMAIN]},
    # bench/control-server.conf: nginx with request buffering on, the positive control of `stream`.
    'control': {'base': 'https://%s:8444' % DOMAIN, 'args': ['--cacert', CA, '--resolve', '%s:8444:127.0.0.1' % DOMAIN]},
}


def curl(endpoint, args, auth=True, check=True):
    """Run curl against an endpoint; return its stdout."""
    argv = ['curl', '-sS'] + ENDPOINTS[endpoint]['args']
    if auth:
        argv += ['-u', '%s:%s' % (USER, PASSWORD)]
    proc = subprocess.run(argv + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False,
                          universal_newlines=True)
    if check and proc.returncode != 0:
        raise RuntimeError('curl %s failed (%d): %s' % (' '.join(args[-1:]), proc.returncode, proc.stderr.strip()))
    return proc.stdout


def url(endpoint, path):
    return ENDPOINTS[endpoint]['base'] + path


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return 'sha256:' + digest.hexdigest()


def start_upload(endpoint, repo):
    """POST a new upload session; return the absolute URL to PUT the blob to."""
    headers = curl(endpoint, ['-X', 'POST', '-o', '/dev/null', '-D', '-', url(endpoint, '/v2/%s/blobs/uploads/' % repo)])
    status = headers.split(None, 2)[1] if headers else ''
    location = [line.split(':', 1)[1].strip() for line in headers.splitlines() if line.lower().startswith('location:')]
    if status != '202' or not location:
        raise RuntimeError('POST upload on %s: expected 202 with a Location, got: %s' % (endpoint, headers))
    # The registry's Location is absolute when its http.host is set (the role sets it to the public https
    # name): keep its path and query on this endpoint, so that a direct upload stays direct.
    parts = urlsplit(urljoin(url(endpoint, '/'), location[0]))
    return url(endpoint, urlunsplit(('', '', parts.path, parts.query, '')))


def upload(endpoint, repo, path, digest):
    """Monolithic upload of the file `path`; return (seconds, bytes) of the PUT."""
    location = start_upload(endpoint, repo)
    target = location + ('&' if '?' in location else '?') + 'digest=' + digest
    out = curl(endpoint, ['-T', path, '-H', 'Content-Type: application/octet-stream', '-H', 'Expect:',
                          '-o', '/dev/null', '-w', '%{http_code} %{time_total} %{size_upload}', target])
    code, seconds, size = out.split()
    if code != '201' or int(float(size)) != os.path.getsize(path):
        raise RuntimeError('PUT blob on %s: HTTP %s after %s of %d bytes' % (endpoint, code, size, os.path.getsize(path)))
    return float(seconds), int(float(size))


def download(endpoint, repo, digest, size):
    """GET the blob to /dev/null; return (seconds, bytes)."""
    out = curl(endpoint, ['-o', '/dev/null', '-w', '%{http_code} %{time_total} %{size_download}',
                          url(endpoint, '/v2/%s/blobs/%s' % (repo, digest))])
    code, seconds, got = out.split()
    if code != '200' or int(float(got)) != size:
        raise RuntimeError('GET blob on %s: HTTP %s, %s of %d bytes' % (endpoint, code, got, size))
    return float(seconds), int(float(got))


def cpu_snapshot():
    """CPU ticks per process (pid -> (name, ticks)) of every process this host sees."""
    result = {}
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                with open('/proc/%s/stat' % pid) as handle:
                    stat = handle.read()
            except OSError:
                continue
            fields = stat[stat.rindex(')') + 2:].split()
            result[pid] = (stat[stat.index('(') + 1:stat.rindex(')')], int(fields[11]) + int(fields[12]))
    return result


def measured(action):
    """Run action(); return (its result, nginx CPU seconds, all CPU seconds incl. finished children)."""
    ticks = os.sysconf('SC_CLK_TCK')
    before, children = cpu_snapshot(), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = action()
    after, children_after = cpu_snapshot(), resource.getrusage(resource.RUSAGE_CHILDREN)
    nginx = total = 0.0
    for pid, (name, used) in after.items():
        delta = (used - before.get(pid, (name, 0))[1]) / ticks
        total += delta
        if name == 'nginx':
            nginx += delta
    total += (children_after.ru_utime + children_after.ru_stime) - (children.ru_utime + children.ru_stime)
    return result, round(nginx, 3), round(total, 3)


def blob_path(directory, size_mb):
    return os.path.join(directory, '%d.blob' % size_mb)


def cmd_blobs(directory, sizes):
    digests = {}
    for size_mb in sizes:
        path = blob_path(directory, size_mb)
        if not os.path.exists(path) or os.path.getsize(path) != size_mb << 20:
            with open(path + '.tmp', 'wb') as handle:
                for dummy in range(size_mb):
                    handle.write(os.urandom(1 << 20))
            os.rename(path + '.tmp', path)
        digests[str(size_mb)] = sha256_file(path)
    with open(os.path.join(directory, 'digests.json'), 'w') as handle:
        json.dump(digests, handle)
    return digests


def load_digests(directory):
    with open(os.path.join(directory, 'digests.json')) as handle:
        return json.load(handle)


def cmd_transfer(directory, runs, sizes):
    """Best (shortest) time of `runs` alternating runs per size, endpoint and direction; all samples too."""
    digests = load_digests(directory)
    samples = []
    for size_mb in sizes:
        path, digest = blob_path(directory, size_mb), digests[str(size_mb)]
        for run in range(runs):
            # Alternate which endpoint goes first, so that a slow spell of the machine does not always
            # fall on the same one.
            order = ['direct', 'nginx'] if run % 2 == 0 else ['nginx', 'direct']
            for endpoint in order:
                (seconds, size), nginx_cpu, total_cpu = measured(lambda: upload(endpoint, DATA_REPO, path, digest))
                samples.append({'size_mb': size_mb, 'endpoint': endpoint, 'op': 'upload', 'run': run, 'seconds': seconds,
                                'nginx_cpu_s': nginx_cpu, 'total_cpu_s': total_cpu})
            for endpoint in order:
                (seconds, size), nginx_cpu, total_cpu = measured(lambda: download(endpoint, DATA_REPO, digest, size))
                samples.append({'size_mb': size_mb, 'endpoint': endpoint, 'op': 'download', 'run': run, 'seconds': seconds,
                                'nginx_cpu_s': nginx_cpu, 'total_cpu_s': total_cpu})
    best, cpu = {}, {}
    for sample in samples:
        key = '%d/%s/%s' % (sample['size_mb'], sample['endpoint'], sample['op'])
        best[key] = min(best.get(key, float('inf')), sample['seconds'])
        cpu.setdefault(key, []).append(sample['total_cpu_s'])
    # CPU seconds used by every process on the host (registry, docker-proxy, nginx, curl) per transfer:
    # the median of the runs. On a host whose cores are all busy, time follows this.
    cpu = {key: statistics.median(values) for key, values in cpu.items()}
    return {'runs': runs, 'sizes_mb': sizes, 'best_seconds': best, 'median_total_cpu_s': cpu, 'samples': samples}


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


def nginx_rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open('/proc/%s/status' % pid) as handle:
                total += sum(int(line.split()[1]) for line in handle if line.startswith('VmRSS:'))
        except OSError:
            pass
    return total


def used_bytes(directory):
    stat = os.statvfs(directory)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize


class Sampler(threading.Thread):
    """Samples nginx's temporary directories and memory every 0.1 s until stopped.

    nginx unlinks its temporary files as soon as it creates them, so a listing of the directories is
    always empty; the space the open files take is real though. bench/run.sh's target has each directory
    on a tmpfs of its own, so the space used there is exactly what nginx wrote (its open files cannot be
    listed from /proc instead: the container has no CAP_SYS_PTRACE to read the workers' fd links).
    """

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.samples = []

    def sample(self):
        pids = nginx_pids()
        return {'t': time.monotonic(), 'rss_kib': nginx_rss_kib(pids),
                'temp_used': {temp: used_bytes(temp) for temp in NGINX_TEMP_DIRS}}

    def run(self):
        while not self.stop.is_set():
            self.samples.append(self.sample())
            self.stop.wait(0.1)


def watch(action):
    """Run action() while sampling; return the samples' summary."""
    sampler = Sampler()
    before = sampler.sample()
    start = time.monotonic()
    sampler.start()
    try:
        seconds, size = action()
    finally:
        sampler.stop.set()
        sampler.join()
    during = [sample for sample in sampler.samples if sample['t'] >= start]
    return {
        'seconds': seconds,
        'bytes': size,
        'samples': len(during),
        'rss_kib_before': before['rss_kib'],
        'rss_kib_max': max(sample['rss_kib'] for sample in during),
        'rss_kib_min': min(sample['rss_kib'] for sample in during),
        'temp_used_before': before['temp_used'],
        'temp_used_max': {temp: max(sample['temp_used'][temp] for sample in during) for temp in NGINX_TEMP_DIRS},
        'temp_dirs_are_mounts': {temp: os.path.ismount(temp) for temp in NGINX_TEMP_DIRS},
    }


def cmd_stream(directory, size_mb, control=False):
    digests = load_digests(directory)
    path, digest = blob_path(directory, size_mb), digests[str(size_mb)]
    size = os.path.getsize(path)
    if control:
        return {'size_mb': size_mb, 'upload': watch(lambda: upload('control', DATA_REPO, path, digest))}
    return {
        'size_mb': size_mb,
        'upload': watch(lambda: upload('nginx', DATA_REPO, path, digest)),
        'download': watch(lambda: download('nginx', DATA_REPO, digest, size)),
    }


def put_blob(endpoint, repo, content):
    digest = 'sha256:' + hashlib.sha256(content).hexdigest()
    path = '/tmp/bench-small-blob'
    with open(path, 'wb') as handle:
        handle.write(content)
    upload(endpoint, repo, path, digest)
    return {'digest': digest, 'size': len(content)}


def cmd_manifest():
    config = json.dumps({'architecture': 'amd64', 'os': 'linux',
                         'rootfs': {'type': 'layers', 'diff_ids': []}}).encode()
    config_ref = put_blob('direct', AUTH_REPO, config)
    layer_ref = put_blob('direct', AUTH_REPO, os.urandom(1024))
    manifest = json.dumps({
        'schemaVersion': 2,
        'mediaType': MANIFEST_TYPE,
        'config': dict(mediaType='application/vnd.docker.container.image.v1+json', **config_ref),
        'layers': [dict(mediaType='application/vnd.docker.image.rootfs.diff.tar.gzip', **layer_ref)],
    })
    with open('/tmp/bench-manifest.json', 'w') as handle:
        handle.write(manifest)
    code = curl('direct', ['-X', 'PUT', '-H', 'Content-Type: ' + MANIFEST_TYPE, '--data-binary', '@/tmp/bench-manifest.json',
                           '-o', '/dev/null', '-w', '%{http_code}', url('direct', '/v2/%s/manifests/latest' % AUTH_REPO)])
    if code != '201':
        raise RuntimeError('PUT manifest: HTTP %s' % code)
    return {'manifest_bytes': len(manifest), 'repo': AUTH_REPO}


def timings(out, expect):
    """Parse curl -w '%{http_code} %{time_total}\\n' lines; check every status."""
    rows = [line.split() for line in out.splitlines() if line.strip()]
    bad = [row[0] for row in rows if row[0] != expect]
    if bad:
        raise RuntimeError('expected HTTP %s every time, got %s' % (expect, sorted(set(bad))))
    return [float(row[1]) for row in rows]


def to_null(urls):
    """curl arguments that fetch each URL, each response body to /dev/null (-o applies to one URL)."""
    args = []
    for each in urls:
        args += ['-o', '/dev/null', each]
    return args


def htpasswd_cost():
    with open(HTPASSWD) as handle:
        for line in handle:
            name, dummy, hashed = line.strip().partition(':')
            if name == USER:
                return int(hashed.split('$')[2])
    raise RuntimeError('%s is not in %s' % (USER, HTPASSWD))


def cmd_auth(count):
    head = ['--head', '-H', 'Accept: ' + MANIFEST_TYPE, '-w', '%{http_code} %{time_total}\\n']
    result = {'cost': htpasswd_cost(), 'requests': count}
    for endpoint in ('direct', 'nginx'):
        manifest = url(endpoint, '/v2/%s/manifests/latest' % AUTH_REPO)
        # One curl process per request: a new TCP connection (and a full TLS handshake) every time.
        fresh = [timings(curl(endpoint, head + to_null([manifest])), '200')[0] for dummy in range(count)]
        # One process, count + 1 requests on one connection; the first (the handshake) is left out.
        kept = timings(curl(endpoint, head + to_null([manifest] * (count + 1))), '200')[1:]
        # The same without credentials: 401 before any bcrypt, what the stack costs by itself.
        plain = ['-w', '%{http_code} %{time_total}\\n']
        base = url(endpoint, '/v2/')
        unauth_fresh = [timings(curl(endpoint, plain + to_null([base]), auth=False), '401')[0] for dummy in range(count)]
        unauth_kept = timings(curl(endpoint, plain + to_null([base] * (count + 1)), auth=False), '401')[1:]
        # Wrong passwords: for a known user the registry runs bcrypt before it refuses; for an unknown
        # one it refuses at once. The cost is thus also what anyone can make the registry spend per request.
        wrong = timings(curl(endpoint, ['-u', '%s:not-the-password' % USER] + plain + to_null([base] * (count + 1)),
                             auth=False), '401')[1:]
        unknown = timings(curl(endpoint, ['-u', 'no-such-user:not-the-password'] + plain + to_null([base] * (count + 1)),
                               auth=False), '401')[1:]
        result[endpoint] = {
            'wrong_password_keepalive_ms': round(statistics.median(wrong) * 1000, 2),
            'unknown_user_keepalive_ms': round(statistics.median(unknown) * 1000, 2),
            'new_connection_ms': round(statistics.median(fresh) * 1000, 2),
            'keepalive_ms': round(statistics.median(kept) * 1000, 2),
            'unauth_new_connection_ms': round(statistics.median(unauth_fresh) * 1000, 2),
            'unauth_keepalive_ms': round(statistics.median(unauth_kept) * 1000, 2),
        }
    return result


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    command, args = argv[1], argv[2:]
    if command == 'blobs':
        result = cmd_blobs(args[0], [int(size) for size in args[1:]])
    elif command == 'transfer':
        result = cmd_transfer(args[0], int(args[1]), [int(size) for size in args[2:]])
    elif command == 'stream':
        result = cmd_stream(args[0], int(args[1]), args[2:] == ['control'])
    elif command == 'manifest':
        result = cmd_manifest()
    elif command == 'auth':
        result = cmd_auth(int(args[0]))
    else:
        sys.stderr.write(__doc__)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
