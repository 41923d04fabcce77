# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make a test S3 server check credentials the way AWS does, and print a user's keys as JSON.

Usage: moto_iam_user.py ENDPOINT_URL BUCKET REGION

moto accepts any credentials until its IAM enforcement is switched on (POST /moto-api/reset-auth
with a count of requests left unauthenticated). This creates BUCKET in REGION, the IAM user
`registry` with an inline policy allowing S3 on BUCKET only, and an access key for it, then enforces
authentication for every later request, and checks that it does: the user's keys can list the
bucket, the same access key with a wrong secret key gets SignatureDoesNotMatch, as on AWS.
"""
import json
import sys
import urllib.request

import boto3
from botocore.exceptions import ClientError


def reset_auth(url, count):
    request = urllib.request.Request(url + '/moto-api/reset-auth', data=count.encode(), method='POST',
                                     headers={'Content-Type': 'text/plain'})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def s3_client(url, region, access_key, secret_key):
    return boto3.client('s3', endpoint_url=url, region_name=region,
                        aws_access_key_id=access_key, aws_secret_access_key=secret_key)


def main(url, bucket, region):
    reset_auth(url, 'inf')
    setup = s3_client(url, region, 'setup', 'setup')
    if region == 'us-east-1':
        setup.create_bucket(Bucket=bucket)
    else:
        setup.create_bucket(Bucket=bucket, CreateBucketConfiguration={'LocationConstraint': region})
    iam = boto3.client('iam', endpoint_url=url, region_name='us-east-1',
                       aws_access_key_id='setup', aws_secret_access_key='setup')
    iam.create_user(UserName='registry')
    iam.put_user_policy(UserName='registry', PolicyName='registry', PolicyDocument=json.dumps({
        'Version': '2012-10-17',
        'Statement': [{'Effect': 'Allow', 'Action': 's3:*',
                       'Resource': ['arn:aws:s3:::%s' % bucket, 'arn:aws:s3:::%s/*' % bucket]}]}))
    key = iam.create_access_key(UserName='registry')['AccessKey']
    reset_auth(url, '0')
    s3_client(url, region, key['AccessKeyId'], key['SecretAccessKey']).list_objects_v2(Bucket=bucket)
    try:
        s3_client(url, region, key['AccessKeyId'], 'not-' + key['SecretAccessKey']).list_objects_v2(Bucket=bucket)
    except ClientError as exc:
        if exc.response['Error']['Code'] != 'SignatureDoesNotMatch':
            raise
    else:
        sys.exit('IAM is not enforced: a wrong secret key could list %s' % bucket)
    json.dump({'access_key': key['AccessKeyId'], 'secret_key': key['SecretAccessKey']}, sys.stdout)


if __name__ == '__main__':
    main(*sys.argv[1:])
