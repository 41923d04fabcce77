# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prepare an ansible-runner private data directory the way AWX does for a job, and summarise a finished one.

    awx_job.py launch JOBS_DIR DEFINITIONS PROJECT_SRC PLAYBOOK INVENTORY_JSON ANSWERS_JSON CREDENTIAL_JSON ENV_JSON
        A job of the job template of DEFINITIONS (playbooks/vars/awx_setup.yml, awx_job_templates) that runs
        PLAYBOOK (playbooks/validate.yml, playbooks/site.yml). Every template has the same survey, extra vars and
        credentials; the template decides privilege escalation (--become).
        Fills unanswered questions with their defaults (as AWX's launch form does) and validates the answers
        against the survey of DEFINITIONS with AWX's rules (required, type, min/max, choices), then writes
        JOBS_DIR/<ident>/ as AWX writes a job's private data directory:
          project/          the project (PROJECT_SRC's playbooks/ and ansible.cfg, as a project sync would)
          inventory/hosts   the inventory (JSON)
          env/extravars     the job template's extra vars (trusted) and the survey answers, marked !unsafe
          env/<tmp file>    the credential's extra vars: its type's injectors rendered with its inputs
                            (Jinja2 sandbox), marked !unsafe, mode 0400, passed as `-e @` in env/cmdline
          env/cmdline       what AWX adds from the machine credential and the job template (-u; --become
                            when the template enables privilege escalation)
          env/envvars       ENV_JSON: AWX's "Extra Environment Variables" setting (AWX_TASK_ENV)
        Prints the ident (job-1, job-2, ...).
    awx_job.py summary JOB_DIR IDENT
        Prints {"playbook", "status", "rc", "ok", "changed", "failures", "unreachable"} of the finished job from
        its artifacts (the playbook_on_start and playbook_on_stats events), as JSON; "playbook" is the file name.
"""
import glob
import json
import os
import shutil
import stat
import sys
import tempfile

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment


class Unsafe(str):
    """A string AWX writes as `!unsafe` (Ansible never templates it)."""


class Dumper(yaml.SafeDumper):
    pass


Dumper.add_representer(Unsafe, lambda dumper, value: dumper.represent_scalar('!unsafe', str(value)))


class Loader(yaml.SafeLoader):
    pass


# The definitions file marks AWX's own templates !unsafe, for Ansible; here they are plain strings.
Loader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def mark_unsafe(value):
    """AWX's safe_dump: every string of untrusted extra vars (survey answers, credentials) becomes !unsafe."""
    if isinstance(value, str):
        return Unsafe(value)
    if isinstance(value, dict):
        return {key: mark_unsafe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mark_unsafe(item) for item in value]
    return value


def survey_errors(spec, answers):
    """AWX's _survey_element_validation for the question types our survey uses."""
    errors = []
    for question in spec:
        name = question['variable']
        if name not in answers:
            if question.get('required'):
                errors.append("'%s' value missing" % name)
            continue
        value = answers[name]
        kind = question['type']
        if kind in ('text', 'textarea', 'password'):
            if not isinstance(value, str):
                errors.append("Value %s for '%s' expected to be a string." % (value, name))
                continue
            if question.get('min') not in ('', None) and len(value) < int(question['min']):
                errors.append("'%s' value %s is too small" % (name, value))
            if question.get('max') not in ('', None) and len(value) > int(question['max']):
                errors.append("'%s' value %s is too large" % (name, value))
        elif kind == 'integer':
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append("Value %s for '%s' expected to be an integer." % (value, name))
                continue
            if question.get('min') not in ('', None) and value < int(question['min']):
                errors.append("'%s' value %s is too small" % (name, value))
            if question.get('max') not in ('', None) and value > int(question['max']):
                errors.append("'%s' value %s is too large" % (name, value))
        elif kind == 'multiplechoice':
            if value not in question['choices']:
                errors.append("Value %s for '%s' expected to be one of %s." % (value, name, question['choices']))
        else:
            errors.append("question type %s of '%s' is not handled here" % (kind, name))
    return errors


def launch(jobs_dir, definitions_file, project_src, playbook, inventory_file, answers_file, credential_file, env_file):
    with open(definitions_file) as f:
        definitions = yaml.load(f, Loader=Loader)
    templates = [template for template in definitions['awx_job_templates'] if template['playbook'] == playbook]
    if len(templates) != 1:
        sys.exit('no job template of %s runs %s' % (definitions_file, playbook))
    template = templates[0]
    with open(inventory_file) as f:
        inventory = json.load(f)
    with open(answers_file) as f:
        answers = json.load(f)
    with open(credential_file) as f:
        credential_inputs = json.load(f)
    with open(env_file) as f:
        task_env = json.load(f)

    spec = definitions['awx_survey_spec']['spec']
    unknown = sorted(set(answers) - set(question['variable'] for question in spec))
    # As AWX's launch form: the questions not answered keep their defaults.
    survey_vars = {q['variable']: q['default'] for q in spec if q['variable'] not in answers and 'default' in q}
    survey_vars.update(answers)
    errors = survey_errors(spec, survey_vars)
    if unknown:
        errors.append('not survey questions (AWX refuses them without "prompt on launch"): %s' % ', '.join(unknown))
    if errors:
        sys.exit('the survey answers would be refused by AWX: %s' % '; '.join(errors))

    os.makedirs(jobs_dir, exist_ok=True)
    ident = 'job-%d' % (len(glob.glob(os.path.join(jobs_dir, 'job-*'))) + 1)
    pdd = os.path.join(jobs_dir, ident)
    os.makedirs(os.path.join(pdd, 'env'))
    os.makedirs(os.path.join(pdd, 'inventory'))
    shutil.copytree(os.path.join(project_src, 'playbooks'), os.path.join(pdd, 'project', 'playbooks'),
                    ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copy(os.path.join(project_src, 'ansible.cfg'), os.path.join(pdd, 'project', 'ansible.cfg'))
    with open(os.path.join(pdd, 'inventory', 'hosts'), 'w') as f:
        json.dump(inventory, f, indent=1)

    extra_vars = dict(definitions['awx_job_template_extra_vars'])
    extra_vars.update(mark_unsafe(survey_vars))
    with open(os.path.join(pdd, 'env', 'extravars'), 'w') as f:
        yaml.dump(extra_vars, f, Dumper=Dumper, default_flow_style=False)

    # The credential's injectors, rendered like AWX's CredentialType.inject_credential.
    sandbox = ImmutableSandboxedEnvironment()
    fields = definitions['awx_credential_type_inputs']['fields']
    namespace = {field['id']: credential_inputs.get(field['id'], '') for field in fields}
    missing = [name for name in definitions['awx_credential_type_inputs'].get('required', []) if not namespace.get(name)]
    if missing:
        sys.exit('the credential lacks required inputs: %s' % ', '.join(missing))
    injected = {name: Unsafe(sandbox.from_string(template).render(**namespace))
                for name, template in definitions['awx_credential_type_injectors']['extra_vars'].items()}
    handle, path = tempfile.mkstemp(dir=os.path.join(pdd, 'env'))
    with os.fdopen(handle, 'w') as f:
        yaml.dump(injected, f, Dumper=Dumper, default_flow_style=False)
    os.chmod(path, stat.S_IRUSR)
    with open(os.path.join(pdd, 'env', 'envvars'), 'w') as f:
        json.dump(task_env, f)
    with open(os.path.join(pdd, 'env', 'cmdline'), 'w') as f:
        f.write('-u root%s -e @/runner/env/%s' % (' --become' if template['become_enabled'] else '', os.path.basename(path)))
    print(ident)


def summary(pdd, ident):
    artifacts = os.path.join(pdd, 'artifacts', ident)
    result = {'playbook': None, 'status': None, 'rc': None}
    for name in ('status', 'rc'):
        if os.path.exists(os.path.join(artifacts, name)):
            with open(os.path.join(artifacts, name)) as f:
                result[name] = f.read().strip()
    for event_file in glob.glob(os.path.join(artifacts, 'job_events', '*.json')):
        with open(event_file) as f:
            event = json.load(f)
        if event.get('event') == 'playbook_on_start':
            result['playbook'] = os.path.basename(event.get('event_data', {}).get('playbook') or '') or None
        if event.get('event') == 'playbook_on_stats':
            data = event['event_data']
            for key, name in (('ok', 'ok'), ('changed', 'changed'), ('failures', 'failures'), ('dark', 'unreachable')):
                result[name] = sum((data.get(key) or {}).values())
    print(json.dumps(result))


if __name__ == '__main__':
    if len(sys.argv) == 10 and sys.argv[1] == 'launch':
        launch(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == 'summary':
        summary(*sys.argv[2:])
    else:
        sys.exit(__doc__)
