# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the bad-input table: throw-away target containers, TLS files, and a playbook runner.

Playbooks run through ansible-runner, in this process (ansible_runner.run, one temporary private data
directory per run), and the run is read from its structured events (PlaybookRun), never from the
text ansible-playbook prints. Run with scripts/lib.sh sourced: PATH (ansible-playbook of the venv),
ANSIBLE_COLLECTIONS_PATH and ANSIBLE_CONFIG come from the environment. The containers are made once
per pytest process and named after it (and the pytest-xdist worker), so two runs of the table on one
machine do not remove each other's targets.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os
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
    suffix = '-%d' % os.getpid()
    if os.environ.get('PYTEST_XDIST_WORKER', 'master') != 'master':
        suffix += '-' + os.environ['PYTEST_XDIST_WORKER']
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


def checkout_path(task_path):
    """A task path of an event ('FILE:LINE') as a path relative to the checkout (through the collection's link)."""
    if not task_path:
        return None
    path = task_path.rsplit(':', 1)[0] if task_path.rsplit(':', 1)[-1].isdigit() else task_path
    real = os.path.realpath(path)
    return os.path.relpath(real, ROOT) if real.startswith(ROOT + os.sep) else real


class Task(object):
    """One task of a run, from a playbook_on_task_start event or a host's result event."""

    def __init__(self, event_data):
        self.play = event_data.get('play')
        self.name = event_data.get('task')
        self.path = checkout_path(event_data.get('task_path'))
        self.role = event_data.get('role') or None
        self.action = event_data.get('resolved_action') or event_data.get('task_action')

    def __repr__(self):
        return 'Task(play=%r, name=%r, path=%r, role=%r, action=%r)' % (self.play, self.name, self.path, self.role, self.action)


def result_messages(result):
    """One message per problem of a failed RESULT, read as dockyard.registry.failure_messages reads it.

    The argument spec's argument_errors; else the messages of the failed loop items; else msg (a list: each
    element). Kept apart from the filter on purpose: the table checks what the play reports against this.
    """
    errors = result.get('argument_errors')
    if isinstance(errors, list) and errors:
        return [str(error) for error in errors]
    messages = []
    for item in result.get('results') or []:
        if isinstance(item, dict) and item.get('failed', True):
            messages.extend(result_messages(item))
    if messages:
        return messages
    message = result.get('msg') or result.get('message')
    if isinstance(message, list):
        return [str(line) for line in message]
    return [str(message) if message else repr(result)]


class Failure(Task):
    """A failed task on one host (runner_on_failed) with its failed loop items (runner_item_on_failed).

    rescued: the host's next result was the rescue of playbooks/tasks/check_role.yml (so the play went on).
    messages: one per problem (result_messages).
    """

    def __init__(self, event_data, items):
        super(Failure, self).__init__(event_data)
        self.host = event_data.get('host')
        self.result = event_data.get('res') or {}
        self.items = items
        self.rescued = False
        self.messages = result_messages(dict(self.result, results=items) if items else self.result)

    @property
    def message(self):
        return '\n'.join(self.messages)

    def __repr__(self):
        return 'Failure(host=%r, play=%r, name=%r, path=%r, role=%r, rescued=%r, messages=%r)' % (
            self.host, self.play, self.name, self.path, self.role, self.rescued, self.messages)


RESULT_EVENTS = ('runner_on_ok', 'runner_on_failed', 'runner_on_skipped', 'runner_on_unreachable')
STAT_KEYS = ('ok', 'changed', 'failures', 'rescued', 'dark', 'ignored', 'skipped')


class PlaybookRun(object):
    """One playbook run, read from ansible-runner's events.

    plays: names of the plays started (playbook_on_play_start); tasks: every task started
    (playbook_on_task_start), as Task; failures: every failed task of any host, as Failure, in order;
    stats: host -> {ok, changed, failures, rescued, dark (unreachable), ignored, skipped} (playbook_on_stats).
    """

    def __init__(self, playbook, hosts, variables, runner):
        self.playbook = playbook
        self.hosts = hosts
        self.variables = variables
        self.rc = runner.rc
        self.status = runner.status
        self.events = list(runner.events)
        self.stdout = runner.stdout.read() if runner.stdout else ''
        self.plays = []
        self.tasks = []
        self.failures = []
        self.stats = {}
        items = {}            # host -> failed items of the task that runs
        pending = {}          # host -> its last failure, until its next result shows whether it was rescued
        rescued_counts = {}
        for event in self.events:
            kind = event.get('event')
            data = event.get('event_data') or {}
            host = data.get('host')
            if kind == 'playbook_on_play_start':
                self.plays.append(data.get('play') or data.get('name'))
            elif kind == 'playbook_on_task_start':
                self.tasks.append(Task(data))
            elif kind == 'runner_item_on_failed':
                items.setdefault(host, []).append(data.get('res') or {})
            elif kind in RESULT_EVENTS:
                task = Task(data)
                if host in pending:
                    failure = pending.pop(host)
                    failure.rescued = (task.path == 'playbooks/tasks/check_role.yml' and kind == 'runner_on_ok'
                                       and task.action == 'ansible.builtin.set_fact')
                    rescued_counts[host] = rescued_counts.get(host, 0) + failure.rescued
                if kind == 'runner_on_failed':
                    failure = Failure(data, items.pop(host, []))
                    self.failures.append(failure)
                    pending[host] = failure
                items.pop(host, None)
            elif kind == 'playbook_on_stats':
                for key in STAT_KEYS:
                    for stat_host, count in (data.get(key) or {}).items():
                        self.stats.setdefault(stat_host, dict((k, 0) for k in STAT_KEYS))[key] = count
        self.rescued_counts = rescued_counts

    def host_stats(self, host):
        return self.stats.get(host, dict((key, 0) for key in STAT_KEYS))

    def failures_of(self, host):
        return [failure for failure in self.failures if failure.host == host]

    def report(self):
        """What ran and what failed, for assertion messages."""
        lines = ['%s on %s: rc %s (%s)' % (self.playbook, ', '.join(self.hosts), self.rc, self.status),
                 'variables: %r' % (self.variables,), 'plays: %r' % (self.plays,), 'stats: %r' % (self.stats,)]
        lines.extend('failure: %r' % (failure,) for failure in self.failures)
        lines.extend(['--- output ---', self.stdout])
        return '\n'.join(lines)


@pytest.fixture(scope='session')
def run_playbook(targets, tmp_path_factory):
    """run_playbook(playbook, hosts, variables, host_vars=None) -> PlaybookRun.

    hosts: keys of `targets` ('target', 'gentoo'); the run's inventory holds them, and only them, in the
    `registry` group (host_vars: key -> that host's inventory variables). variables are the extra vars.
    """
    import ansible_runner

    missing = [name for name in ('ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_CONFIG') if not os.environ.get(name)]
    if missing:
        pytest.fail('%s not set: source scripts/lib.sh first' % ', '.join(missing))
    envvars = dict((name, os.environ[name]) for name in ('ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_CONFIG'))

    def run(playbook, hosts, variables, host_vars=None):
        private_data_dir = tmp_path_factory.mktemp('run')
        inventory_hosts = {}
        for key in hosts:
            entry = {'ansible_connection': 'community.docker.docker', 'ansible_host': targets[key]}
            entry.update((host_vars or {}).get(key, {}))
            inventory_hosts[targets[key]] = entry
        inventory = private_data_dir / 'hosts.yml'
        inventory.write_text(yaml.safe_dump({'registry': {'hosts': inventory_hosts}}))
        runner = ansible_runner.run(private_data_dir=str(private_data_dir), playbook=playbook,
                                    inventory=str(inventory), extravars=variables, envvars=envvars,
                                    quiet=True, timeout=PLAYBOOK_TIMEOUT)
        return PlaybookRun(os.path.relpath(playbook, ROOT), [targets[key] for key in hosts], variables, runner)

    return run
