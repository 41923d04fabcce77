"""Round-trip one object through an S3 API: create the bucket, put, list, get. Prints JSON."""
import hashlib
import json
import os
import sys

import boto3

endpoint, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="harness",
    aws_secret_access_key="harness-secret",
)
s3.create_bucket(Bucket=bucket)
key = "harness/object.bin"
body = os.urandom(1024 * 1024)
s3.put_object(Bucket=bucket, Key=key, Body=body)
listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="harness/").get("Contents", [])]
read = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
print(json.dumps({
    "key": key,
    "listed": listed,
    "bytes_written": len(body),
    "bytes_read": len(read),
    "sha256_written": hashlib.sha256(body).hexdigest(),
    "sha256_read": hashlib.sha256(read).hexdigest(),
}))
