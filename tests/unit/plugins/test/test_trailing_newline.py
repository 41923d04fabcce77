# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A trailing newline is refused wherever a string rule applies.

`re.match('...$')` (and so Jinja's `is match('...$')`) accepts 'value\\n': `$` also matches before a final newline.
Every Jinja test of the collection (plugins/test/*.py) must refuse a valid value with a newline appended, and
every `match` pattern written inline in the roles and playbooks must end in \\Z. A new Jinja test has to give a
valid sample below, so it cannot join without this check.
"""

import glob
import importlib
import os
import re

import jinja2
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
TEST_PLUGINS = sorted(os.path.splitext(os.path.basename(path))[0] for path in glob.glob(os.path.join(ROOT, 'plugins', 'test', '*.py')))

# A value each test accepts (and the arguments it is called with, as Jinja source).
SAMPLES = {
    'dns_name': ('registry.example.com', ''),
    'ip_address': ('10.0.0.5', ''),
    'server_name': ('registry.example.com', "('letsencrypt')"),
    'go_duration': ('168h', ''),
    'http_url': ('https://minio.example.com:9000', '(path=false)'),
    'host_port': ('redis.example.com:6379', ''),
    'email_address': ('hostmaster@example.com', ''),
    'openpgp_fingerprint': ('9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88', ''),
    'loopback_address': ('127.0.0.1', ''),
    'image_reference': ('registry:3.1.1', ''),
    'memory_size': ('512m', ''),
}


def _jinja_tests():
    tests = {}
    for name in TEST_PLUGINS:
        module = importlib.import_module('ansible_collections.dockyard.registry.plugins.test.%s' % name)
        tests.update(module.TestModule().tests())
    return tests


TESTS = _jinja_tests()
ENV = jinja2.Environment()
ENV.tests.update(('dockyard.registry.' + name, test) for name, test in TESTS.items())


def check(value, test, args):
    return ENV.from_string('{{ value is dockyard.registry.%s%s }}' % (test, args)).render(value=value) == 'True'


def test_every_jinja_test_has_a_sample():
    assert sorted(set(TESTS) - set(SAMPLES)) == [], 'give these tests a valid sample in SAMPLES'


@pytest.mark.parametrize('test', sorted(TESTS))
@pytest.mark.parametrize('suffix', ['\n', '\r\n', '\r', ' '])
def test_a_valid_value_with_a_trailing_newline_is_refused(test, suffix):
    assert test in SAMPLES, 'give %s a valid sample in SAMPLES' % test
    value, args = SAMPLES[test]
    assert check(value, test, args), 'the sample of %s is not valid: %r' % (test, value)
    assert not check(value + suffix, test, args), '%s accepts %r' % (test, value + suffix)


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


# `x is match('p')`, `x is not match('p')`, `select('match', 'p')`, `reject('match', 'p')`, ... in Jinja expressions.
INLINE_MATCH = re.compile(r"""\bmatch\(\s*(?P<q1>['"])(?P<p1>.*?)(?P=q1)|['"]match['"]\s*,\s*(?P<q2>['"])(?P<p2>.*?)(?P=q2)""")
YAML_FILES = sorted(glob.glob(os.path.join(ROOT, 'roles', '*', '*', '*.yml'))
                    + glob.glob(os.path.join(ROOT, 'playbooks', '**', '*.yml'), recursive=True))


class _Loader(yaml.SafeLoader):
    """YAML with Ansible's tags (!unsafe, !vault) read as their plain values."""


_Loader.add_multi_constructor('!', lambda loader, suffix, node: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None)


def _inline_patterns():
    found = []
    for path in YAML_FILES:
        with open(path) as handle:
            for text in _strings(yaml.load(handle, Loader=_Loader)):
                for match in INLINE_MATCH.finditer(text):
                    found.append((os.path.relpath(path, ROOT), match.group('p1') if match.group('p1') is not None else match.group('p2')))
    return found


INLINE_PATTERNS = _inline_patterns()


def test_the_scan_finds_the_inline_patterns():
    """A control: the scan does see the roles' inline patterns (a scan that found none would pass for any code)."""
    files = set(path for path, dummy in INLINE_PATTERNS)
    assert {'roles/nginx/tasks/validate.yml', 'roles/letsencrypt/tasks/validate.yml'} <= files, INLINE_PATTERNS


@pytest.mark.parametrize('path, pattern', INLINE_PATTERNS, ids=['%s:%s' % item for item in INLINE_PATTERNS])
def test_inline_match_patterns_end_in_backslash_z(path, pattern):
    # In a Jinja string literal \Z and \\Z are both the regex \Z.
    assert re.search(r'(?<!\\)(\\\\)*\\{1,2}Z$', pattern), '%s: %r does not end in \\Z (a trailing newline would pass)' % (path, pattern)
