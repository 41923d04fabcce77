# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the bad-input table: throw-away target containers, TLS files, and a playbook runner.

Run with scripts/lib.sh sourced (PATH, ANSIBLE_COLLECTIONS_PATH and ANSIBLE_CONFIG come from the
environment). The containers are made once per pytest process; under pytest-xdist each worker gets
its own pair (the worker id is appended to the names).
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE = os.environ.get('DOCKYARD_BADINPUT_IMAGE', 'dockyard/debian:12')
PLAYBOOK_TIMEOUT = 240

GENTOO_OS_RELEASE = '\n'.join([
    'NAME=Gentoo',
    'ID=gentoo',
    'PRETTY_NAME="Gentoo Linux"',
    'ANSI_COLOR="1;32"',
    'HOME_URL="https://www.gentoo.org/"',
    'VERSION_ID="2.15"',
    '',
])


def _docker(*args):
    return subprocess.run(['docker'] + list(args), check=True, capture_output=True, text=True, timeout=120).stdout


def _remove_container(name):
    subprocess.run(['docker', 'rm', '-f', name], capture_output=True, text=True, timeout=120, check=False)


def _start_target(name):
    _remove_container(name)
    # No network: validation only needs `docker exec`, and a play that wrongly got past validation
    # then fails at its first download instead of installing packages into the shared target.
    _docker('run', '-d', '--name', name, '--network', 'none', IMAGE, 'sleep', 'infinity')


@pytest.fixture(scope='session')
def targets():
    """Host names (= container names) of the Debian 12 target and of one that looks like Gentoo."""
    if shutil.which('docker') is None:
        pytest.fail('the docker CLI is needed (make setup)')
    if subprocess.run(['docker', 'image', 'inspect', IMAGE], capture_output=True, check=False).returncode != 0:
        pytest.fail('image %s is missing: run make setup' % IMAGE)
    suffix = '' if os.environ.get('PYTEST_XDIST_WORKER', 'master') == 'master' else '-' + os.environ['PYTEST_XDIST_WORKER']
    names = {'target': 'dockyard-badinput-target' + suffix, 'gentoo': 'dockyard-badinput-gentoo' + suffix}
    try:
        for name in names.values():
            _start_target(name)
        _docker('exec', names['gentoo'], 'sh', '-c',
                'rm -f /etc/debian_version /etc/os-release /usr/lib/os-release && printf %s "$1" >/etc/os-release',
                'sh', GENTOO_OS_RELEASE)
        yield names
    finally:
        for name in names.values():
            _remove_container(name)


@pytest.fixture(scope='session')
def inventory(targets, tmp_path_factory):
    """An inventory with both containers in the `registry` group, reached with `docker exec`."""
    hosts = dict((name, {'ansible_connection': 'community.docker.docker', 'ansible_host': name})
                 for name in targets.values())
    path = tmp_path_factory.mktemp('inventory') / 'hosts.yml'
    path.write_text(yaml.safe_dump({'registry': {'hosts': hosts}}))
    return str(path)


def _write_key(key, path):
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


@pytest.fixture(scope='session')
def tls_files(tmp_path_factory):
    """A self-signed certificate for registry.example.com, its key, and a second key that does not match."""
    directory = tmp_path_factory.mktemp('tls')
    key = ec.generate_private_key(ec.SECP256R1())
    other_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'registry.example.com')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName('registry.example.com')]), critical=False)
            .sign(key, hashes.SHA256()))
    (directory / 'cert.pem').write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, directory / 'key.pem')
    _write_key(other_key, directory / 'other-key.pem')
    return str(directory)


@pytest.fixture(scope='session')
def validate_only_playbook(tmp_path_factory):
    """The first play of playbooks/site.yml, alone: a playbook next to links to everything site.yml uses.

    site.yml cannot be told to stop after its first play; this copies that play verbatim (no drift),
    and the links make its relative paths (vars/, tasks/) resolve as they do for site.yml.
    """
    playbooks = os.path.join(ROOT, 'playbooks')
    with open(os.path.join(playbooks, 'site.yml')) as f:
        site = yaml.safe_load(f)
    directory = tmp_path_factory.mktemp('validate-only')
    for entry in os.listdir(playbooks):
        os.symlink(os.path.join(playbooks, entry), str(directory / entry))
    path = directory / 'validate_only.yml'
    path.write_text(yaml.safe_dump(site[:1], sort_keys=False))
    return str(path)


PLAY_RE = re.compile(r'^PLAY \[(?P<name>.*)\] \**$')
TASK_RE = re.compile(r'^TASK \[(?P<name>.*)\] \**$')
# "task path: FILE:LINE" (show_task_path_on_failure) or "Origin: FILE:LINE:COLUMN" (the error of a loop item).
PATH_RE = re.compile(r'^(?:task path|Origin): (?P<path>\S+?)(?::\d+)*$')
# "fatal: [host]: FAILED! => {...}", or for one item of a loop "failed: [host] (item=...) => {...}".
FATAL_RE = re.compile(r'^(?:fatal: \[(?P<host>[^\]\s]+)(?: -> [^\]]+)?\]: FAILED!'
                      r'|failed: \[(?P<item_host>[^\]\s]+)(?: -> [^\]]+)?\] \(item=.*?\)) => (?P<result>\{.*\})$')
RECAP_RE = re.compile(r'^(?P<host>\S+)\s+: ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)'
                      r'\s+failed=(?P<failed>\d+)')


class PlaybookRun(object):
    """What one ansible-playbook run printed, parsed from the default callback's output."""

    def __init__(self, command, returncode, output):
        self.command = command
        self.returncode = returncode
        self.output = output
        self.tasks = []      # (play, task) for every task header
        self.failures = []   # dicts: host, play, task, path (relative to the checkout), result
        self.recap = {}      # host -> {'ok': n, 'changed': n, 'unreachable': n, 'failed': n}
        play = task = path = None
        for line in output.splitlines():
            match = PLAY_RE.match(line)
            if match:
                play, task, path = match.group('name'), None, None
                continue
            match = TASK_RE.match(line)
            if match:
                task, path = match.group('name'), None
                self.tasks.append((play, task))
                continue
            match = PATH_RE.match(line)
            if match:
                path = os.path.relpath(os.path.realpath(match.group('path')), ROOT)
                continue
            match = FATAL_RE.match(line)
            if match:
                self.failures.append({'host': match.group('host') or match.group('item_host'), 'play': play, 'task': task, 'path': path,
                                      'result': json.loads(match.group('result'))})
                continue
            match = RECAP_RE.match(line)
            if match:
                self.recap[match.group('host')] = dict((key, int(match.group(key)))
                                                       for key in ('ok', 'changed', 'unreachable', 'failed'))

    def report(self):
        """The command, its exit code and its whole output, for assertion messages."""
        return 'exit code %s of: %s\n%s' % (self.returncode, ' '.join(self.command), self.output)


@pytest.fixture(scope='session')
def run_playbook(inventory, tmp_path_factory):
    """run_playbook(playbook, host, variables) -> PlaybookRun; variables are passed with -e @file.json."""
    directory = tmp_path_factory.mktemp('vars')
    env = dict(os.environ)
    env.update({
        'ANSIBLE_STDOUT_CALLBACK': 'ansible.builtin.default',
        'ANSIBLE_CALLBACK_RESULT_FORMAT': 'json',
        'ANSIBLE_CALLBACK_FORMAT_PRETTY': 'false',
        'ANSIBLE_SHOW_TASK_PATH_ON_FAILURE': 'true',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': 'false',
    })
    counter = [0]

    def run(playbook, host, variables):
        counter[0] += 1
        vars_file = directory / ('vars-%d.json' % counter[0])
        vars_file.write_text(json.dumps(variables))
        command = ['ansible-playbook', '-i', inventory, '-l', host, playbook, '-e', '@' + str(vars_file)]
        proc = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=PLAYBOOK_TIMEOUT, check=False)
        return PlaybookRun(command, proc.returncode, proc.stdout)

    return run
