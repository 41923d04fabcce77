# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/awx_setup.yml's job templates, survey and credential type agree with what the playbooks accept.

The survey (awx_survey_spec in playbooks/vars/awx_setup.yml) may only ask for variables the site uses: an option
of the site's contract (roles/site/meta/argument_specs.yml) or of a role's argument spec, never a variable the
site's wiring (playbooks/vars/site.yml) derives, which an answer (an extra var) would override. Each question's
type must be one the variable's spec accepts as AWX sends it (text/password: a string; integer: an int;
multiplechoice: a string among the spec's choices), its default the spec's default, and a variable a role
requires must be a required question, unless site.yml runs that role only under a condition. Secrets (no_log
options) never go in the survey or the job template's extra vars: the credential type injects them. The validate
and site job templates share that survey, the credentials and everything else but the playbook and privilege
escalation; the validate one runs without it, so its checks must only read. Nothing here talks to an AWX.
"""
import functools
import glob
import json
import os
import re
import shutil
import subprocess

import jinja2
import jinja2.nodes
import pytest
import yaml
from packaging.specifiers import SpecifierSet

from ansible_collections.dockyard.registry.plugins.filter.access import access_problems, access_rules
from ansible_collections.dockyard.registry.plugins.filter.htpasswd_problems import htpasswd_problems

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# Question types and the argument spec types that accept what AWX sends for them.
COMPATIBLE_TYPES = {
    'text': {'str', 'path', 'raw'},
    'textarea': {'str', 'raw'},
    'password': {'str', 'raw'},
    'integer': {'int', 'raw'},
    'multiplechoice': {'str', 'raw'},
}
# What playbooks/validate.yml may run: modules that only read, none of which needs root (the validate job
# template has no privilege escalation). A new module here must be one that works as an unprivileged user.
READ_ONLY_MODULES = {
    'ansible.builtin.setup', 'ansible.builtin.getent', 'ansible.builtin.assert', 'ansible.builtin.fail',
    'ansible.builtin.set_fact', 'ansible.builtin.debug', 'ansible.builtin.include_tasks', 'ansible.builtin.include_role',
    # With registry_tls provided, on the controller (delegate_to: localhost): the certificate and key files.
    'community.crypto.x509_certificate_info', 'community.crypto.openssl_privatekey_info',
}
TASK_KEYWORDS = {
    'name', 'when', 'loop', 'loop_control', 'register', 'vars', 'tags', 'become', 'become_user', 'delegate_to',
    'changed_when', 'failed_when', 'no_log', 'block', 'rescue', 'always', 'check_mode', 'diff', 'environment',
    'run_once', 'ignore_errors', 'args', 'until', 'retries', 'delay', 'notify', 'listen', 'module_defaults',
    'timeout', 'throttle', 'any_errors_fatal', 'collections',
}


class _Loader(yaml.SafeLoader):
    """YAML with Ansible's !unsafe tag (the definitions hold AWX's templates that way)."""


_Loader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def _load(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return yaml.load(handle, Loader=_Loader)


def _main_options(role):
    return _load('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main']['options']


def role_options():
    """{variable: (role, option spec)} of every role the site deploys (meta/argument_specs.yml, entry point main)."""
    options = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml'))):
        role = os.path.basename(os.path.dirname(os.path.dirname(path)))
        if role != 'site':
            for name, spec in _main_options(role).items():
                options[name] = (role, spec)
    return options


def site_variables():
    """{variable: spec}: the site's contract, roles/site/meta/argument_specs.yml (main), which the wiring reads."""
    return dict(_main_options('site'))


def wiring():
    """{variable set by playbooks/vars/site.yml: sorted variables its value reads}.

    Play variables: the site sets them for the roles, from their sources (registry_domain -> nginx_server_name).
    """
    env = jinja2.Environment()
    derived = {}
    for target, value in _load('playbooks', 'vars', 'site.yml').items():
        names = set()
        for text in (value if isinstance(value, list) else [value]):
            if isinstance(text, str):
                # The names the expressions load (no filter lookup: the collection's filters are not registered here).
                names |= {node.name for node in env.parse(text).find_all(jinja2.nodes.Name) if node.ctx == 'load'}
        derived[target] = sorted(names)
    return derived


def _plays(*path):
    return [play for play in _load(*path) if 'hosts' in play]


def conditional_roles():
    """{role: its `when`} for the roles playbooks/site.yml runs only under a condition, listed under `roles:` or
    included in `tasks:` (their required options cannot be required survey questions for everyone)."""
    conditional = {}
    for play in _plays('playbooks', 'site.yml'):
        for entry in play.get('roles', []):
            if isinstance(entry, dict) and entry.get('when'):
                conditional[entry['role'].split('.')[-1]] = entry['when']
        # A role included under a condition in the play's tasks (the letsencrypt role).
        for task in play.get('tasks', []):
            include = task.get('ansible.builtin.include_role') or task.get('include_role')
            if include and task.get('when'):
                conditional[include['name'].split('.')[-1]] = task['when']
    return conditional


def survey_problems(survey, job_template_extra_vars, injectors):
    """Everything wrong with a survey (and the credential type's injectors), as a list of messages."""
    roles = role_options()
    options = {name: spec for name, (_role, spec) in roles.items()}
    site = site_variables()
    derived = wiring()
    conditional = conditional_roles()
    problems = []
    questions = survey['spec']
    names = [q['variable'] for q in questions]
    if len(names) != len(set(names)):
        problems.append('duplicate survey variables')
    for question in questions:
        name = question['variable']
        if name in derived:
            problems.append('%s is set by playbooks/vars/site.yml (from %s): an answer would override it'
                            % (name, ', '.join(derived[name]) or 'a constant'))
            continue
        # The site's contract first: it is what site.yml promises (registry_domain is also a registry option).
        spec = site.get(name) or options.get(name)
        if spec is None:
            problems.append('%s is in no role argument spec and not a site variable of roles/site' % name)
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
        role = roles[name][0] if name in roles and name not in site else 'site'
        if spec.get('required') and not question.get('required') and role not in conditional:
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
        if name in derived:
            problems.append('job template extra var %s is set by playbooks/vars/site.yml: it would override it' % name)
        elif options.get(name) is None and site.get(name) is None:
            problems.append('job template extra var %s is in no role argument spec' % name)
    for name in injectors.get('extra_vars', {}):
        if name in names:
            problems.append('%s is both a survey question and injected by the credential' % name)
        if name in derived:
            problems.append('the credential injects %s, which playbooks/vars/site.yml sets' % name)
        if name in options and not options[name].get('no_log'):
            problems.append('the credential injects %s, which its role does not treat as a secret (no_log)' % name)
    # A secret never sits in the job template (AWX shows its extra vars to everyone who may see the template): it may
    # only be a template reading what the credential injects (registry_robot_secrets from its JSON input).
    injected = injectors.get('extra_vars', {})
    for name, spec in options.items():
        if spec.get('no_log') and name in job_template_extra_vars:
            read = re.findall(r'\{\{\s*(\w+)', str(job_template_extra_vars[name]))
            if not read or [variable for variable in read if variable not in injected]:
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
    ({'variable': 'registry_tls', 'default': 'selfsigned'}, "survey default 'selfsigned' differs from the role default 'letsencrypt'"),
    # Derived by the wiring: an answer (an extra var) would win over vars/site.yml and break what it keeps in step.
    ({'variable': 'registry_s3_bucket', 'variable_new': 'nginx_server_name'}, 'nginx_server_name is set by playbooks/vars/site.yml (from registry_domain)'),
    ({'variable': 'registry_s3_region', 'variable_new': 'letsencrypt_webroot'},
     'letsencrypt_webroot is set by playbooks/vars/site.yml (from nginx_acme_webroot)'),
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


@pytest.mark.parametrize('value', [
    {'ci-builder': 'a-secret-of-at-least-32-characters-0000'},
    'a-secret-of-at-least-32-characters-0000',
    "{{ some_survey_answer | from_json }}",
])
def test_a_secret_in_the_job_template_is_caught(definitions, value):
    """A no_log variable in the job template's extra vars is refused unless it only reads the credential's injected
    vars (the control: the definitions themselves pass, test_survey_matches_argument_specs)."""
    extra_vars = dict(definitions['awx_job_template_extra_vars'], registry_robot_secrets=value)
    problems = survey_problems(definitions['awx_survey_spec'], extra_vars, definitions['awx_credential_type_injectors'])
    assert problems == ['secret registry_robot_secrets in the job template extra vars']


def test_credential_type_injects_the_secrets(definitions):
    fields = {field['id']: field for field in definitions['awx_credential_type_inputs']['fields']}
    injected = definitions['awx_credential_type_injectors']['extra_vars']
    assert set(injected) == {'registry_s3_access_key', 'registry_s3_secret_key', 'dockyard_registry_users_json',
                             'dockyard_registry_robots_json', 'dockyard_registry_robot_secrets_json'}
    for template in injected.values():
        (field,) = re.findall(r'\{\{\s*(\w+)\s*\}\}', template)
        assert field in fields
    assert fields['s3_secret_key']['secret'] is True
    assert fields['registry_users_json']['secret'] is True
    assert fields['registry_robot_secrets_json']['secret'] is True
    # registry_users, a list, reaches the roles through the job template's (trusted, templated) extra vars.
    assert 'dockyard_registry_users_json' in definitions['awx_job_template_extra_vars']['registry_users']


def users_json_problems(text):
    """What the site's validation says of registry_users given as the credential's JSON: the job template's extra var
    (from_json), then the registry role's checks (roles/registry/tasks/validate.yml: the same filters)."""
    users = json.loads(text)
    return (htpasswd_problems(users, 10, 'registry_users', 'registry_htpasswd_cost')
            + access_problems(users, 'registry_users', True))


def _help_example(definitions):
    fields = {field['id']: field for field in definitions['awx_credential_type_inputs']['fields']}
    help_text = fields['registry_users_json']['help_text']
    return help_text, help_text[help_text.index('['):help_text.index('}]') + 2]


def test_credential_documents_the_access_keys(definitions):
    """Access levels can be given through the credential (issue 13): its help text names the keys and the levels, and
    its example, with access and repositories, passes the site's validation."""
    help_text, example = _help_example(definitions)
    for word in ('"access"', '"repositories"', 'pull', 'push', 'admin', 'team-a/*'):
        assert word in help_text, word
    users = json.loads(example)
    assert {user.get('access') for user in users} >= {'pull', 'admin'}
    assert any(user.get('repositories') for user in users)
    assert any(user.get('cost') == 4 for user in users)  # a user's own bcrypt cost (issue 15)
    assert users_json_problems(example) == []
    # The nginx rules the site derives from it (playbooks/vars/site.yml), without the passwords.
    rules = access_rules(users)
    assert [(rule['name'], rule['access']) for rule in rules] == [('ci', 'pull'), ('robot', 'push'), ('admin', 'admin')]
    assert '"password"' not in json.dumps(rules) and '"cost"' not in json.dumps(rules)
    # The comments above the credential type name the keys too.
    with open(os.path.join(ROOT, 'playbooks', 'vars', 'awx_setup.yml')) as handle:
        text = handle.read()
    comment = text[:text.index('awx_credential_type_name:')]
    assert '"access", "repositories"' in comment


@pytest.mark.parametrize('change, message', [
    ({'access': 'write'}, "registry_users[0] ('ci'): access must be one of pull, push, admin, not 'write'"),
    ({'repositories': ['Team-A/*']}, "registry_users[0] ('ci'): repositories[0] 'Team-A/*' has upper-case letters"),
    ({'access': 'admin', 'repositories': ['team-a/*']}, "registry_users[0] ('ci'): repositories cannot limit an admin user"),
    ({'repositories': 'team-a/*'}, "registry_users[0] ('ci'): repositories must be a list of patterns"),
    ({'acess': 'pull'}, 'registry_users[0] has unknown keys acess; allowed: name, password, state, cost, access, repositories'),
    ({'cost': 3}, "registry_users[0] ('ci') cost must be an integer from 4 to 31, not 3;"),
])
def test_credential_access_keys_are_checked(definitions, change, message):
    """The same checks refuse a wrong access key given through the credential (they can fail)."""
    users = json.loads(_help_example(definitions)[1])
    users[0].update(change)
    problems = users_json_problems(json.dumps(users))
    assert any(problem.startswith(message) for problem in problems), problems


def test_molecule_credential_has_a_pull_user():
    """molecule/awx gives one user access: pull through the credential (verify.yml: it pulls, its push is 403)."""
    inputs = _load('molecule', 'awx', 'molecule.yml')['provisioner']['inventory']['group_vars']['all']['awx_test_credential_inputs']
    text = inputs['registry_users_json'].replace('{% raw %}', '').replace('{% endraw %}', '')
    users = json.loads(text)
    assert users_json_problems(text) == []
    assert [(user['name'], user.get('access', 'push')) for user in users] == [('alice', 'push'), ('bob', 'push'), ('carol', 'pull')]


def test_site_variables_are_the_site_roles_contract(definitions):
    """The site's own variables come from roles/site (what site.yml promises), and the survey's TLS question offers
    a subset of its modes: not `provided`, whose certificate files would have to be on the job's controller."""
    site = site_variables()
    assert {'registry_domain', 'registry_tls'} <= set(site)
    assert site['registry_domain'].get('required') is True
    question = next(q for q in definitions['awx_survey_spec']['spec'] if q['variable'] == 'registry_tls')
    assert set(question['choices']) == set(site['registry_tls']['choices']) - {'provided'}
    assert question['default'] == site['registry_tls']['default']


def test_wiring_reads_and_sets_known_variables():
    """Every variable playbooks/vars/site.yml sets is a role option, and every one it reads is a site variable or a
    role option: the survey checks above see the whole of what the site takes."""
    options, site = role_options(), site_variables()
    derived = wiring()
    assert derived, 'playbooks/vars/site.yml sets nothing'
    assert [name for name in derived if name not in options] == []
    assert {source: target for target, sources in derived.items() for source in sources
            if source not in site and source not in options} == {}
    assert derived['nginx_server_name'] == ['registry_domain']


def test_conditionally_required_roles():
    """letsencrypt_email may be an optional question only because site.yml runs the letsencrypt role under the
    condition the survey's TLS question decides."""
    conditional = conditional_roles()
    assert 'letsencrypt' in conditional
    assert 'registry_tls' in conditional['letsencrypt']
    assert 'letsencrypt_email' in [name for name, (role, spec) in role_options().items() if role == 'letsencrypt' and spec.get('required')]


def _template_names(definitions):
    """{job template: its name} with the name variables of the definitions filled in."""
    names = {}
    for template in definitions['awx_job_templates']:
        match = re.fullmatch(r'\{\{\s*(\w+)\s*\}\}', template['name'])
        names[template['playbook']] = definitions[match.group(1)] if match else template['name']
    return names


def test_job_templates(definitions):
    """A validate template (first) and the site one, each running a playbook of the project on the `registry` group
    of the inventory awx_setup.yml fills, with the site's variables (vars/site.yml) - so the same survey fits both."""
    templates = {t['playbook']: t for t in definitions['awx_job_templates']}
    assert list(templates) == ['playbooks/validate.yml', 'playbooks/site.yml', 'playbooks/maintenance.yml']
    names = _template_names(definitions)
    assert names == {'playbooks/validate.yml': 'dockyard.registry validate', 'playbooks/site.yml': 'dockyard.registry site',
                     'playbooks/maintenance.yml': 'dockyard.registry maintenance'}
    assert templates['playbooks/site.yml']['become_enabled'] is True
    assert templates['playbooks/maintenance.yml']['become_enabled'] is True
    # validate.yml only reads (test_validate_playbook_only_reads): no privilege escalation.
    assert templates['playbooks/validate.yml']['become_enabled'] is False
    for playbook in templates:
        assert os.path.isfile(os.path.join(ROOT, playbook)), playbook
    validate, = _plays('playbooks', 'validate.yml')
    deploy = _plays('playbooks', 'site.yml')
    for play in [validate] + deploy:
        assert play['hosts'] == 'registry'
        assert play['vars_files'] == ['vars/site.yml']
    # site.yml and maintenance.yml run the same checks first: neither job skips what the validate job reports.
    assert _load('playbooks', 'site.yml')[0].get('ansible.builtin.import_playbook') == 'validate.yml'
    assert _load('playbooks', 'maintenance.yml')[0].get('ansible.builtin.import_playbook') == 'validate.yml'
    maintenance = _plays('playbooks', 'maintenance.yml')
    assert [play['hosts'] for play in maintenance] == ['registry']


def test_maintenance_schedule(definitions):
    """The maintenance job template gets a schedule only when a rule is set, and then answers the survey's required
    questions (a scheduled job has nobody to ask)."""
    task, = [task for play in _load('playbooks', 'awx_setup.yml') for task in play['tasks'] if 'awx.awx.schedule' in task]
    assert task['when'] == 'awx_maintenance_schedule_rrule | length > 0'
    assert task['awx.awx.schedule']['unified_job_template'] == '{{ awx_maintenance_job_template_name }}'
    assert task['awx.awx.schedule']['extra_data'] == '{{ awx_maintenance_schedule_answers }}'
    assert definitions['awx_maintenance_schedule_rrule'] == ''
    check, = [task for play in _load('playbooks', 'awx_setup.yml') for task in play['tasks'] if task['name'] == 'Check the settings']
    assert ('awx_maintenance_schedule_rrule | length == 0 or awx_maintenance_schedule_answers.registry_domain is defined'
            in check['ansible.builtin.assert']['that'])


def test_awx_setup_creates_every_template_alike():
    """awx_setup.yml creates the job templates in one task looping over awx_job_templates: only the name, the
    description, the playbook and privilege escalation come from the item; survey, credentials, extra vars,
    project, inventory and EE are the same for all."""
    tasks = [task for play in _load('playbooks', 'awx_setup.yml') for task in play['tasks'] if 'awx.awx.job_template' in task]
    assert len(tasks) == 1
    task, = tasks
    assert task['loop'] == '{{ awx_job_templates }}'
    params = task['awx.awx.job_template']
    per_template = {key: value for key, value in params.items() if 'item' in str(value)}
    assert per_template == {key: '{{ item.%s }}' % key for key in ('name', 'description', 'playbook', 'become_enabled')}
    assert params['survey_enabled'] is True
    assert params['survey_spec'] == '{{ awx_survey_spec }}'
    assert params['extra_vars'] == '{{ awx_job_template_extra_vars }}'
    assert params['credentials'] == ['{{ awx_machine_credential_name }}', '{{ awx_registry_credential_name }}']


def _render_awx(expression, **values):
    """Render EXPRESSION as the playbook would: the collection's filters, Ansible's from_json, a password lookup that
    returns 'secret-of-<file name>'."""
    from jinja2.nativetypes import NativeEnvironment
    from ansible_collections.dockyard.registry.plugins.filter.robots import FilterModule
    environment = NativeEnvironment()
    environment.filters.update({'dockyard.registry.' + name: f for name, f in FilterModule().filters().items()})
    environment.filters['ansible.builtin.from_json'] = json.loads
    environment.filters['zip'] = zip  # Ansible's zip filter

    def query(plugin, *terms, **options):
        assert plugin == 'ansible.builtin.password' and options == {'chars': ['ascii_letters', 'digits'], 'length': 44}
        return ['secret-of-' + os.path.basename(term) for term in terms]
    environment.globals['query'] = query
    return environment.from_string(expression).render(**values)


def test_awx_setup_hands_each_robot_its_secret():
    """Robots (issue 15): awx_setup.yml generates each robot's secret with the password lookup (the registry role's
    way), writes them all into the registry credential and makes one Container Registry credential per robot."""
    play, = _load('playbooks', 'awx_setup.yml')
    robots = json.dumps([{'name': 'ci-builder', 'access': 'push'}, {'name': 'old', 'expires': '2020-01-01'},
                         {'name': 'ci-deploy', 'access': 'pull'}])
    values = {'awx_registry_credential_inputs': {'registry_robots_json': robots}, 'awx_robot_secrets_dir': '/keep'}
    values['__awx_robots'] = _render_awx(play['vars']['__awx_robots'], **values)
    assert [robot['name'] for robot in values['__awx_robots']] == ['ci-builder', 'ci-deploy']  # 'old' expired
    secrets = _render_awx(play['vars']['__awx_robot_secrets'], **values)
    assert secrets == {'ci-builder': 'secret-of-ci-builder', 'ci-deploy': 'secret-of-ci-deploy'}
    tasks = {task['name']: task for task in play['tasks']}
    credential = tasks['Create the credential with the registry\'s secrets']
    assert credential['no_log'] is True
    assert credential['awx.awx.credential']['inputs'] == (
        "{{ awx_registry_credential_inputs | combine({'registry_robot_secrets_json': __awx_robot_secrets | to_json}) }}")
    per_robot = tasks['Create one Container Registry credential per robot']
    assert per_robot['no_log'] is True
    assert per_robot['loop'] == '{{ __awx_robot_secrets | dict2items }}'
    assert per_robot['when'] == 'awx_robot_credentials | bool'
    params = per_robot['awx.awx.credential']
    assert params['credential_type'] == 'Container Registry'
    assert params['inputs'] == {'host': '{{ awx_registry_domain }}', 'username': '{{ item.key }}',
                                'password': '{{ item.value }}', 'verify_ssl': True}
    # Without robots nothing is generated (the control: the expressions read the credential's input).
    values = {'awx_registry_credential_inputs': {}, 'awx_robot_secrets_dir': '/keep'}
    values['__awx_robots'] = _render_awx(play['vars']['__awx_robots'], **values)
    assert values['__awx_robots'] == [] and _render_awx(play['vars']['__awx_robot_secrets'], **values) == {}


def _task_files_of_validate():
    """The task files playbooks/validate.yml runs: its own, playbooks/tasks/, every role's validate entry point,
    and the files those include by a literal name."""
    files = [os.path.join(ROOT, 'playbooks', 'validate.yml'), os.path.join(ROOT, 'playbooks', 'tasks', 'check_role.yml')]
    files += sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'tasks', 'validate.yml')))
    seen = []
    while files:
        path = files.pop(0)
        if path in seen:
            continue
        seen.append(path)
        content = _load(path)
        tasks = [t for play in content for t in play.get('tasks', [])] if path.endswith(os.path.join('playbooks', 'validate.yml')) else content
        for task in _walk_tasks(tasks):
            included = task.get('ansible.builtin.include_tasks') or task.get('ansible.builtin.import_tasks')
            if isinstance(included, str) and '{{' not in included:
                files.append(os.path.normpath(os.path.join(os.path.dirname(path), included)))
    return seen


def _walk_tasks(tasks):
    for task in tasks or []:
        yield task
        for section in ('block', 'rescue', 'always'):
            yield from _walk_tasks(task.get(section))


def test_validate_playbook_only_reads():
    """The validate job template runs without privilege escalation: every module validate.yml can run reads only,
    as an unprivileged user (facts, getent, asserts, and the provided certificate files on the controller)."""
    used = {}
    for path in _task_files_of_validate():
        content = _load(path)
        tasks = [t for play in content for t in play.get('tasks', [])] if path.endswith(os.path.join('playbooks', 'validate.yml')) else content
        for task in _walk_tasks(tasks):
            for module in set(task) - TASK_KEYWORDS:
                used.setdefault(module, os.path.relpath(path, ROOT))
            if task.get('delegate_to'):
                # On the controller, as the job's own user: never sudo there.
                assert task.get('become') is False, (path, task.get('name'))
    assert 'ansible.builtin.include_role' in used and 'ansible.builtin.getent' in used, used
    assert {module: path for module, path in used.items() if module not in READ_ONLY_MODULES} == {}


def _shipped_collection_references():
    """{collection: first place} of every other collection the shipped roles, plugins and playbooks use: task
    modules, filters, tests and lookups in their YAML and templates, and imports in the plugins."""
    found = {}
    fqcn = r'([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*'
    expression = re.compile(r'(?:\|\s*|\bis\s+(?:not\s+)?|\b(?:lookup|query)\(\s*[\'"])' + fqcn)
    skip = {os.path.join(ROOT, 'playbooks', 'awx_setup.yml')}
    paths = sorted(glob.glob(os.path.join(ROOT, 'roles', '**', '*.yml'), recursive=True)
                   + glob.glob(os.path.join(ROOT, 'roles', '**', '*.j2'), recursive=True)
                   + glob.glob(os.path.join(ROOT, 'playbooks', '**', '*.yml'), recursive=True))
    for path in paths:
        if path in skip:
            continue
        with open(path) as handle:
            text = handle.read()
        where = os.path.relpath(path, ROOT)
        if path.endswith('.yml'):
            for task in _walk_tasks(_yaml_tasks(yaml.load(text, Loader=_Loader))):
                for key in set(task) - TASK_KEYWORDS:
                    match = re.fullmatch(fqcn, key)
                    if match:
                        found.setdefault(match.group(1), where)
            text = '\n'.join(line for line in text.splitlines() if not line.lstrip().startswith('#'))
        for match in expression.finditer(text):
            found.setdefault(match.group(1), where)
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', '**', '*.py'), recursive=True)):
        with open(path) as handle:
            for match in re.finditer(r'^\s*(?:from|import)\s+ansible_collections\.(\w+)\.(\w+)', handle.read(), re.M):
                found.setdefault('%s.%s' % match.groups(), os.path.relpath(path, ROOT))
    return {name: where for name, where in found.items() if name not in ('ansible.builtin', 'dockyard.registry')}


def _yaml_tasks(content):
    """The tasks of a YAML file: a task list, or the tasks of a playbook's plays; nothing for other files."""
    if not isinstance(content, list):
        return []
    tasks = []
    for entry in content:
        if isinstance(entry, dict) and 'hosts' in entry:
            for section in ('pre_tasks', 'tasks', 'post_tasks', 'handlers'):
                tasks += entry.get(section) or []
        elif isinstance(entry, dict):
            tasks.append(entry)
    return tasks


def test_galaxy_dependencies_are_what_the_shipped_code_uses():
    """galaxy.yml names exactly the collections roles/, plugins/ and playbooks/ use (awx_setup.yml's awx.awx is
    in requirements/awx.yml instead: only that playbook, run against an AWX, needs it)."""
    used = _shipped_collection_references()
    assert set(used) == set(_load('galaxy.yml')['dependencies']), used
    requirements = _load('requirements', 'awx.yml')['collections']
    assert [c['name'] for c in requirements] == ['awx.awx']
    with open(os.path.join(ROOT, 'playbooks', 'awx_setup.yml')) as handle:
        assert 'awx.awx.' in handle.read()
    # AWX's project update installs these from Galaxy for every job template of the project (site, validate).
    for path in ('requirements.yml', 'requirements.yaml', os.path.join('collections', 'requirements.yml')):
        assert not os.path.exists(os.path.join(ROOT, path)), '%s: an AWX project update would install it' % path


@functools.lru_cache(maxsize=1)
def _collection_list():
    """`ansible-galaxy collection list` as {path: {collection: {version}}}, in the order Ansible searches them."""
    listing = subprocess.run(['ansible-galaxy', 'collection', 'list', '--format', 'json'],
                             capture_output=True, text=True, check=False)
    return yaml.safe_load(listing.stdout or '{}') or {}


def _installed_versions(names):
    """{collection: version Ansible uses} for those of NAMES installed here (the first path that has it)."""
    installed = {}
    for path_collections in _collection_list().values():
        for name in names:
            if name in path_collections:
                installed.setdefault(name, path_collections[name]['version'])
    return installed


def test_collection_ranges_hold_the_tested_versions():
    """Each range of galaxy.yml and requirements/awx.yml starts at the version the tests run (the `ansible`
    package's) and admits it."""
    ranges = dict(_load('galaxy.yml')['dependencies'])
    ranges.update({c['name']: c['version'] for c in _load('requirements', 'awx.yml')['collections']})
    installed = _installed_versions(ranges)
    if not installed:
        pytest.skip('the collections of the `ansible` package are not installed here')
    for name, version in installed.items():
        assert version in SpecifierSet(ranges[name].replace(' ', '')), (name, version, ranges[name])
        assert '>=%s' % version in ranges[name].replace(' ', ''), (name, version, ranges[name])


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
    # passlib 1.7.4's bcrypt backend fails with bcrypt 5: where both are installed (the controller pins, for the
    # tests' community.general.htpasswd), bcrypt stays below 5. The collection itself needs neither.
    with open(os.path.join(ROOT, 'requirements', 'controller.txt')) as handle:
        controller = handle.read()
    if re.search(r'^passlib==1\.', controller, re.M):
        assert int(re.search(r'^bcrypt==(\d+)\.', controller, re.M).group(1)) < 5, 'passlib 1.7.4 breaks with bcrypt 5'
    with open(os.path.join(ROOT, 'requirements.txt')) as handle:
        requirements = [line.split('#')[0].strip() for line in handle if line.split('#')[0].strip()]
    # The one library the collection runs on the controller: community.crypto reading provided TLS files there.
    assert [line for line in requirements if line.startswith('cryptography')], requirements


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
    installed = _installed_versions(pinned)
    if not installed:
        pytest.skip('the collections of the `ansible` package are not installed here')
    assert {name: pinned[name] for name in installed} == installed
