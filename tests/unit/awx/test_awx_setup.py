# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/awx_setup.yml's survey and credential type agree with what the site playbook accepts.

The survey (awx_survey_spec in playbooks/vars/awx_setup.yml) may only ask for variables the site uses: a
role's argument spec option, or a site-level variable of playbooks/vars/site.yml. Each question's type must
be one the variable's spec accepts as AWX sends it (text/password: a string; integer: an int;
multiplechoice: a string among the spec's choices), its default the role's default, and a variable the
roles require must be a required question. Secrets (no_log options) never go in the survey or the job
template's extra vars: the credential type injects them. Nothing here talks to an AWX.
"""
import glob
import os
import re
import shutil
import subprocess

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# Question types and the argument spec types that accept what AWX sends for them.
COMPATIBLE_TYPES = {
    'text': {'str', 'path', 'raw'},
    'textarea': {'str', 'raw'},
    'password': {'str', 'raw'},
    'integer': {'int', 'raw'},
    'multiplechoice': {'str', 'raw'},
}
# Required by a role that site.yml runs only under a condition: the survey cannot require them for everyone.
CONDITIONALLY_REQUIRED = {
    'letsencrypt_email': "the letsencrypt role runs only when site_tls == 'letsencrypt'",
    'letsencrypt_domains': "the letsencrypt role runs only when site_tls == 'letsencrypt'",
}


class _Loader(yaml.SafeLoader):
    """YAML with Ansible's !unsafe tag (the definitions hold AWX's templates that way)."""


_Loader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def _load(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return yaml.load(handle, Loader=_Loader)


def role_options():
    """{variable: (role, option spec)} from every role's meta/argument_specs.yml (entry point main)."""
    options = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml'))):
        role = os.path.basename(os.path.dirname(os.path.dirname(path)))
        for name, spec in _load(path)['argument_specs']['main']['options'].items():
            options[name] = (role, spec)
    return options


def site_variables():
    """{site variable: spec} for the site-level variables playbooks/vars/site.yml maps onto role variables.

    A site variable maps onto each role variable whose template uses it; it gets that role option's spec
    (registry_domain -> nginx_server_name: str, required). registry_tls maps onto site_tls, whose choices
    are those site.yml's first task asserts.
    """
    mapping = _load('playbooks', 'vars', 'site.yml')
    options = role_options()
    with open(os.path.join(ROOT, 'playbooks', 'site.yml')) as handle:
        site_playbook = handle.read()
    found = {}
    for target, template in mapping.items():
        for name in re.findall(r'\b(registry_[a-z0-9_]+)\b', str(template)):
            if target in options:
                found.setdefault(name, dict(options[target][1]))
            elif target == 'site_tls':
                choices = re.search(r"site_tls in \[([^\]]*)\]", site_playbook).group(1)
                found[name] = {'type': 'str', 'default': re.search(r"default\('([a-z]+)'\)", template).group(1),
                               'choices': [c.strip().strip("'\"") for c in choices.split(',')]}
    return found


def survey_problems(survey, job_template_extra_vars, injectors):
    """Everything wrong with a survey (and the credential type's injectors), as a list of messages."""
    options = {name: spec for name, (_role, spec) in role_options().items()}
    site = site_variables()
    problems = []
    questions = survey['spec']
    names = [q['variable'] for q in questions]
    if len(names) != len(set(names)):
        problems.append('duplicate survey variables')
    for question in questions:
        name = question['variable']
        spec = options.get(name) or site.get(name)
        if spec is None:
            problems.append('%s is in no role argument spec and not a site variable of playbooks/vars/site.yml' % name)
            continue
        kind = question['type']
        spec_type = spec.get('type', 'str')
        if spec_type not in COMPATIBLE_TYPES.get(kind, set()):
            problems.append('%s: a %s question gives AWX a %s, the spec wants %s'
                            % (name, kind, 'int' if kind == 'integer' else 'str', spec_type))
        if kind == 'multiplechoice' and spec.get('choices'):
            extra = [c for c in question['choices'] if c not in [str(s) for s in spec['choices']]]
            if extra:
                problems.append('%s: choices %s are not among %s' % (name, extra, spec['choices']))
        if spec.get('required') and not question.get('required') and name not in CONDITIONALLY_REQUIRED:
            problems.append('%s is required by its role but optional in the survey' % name)
        if spec.get('no_log') and kind != 'password':
            problems.append('%s is a secret (no_log): a credential injects it, or a password question asks it' % name)
        if 'default' in question and 'default' in spec and question['default'] != spec['default']:
            problems.append('%s: the survey default %r differs from the role default %r' % (name, question['default'], spec['default']))
        if kind == 'multiplechoice' and question.get('default') not in (None, '') and question['default'] not in question['choices']:
            problems.append('%s: default %r is not a choice' % (name, question['default']))
        if kind == 'integer':
            for bound in ('min', 'max', 'default'):
                if bound in question and not isinstance(question[bound], int):
                    problems.append('%s: %s must be an integer' % (name, bound))
    for name in job_template_extra_vars:
        if name in names:
            problems.append('%s is both a survey question and a job template extra var' % name)
        spec = options.get(name)
        if spec is None:
            problems.append('job template extra var %s is in no role argument spec' % name)
    for name in injectors.get('extra_vars', {}):
        if name in names:
            problems.append('%s is both a survey question and injected by the credential' % name)
        if name in options and not options[name].get('no_log'):
            problems.append('the credential injects %s, which its role does not treat as a secret (no_log)' % name)
    for name, spec in options.items():
        if spec.get('no_log') and name in job_template_extra_vars:
            problems.append('secret %s in the job template extra vars' % name)
    return problems


@pytest.fixture(scope='module')
def definitions():
    return _load('playbooks', 'vars', 'awx_setup.yml')


def test_survey_matches_argument_specs(definitions):
    problems = survey_problems(definitions['awx_survey_spec'], definitions['awx_job_template_extra_vars'],
                               definitions['awx_credential_type_injectors'])
    assert problems == []


def test_survey_asks_the_required_site_settings(definitions):
    names = {q['variable']: q for q in definitions['awx_survey_spec']['spec']}
    assert names['registry_domain']['required'] is True
    assert names['registry_htpasswd_cost']['type'] == 'integer'
    assert (names['registry_htpasswd_cost']['min'], names['registry_htpasswd_cost']['max']) == (4, 31)


@pytest.mark.parametrize('change, message', [
    ({'variable': 'registry_htpasswd_cost', 'type': 'text'}, 'registry_htpasswd_cost: a text question gives AWX a str'),
    ({'variable': 'registry_storage', 'choices': ['filesystem', 's3', 'gcs']}, "choices ['gcs'] are not among"),
    ({'variable': 'registry_domain', 'required': False}, 'registry_domain is required by its role but optional'),
    ({'variable': 'registry_log_level', 'default': 'debug'}, "survey default 'debug' differs from the role default 'info'"),
    ({'variable': 'registry_tls', 'choices': ['letsencrypt', 'acme']}, "choices ['acme'] are not among"),
    ({'variable': 'registry_s3_bucket', 'variable_new': 'registry_bucket'}, 'registry_bucket is in no role argument spec'),
    ({'variable': 'registry_s3_region', 'variable_new': 'registry_s3_secret_key'}, 'registry_s3_secret_key is a secret'),
    # A multiple-choice "true"/"false" arrives as a string: the spec accepts it, but a role using the variable
    # in a `when:` fails on ansible-core 2.19 ("Conditional result was derived from value of type 'str'").
    ({'variable': 'registry_log_level', 'variable_new': 'registry_s3_encrypt', 'choices': ['false', 'true'], 'default': 'false'},
     'registry_s3_encrypt: a multiplechoice question gives AWX a str, the spec wants bool'),
])
def test_a_wrong_survey_is_caught(definitions, change, message):
    """The checks can fail: one wrong question each."""
    survey = yaml.safe_load(yaml.safe_dump(definitions['awx_survey_spec']))
    question = next(q for q in survey['spec'] if q['variable'] == change['variable'])
    question.update({k: v for k, v in change.items() if k not in ('variable', 'variable_new')})
    if 'variable_new' in change:
        question['variable'] = change['variable_new']
    problems = survey_problems(survey, definitions['awx_job_template_extra_vars'], definitions['awx_credential_type_injectors'])
    assert any(message in problem for problem in problems), problems


def test_credential_type_injects_the_secrets(definitions):
    fields = {field['id']: field for field in definitions['awx_credential_type_inputs']['fields']}
    injected = definitions['awx_credential_type_injectors']['extra_vars']
    assert set(injected) == {'registry_s3_access_key', 'registry_s3_secret_key', 'dockyard_registry_users_json'}
    for template in injected.values():
        (field,) = re.findall(r'\{\{\s*(\w+)\s*\}\}', template)
        assert field in fields
    assert fields['s3_secret_key']['secret'] is True
    assert fields['registry_users_json']['secret'] is True
    # registry_users, a list, reaches the roles through the job template's (trusted, templated) extra vars.
    assert 'dockyard_registry_users_json' in definitions['awx_job_template_extra_vars']['registry_users']


def test_execution_environments_pin_the_tested_versions():
    """Both EE definitions install the ansible-core and ansible-runner the tests use, and the same requirement files."""
    pins = {}
    for name in ('controller.txt', 'test.txt'):
        with open(os.path.join(ROOT, 'requirements', name)) as handle:
            for line in handle:
                match = re.match(r'^(ansible-core|ansible-runner)==(\S+)', line)
                if match:
                    pins[match.group(1)] = line.split('#')[0].strip()
    meta = _load('meta', 'execution-environment.yml')['dependencies']
    for path in ('execution-environment.yml', os.path.join('tests', 'ee', 'execution-environment.yml')):
        dependencies = _load(path)['dependencies']
        assert dependencies['ansible_core']['package_pip'] == pins['ansible-core'], path
        assert dependencies['ansible_runner']['package_pip'] == pins['ansible-runner'], path
    test_ee = _load('tests', 'ee', 'execution-environment.yml')['dependencies']
    assert os.path.normpath(test_ee['python']) == os.path.normpath(os.path.join('..', '..', meta['python']))
    assert os.path.normpath(test_ee['system']) == os.path.normpath(os.path.join('..', '..', meta['system']))
    with open(os.path.join(ROOT, 'requirements.txt')) as handle:
        requirements = handle.read()
    assert re.search(r'^bcrypt\b.*<5', requirements, re.M), 'passlib 1.7.4 breaks with bcrypt 5'


def test_awx_setup_playbook_syntax():
    if not shutil.which('ansible-playbook'):
        pytest.skip('ansible-playbook is not on PATH')
    listing = subprocess.run(['ansible-galaxy', 'collection', 'list', 'awx.awx'], capture_output=True, text=True, check=False)
    if 'awx.awx' not in listing.stdout:
        pytest.skip('the awx.awx collection (in the `ansible` package of requirements/controller.txt) is not installed')
    result = subprocess.run(['ansible-playbook', '--syntax-check', os.path.join(ROOT, 'playbooks', 'awx_setup.yml')],
                            capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_execution_environment_collections_match_the_tested_ones():
    """execution-environment.yml pins the collection versions of the `ansible` package the tests run with."""
    collections = _load('execution-environment.yml')['dependencies']['galaxy']['collections']
    pinned = {c['name']: c['version'] for c in collections if c['name'] != 'dockyard.registry'}
    galaxy = _load('galaxy.yml')
    assert set(galaxy['dependencies']) <= set(pinned), 'every dependency of galaxy.yml is pinned'
    installed = {}
    for name in pinned:
        listing = subprocess.run(['ansible-galaxy', 'collection', 'list', name, '--format', 'json'],
                                 capture_output=True, text=True, check=False)
        for path_collections in (yaml.safe_load(listing.stdout or '{}') or {}).values():
            if name in path_collections:
                installed.setdefault(name, path_collections[name]['version'])
    if not installed:
        pytest.skip('the collections of the `ansible` package are not installed here')
    assert {name: pinned[name] for name in installed} == installed
