# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of dockyard.registry.s3_bucket_check against real S3 API servers: moto in server mode, over HTTP.

Two servers are started per test session: one without authentication, and one that enforces IAM policies
(INITIAL_NO_AUTH_ACTION_COUNT=0), where users whose policy lacks one action at a time are set up.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

from unittest.mock import patch

boto3 = pytest.importorskip('boto3')
pytest.importorskip('moto.server', reason='the tests need moto[server]')

from botocore.client import BaseClient  # noqa: E402  pylint: disable=wrong-import-position
from botocore.exceptions import ClientError  # noqa: E402  pylint: disable=wrong-import-position

from ansible.module_utils import basic  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.dockyard.registry.plugins.modules import s3_bucket_check  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.dockyard.registry.tests.unit.plugins.modules import utils  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.dockyard.registry.tests.unit.plugins.modules.utils import (  # noqa: E402  pylint: disable=wrong-import-position
    AnsibleExitJson, AnsibleFailJson)

ROOT_KEYS = dict(access_key='testing', secret_key='testing')  # moto's default account, used where auth is off
WRITE_OPERATIONS = {'PutObject', 'DeleteObject', 'DeleteObjects', 'CreateMultipartUpload', 'UploadPart',
                    'AbortMultipartUpload', 'CompleteMultipartUpload', 'CreateBucket', 'CopyObject',
                    'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle'}
TIMEOUT_MARGIN = 3.0  # seconds allowed on top of the module's timeout before an unreachable endpoint fails


# --- moto servers -------------------------------------------------------------------------------------

def _free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _moto_command(port):
    script = os.path.join(os.path.dirname(sys.executable), 'moto_server')
    command = [script] if os.path.exists(script) else [sys.executable, '-m', 'moto.server']
    return command + ['-H', '127.0.0.1', '-p', str(port)]


@contextlib.contextmanager
def moto_server(**env):
    port = _free_port()
    environment = dict(os.environ, **env)
    # The server logs every request to stderr: into a file, as a pipe nobody reads fills up after a few hundred
    # requests and then blocks the server in the middle of a request.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(_moto_command(port), env=environment, stdout=subprocess.DEVNULL, stderr=log)
    url = 'http://127.0.0.1:%d' % port
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError('moto_server exited: %s' % log.read().decode(errors='replace'))
            try:
                with contextlib.closing(socket.create_connection(('127.0.0.1', port), timeout=1)):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError('moto_server did not start listening on %s' % url)
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _reset_auth(url, count):
    """moto's own switch for IAM enforcement: no authentication for the next `count` requests."""
    import urllib.request
    with urllib.request.urlopen(urllib.request.Request(url + '/moto-api/reset-auth', data=count.encode(),
                                                       headers={'Content-Type': 'text/plain'}, method='POST'),
                                timeout=10) as response:
        return json.loads(response.read())


def client(url, service='s3', region='us-east-1', access_key='testing', secret_key='testing'):
    return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id=access_key,
                        aws_secret_access_key=secret_key)


@pytest.fixture(autouse=True)
def isolated_aws_env(monkeypatch, tmp_path):
    """Keep the developer's AWS configuration and the instance metadata service out of the tests."""
    for name in list(os.environ):
        if name.startswith('AWS_'):
            monkeypatch.delenv(name)
    monkeypatch.setenv('AWS_CONFIG_FILE', str(tmp_path / 'aws-config'))
    monkeypatch.setenv('AWS_SHARED_CREDENTIALS_FILE', str(tmp_path / 'aws-credentials'))
    monkeypatch.setenv('AWS_EC2_METADATA_DISABLED', 'true')


@pytest.fixture(scope='session')
def moto_url():
    with moto_server() as url:
        yield url


@pytest.fixture
def s3(moto_url):
    return client(moto_url)


@pytest.fixture
def bucket(s3):
    name = 'dockyard-%s' % uuid.uuid4().hex[:12]
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})
    return name


# The enforcing server: one user per case, whose policy has every action the module uses but the missing ones.
# moto checks HeadBucket as its own action s3:HeadBucket (AWS checks s3:ListBucket for it).
ALL_ACTIONS = ['s3:HeadBucket', 's3:ListBucket', 's3:GetBucketLocation', 's3:PutObject', 's3:GetObject',
               's3:DeleteObject', 's3:ListBucketMultipartUploads', 's3:ListMultipartUploadParts',
               's3:AbortMultipartUpload', 's3:GetEncryptionConfiguration', 's3:GetBucketVersioning',
               's3:GetBucketPublicAccessBlock', 's3:GetLifecycleConfiguration', 's3:CreateBucket']
# case: (actions left out of the policy, action the message must name, the checks that fail, expected bucket flags)
DENIED_CASES = {
    'head-and-list': (['s3:HeadBucket', 's3:ListBucket'], 's3:ListBucket', {'exists'},
                      dict(exists=None, can_list=None, can_write=None, can_multipart=None)),
    'list': (['s3:ListBucket'], 's3:ListBucket', {'list'},
             dict(exists=True, can_list=False, can_write=True, can_read=True, can_delete=True, can_multipart=True)),
    'put': (['s3:PutObject'], 's3:PutObject', {'write', 'multipart'},
            dict(exists=True, can_list=True, can_write=False, can_read=None, can_delete=None, can_multipart=False)),
    'get': (['s3:GetObject'], 's3:GetObject', {'read'},
            dict(exists=True, can_list=True, can_write=True, can_read=False, can_delete=True, can_multipart=True)),
    'delete': (['s3:DeleteObject'], 's3:DeleteObject', {'delete'},
               dict(exists=True, can_list=True, can_write=True, can_read=True, can_delete=False, can_multipart=True)),
    'list-uploads': (['s3:ListBucketMultipartUploads'], 's3:ListBucketMultipartUploads', {'multipart'},
                     dict(can_write=True, can_read=True, can_delete=True, can_multipart=False)),
    'list-parts': (['s3:ListMultipartUploadParts'], 's3:ListMultipartUploadParts', {'multipart'},
                   dict(can_write=True, can_read=True, can_delete=True, can_multipart=False)),
    'abort': (['s3:AbortMultipartUpload'], 's3:AbortMultipartUpload', {'multipart'},
              dict(can_write=True, can_read=True, can_delete=True, can_multipart=False)),
}
IAM_BUCKET = 'dockyard-iam'
IAM_VERSIONED_BUCKET = 'dockyard-iam-versioned'
IAM_LIFECYCLE_BUCKET = 'dockyard-iam-lifecycle'
IAM_REGION = 'eu-west-1'


@pytest.fixture(scope='session')
def iam_moto():
    """The enforcing server, its bucket and users: {'url', 'users': {name: (access key, secret key)}}."""
    with moto_server(INITIAL_NO_AUTH_ACTION_COUNT='0') as url:
        _reset_auth(url, 'inf')  # set up without authentication ...
        root = client(url, region=IAM_REGION)
        for name in (IAM_BUCKET, IAM_VERSIONED_BUCKET, IAM_LIFECYCLE_BUCKET):
            root.create_bucket(Bucket=name, CreateBucketConfiguration={'LocationConstraint': IAM_REGION})
        root.put_bucket_versioning(Bucket=IAM_VERSIONED_BUCKET, VersioningConfiguration={'Status': 'Enabled'})
        iam = client(url, 'iam')
        policies = dict(('no-' + case, [a for a in ALL_ACTIONS if a not in missing])
                        for case, (missing, dummy, dummy2, dummy3) in DENIED_CASES.items())
        policies['no-create'] = [a for a in ALL_ACTIONS if a != 's3:CreateBucket']
        policies['no-get-lifecycle'] = [a for a in ALL_ACTIONS if a != 's3:GetLifecycleConfiguration']
        policies['lifecycle'] = ALL_ACTIONS + ['s3:PutLifecycleConfiguration']
        policies['all'] = ALL_ACTIONS
        policies['admin'] = ['s3:*']
        users = {}
        for name, actions in policies.items():
            iam.create_user(UserName=name)
            iam.put_user_policy(UserName=name, PolicyName='registry', PolicyDocument=json.dumps(
                {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': actions, 'Resource': '*'}]}))
            key = iam.create_access_key(UserName=name)['AccessKey']
            users[name] = (key['AccessKeyId'], key['SecretAccessKey'])
        _reset_auth(url, '0')  # ... then enforce the users' policies
        yield dict(url=url, users=users)


def iam_admin(iam_moto):
    access_key, secret_key = iam_moto['users']['admin']
    return client(iam_moto['url'], region=IAM_REGION, access_key=access_key, secret_key=secret_key)


def iam_args(iam_moto, user, **more):
    access_key, secret_key = iam_moto['users'][user]
    return dict(dict(bucket=IAM_BUCKET, region=IAM_REGION, endpoint_url=iam_moto['url'], access_key=access_key,
                     secret_key=secret_key, prefix='registry/' + user), **more)


# --- running the module -------------------------------------------------------------------------------

def call(args, expect, check_mode=False, diff=False):
    return utils.call(s3_bucket_check.main, args, expect, check_mode=check_mode, diff=diff)


def run(args, **kwargs):
    return call(args, AnsibleExitJson, **kwargs)


def fail(args, **kwargs):
    return call(args, AnsibleFailJson, **kwargs)


@contextlib.contextmanager
def api_calls(errors=None, responses=None):
    """Records the S3 operations made by any boto3 client (as (operation, params)).

    errors: {operation: ClientError response dict} to answer instead of the server.
    responses: {operation: function(response) -> response} to change the server's answer.
    """
    errors = errors or {}
    responses = responses or {}
    calls = []
    original = BaseClient._make_api_call

    def make_api_call(self, operation_name, api_params):
        calls.append((operation_name, dict(api_params)))
        if operation_name in errors:
            raise ClientError(errors[operation_name], operation_name)
        response = original(self, operation_name, api_params)
        if operation_name in responses:
            response = responses[operation_name](response)
        return response

    with patch.object(BaseClient, '_make_api_call', make_api_call):
        yield calls


def probe_objects(s3, bucket, prefix=''):
    response = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [o['Key'] for o in response.get('Contents', [])]


def uploads(s3, bucket, prefix=''):
    return s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get('Uploads', [])


def status(result):
    return dict((check['name'], check['status']) for check in result['checks'])


# --- tests against the server without authentication --------------------------------------------------

def test_all_checks_pass_and_leave_nothing_behind(moto_url, s3, bucket):
    with api_calls() as calls:
        result = run(dict(ROOT_KEYS, bucket=bucket, region='eu-west-1', endpoint_url=moto_url, prefix='/registry/'))
    assert result['changed'] is False
    info = result['bucket']
    for flag in ('exists', 'can_list', 'can_write', 'can_read', 'can_delete', 'can_multipart'):
        assert info[flag] is True, flag
    assert info['name'] == bucket
    assert info['region'] == 'eu-west-1'
    assert info['encryption'] == 'none'
    assert info['versioning'] == 'none'
    assert info['public_access_block'] == 'none'
    assert set(status(result).values()) == {'ok'}
    assert [c['name'] for c in result['checks']] == ['exists', 'region', 'list', 'write', 'read', 'delete',
                                                     'multipart', 'encryption', 'versioning', 'public_access_block',
                                                     'multipart_lifecycle']
    assert info['multipart_lifecycle'] == dict(present=False, days=None, rule_id=None, prefix=None)
    timings = info['timings']
    for name in ('head_bucket', 'list_objects_v2', 'put_object', 'get_object', 'delete_object',
                 'create_multipart_upload', 'upload_part', 'list_multipart_uploads', 'list_parts',
                 'abort_multipart_upload', 'get_bucket_encryption', 'get_bucket_versioning',
                 'get_public_access_block', 'get_bucket_lifecycle_configuration'):
        assert isinstance(timings[name], float) and 0 <= timings[name] < 10, name
    operations = [op for op, dummy in calls]
    assert 'ListBuckets' not in operations
    assert operations[0] == 'HeadBucket'
    # the probes went under the prefix, and nothing is left there (nor anywhere else)
    written = [params['Key'] for op, params in calls if op in ('PutObject', 'CreateMultipartUpload')]
    assert len(written) == 2 and all(k.startswith('registry/.dockyard-probe-') for k in written)
    listed = [params['Prefix'] for op, params in calls if op == 'ListObjectsV2']
    assert listed == ['registry/']
    assert probe_objects(s3, bucket) == []
    assert uploads(s3, bucket) == []


def test_reports_configured_settings_and_cleans_up_versions(moto_url, s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        'Rules': [{'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'AES256'}}]})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={'Status': 'Enabled'})
    block = dict(BlockPublicAcls=True, IgnorePublicAcls=True, BlockPublicPolicy=True, RestrictPublicBuckets=False)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
    result = run(dict(ROOT_KEYS, bucket=bucket, region='eu-west-1', endpoint_url=moto_url))
    info = result['bucket']
    assert info['encryption'] == 'AES256'
    assert info['versioning'] == 'Enabled'
    assert info['public_access_block'] == block
    assert info['timings']['delete_object_version'] >= 0
    versions = s3.list_object_versions(Bucket=bucket)
    assert versions.get('Versions', []) == [] and versions.get('DeleteMarkers', []) == []


def test_creates_missing_bucket_in_region(moto_url, s3):
    name = 'dockyard-new-%s' % uuid.uuid4().hex[:8]
    args = dict(ROOT_KEYS, bucket=name, region='eu-central-1', endpoint_url=moto_url, create=True)
    result = run(args)
    assert result['changed'] is True
    assert result['bucket']['exists'] is True
    assert result['bucket']['region'] == 'eu-central-1'
    assert status(result)['create'] == 'ok'
    assert result['bucket']['can_write'] is True
    assert s3.get_bucket_location(Bucket=name)['LocationConstraint'] == 'eu-central-1'
    again = run(args)
    assert again['changed'] is False
    assert 'create' not in status(again)


def test_missing_bucket_fails_without_create(moto_url, s3):
    name = 'dockyard-missing-%s' % uuid.uuid4().hex[:8]
    result = fail(dict(ROOT_KEYS, bucket=name, region='eu-west-1', endpoint_url=moto_url))
    assert result['changed'] is False
    assert result['msg'].startswith('S3 bucket %s: the bucket does not exist at %s' % (name, moto_url))
    assert 'create=true' in result['msg']
    assert result['bucket']['exists'] is False
    assert result['bucket']['can_write'] is None
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket=name)


def test_wrong_region_names_the_real_region(moto_url, bucket):
    result = fail(dict(ROOT_KEYS, bucket=bucket, region='us-west-2', endpoint_url=moto_url))
    assert 'the bucket is in region eu-west-1, not us-west-2' in result['msg']
    assert 'set region to eu-west-1' in result['msg']
    assert result['bucket']['region'] == 'eu-west-1'
    assert status(result)['region'] == 'failed'


@pytest.mark.parametrize('region', ['eu-west-1', 'us-east-1'])
def test_region_from_get_bucket_location(moto_url, s3, region):
    """Stores whose HeadBucket does not report the region are asked with GetBucketLocation (us-east-1 is empty)."""
    name = 'dockyard-loc-%s' % uuid.uuid4().hex[:8]
    kwargs = {} if region == 'us-east-1' else {'CreateBucketConfiguration': {'LocationConstraint': region}}
    s3.create_bucket(Bucket=name, **kwargs)

    def without_region(response):
        response.pop('BucketRegion', None)
        response['ResponseMetadata']['HTTPHeaders'].pop('x-amz-bucket-region', None)
        return response

    with api_calls(responses={'HeadBucket': without_region}) as calls:
        result = run(dict(ROOT_KEYS, bucket=name, region=region, endpoint_url=moto_url))
    assert 'GetBucketLocation' in [op for op, dummy in calls]
    assert result['bucket']['region'] == region
    assert 'get_bucket_location' in result['bucket']['timings']


def test_normalize_location():
    assert s3_bucket_check.normalize_location(None) == 'us-east-1'
    assert s3_bucket_check.normalize_location('') == 'us-east-1'
    assert s3_bucket_check.normalize_location('EU') == 'eu-west-1'
    assert s3_bucket_check.normalize_location('ap-south-1') == 'ap-south-1'


def test_closed_port_fails_within_timeout():
    port = _free_port()  # nothing listens there any more
    start = time.monotonic()
    result = fail(dict(ROOT_KEYS, bucket='dockyard-any', region='eu-west-1', endpoint_url='http://127.0.0.1:%d' % port,
                       timeout=2))
    elapsed = time.monotonic() - start
    assert elapsed < 2 + TIMEOUT_MARGIN
    assert 'http://127.0.0.1:%d' % port in result['msg']
    assert 'could not be reached within 2 seconds' in result['msg']
    assert result['bucket']['exists'] is None


def test_silent_endpoint_fails_within_timeout():
    """A server that accepts connections but never answers: the read timeout must end the task."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(('127.0.0.1', 0))
        sock.listen(16)
        url = 'http://127.0.0.1:%d' % sock.getsockname()[1]
        start = time.monotonic()
        result = fail(dict(ROOT_KEYS, bucket='dockyard-any', region='eu-west-1', endpoint_url=url, timeout=1))
        elapsed = time.monotonic() - start
    assert 0.9 <= elapsed < 1 + TIMEOUT_MARGIN
    assert url in result['msg'] and 'did not answer within 1 seconds' in result['msg']


def test_check_mode_makes_no_writes(moto_url, s3, bucket):
    with api_calls() as calls:
        result = run(dict(ROOT_KEYS, bucket=bucket, region='eu-west-1', endpoint_url=moto_url), check_mode=True)
    operations = set(op for op, dummy in calls)
    assert operations, 'the module made no request at all'
    assert not operations & WRITE_OPERATIONS
    assert result['changed'] is False
    info = result['bucket']
    assert info['exists'] is True and info['can_list'] is True and info['region'] == 'eu-west-1'
    for flag in ('can_write', 'can_read', 'can_delete', 'can_multipart'):
        assert info[flag] is None, flag
    assert info['encryption'] == 'none'
    checks = status(result)
    assert [checks[n] for n in ('write', 'read', 'delete', 'multipart')] == ['skipped'] * 4
    assert probe_objects(s3, bucket) == []
    assert uploads(s3, bucket) == []


def test_check_mode_create_predicts_change(moto_url, s3):
    name = 'dockyard-cm-%s' % uuid.uuid4().hex[:8]
    with api_calls() as calls:
        result = run(dict(ROOT_KEYS, bucket=name, region='eu-west-1', endpoint_url=moto_url, create=True),
                     check_mode=True)
    assert result['changed'] is True
    assert 'CreateBucket' not in [op for op, dummy in calls]
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket=name)


def test_not_implemented_settings_are_unsupported(moto_url, bucket):
    errors = {
        'GetBucketEncryption': {'Error': {'Code': 'NotImplemented', 'Message': 'not implemented'},
                                'ResponseMetadata': {'HTTPStatusCode': 501}},
        'GetPublicAccessBlock': {'Error': {'Code': '501', 'Message': 'Not Implemented'},
                                 'ResponseMetadata': {'HTTPStatusCode': 501}},
    }
    with api_calls(errors=errors):
        result = run(dict(ROOT_KEYS, bucket=bucket, region='eu-west-1', endpoint_url=moto_url))
    assert result['bucket']['encryption'] == 'unsupported'
    assert result['bucket']['public_access_block'] == 'unsupported'
    assert result['bucket']['versioning'] == 'none'
    assert status(result)['encryption'] == 'unsupported'


def test_other_setting_error_fails(moto_url, bucket):
    errors = {'GetBucketVersioning': {'Error': {'Code': 'InternalError', 'Message': 'We encountered an error'},
                                      'ResponseMetadata': {'HTTPStatusCode': 500}}}
    with api_calls(errors=errors):
        result = fail(dict(ROOT_KEYS, bucket=bucket, region='eu-west-1', endpoint_url=moto_url))
    assert 'GetBucketVersioning failed: InternalError (HTTP 500)' in result['msg']
    assert result['bucket']['can_write'] is True


def test_missing_boto3(monkeypatch):
    monkeypatch.setattr(s3_bucket_check, 'BOTO3_IMPORT_ERROR', 'Traceback: no module named boto3')
    result = fail(dict(bucket='dockyard-any', region='eu-west-1'))
    assert 'boto3' in result['msg'] and 'python3-boto3' in result['msg']


def test_default_credential_chain(moto_url, bucket, monkeypatch):
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', 'testing')
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'testing')
    result = run(dict(bucket=bucket, region='eu-west-1', endpoint_url=moto_url))
    assert result['bucket']['can_multipart'] is True


def test_no_credentials(moto_url, bucket):
    result = fail(dict(bucket=bucket, region='eu-west-1', endpoint_url=moto_url))
    assert 'no complete credentials found' in result['msg']


# --- tests against the server that enforces IAM policies ----------------------------------------------

def assert_no_secrets(result, *secrets):
    text = json.dumps(result)
    for secret in secrets:
        assert secret not in text


def test_iam_all_permissions_pass(iam_moto):
    result = run(iam_args(iam_moto, 'all'))
    assert set(status(result).values()) == {'ok'}
    assert result['bucket']['can_multipart'] is True


@pytest.mark.parametrize('case', sorted(DENIED_CASES))
def test_iam_denied_action_is_named(iam_moto, case):
    dummy, action, failed_checks, expected = DENIED_CASES[case]
    args = iam_args(iam_moto, 'no-' + case)
    result = fail(args)
    assert action in result['msg'], result['msg']
    failed = [check for check in result['checks'] if check['status'] == 'failed']
    assert set(check['name'] for check in failed) == failed_checks
    for check in failed:
        assert 'allow %s on ' % action in check['msg'], check
    assert 'arn:aws:s3:::%s' % IAM_BUCKET in result['msg']
    for flag, value in expected.items():
        assert result['bucket'][flag] is value, (flag, result['bucket'])
    assert_no_secrets(result, args['access_key'], args['secret_key'])
    # nothing left behind, unless the credentials may not remove it (then the message says what is left)
    admin = iam_admin(iam_moto)
    left = probe_objects(admin, IAM_BUCKET, args['prefix'] + '/')
    pending = uploads(admin, IAM_BUCKET, args['prefix'] + '/')
    if case == 'delete':
        assert len(left) == 1 and left[0] in result['msg']
        admin.delete_object(Bucket=IAM_BUCKET, Key=left[0])
    else:
        assert left == []
    if case == 'abort':
        assert len(pending) == 1 and pending[0]['UploadId'] in result['msg']
        admin.abort_multipart_upload(Bucket=IAM_BUCKET, Key=pending[0]['Key'], UploadId=pending[0]['UploadId'])
    else:
        assert pending == []


def test_iam_probe_removed_when_read_fails(iam_moto):
    """The user may put and delete but not get: the read fails, and the probe object is still removed."""
    args = iam_args(iam_moto, 'no-get')
    with api_calls() as calls:
        result = fail(args)
    keys = [params['Key'] for op, params in calls if op == 'PutObject']
    assert len(keys) == 1
    assert status(result)['read'] == 'failed' and status(result)['delete'] == 'ok'
    admin = iam_admin(iam_moto)
    with pytest.raises(ClientError) as exc:
        admin.head_object(Bucket=IAM_BUCKET, Key=keys[0])
    assert exc.value.response['Error']['Code'] == '404'


def test_iam_create_denied(iam_moto):
    name = 'dockyard-nocreate-%s' % uuid.uuid4().hex[:8]
    result = fail(iam_args(iam_moto, 'no-create', bucket=name, create=True))
    assert 'CreateBucket was denied' in result['msg'] and 's3:CreateBucket' in result['msg']
    assert result['changed'] is False


def test_iam_wrong_secret_key(iam_moto):
    args = iam_args(iam_moto, 'all', secret_key='wrong-' + uuid.uuid4().hex)
    result = fail(args)
    assert 'SignatureDoesNotMatch' in result['msg'] and 'secret key' in result['msg']
    assert_no_secrets(result, args['access_key'], args['secret_key'], iam_moto['users']['all'][1])


def test_iam_unknown_access_key(iam_moto):
    args = iam_args(iam_moto, 'all', access_key='AKIA' + uuid.uuid4().hex[:16].upper())
    result = fail(args)
    assert 'InvalidAccessKeyId' in result['msg'] and 'access key' in result['msg']
    assert_no_secrets(result, args['access_key'], args['secret_key'])


@pytest.mark.parametrize('source', ['options', 'environment'])
def test_credentials_in_error_answers_are_not_echoed(moto_url, bucket, monkeypatch, source):
    """AWS puts the access key (and more) into some error answers, and a store may quote it in its message."""
    access_key, secret_key = 'AKIA' + uuid.uuid4().hex[:16].upper(), uuid.uuid4().hex
    args = dict(bucket=bucket, region='eu-west-1', endpoint_url=moto_url)
    if source == 'options':
        args.update(access_key=access_key, secret_key=secret_key)
    else:
        monkeypatch.setenv('AWS_ACCESS_KEY_ID', access_key)
        monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', secret_key)
    quoting = 'key %s with secret %s was refused' % (access_key, secret_key)
    errors = {
        'ListObjectsV2': {'Error': {'Code': 'SignatureDoesNotMatch', 'Message': quoting, 'AWSAccessKeyId': access_key,
                                    'StringToSign': secret_key}, 'ResponseMetadata': {'HTTPStatusCode': 403}},
        'HeadBucket': {'Error': {'Code': '403', 'Message': 'Forbidden'}, 'ResponseMetadata': {'HTTPStatusCode': 403}},
    }
    with api_calls(errors=errors):
        result = fail(args)
    assert 'SignatureDoesNotMatch' in result['msg']
    assert_no_secrets(result, access_key, secret_key)
    errors = {'GetBucketVersioning': {'Error': {'Code': 'InternalError', 'Message': quoting},
                                      'ResponseMetadata': {'HTTPStatusCode': 500}}}
    with api_calls(errors=errors):
        result = fail(args)
    assert 'key ******** with secret ******** was refused' in result['msg']
    assert_no_secrets(result, access_key, secret_key)


def test_iam_versioned_bucket_without_delete_version_warns(iam_moto):
    """Without s3:DeleteObjectVersion the probe's versions stay in a versioned bucket: the task says so."""
    warnings = []
    args = iam_args(iam_moto, 'all', bucket=IAM_VERSIONED_BUCKET)
    with patch.object(basic.AnsibleModule, 'warn', lambda self, msg: warnings.append(msg)):
        result = run(args)
    assert result['bucket']['versioning'] == 'Enabled' and result['bucket']['can_delete'] is True
    admin = iam_admin(iam_moto)
    versions = admin.list_object_versions(Bucket=IAM_VERSIONED_BUCKET, Prefix=args['prefix'] + '/')
    left = versions.get('Versions', []) + versions.get('DeleteMarkers', [])
    assert len(left) == 2  # the probe's version and its delete marker
    assert len(warnings) == 1 and 's3:DeleteObjectVersion' in warnings[0] and left[0]['Key'] in warnings[0]
    for version in left:
        admin.delete_object(Bucket=IAM_VERSIONED_BUCKET, Key=version['Key'], VersionId=version['VersionId'])


# --- the lifecycle rule that aborts incomplete multipart uploads -------------------------------------------

OUR_RULE = s3_bucket_check.LIFECYCLE_RULE_ID
NO_RULE = dict(present=False, days=None, rule_id=None, prefix=None)


def abort_rule(rule_id, days, status='Enabled', **filters):
    """A lifecycle rule that aborts incomplete multipart uploads; FILTERS are the rule's (default: Filter={})."""
    rule = dict(ID=rule_id, Status=status, AbortIncompleteMultipartUpload=dict(DaysAfterInitiation=days))
    rule.update(filters or dict(Filter={}))
    return rule


# An unrelated rule that must survive any change the module makes.
EXPIRE_TMP = dict(ID='expire-tmp', Status='Enabled', Filter=dict(Prefix='tmp/'), Expiration=dict(Days=30))


def lifecycle_rules(s3, bucket):
    """The bucket's lifecycle rules as the store returns them; None when it has no lifecycle configuration."""
    try:
        return s3.get_bucket_lifecycle_configuration(Bucket=bucket)['Rules']
    except ClientError as exc:
        assert exc.response['Error']['Code'] == 'NoSuchLifecycleConfiguration'
        return None


def put_rules(s3, bucket, *rules):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={'Rules': list(rules)})
    return lifecycle_rules(s3, bucket)


def lifecycle_args(moto_url, bucket, **more):
    return dict(dict(ROOT_KEYS, bucket=bucket, region='eu-west-1', endpoint_url=moto_url, prefix='registry'), **more)


def operations(calls):
    return [op for op, dummy in calls]


def test_lifecycle_no_configuration(moto_url, s3, bucket):
    with api_calls() as calls:
        result = run(lifecycle_args(moto_url, bucket))
    assert 'GetBucketLifecycleConfiguration' in operations(calls)
    assert 'PutBucketLifecycleConfiguration' not in operations(calls)
    assert result['changed'] is False
    assert result['bucket']['multipart_lifecycle'] == NO_RULE
    check = [c for c in result['checks'] if c['name'] == 'multipart_lifecycle'][0]
    assert check['status'] == 'ok' and 'no enabled lifecycle rule' in check['msg'] and 'registry/' in check['msg']
    assert 'diff' not in result
    assert lifecycle_rules(s3, bucket) is None


@pytest.mark.parametrize('filters, prefix', [
    (dict(Filter={}), ''),
    (dict(Filter=dict(Prefix='')), ''),
    (dict(Filter=dict(Prefix='registry/')), 'registry/'),
    (dict(Filter=dict(Prefix='reg')), 'reg'),
    (dict(Prefix='registry'), 'registry'),
    (dict(Filter=dict(And=dict(Prefix='registry/'))), 'registry/'),
], ids=['empty-filter', 'empty-prefix', 'same-prefix', 'shorter-prefix', 'legacy-prefix', 'and-prefix'])
def test_lifecycle_covering_rule_is_reported(moto_url, s3, bucket, filters, prefix):
    put_rules(s3, bucket, EXPIRE_TMP, abort_rule('theirs', 4, **filters))
    result = run(lifecycle_args(moto_url, bucket))
    assert result['bucket']['multipart_lifecycle'] == dict(present=True, days=4, rule_id='theirs', prefix=prefix)
    assert status(result)['multipart_lifecycle'] == 'ok'
    assert result['changed'] is False


def test_lifecycle_reports_the_rule_that_aborts_soonest(moto_url, s3, bucket):
    put_rules(s3, bucket, abort_rule('slow', 9), abort_rule('fast', 2, Filter=dict(Prefix='registry/')))
    result = run(lifecycle_args(moto_url, bucket))
    assert result['bucket']['multipart_lifecycle'] == dict(present=True, days=2, rule_id='fast', prefix='registry/')


@pytest.mark.parametrize('rule', [
    abort_rule('narrower', 3, Filter=dict(Prefix='registry/docker/')),
    abort_rule('elsewhere', 3, Filter=dict(Prefix='other/')),
    abort_rule('sibling', 3, Filter=dict(Prefix='registry2/')),
    abort_rule('disabled', 3, status='Disabled'),
    abort_rule('tagged', 3, Filter=dict(Tag=dict(Key='team', Value='a'))),
    abort_rule('tagged-and', 3, Filter=dict(And=dict(Prefix='registry/', Tags=[dict(Key='team', Value='a')]))),
    dict(ID='expire-only', Status='Enabled', Filter=dict(Prefix=''), Expiration=dict(Days=30)),
], ids=lambda rule: rule['ID'])
def test_lifecycle_rule_that_does_not_count(moto_url, s3, bucket, rule):
    put_rules(s3, bucket, rule)
    result = run(lifecycle_args(moto_url, bucket))
    assert result['bucket']['multipart_lifecycle'] == NO_RULE


def test_lifecycle_rule_for_the_top_of_the_bucket_needs_an_empty_prefix(moto_url, s3, bucket):
    put_rules(s3, bucket, abort_rule('registry-only', 3, Filter=dict(Prefix='registry/')))
    result = run(lifecycle_args(moto_url, bucket, prefix=''))
    assert result['bucket']['multipart_lifecycle'] == NO_RULE
    result = run(lifecycle_args(moto_url, bucket, prefix='', abort_incomplete_multipart_days=3))
    assert result['bucket']['multipart_lifecycle'] == dict(present=True, days=3, rule_id=OUR_RULE, prefix='')
    ours = [r for r in lifecycle_rules(s3, bucket) if r['ID'] == OUR_RULE]
    assert len(ours) == 1 and ours[0]['Filter'] == dict(Prefix='')


def test_lifecycle_rule_added_keeping_the_other_rules(moto_url, s3, bucket):
    others = put_rules(s3, bucket, EXPIRE_TMP, abort_rule('disabled', 1, status='Disabled'),
                       abort_rule('elsewhere', 2, Filter=dict(Prefix='other/')))
    args = lifecycle_args(moto_url, bucket, abort_incomplete_multipart_days=5)
    with api_calls() as calls:
        result = run(args, diff=True)
    assert operations(calls).count('PutBucketLifecycleConfiguration') == 1
    assert result['changed'] is True
    wanted = dict(present=True, days=5, rule_id=OUR_RULE, prefix='registry/')
    assert result['bucket']['multipart_lifecycle'] == wanted
    assert result['diff'] == dict(before=dict(multipart_lifecycle=NO_RULE), after=dict(multipart_lifecycle=wanted))
    assert 'timings' in result['bucket'] and 'put_bucket_lifecycle_configuration' in result['bucket']['timings']
    rules = lifecycle_rules(s3, bucket)
    assert rules[:3] == others  # every earlier rule, unchanged and in its place
    assert rules[3] == dict(ID=OUR_RULE, Status='Enabled', Filter=dict(Prefix='registry/'),
                            AbortIncompleteMultipartUpload=dict(DaysAfterInitiation=5))
    assert len(rules) == 4
    # the second run finds the rule and writes nothing
    with api_calls() as calls:
        again = run(args, diff=True)
    assert again['changed'] is False
    assert 'PutBucketLifecycleConfiguration' not in operations(calls)
    assert again['bucket']['multipart_lifecycle'] == wanted
    assert again['diff']['before'] == again['diff']['after']
    assert lifecycle_rules(s3, bucket) == rules


def test_lifecycle_rule_added_to_a_bucket_without_configuration(moto_url, s3, bucket):
    result = run(lifecycle_args(moto_url, bucket, abort_incomplete_multipart_days=7))
    assert result['changed'] is True
    assert lifecycle_rules(s3, bucket) == [dict(ID=OUR_RULE, Status='Enabled', Filter=dict(Prefix='registry/'),
                                                AbortIncompleteMultipartUpload=dict(DaysAfterInitiation=7))]
    assert status(result)['multipart_lifecycle'] == 'ok'


def test_lifecycle_covering_rule_of_another_id_is_left_alone(moto_url, s3, bucket):
    before = put_rules(s3, bucket, abort_rule('theirs', 10, Filter=dict(Prefix='registry/')))
    with api_calls() as calls:
        result = run(lifecycle_args(moto_url, bucket, abort_incomplete_multipart_days=3))
    assert result['changed'] is False
    assert 'PutBucketLifecycleConfiguration' not in operations(calls)
    theirs = dict(present=True, days=10, rule_id='theirs', prefix='registry/')
    assert result['bucket']['multipart_lifecycle'] == theirs
    assert lifecycle_rules(s3, bucket) == before


@pytest.mark.parametrize('ours', [
    abort_rule(OUR_RULE, 10, Filter=dict(Prefix='registry/')),
    abort_rule(OUR_RULE, 3, status='Disabled', Filter=dict(Prefix='registry/')),
    abort_rule(OUR_RULE, 3, Filter=dict(Prefix='old-root/')),
], ids=['days', 'disabled', 'prefix'])
def test_lifecycle_own_rule_is_updated(moto_url, s3, bucket, ours):
    put_rules(s3, bucket, EXPIRE_TMP, ours, abort_rule('elsewhere', 2, Filter=dict(Prefix='other/')))
    before = lifecycle_rules(s3, bucket)
    args = lifecycle_args(moto_url, bucket, abort_incomplete_multipart_days=3)
    result = run(args, diff=True)
    assert result['changed'] is True
    wanted = dict(present=True, days=3, rule_id=OUR_RULE, prefix='registry/')
    assert result['bucket']['multipart_lifecycle'] == wanted
    assert result['diff']['after'] == dict(multipart_lifecycle=wanted)
    rules = lifecycle_rules(s3, bucket)
    assert [r['ID'] for r in rules] == ['expire-tmp', OUR_RULE, 'elsewhere']
    assert rules[0] == before[0] and rules[2] == before[2]
    assert rules[1] == dict(ID=OUR_RULE, Status='Enabled', Filter=dict(Prefix='registry/'),
                            AbortIncompleteMultipartUpload=dict(DaysAfterInitiation=3))
    assert run(args)['changed'] is False


def test_lifecycle_diff_shows_the_days_before_and_after(moto_url, s3, bucket):
    put_rules(s3, bucket, abort_rule(OUR_RULE, 10, Filter=dict(Prefix='registry/')))
    result = run(lifecycle_args(moto_url, bucket, abort_incomplete_multipart_days=4), diff=True)
    assert result['diff']['before']['multipart_lifecycle']['days'] == 10
    assert result['diff']['after']['multipart_lifecycle']['days'] == 4


def test_lifecycle_check_mode_writes_nothing(moto_url, s3, bucket):
    before = put_rules(s3, bucket, EXPIRE_TMP)
    with api_calls() as calls:
        result = run(lifecycle_args(moto_url, bucket, abort_incomplete_multipart_days=5), check_mode=True, diff=True)
    assert not set(operations(calls)) & WRITE_OPERATIONS
    assert 'GetBucketLifecycleConfiguration' in operations(calls)
    assert result['changed'] is True
    assert result['bucket']['multipart_lifecycle'] == NO_RULE  # the bucket as it is
    assert result['diff']['after']['multipart_lifecycle'] == dict(present=True, days=5, rule_id=OUR_RULE,
                                                                  prefix='registry/')
    check = [c for c in result['checks'] if c['name'] == 'multipart_lifecycle'][0]
    assert check['status'] == 'ok' and 'would be written' in check['msg']
    assert lifecycle_rules(s3, bucket) == before


def test_lifecycle_check_mode_without_change(moto_url, s3, bucket):
    put_rules(s3, bucket, abort_rule(OUR_RULE, 5, Filter=dict(Prefix='registry/')))
    result = run(lifecycle_args(moto_url, bucket, abort_incomplete_multipart_days=5), check_mode=True)
    assert result['changed'] is False


def test_lifecycle_other_read_error_fails(moto_url, bucket):
    error = {'Code': 'InternalError', 'Message': 'We encountered an error'}
    errors = {'GetBucketLifecycleConfiguration': {'Error': error, 'ResponseMetadata': {'HTTPStatusCode': 500}}}
    with api_calls(errors=errors):
        result = fail(lifecycle_args(moto_url, bucket))
    assert 'GetBucketLifecycleConfiguration failed: InternalError (HTTP 500)' in result['msg']
    assert result['bucket']['multipart_lifecycle']['present'] is None


@pytest.mark.parametrize('days', [0, 3])
def test_lifecycle_not_implemented(moto_url, bucket, days):
    errors = {'GetBucketLifecycleConfiguration': {'Error': {'Code': 'NotImplemented', 'Message': 'no'},
                                                  'ResponseMetadata': {'HTTPStatusCode': 501}}}
    with api_calls(errors=errors) as calls:
        result = call(lifecycle_args(moto_url, bucket, abort_incomplete_multipart_days=days),
                      AnsibleFailJson if days else AnsibleExitJson)
    assert result['bucket']['multipart_lifecycle']['present'] is None
    assert 'PutBucketLifecycleConfiguration' not in operations(calls)
    if days:
        assert 'abort_incomplete_multipart_days to 0' in result['msg']
    else:
        assert status(result)['multipart_lifecycle'] == 'unsupported'


def test_lifecycle_negative_days_fail(moto_url, bucket):
    result = fail(lifecycle_args(moto_url, bucket, abort_incomplete_multipart_days=-1))
    assert 'abort_incomplete_multipart_days' in result['msg']


@pytest.mark.parametrize('rule, prefix', [
    (dict(Filter=dict(Prefix='a/')), 'a/'),
    (dict(Prefix='a/'), 'a/'),
    (dict(), ''),
    (dict(Filter=dict(And=dict(Prefix='a/', ObjectSizeGreaterThan=100))), None),
    (dict(Filter=dict(ObjectSizeLessThan=100)), None),
    (dict(Filter=dict(And=dict(Tags=[dict(Key='k', Value='v')]))), None),
])
def test_rule_prefix(rule, prefix):
    assert s3_bucket_check.rule_prefix(rule) == prefix


def test_lifecycle_iam_read_denied_warns(iam_moto):
    warnings = []
    args = iam_args(iam_moto, 'no-get-lifecycle', bucket=IAM_LIFECYCLE_BUCKET)
    with patch.object(basic.AnsibleModule, 'warn', lambda self, msg: warnings.append(msg)):
        result = run(args)
    assert result['bucket']['multipart_lifecycle'] == dict(present=None, days=None, rule_id=None, prefix=None)
    assert status(result)['multipart_lifecycle'] == 'denied'
    assert len(warnings) == 1 and 's3:GetLifecycleConfiguration' in warnings[0]
    assert result['bucket']['can_multipart'] is True


def test_lifecycle_iam_read_denied_fails_when_a_rule_is_wanted(iam_moto):
    admin = iam_admin(iam_moto)
    before = put_rules(admin, IAM_LIFECYCLE_BUCKET, EXPIRE_TMP)
    args = iam_args(iam_moto, 'no-get-lifecycle', bucket=IAM_LIFECYCLE_BUCKET, abort_incomplete_multipart_days=3)
    with api_calls() as calls:
        result = fail(args)
    assert 's3:GetLifecycleConfiguration' in result['msg'] and 'existing rules' in result['msg']
    assert 'PutBucketLifecycleConfiguration' not in operations(calls)
    assert result['changed'] is False
    assert lifecycle_rules(admin, IAM_LIFECYCLE_BUCKET) == before


def test_lifecycle_iam_write_denied_names_the_permission(iam_moto):
    admin = iam_admin(iam_moto)
    before = put_rules(admin, IAM_LIFECYCLE_BUCKET, EXPIRE_TMP)
    args = iam_args(iam_moto, 'all', bucket=IAM_LIFECYCLE_BUCKET, abort_incomplete_multipart_days=3)
    result = fail(args)
    assert 'PutBucketLifecycleConfiguration was denied' in result['msg']
    assert 's3:PutLifecycleConfiguration' in result['msg']
    assert 'arn:aws:s3:::%s' % IAM_LIFECYCLE_BUCKET in result['msg']
    assert result['changed'] is False
    assert status(result)['multipart_lifecycle'] == 'failed'
    assert result['bucket']['multipart_lifecycle'] == NO_RULE
    assert lifecycle_rules(admin, IAM_LIFECYCLE_BUCKET) == before
    assert_no_secrets(result, args['access_key'], args['secret_key'])


def test_lifecycle_iam_write_allowed(iam_moto):
    admin = iam_admin(iam_moto)
    put_rules(admin, IAM_LIFECYCLE_BUCKET, EXPIRE_TMP)
    args = iam_args(iam_moto, 'lifecycle', bucket=IAM_LIFECYCLE_BUCKET, abort_incomplete_multipart_days=3)
    result = run(args)
    assert result['changed'] is True
    rules = lifecycle_rules(admin, IAM_LIFECYCLE_BUCKET)
    assert [r['ID'] for r in rules] == ['expire-tmp', OUR_RULE]
    assert rules[1]['Filter'] == dict(Prefix=args['prefix'] + '/')
    assert run(args)['changed'] is False
