# Copyright (c) 2026, dockyard.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print, as JSON, what an S3 bucket holds under a prefix: {"keys": [...], "multipart": [...]}.

Usage: list_bucket.py ENDPOINT_URL BUCKET PREFIX

"keys" are the stored objects; "multipart" the keys of multipart uploads begun and never completed
or aborted (their parts are stored, and billed, but no listing of objects shows them). The registry's
S3 driver keeps the data of an unfinished layer upload in such a multipart upload. Credentials:
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when set, else any (the test S3 servers the registry uses do
not check them)."""
import json
import os
import sys

import boto3

endpoint, bucket, prefix = sys.argv[1:4]
s3 = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1',
                  aws_access_key_id=os.environ.get('AWS_ACCESS_KEY_ID', 'AKIADOCKYARDTEST0001'),
                  aws_secret_access_key=os.environ.get('AWS_SECRET_ACCESS_KEY', 'dockyard-test-secret-key-0001'))
keys = []
for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket, Prefix=prefix):
    keys.extend(o['Key'] for o in page.get('Contents', []))
multipart = []
for page in s3.get_paginator('list_multipart_uploads').paginate(Bucket=bucket, Prefix=prefix):
    multipart.extend(u['Key'] for u in page.get('Uploads', []))
print(json.dumps({'keys': sorted(keys), 'multipart': sorted(multipart)}))
