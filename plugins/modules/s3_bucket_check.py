#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: s3_bucket_check
short_description: Check that an S3 bucket is usable as Docker registry storage
version_added: 0.1.0
description:
  - Checks, with the credentials the registry will use, that an S3 (or S3-compatible) bucket exists in the expected
    region and that the registry can list, write, read and delete objects under its root directory and run
    multipart uploads there. Problems are found before the registry's first push, with a message that says what
    to fix (for example the IAM action that is missing).
  - Only the bucket itself is touched. Unlike M(amazon.aws.s3_bucket_info) it never lists the account's buckets,
    so it works for credentials that are limited to one bucket.
  - "The checks, each reported in RV(checks) and RV(bucket): the bucket exists (C(HeadBucket)); its region is
    O(region); C(ListObjectsV2) under O(prefix); a probe object can be put, read back byte for byte and deleted;
    a multipart upload can be started, a part uploaded, the upload listed (C(ListMultipartUploads), C(ListParts))
    and aborted; the bucket's default encryption, versioning and public access block settings are read; the
    bucket's lifecycle configuration is read to find a rule that aborts incomplete multipart uploads under O(prefix)."
  - "With O(abort_incomplete_multipart_days) greater than 0 the module makes sure such a rule exists: when none covers
    O(prefix) it adds one, with the ID C(dockyard-abort-incomplete-multipart), keeping every other rule of the
    bucket's lifecycle configuration. This is the only change it makes to an existing bucket."
  - The probe objects are named C(<prefix>/.dockyard-probe-<random>). They are always deleted, and the multipart
    upload is always aborted, even when a later step fails. In a versioned bucket the probe's versions and delete
    marker are removed as well where the credentials allow it (C(s3:DeleteObjectVersion)); otherwise a warning says
    that they remain.
  - The task fails when any check fails, with one message per problem; RV(bucket) and RV(checks) are returned in that
    case too. Settings that the store does not implement (HTTP 501 C(NotImplemented)) are reported as V(unsupported);
    settings the credentials may not read are reported as V(denied) with a warning, as the registry does not need them.
  - Every request is limited to O(timeout) seconds and is not retried, so an unreachable endpoint fails the task
    within O(timeout) seconds.
author:
  - dockyard.registry contributors (!UNKNOWN)
requirements:
  - boto3 and botocore (the Python libraries, on the managed node; C(python3-boto3) on Debian and Ubuntu)
options:
  bucket:
    description:
      - Name of the bucket.
    type: str
    required: true
  region:
    description:
      - The region the bucket must be in, as the registry's C(storage.s3.region) setting.
      - The task fails, naming the bucket's real region, when it is elsewhere.
      - For S3-compatible stores use the region they report (often V(us-east-1)).
    type: str
    required: true
  endpoint_url:
    description:
      - URL of an S3-compatible store, for example V(https://minio.example.com:9000), as the registry's
        C(storage.s3.regionendpoint) setting.
      - When set, path-style addressing is used (C(https://host/bucket/key)), which S3-compatible stores support.
      - When not set, the AWS S3 endpoint of O(region) is used.
    type: str
  access_key:
    description:
      - Access key ID.
      - When neither O(access_key) nor O(profile) is set, the default boto3 credential chain is used
        (environment variables, shared credentials and config files, container or EC2 instance role).
      - Never shown in output or error messages.
    type: str
  secret_key:
    description:
      - Secret access key. Required with O(access_key).
    type: str
  session_token:
    description:
      - Session token, for temporary credentials.
    type: str
  profile:
    description:
      - Name of a profile in the shared AWS config and credentials files, instead of O(access_key).
    type: str
  prefix:
    description:
      - The registry's root directory in the bucket (C(storage.s3.rootdirectory)), without leading or trailing
        slashes (they are ignored).
      - Listing is done under this prefix and the probe objects are created under it, so the check works for
        credentials that are limited to that prefix.
      - Empty means the top of the bucket.
    type: str
    default: ''
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the endpoint.
    type: bool
    default: true
  ca_bundle:
    description:
      - Path of a PEM file with the CA certificates to verify the endpoint with, instead of the default ones.
      - Ignored when O(validate_certs=false).
    type: path
  create:
    description:
      - Create the bucket in O(region) when it does not exist.
      - When V(false), a missing bucket fails the task.
    type: bool
    default: false
  abort_incomplete_multipart_days:
    description:
      - "When greater than 0: make sure the bucket has a lifecycle rule that aborts multipart uploads under O(prefix)
        that are not finished this many days after they started (C(AbortIncompleteMultipartUpload)). Interrupted
        pushes otherwise leave their parts in the bucket, invisible to listings and billed, forever."
      - "When no enabled rule covers O(prefix) yet, the rule C(dockyard-abort-incomplete-multipart) is added, with the
        filter prefix O(prefix) followed by C(/) (empty when O(prefix) is empty). The bucket's lifecycle configuration
        is read, the rule added and the whole configuration written back, so every existing rule is kept."
      - An existing enabled rule of another ID that covers O(prefix) is left as it is, whatever its number of days.
        The rule C(dockyard-abort-incomplete-multipart) itself is updated when its days, status or filter differ.
      - Needs C(s3:GetLifecycleConfiguration) and C(s3:PutLifecycleConfiguration). Without the first the task fails
        (writing the configuration without reading it would drop the existing rules).
      - V(0) changes nothing; the rule is only reported in RV(bucket.multipart_lifecycle).
    type: int
    default: 0
    version_added: 0.2.0
  timeout:
    description:
      - Connect timeout and read timeout of every request, in seconds.
      - Requests are not retried, so a check fails within this time when the endpoint does not answer.
    type: int
    default: 10
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: partial
    details:
      - In check mode only the read-only checks run (exists, region, list and the settings). Put, read, delete,
        multipart and bucket creation are skipped and reported as V(null) (and V(skipped) in RV(checks)).
      - With O(create=true) and a missing bucket, check mode reports C(changed=true) and skips the other checks.
      - With O(abort_incomplete_multipart_days), check mode reports C(changed=true) when the lifecycle rule would be
        added or updated, and writes nothing; RV(bucket.multipart_lifecycle) then shows the bucket as it is.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: partial
    details:
      - Only for the lifecycle rule of O(abort_incomplete_multipart_days) - the diff shows RV(bucket.multipart_lifecycle)
        before and after (its days, rule ID and prefix).
notes:
  - "The permissions needed, on C(arn:aws:s3:::<bucket>): C(s3:ListBucket) (also used by C(HeadBucket)),
    C(s3:ListBucketMultipartUploads), and C(s3:GetBucketLocation) where C(HeadBucket) does not report the region;
    on C(arn:aws:s3:::<bucket>/<prefix>/*): C(s3:PutObject) (also for multipart uploads), C(s3:GetObject),
    C(s3:DeleteObject), C(s3:ListMultipartUploadParts) and C(s3:AbortMultipartUpload). These are the permissions
    the registry needs too. O(create=true) needs C(s3:CreateBucket)."
  - Reading the settings needs C(s3:GetEncryptionConfiguration), C(s3:GetBucketVersioning),
    C(s3:GetBucketPublicAccessBlock) and C(s3:GetLifecycleConfiguration); without them the settings are reported as
    V(denied) and the task does not fail (except with O(abort_incomplete_multipart_days) greater than 0, which also
    needs C(s3:PutLifecycleConfiguration)).
seealso:
  - module: amazon.aws.s3_bucket_info
  - name: The registry's S3 storage driver
    description: Its settings and the IAM policy it needs.
    link: https://distribution.github.io/distribution/storage-drivers/s3/
"""

EXAMPLES = r"""
- name: Check the registry bucket on AWS with the instance role of the host
  dockyard.registry.s3_bucket_check:
    bucket: example-registry
    region: eu-central-1
    prefix: registry

- name: Check a bucket on an S3-compatible store with keys
  dockyard.registry.s3_bucket_check:
    bucket: registry
    region: us-east-1
    endpoint_url: https://minio.example.com:9000
    access_key: "{{ registry_s3_access_key }}"
    secret_key: "{{ registry_s3_secret_key }}"
    ca_bundle: /etc/ssl/certs/example-ca.pem
    timeout: 5

- name: Create the bucket when it is missing, then check it
  dockyard.registry.s3_bucket_check:
    bucket: example-registry
    region: eu-west-1
    profile: registry
    create: true
  register: registry_bucket

- name: Check the bucket and make sure interrupted uploads under registry/ are aborted after 7 days
  dockyard.registry.s3_bucket_check:
    bucket: example-registry
    region: eu-central-1
    prefix: registry
    abort_incomplete_multipart_days: 7

- name: Show whether the bucket is encrypted
  ansible.builtin.debug:
    msg: "Default encryption: {{ registry_bucket.bucket.encryption }}"
"""

RETURN = r"""
bucket:
  description: The results of the checks. V(null) means the check was skipped (check mode, or an earlier step failed).
  returned: always
  type: dict
  contains:
    name:
      description: Name of the bucket.
      type: str
      sample: example-registry
    exists:
      description: Whether the bucket exists (after creating it, with O(create=true)).
      type: bool
      sample: true
    region:
      description: The bucket's region, as reported by the store. V(null) if it could not be found out.
      type: str
      sample: eu-west-1
    can_list:
      description: Whether objects under O(prefix) can be listed.
      type: bool
      sample: true
    can_write:
      description: Whether the probe object could be put.
      type: bool
      sample: true
    can_read:
      description: Whether the probe object could be read back with the content that was written.
      type: bool
      sample: true
    can_delete:
      description: Whether the probe object could be deleted.
      type: bool
      sample: true
    can_multipart:
      description: Whether a multipart upload could be started, given a part, listed and aborted.
      type: bool
      sample: true
    encryption:
      description:
        - The default server-side encryption algorithm, for example V(AES256) or V(aws:kms).
        - V(none) if the bucket has none configured, V(unsupported) if the store does not implement it,
          V(denied) if the credentials may not read it, V(null) if not checked.
      type: str
      sample: AES256
    versioning:
      description:
        - The versioning status, V(Enabled) or V(Suspended); V(none) if versioning was never enabled.
        - V(unsupported), V(denied) or V(null) as for RV(bucket.encryption).
      type: str
      sample: none
    public_access_block:
      description:
        - The bucket's public access block settings, a dictionary with the keys C(BlockPublicAcls),
          C(IgnorePublicAcls), C(BlockPublicPolicy) and C(RestrictPublicBuckets).
        - The string V(none) if none is configured, V(unsupported), V(denied) or V(null) as for
          RV(bucket.encryption).
      type: raw
      sample:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: true
        RestrictPublicBuckets: true
    multipart_lifecycle:
      description:
        - The lifecycle rule that aborts incomplete multipart uploads under O(prefix), after the task's change (if
          any; in check mode, as the bucket is).
        - A rule counts when it is C(Enabled), has C(AbortIncompleteMultipartUpload.DaysAfterInitiation), and its
          filter covers O(prefix) - its prefix (C(Prefix), C(Filter.Prefix) or C(Filter.And.Prefix)) is empty or a
          prefix of O(prefix) followed by C(/). Rules that also filter by tags or object size do not count.
        - When several rules count, the one with the fewest days is reported.
      type: dict
      contains:
        present:
          description:
            - Whether such a rule exists. V(false) also when the bucket has no lifecycle configuration.
            - V(null) if it could not be found out (the credentials may not read the configuration, which gives a
              warning; the store does not implement it; or the check was skipped).
          type: bool
          sample: true
        days:
          description: The rule's C(DaysAfterInitiation), V(null) when there is no rule.
          type: int
          sample: 7
        rule_id:
          description: The rule's ID, V(null) when there is no rule.
          type: str
          sample: dockyard-abort-incomplete-multipart
        prefix:
          description: The prefix of the rule's filter (V('') for the whole bucket), V(null) when there is no rule.
          type: str
          sample: registry/
      sample:
        present: true
        days: 7
        rule_id: dockyard-abort-incomplete-multipart
        prefix: registry/
    timings:
      description: Duration of every S3 request that was made, in seconds, by operation.
      type: dict
      sample:
        head_bucket: 0.012
        list_objects_v2: 0.008
        put_object: 0.011
        get_object: 0.006
        delete_object: 0.007
diff:
  description: >-
    In diff mode, when the lifecycle configuration was read with O(abort_incomplete_multipart_days) greater than 0,
    RV(bucket.multipart_lifecycle) before and after the change.
  returned: in diff mode with O(abort_incomplete_multipart_days) greater than 0, when the lifecycle configuration was read
  type: dict
  sample:
    before:
      multipart_lifecycle:
        present: false
        days: null
        rule_id: null
        prefix: null
    after:
      multipart_lifecycle:
        present: true
        days: 7
        rule_id: dockyard-abort-incomplete-multipart
        prefix: registry/
checks:
  description: One entry per check, in the order they ran.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: >-
        The check: V(exists), V(create), V(region), V(list), V(write), V(read), V(delete), V(multipart),
        V(encryption), V(versioning), V(public_access_block) or V(multipart_lifecycle).
      type: str
      sample: write
    status:
      description: V(ok), V(failed), V(skipped), V(unsupported) or V(denied) (the last two only for settings).
      type: str
      sample: failed
    msg:
      description: What went wrong and what to fix, or why the check was skipped. Empty when the check passed.
      type: str
      sample: >-
        PutObject was denied (AccessDenied): allow s3:PutObject on arn:aws:s3:::example-registry/registry/* for
        these credentials (or remove the Deny in a bucket policy).
  sample:
    - name: exists
      status: ok
      msg: ''
    - name: write
      status: failed
      msg: >-
        PutObject was denied (AccessDenied): allow s3:PutObject on arn:aws:s3:::example-registry/registry/* for
        these credentials (or remove the Deny in a bucket policy).
"""

import time
import traceback
import uuid

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

BOTO3_IMPORT_ERROR = None
try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, NoCredentialsError
    from botocore.exceptions import PartialCredentialsError, ProfileNotFound
    from botocore.exceptions import ConnectionError as BotoConnectionError, SSLError as BotoSSLError
except ImportError:
    BOTO3_IMPORT_ERROR = traceback.format_exc()

PROBE_NAME = '.dockyard-probe-'
LIFECYCLE_RULE_ID = 'dockyard-abort-incomplete-multipart'

DENIED_CODES = frozenset(['AccessDenied', 'Forbidden', '403', 'AllAccessDisabled'])
UNSUPPORTED_CODES = frozenset(['NotImplemented', '501', 'MethodNotAllowed', '405', 'XNotImplemented'])
MISSING_CODES = frozenset(['NoSuchBucket', '404', 'NotFound'])
CREDENTIAL_CODES = {
    'InvalidAccessKeyId': 'the access key is not known to the store (InvalidAccessKeyId): check the access key '
                          '(option access_key, or the credentials found by the default chain)',
    'SignatureDoesNotMatch': 'the request signature does not match (SignatureDoesNotMatch): the secret key does not '
                             'belong to the access key; check the secret key (option secret_key, or the default chain)',
    'InvalidToken': 'the session token is not valid (InvalidToken): check session_token',
    'InvalidClientTokenId': 'the access key or session token is not valid (InvalidClientTokenId)',
    'ExpiredToken': 'the session token has expired (ExpiredToken): get new temporary credentials',
    'TokenRefreshRequired': 'the session token must be refreshed (TokenRefreshRequired): get new temporary credentials',
    'InvalidSecurity': 'the security credentials are not valid (InvalidSecurity)',
    'RequestTimeTooSkewed': "the managed node's clock is too far off the store's (RequestTimeTooSkewed): "
                            "synchronise it (NTP)",
}


class StopChecks(Exception):
    """A problem after which no further request makes sense (unreachable endpoint, bad credentials)."""


def normalize_location(location):
    """GetBucketLocation's LocationConstraint as a region name (us-east-1 is empty, EU is eu-west-1)."""
    if not location:
        return 'us-east-1'
    if location == 'EU':
        return 'eu-west-1'
    return location


def _partition(region):
    if region.startswith('cn-'):
        return 'aws-cn'
    if region.startswith('us-gov-'):
        return 'aws-us-gov'
    return 'aws'


def _error_info(exc):
    response = getattr(exc, 'response', None) or {}
    error = response.get('Error') or {}
    meta = response.get('ResponseMetadata') or {}
    headers = meta.get('HTTPHeaders') or {}
    return str(error.get('Code') or ''), meta.get('HTTPStatusCode'), error, headers


class BucketChecker(object):

    def __init__(self, module):
        self.module = module
        params = module.params
        self.bucket_name = params['bucket']
        self.region = params['region']
        self.prefix = (params['prefix'] or '').strip('/')
        self.timeout = params['timeout']
        self.check_mode = module.check_mode
        self.changed = False
        self.secrets = [v for v in (params['access_key'], params['secret_key'], params['session_token']) if v]
        self.timings = {}
        self.checks = []
        self.bucket = dict(
            name=self.bucket_name, exists=None, region=None, can_list=None, can_write=None, can_read=None,
            can_delete=None, can_multipart=None, encryption=None, versioning=None, public_access_block=None,
            multipart_lifecycle=unknown_lifecycle(), timings=self.timings,
        )
        self.abort_days = params['abort_incomplete_multipart_days']
        self.diff = None
        self.session = None
        self.client = None
        self.endpoint = params['endpoint_url']

    # ---- helpers -------------------------------------------------------------------------------------

    def scrub(self, text):
        """Replace any credential in a text that goes into the output."""
        text = str(text)
        for secret in self.secrets:
            text = text.replace(secret, '********')
        return text

    def add_check(self, name, status, msg=''):
        self.checks.append(dict(name=name, status=status, msg=self.scrub(msg)))

    def arn(self, key=None):
        resource = self.bucket_name
        if key is not None:
            resource += '/' + key
        return 'arn:%s:s3:::%s' % (_partition(self.region), resource)

    def object_arn(self):
        return self.arn((self.prefix + '/*') if self.prefix else '*')

    def call(self, timing_name, method, **kwargs):
        start = time.monotonic()
        try:
            return getattr(self.client, method)(**kwargs)
        finally:
            self.timings[timing_name] = round(time.monotonic() - start, 3)

    def explain(self, exc, operation, action, resource):
        """Message for a failed request, and whether it stops all further checks."""
        if isinstance(exc, (BotoConnectionError, HTTPClientError)):
            what = 'did not answer' if isinstance(exc, HTTPClientError) else 'could not be reached'
            hint = ', and its TLS certificate (validate_certs, ca_bundle)' if isinstance(exc, BotoSSLError) else ''
            return ('the S3 endpoint %s %s within %s seconds (%s during %s): check endpoint_url, DNS, firewall and '
                    'proxy settings%s' % (self.endpoint, what, self.timeout, type(exc).__name__, operation, hint)), True
        if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
            return ('no complete credentials found: set access_key and secret_key, or profile, or provide them '
                    'through the environment or an instance role'), True
        if not isinstance(exc, ClientError):
            return '%s failed: %s' % (operation, self.scrub(exc)), False
        code, status, error, headers = _error_info(exc)
        if code in CREDENTIAL_CODES:
            return '%s failed: %s' % (operation, CREDENTIAL_CODES[code]), True
        real_region = headers.get('x-amz-bucket-region') or error.get('Region')
        if code in ('PermanentRedirect', 'AuthorizationHeaderMalformed', '301') and real_region:
            return self.region_message(real_region), True
        if code in DENIED_CODES:
            return ('%s was denied (%s): allow %s on %s for these credentials (or remove the Deny in a bucket '
                    'policy)' % (operation, code, action, resource)), False
        return '%s failed: %s (HTTP %s): %s' % (operation, code, status, self.scrub(error.get('Message') or '')), False

    def failed(self, check, exc, operation, action, resource, suffix=''):
        """Records a failed check; raises StopChecks when no further request makes sense."""
        msg, fatal = self.explain(exc, operation, action, resource)
        self.add_check(check, 'failed', msg + suffix)
        if fatal:
            raise StopChecks(msg + suffix)

    def region_message(self, real_region):
        return ('the bucket is in region %s, not %s: set region to %s (the registry needs the right region too)'
                % (real_region, self.region, real_region))

    # ---- the checks ----------------------------------------------------------------------------------

    def connect(self):
        params = self.module.params
        try:
            self.session = boto3.session.Session(
                aws_access_key_id=params['access_key'], aws_secret_access_key=params['secret_key'],
                aws_session_token=params['session_token'], profile_name=params['profile'], region_name=self.region)
        except ProfileNotFound:
            raise StopChecks('profile %s is not in the AWS config or credentials files' % params['profile'])
        config = Config(
            connect_timeout=self.timeout, read_timeout=self.timeout,
            retries={'max_attempts': 1, 'mode': 'standard'},
            s3={'addressing_style': 'path'} if params['endpoint_url'] else None,
        )
        verify = params['validate_certs']
        if verify and params['ca_bundle']:
            verify = params['ca_bundle']
        try:
            self.client = self.session.client('s3', endpoint_url=params['endpoint_url'], verify=verify, config=config)
        except (BotoCoreError, ValueError) as exc:
            raise StopChecks('cannot set up the S3 client: %s' % self.scrub(exc))
        self.endpoint = self.client.meta.endpoint_url
        credentials = self.session.get_credentials()
        if credentials is not None:
            self.secrets.extend(v for v in (credentials.access_key, credentials.secret_key, credentials.token) if v)

    def head_bucket(self, timing_name):
        """Returns (exists, region reported by HeadBucket or None); raises StopChecks if the bucket is unusable."""
        try:
            response = self.call(timing_name, 'head_bucket', Bucket=self.bucket_name)
        except (BotoCoreError, ClientError) as exc:
            code, dummy, dummy2, headers = _error_info(exc)
            real_region = headers.get('x-amz-bucket-region')
            if code in MISSING_CODES:
                return False, None
            if real_region and real_region != self.region and code in ('301', '400', 'PermanentRedirect'):
                return True, real_region
            if code in DENIED_CODES:
                # HEAD answers have no body, so a bad key and a missing permission look the same: ask again
                # with a request whose answer says which it is.
                self.diagnose_forbidden_head()
            self.failed('exists', exc, 'HeadBucket', 's3:ListBucket', self.arn())
            raise StopChecks(self.checks[-1]['msg'])
        headers = response.get('ResponseMetadata', {}).get('HTTPHeaders', {})
        return True, response.get('BucketRegion') or headers.get('x-amz-bucket-region')

    def diagnose_forbidden_head(self):
        try:
            self.client.list_objects_v2(Bucket=self.bucket_name, Prefix=self.list_prefix(), MaxKeys=1)
        except (BotoCoreError, ClientError) as exc:
            if _error_info(exc)[0] not in DENIED_CODES:
                self.failed('exists', exc, 'HeadBucket', 's3:ListBucket', self.arn())
                raise StopChecks(self.checks[-1]['msg'])
            msg = ('HeadBucket was denied (403 Forbidden): allow s3:ListBucket on %s for these credentials (or '
                   'remove the Deny in a bucket policy; a bucket of another account answers the same)' % self.arn())
        else:
            msg = ('HeadBucket was denied (403 Forbidden) although listing works: allow s3:ListBucket on %s for '
                   'these credentials' % self.arn())
        self.add_check('exists', 'failed', msg)
        raise StopChecks(msg)

    def check_exists(self):
        exists, region = self.head_bucket('head_bucket')
        if exists:
            self.bucket['exists'] = True
            self.add_check('exists', 'ok')
            return region
        self.bucket['exists'] = False
        if not self.module.params['create']:
            msg = ('the bucket does not exist at %s: create it, or set create=true to have it created in %s'
                   % (self.endpoint, self.region))
            self.add_check('exists', 'failed', msg)
            raise StopChecks(msg)
        self.changed = True
        if self.check_mode:
            self.add_check('exists', 'ok', 'missing, would be created')
            self.add_check('create', 'skipped', 'check mode')
            return None
        kwargs = dict(Bucket=self.bucket_name)
        if self.region != 'us-east-1':
            kwargs['CreateBucketConfiguration'] = {'LocationConstraint': self.region}
        try:
            self.call('create_bucket', 'create_bucket', **kwargs)
        except (BotoCoreError, ClientError) as exc:
            code = _error_info(exc)[0]
            if code == 'BucketAlreadyOwnedByYou':
                self.changed = False
            elif code == 'BucketAlreadyExists':
                self.changed = False
                msg = 'the bucket cannot be created: another account owns that name; choose another'
                self.add_check('create', 'failed', msg)
                raise StopChecks(msg)
            else:
                self.changed = False
                self.failed('create', exc, 'CreateBucket', 's3:CreateBucket', self.arn())
                raise StopChecks(self.checks[-1]['msg'])
        if self.changed:
            self.add_check('create', 'ok')
        exists, region = self.head_bucket('head_bucket_after_create')
        if not exists:
            msg = 'the bucket was created but HeadBucket does not find it'
            self.add_check('exists', 'failed', msg)
            raise StopChecks(msg)
        self.bucket['exists'] = True
        self.add_check('exists', 'ok', 'created' if self.changed else '')
        return region

    def check_region(self, region):
        if not region:
            try:
                response = self.call('get_bucket_location', 'get_bucket_location', Bucket=self.bucket_name)
            except (BotoCoreError, ClientError) as exc:
                self.failed('region', exc, 'GetBucketLocation', 's3:GetBucketLocation', self.arn())
                return
            region = normalize_location(response.get('LocationConstraint'))
        self.bucket['region'] = region
        if region == self.region:
            self.add_check('region', 'ok')
        else:
            self.add_check('region', 'failed', self.region_message(region))

    def list_prefix(self):
        return (self.prefix + '/') if self.prefix else ''

    def probe_key(self, suffix=''):
        name = PROBE_NAME + uuid.uuid4().hex + suffix
        return (self.prefix + '/' + name) if self.prefix else name

    def check_list(self):
        try:
            self.call('list_objects_v2', 'list_objects_v2', Bucket=self.bucket_name, Prefix=self.list_prefix(),
                      MaxKeys=1)
        except (BotoCoreError, ClientError) as exc:
            self.bucket['can_list'] = False
            self.failed('list', exc, 'ListObjectsV2', 's3:ListBucket', self.arn())
            return
        self.bucket['can_list'] = True
        self.add_check('list', 'ok')

    def check_objects(self):
        if self.check_mode:
            for name in ('write', 'read', 'delete'):
                self.add_check(name, 'skipped', 'check mode')
            return
        key = self.probe_key()
        body = ('dockyard.registry probe %s\n' % key).encode('utf-8')
        try:
            put = self.call('put_object', 'put_object', Bucket=self.bucket_name, Key=key, Body=body)
        except (BotoCoreError, ClientError) as exc:
            self.bucket['can_write'] = False
            self.failed('write', exc, 'PutObject', 's3:PutObject', self.object_arn())
            self.add_check('read', 'skipped', 'the probe object could not be put')
            self.add_check('delete', 'skipped', 'the probe object could not be put')
            return
        try:
            self.bucket['can_write'] = True
            self.add_check('write', 'ok')
            try:
                data = self.call('get_object', 'get_object', Bucket=self.bucket_name, Key=key)['Body'].read()
            except (BotoCoreError, ClientError) as exc:
                self.bucket['can_read'] = False
                self.failed('read', exc, 'GetObject', 's3:GetObject', self.object_arn())
            else:
                self.bucket['can_read'] = data == body
                if data == body:
                    self.add_check('read', 'ok')
                else:
                    self.add_check('read', 'failed', 'GetObject returned %d bytes that differ from the %d bytes '
                                   'written to %s' % (len(data), len(body), key))
        finally:
            self.delete_probe(key, put.get('VersionId'))

    def delete_probe(self, key, version_id):
        try:
            response = self.call('delete_object', 'delete_object', Bucket=self.bucket_name, Key=key)
        except (BotoCoreError, ClientError) as exc:
            self.bucket['can_delete'] = False
            self.failed('delete', exc, 'DeleteObject', 's3:DeleteObject', self.object_arn(),
                        suffix='; the probe object %s is left in the bucket' % key)
            return
        self.bucket['can_delete'] = True
        self.add_check('delete', 'ok')
        if not version_id or version_id == 'null':
            return
        # Versioned bucket: the delete left the object's version and a delete marker; remove both.
        left = []
        for vid in (version_id, response.get('VersionId')):
            if not vid or vid == 'null':
                continue
            try:
                self.call('delete_object_version', 'delete_object', Bucket=self.bucket_name, Key=key, VersionId=vid)
            except (BotoCoreError, ClientError):
                left.append(vid)
        if left:
            self.module.warn('the bucket is versioned and versions %s of the probe object %s remain: allow '
                             's3:DeleteObjectVersion on %s to have them removed, or remove them with a lifecycle rule'
                             % (', '.join(left), key, self.object_arn()))

    def check_multipart(self):
        if self.check_mode:
            self.add_check('multipart', 'skipped', 'check mode')
            return
        key = self.probe_key('-multipart')
        try:
            upload_id = self.call('create_multipart_upload', 'create_multipart_upload', Bucket=self.bucket_name,
                                  Key=key)['UploadId']
        except (BotoCoreError, ClientError) as exc:
            self.bucket['can_multipart'] = False
            self.failed('multipart', exc, 'CreateMultipartUpload', 's3:PutObject', self.object_arn())
            return
        problems = []
        stop = None
        try:
            steps = [
                ('upload_part', 'UploadPart', 's3:PutObject', self.object_arn(),
                 dict(Key=key, UploadId=upload_id, PartNumber=1, Body=b'dockyard.registry multipart probe\n')),
                ('list_multipart_uploads', 'ListMultipartUploads', 's3:ListBucketMultipartUploads', self.arn(),
                 dict(Prefix=key)),
                ('list_parts', 'ListParts', 's3:ListMultipartUploadParts', self.object_arn(),
                 dict(Key=key, UploadId=upload_id)),
            ]
            for method, operation, action, resource, kwargs in steps:
                try:
                    response = self.call(method, method, Bucket=self.bucket_name, **kwargs)
                except (BotoCoreError, ClientError) as exc:
                    msg, fatal = self.explain(exc, operation, action, resource)
                    problems.append(msg)
                    if fatal:
                        stop = msg
                        break
                    continue
                if method == 'list_multipart_uploads':
                    if upload_id not in [u.get('UploadId') for u in response.get('Uploads', [])]:
                        problems.append('ListMultipartUploads does not list the upload that was just started')
        finally:
            try:
                self.call('abort_multipart_upload', 'abort_multipart_upload', Bucket=self.bucket_name, Key=key,
                          UploadId=upload_id)
            except (BotoCoreError, ClientError) as exc:
                msg, fatal = self.explain(exc, 'AbortMultipartUpload', 's3:AbortMultipartUpload', self.object_arn())
                problems.append(msg + '; the multipart upload %s of %s is left in the bucket' % (upload_id, key))
                stop = stop or (problems[-1] if fatal else None)
        self.bucket['can_multipart'] = not problems
        self.add_check('multipart', 'failed' if problems else 'ok', '; '.join(problems))
        if stop:
            raise StopChecks(stop)

    def check_setting(self, name, method, operation, action, not_configured_code, extract):
        try:
            response = self.call(method, method, Bucket=self.bucket_name)
        except (BotoCoreError, ClientError) as exc:
            code, status = _error_info(exc)[:2]
            if not_configured_code and code == not_configured_code:
                self.bucket[name] = 'none'
                self.add_check(name, 'ok', 'not configured')
            elif code in UNSUPPORTED_CODES or status == 501:
                self.bucket[name] = 'unsupported'
                self.add_check(name, 'unsupported', '%s is not implemented by the store (%s)' % (operation, code))
            elif code in DENIED_CODES:
                msg = self.explain(exc, operation, action, self.arn())[0]
                self.bucket[name] = 'denied'
                self.add_check(name, 'denied', msg)
                self.module.warn(self.scrub('%s (the registry does not need it)' % msg))
            else:
                self.failed(name, exc, operation, action, self.arn())
            return
        self.bucket[name] = extract(response)
        self.add_check(name, 'ok')

    def check_settings(self):
        self.check_setting('encryption', 'get_bucket_encryption', 'GetBucketEncryption',
                           's3:GetEncryptionConfiguration', 'ServerSideEncryptionConfigurationNotFoundError',
                           _encryption)
        self.check_setting('versioning', 'get_bucket_versioning', 'GetBucketVersioning', 's3:GetBucketVersioning',
                           None, lambda response: response.get('Status') or 'none')
        self.check_setting('public_access_block', 'get_public_access_block', 'GetPublicAccessBlock',
                           's3:GetBucketPublicAccessBlock', 'NoSuchPublicAccessBlockConfiguration',
                           lambda response: response.get('PublicAccessBlockConfiguration') or 'none')

    def read_lifecycle(self):
        """The bucket's lifecycle rules ([] when it has none) and the rest of its configuration, or None, None
        when they cannot be read (the check is recorded then)."""
        name = 'multipart_lifecycle'
        operation, action = 'GetBucketLifecycleConfiguration', 's3:GetLifecycleConfiguration'
        try:
            response = self.call('get_bucket_lifecycle_configuration', 'get_bucket_lifecycle_configuration',
                                 Bucket=self.bucket_name)
        except (BotoCoreError, ClientError) as exc:
            code, status = _error_info(exc)[:2]
            if code == 'NoSuchLifecycleConfiguration':
                return [], {}
            if code in UNSUPPORTED_CODES or status == 501:
                msg = '%s is not implemented by the store (%s)' % (operation, code)
                if self.abort_days:
                    self.add_check(name, 'failed', msg + ': set abort_incomplete_multipart_days to 0 and remove '
                                   'interrupted uploads some other way')
                else:
                    self.add_check(name, 'unsupported', msg)
            elif code in DENIED_CODES:
                msg = self.explain(exc, operation, action, self.arn())[0]
                if self.abort_days:
                    # PutBucketLifecycleConfiguration replaces the whole configuration: without reading it first,
                    # writing our rule would drop every other rule.
                    self.add_check(name, 'failed', msg + ' - it is needed to add the rule of '
                                   'abort_incomplete_multipart_days without dropping the existing rules')
                else:
                    self.add_check(name, 'denied', msg)
                    self.module.warn(self.scrub('%s (the registry does not need it; without it, whether interrupted '
                                                'uploads are aborted is unknown)' % msg))
            else:
                self.failed(name, exc, operation, action, self.arn())
            return None, None
        rest = {}
        # Settings of the configuration besides its rules, written back as they were read.
        if response.get('TransitionDefaultMinimumObjectSize'):
            rest['TransitionDefaultMinimumObjectSize'] = response['TransitionDefaultMinimumObjectSize']
        return list(response.get('Rules') or []), rest

    def check_lifecycle(self):
        rules, rest = self.read_lifecycle()
        if rules is None:
            return
        root = self.list_prefix()
        before = lifecycle_report(find_abort_rule(rules, root))
        after = before
        wanted = None
        if self.abort_days > 0:
            wanted = with_abort_rule(rules, root, self.abort_days)
        if wanted is not None:
            after = lifecycle_report(find_abort_rule(wanted, root))
            what = 'the rule %s (%d days) %s' % (LIFECYCLE_RULE_ID, self.abort_days,
                                                 'updated' if find_rule(rules, LIFECYCLE_RULE_ID) else 'added')
            if self.check_mode:
                self.changed = True
                self.add_check('multipart_lifecycle', 'ok', 'check mode: %s would be written' % what)
            else:
                try:
                    self.call('put_bucket_lifecycle_configuration', 'put_bucket_lifecycle_configuration',
                              Bucket=self.bucket_name, LifecycleConfiguration={'Rules': wanted}, **rest)
                except (BotoCoreError, ClientError) as exc:
                    self.bucket['multipart_lifecycle'] = before
                    self.failed('multipart_lifecycle', exc, 'PutBucketLifecycleConfiguration',
                                's3:PutLifecycleConfiguration', self.arn(),
                                suffix='; the lifecycle rule %s (abort_incomplete_multipart_days=%d) was not written: '
                                       'allow that action, add such a rule yourself, or set '
                                       'abort_incomplete_multipart_days to 0' % (LIFECYCLE_RULE_ID, self.abort_days))
                    return
                self.changed = True
                self.add_check('multipart_lifecycle', 'ok', what)
        elif before['present']:
            self.add_check('multipart_lifecycle', 'ok')
        else:
            self.add_check('multipart_lifecycle', 'ok', 'no enabled lifecycle rule aborts incomplete multipart uploads '
                           'under %s' % (root or 'the top of the bucket'))
        self.bucket['multipart_lifecycle'] = before if self.check_mode else after
        if self.abort_days > 0:
            self.diff = dict(before=dict(multipart_lifecycle=before), after=dict(multipart_lifecycle=after))

    def run(self):
        """Runs the checks; returns the list of problems (empty when all passed)."""
        stop = None
        try:
            self.connect()
            region = self.check_exists()
            if self.bucket['exists']:
                self.check_region(region)
                self.check_list()
                self.check_objects()
                self.check_multipart()
                self.check_settings()
                self.check_lifecycle()
        except StopChecks as exc:
            stop = self.scrub(exc)
        problems = [check['msg'] for check in self.checks if check['status'] == 'failed']
        if stop and stop not in problems:
            problems.append(stop)
        return problems


def rule_prefix(rule):
    """The key prefix a lifecycle rule applies to ('' for the whole bucket), or None when its filter also selects
    by tags or object size (it then does not apply to every object under the prefix)."""
    if 'Filter' not in rule:
        return rule.get('Prefix') or ''
    rule_filter = rule.get('Filter') or {}
    if 'And' in rule_filter:
        both = rule_filter['And'] or {}
        if set(k for k, v in both.items() if v not in (None, [], '')) - set(['Prefix']):
            return None
        return both.get('Prefix') or ''
    if set(k for k, v in rule_filter.items() if v is not None) - set(['Prefix']):
        return None
    return rule_filter.get('Prefix') or ''


def abort_days(rule):
    """A rule's AbortIncompleteMultipartUpload days, or None."""
    days = (rule.get('AbortIncompleteMultipartUpload') or {}).get('DaysAfterInitiation')
    return days if isinstance(days, int) and not isinstance(days, bool) else None


def covers(rule, root):
    """Whether an enabled rule aborts incomplete multipart uploads of every key under ROOT ('' or 'dir/')."""
    if rule.get('Status') != 'Enabled' or abort_days(rule) is None:
        return False
    prefix = rule_prefix(rule)
    return prefix is not None and root.startswith(prefix)


def find_rule(rules, rule_id):
    for rule in rules:
        if rule.get('ID') == rule_id:
            return rule
    return None


def find_abort_rule(rules, root):
    """The covering rule that aborts soonest (ours first among equals), or None."""
    found = [rule for rule in rules if covers(rule, root)]
    if not found:
        return None
    return min(found, key=lambda rule: (abort_days(rule), rule.get('ID') != LIFECYCLE_RULE_ID))


def unknown_lifecycle():
    """RV(bucket.multipart_lifecycle) when the configuration was not read."""
    return dict(present=None, days=None, rule_id=None, prefix=None)


def lifecycle_report(rule):
    """RV(bucket.multipart_lifecycle) for the covering rule RULE, or for none."""
    if rule is None:
        return dict(present=False, days=None, rule_id=None, prefix=None)
    return dict(present=True, days=abort_days(rule), rule_id=rule.get('ID'), prefix=rule_prefix(rule))


def with_abort_rule(rules, root, days):
    """The rules with ours added or corrected, or None when nothing needs to change.

    Ours is only added when no other enabled rule covers ROOT; when it exists, it is corrected whatever the others
    are. Every other rule is kept unchanged, in its place."""
    ours = find_rule(rules, LIFECYCLE_RULE_ID)
    if ours is None:
        if any(covers(rule, root) for rule in rules):
            return None
        return list(rules) + [dict(ID=LIFECYCLE_RULE_ID, Status='Enabled', Filter=dict(Prefix=root),
                                   AbortIncompleteMultipartUpload=dict(DaysAfterInitiation=days))]
    if ours.get('Status') == 'Enabled' and abort_days(ours) == days and 'Prefix' not in ours \
            and ours.get('Filter') == dict(Prefix=root):
        return None
    fixed = dict((k, v) for k, v in ours.items() if k != 'Prefix')
    fixed.update(Status='Enabled', Filter=dict(Prefix=root),
                 AbortIncompleteMultipartUpload=dict(DaysAfterInitiation=days))
    return [fixed if rule is ours else rule for rule in rules]


def _encryption(response):
    rules = response.get('ServerSideEncryptionConfiguration', {}).get('Rules') or []
    for rule in rules:
        algorithm = rule.get('ApplyServerSideEncryptionByDefault', {}).get('SSEAlgorithm')
        if algorithm:
            return algorithm
    return 'none'


def main():
    module = AnsibleModule(
        argument_spec=dict(
            bucket=dict(type='str', required=True),
            region=dict(type='str', required=True),
            endpoint_url=dict(type='str'),
            access_key=dict(type='str', no_log=True),
            secret_key=dict(type='str', no_log=True),
            session_token=dict(type='str', no_log=True),
            profile=dict(type='str'),
            prefix=dict(type='str', default=''),
            validate_certs=dict(type='bool', default=True),
            ca_bundle=dict(type='path'),
            create=dict(type='bool', default=False),
            timeout=dict(type='int', default=10),
            abort_incomplete_multipart_days=dict(type='int', default=0),
        ),
        required_together=[('access_key', 'secret_key')],
        mutually_exclusive=[('profile', 'access_key'), ('profile', 'secret_key'), ('profile', 'session_token')],
        supports_check_mode=True,
    )
    if BOTO3_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('boto3 and botocore (Debian/Ubuntu: python3-boto3)'),
                         exception=BOTO3_IMPORT_ERROR)
    if module.params['timeout'] < 1:
        module.fail_json(msg='timeout must be at least 1 second')
    if module.params['abort_incomplete_multipart_days'] < 0:
        module.fail_json(msg='abort_incomplete_multipart_days must be 0 (do nothing) or a number of days')

    checker = BucketChecker(module)
    problems = checker.run()
    result = dict(changed=checker.changed, bucket=checker.bucket, checks=checker.checks)
    if module._diff and checker.diff is not None:
        result['diff'] = checker.diff
    if problems:
        module.fail_json(msg='S3 bucket %s: %s' % (checker.bucket_name, '; '.join(problems)), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
