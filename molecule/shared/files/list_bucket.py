"""List the keys under a prefix of an S3 bucket (moto in the tests) as JSON."""
import json
import sys

import boto3

endpoint, bucket, prefix = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="AKIADOCKYARDTEST0001", aws_secret_access_key="dockyard-test-secret-key-0001")
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
    keys.extend(o["Key"] for o in page.get("Contents", []))
print(json.dumps(keys))
