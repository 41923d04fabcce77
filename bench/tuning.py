#!/usr/bin/env python
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which nginx setting moves which number: A/B of the role's configuration, run ON the bench target.

Usage: tuning.py DIR ROUNDS SIZE_MB [VARIANT...]   (after `datapath.py blobs DIR SIZE_MB`; bench/run.sh runs it)
       with VARIANT names (see VARIANTS), only those (and the role's configuration, and direct)

Each variant is the role's installed configuration (conf.d/dockyard-registry.conf) with one change.
Round by round, variant by variant (so that a slow spell of the shared machine hits them all), it installs
the variant, reloads nginx, and measures through nginx: one upload and one download of the blob (seconds,
and CPU seconds of nginx's processes and of all processes on the host incl. curl), and the median
latency of 30 requests that nginx answers from the registry without bcrypt (GET /v2/ without credentials,
401) on one kept-alive client connection. The registry straight (no nginx) is measured each round as
the reference. The role's configuration is put back at the end. Prints JSON: per variant the best time
of the rounds and the median CPU seconds and latency, and every sample.
"""

import json
import os
import statistics
import subprocess
import sys
import time
import importlib.util

CONF = '/etc/nginx/conf.d/dockyard-registry.conf'

_SPEC = importlib.util.spec_from_file_location('datapath', '/usr/local/bin/bench-datapath.py')
datapath = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(datapath)


def without(*prefixes):
    """A variant that drops the lines starting (after indentation) with any of `prefixes`."""
    return lambda text: '\n'.join(line for line in text.split('\n') if not line.strip().startswith(prefixes))


def replace(old, new):
    def edit(text):
        if old not in text:
            raise RuntimeError('%r is not in %s' % (old, CONF))
        return text.replace(old, new)
    return edit


VARIANTS = {
    'role (tuned)': lambda text: text,
    'before (nginx default buffers)': without('client_body_buffer_size', 'proxy_buffer_size', 'proxy_buffers',
                                              'proxy_busy_buffers_size', 'proxy_max_temp_file_size'),
    'client_body_buffer_size default (16k)': without('client_body_buffer_size'),
    'proxy_buffers default (8 4k), no spooling': without('proxy_buffer_size', 'proxy_buffers', 'proxy_busy_buffers_size'),
    'spooling allowed (proxy_max_temp_file_size 1024m)': replace('proxy_max_temp_file_size 0;', 'proxy_max_temp_file_size 1024m;'),
    'proxy_buffering off': replace('proxy_max_temp_file_size 0;', 'proxy_max_temp_file_size 0;\n    proxy_buffering off;'),
    'proxy_buffering off, proxy_buffer_size 256k': lambda text: replace('proxy_busy_buffers_size 128k;', 'proxy_busy_buffers_size 256k;')(
        replace('proxy_buffer_size 64k;', 'proxy_buffer_size 256k;\n    proxy_buffering off;')(text)),
    'proxy_request_buffering on': replace('proxy_request_buffering off;', 'proxy_request_buffering on;'),
    'no upstream keepalive': without('keepalive '),
}


def latency_ms(endpoint, count=30):
    out = datapath.curl(endpoint, ['-w', '%{http_code} %{time_total}\\n'] + datapath.to_null([datapath.url(endpoint, '/v2/')] * (count + 1)),
                        auth=False)
    return round(statistics.median(datapath.timings(out, '401')[1:]) * 1000, 3)


def nginx_workers():
    return {pid for pid, (name, dummy) in datapath.cpu_snapshot().items() if name == 'nginx' and pid != master_pid()}


def master_pid():
    with open('/run/nginx.pid') as handle:
        return handle.read().strip()


def install(text):
    with open(CONF, 'w') as handle:
        handle.write(text)
    subprocess.run(['nginx', '-t', '-q'], check=True)
    old = nginx_workers()
    subprocess.run(['systemctl', 'reload', 'nginx'], check=True)
    # A reload starts new workers and lets the old ones finish; measure only once every old one is gone
    # (a request served by an old worker that then exits would take its CPU time with it).
    deadline = time.monotonic() + 30
    while nginx_workers() & old or not nginx_workers():
        if time.monotonic() > deadline:
            raise RuntimeError('nginx did not replace its workers within 30 s of a reload')
        time.sleep(0.1)
    datapath.curl('nginx', ['-o', '/dev/null', datapath.url('nginx', '/v2/')], auth=False)


def measure(endpoint, path, digest, size):
    (up, dummy), up_nginx, up_total = datapath.measured(lambda: datapath.upload(endpoint, datapath.DATA_REPO, path, digest))
    (down, dummy), down_nginx, down_total = datapath.measured(lambda: datapath.download(endpoint, datapath.DATA_REPO, digest, size))
    return {'upload_s': up, 'upload_nginx_cpu_s': up_nginx, 'upload_total_cpu_s': up_total,
            'download_s': down, 'download_nginx_cpu_s': down_nginx, 'download_total_cpu_s': down_total,
            'latency_ms': latency_ms(endpoint)}


def main(argv):
    directory, rounds, size_mb = argv[1], int(argv[2]), int(argv[3])
    digest = datapath.load_digests(directory)[str(size_mb)]
    path = datapath.blob_path(directory, size_mb)
    size = os.path.getsize(path)
    with open(CONF) as handle:
        original = handle.read()
    variants = {name: edit for name, edit in VARIANTS.items() if name == 'role (tuned)' or not argv[4:] or name in argv[4:]}
    samples = {name: [] for name in ['direct (no nginx)'] + list(variants)}
    try:
        for dummy in range(rounds):
            samples['direct (no nginx)'].append(measure('direct', path, digest, size))
            for name, edit in variants.items():
                install(edit(original))
                samples[name].append(measure('nginx', path, digest, size))
    finally:
        install(original)
    # Times: the best run (the one the shared machine disturbed least); CPU seconds and latency: the median.
    best = {name: {key: (min if key.endswith('_s') and 'cpu' not in key else statistics.median)(
        [sample[key] for sample in runs]) for key in runs[0]} for name, runs in samples.items()}
    print(json.dumps({'size_mb': size_mb, 'rounds': rounds, 'best': best, 'samples': samples}))


if __name__ == '__main__':
    sys.exit(main(sys.argv))
