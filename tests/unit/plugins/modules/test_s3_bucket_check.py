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
                    'AbortMultipartUpload', 'CompleteMultipartUpload', 'CreateBucket', 'CopyObject'}
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
               's3:GetBucketPublicAccessBlock', 's3:CreateBucket']
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
IAM_REGION = 'eu-west-1'


@pytest.fixture(scope='session')
def iam_moto():
    """The enforcing server, its bucket and users: {'url', 'users': {name: (access key, secret key)}}."""
    with moto_server(INITIAL_NO_AUTH_ACTION_COUNT='0') as url:
        _reset_auth(url, 'inf')  # set up without authentication ...
        root = client(url, region=IAM_REGION)
        for name in (IAM_BUCKET, IAM_VERSIONED_BUCKET):
            root.create_bucket(Bucket=name, CreateBucketConfiguration={'LocationConstraint': IAM_REGION})
        root.put_bucket_versioning(Bucket=IAM_VERSIONED_BUCKET, VersioningConfiguration={'Status': 'Enabled'})
        iam = client(url, 'iam')
        policies = dict(('no-' + case, [a for a in ALL_ACTIONS if a not in missing])
                        for case, (missing, dummy, dummy2, dummy3) in DENIED_CASES.items())
        policies['no-create'] = [a for a in ALL_ACTIONS if a != 's3:CreateBucket']
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

def call(args, expect, check_mode=False):
    return utils.call(s3_bucket_check.main, args, expect, check_mode=check_mode)


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
                                                     'multipart', 'encryption', 'versioning', 'public_access_block']
    timings = info['timings']
    for name in ('head_bucket', 'list_objects_v2', 'put_object', 'get_object', 'delete_object',
                 'create_multipart_upload', 'upload_part', 'list_multipart_uploads', 'list_parts',
                 'abort_multipart_upload', 'get_bucket_encryption', 'get_bucket_versioning',
                 'get_public_access_block'):
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
