# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`value is dockyard.registry.openpgp_fingerprint`, evaluated by Jinja (the rule: plugins/module_utils/openpgp.py)."""

import jinja2
import pytest

from ansible_collections.dockyard.registry.plugins.test.openpgp_fingerprint import TestModule as OpenPGPTests

ENV = jinja2.Environment()
ENV.tests.update(('dockyard.registry.' + name, test) for name, test in OpenPGPTests().tests().items())
DOCKER_DEB = '9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88'


def check(value):
    return ENV.from_string('{{ value is dockyard.registry.openpgp_fingerprint }}').render(value=value) == 'True'


@pytest.mark.parametrize('value', [DOCKER_DEB, DOCKER_DEB.replace(' ', ''), DOCKER_DEB.lower(), '9DC8 5822 9FC7 DD38 854A  E2D8 8D81 803C 0EBF CD88',
                                   '060A 61C5 1B55 8A7F 742B 77AA C52F EB6B 621E 9F35', 'ab' * 32])
def test_accepts(value):
    assert check(value)


@pytest.mark.parametrize('value', ['', '0EBFCD88', '8D81 803C 0EBF CD88', '0x9DC858229FC7DD38854AE2D88D81803C0EBFCD88',
                                   DOCKER_DEB + '\n', DOCKER_DEB + ' ', ' ' + DOCKER_DEB, DOCKER_DEB.replace(' ', ':'),
                                   DOCKER_DEB[:-1], DOCKER_DEB + '8', 'ab' * 33, None, 5, [DOCKER_DEB]])
def test_refuses(value):
    assert not check(value)
