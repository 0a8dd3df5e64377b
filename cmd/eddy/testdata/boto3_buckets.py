"""S3 through boto3's client API, against eddy.

Run with the endpoint as the only argument. Every check runs, each on a
bucket of its own; the failures are printed and the exit status is non-zero
if there is any. boto3 runs with its defaults: path-style addressing is
chosen for the endpoint, and botocore adds its default checksums (CRC32)
to the requests that take one. Where moto and AWS differ, the checks follow
AWS's documentation; set EDDY_ON_MOTO=1 to skip what moto does not do.
"""
import hashlib
import io
import os
import sys
import tempfile
import traceback
import urllib.error
import urllib.request

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1].rstrip("/")
on_moto = os.environ.get("EDDY_ON_MOTO") == "1"
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="AKID", aws_secret_access_key="secret",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                # For this endpoint botocore would presign
                                # with SigV2 (AWSAccessKeyId, Signature,
                                # Expires); applications ask for SigV4.
                                signature_version="s3v4"))

checks = []


def check(f):
    checks.append(f)
    return f


def error_of(call, **kwargs):
    """Calls call and returns the error boto3 reports: code and HTTP status."""
    try:
        call(**kwargs)
    except ClientError as e:
        assert e.response["ResponseMetadata"].get("RequestId") or on_moto, e.response
        return e.response["Error"].get("Code"), e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("%s(%s) succeeded, want an error" % (call.__name__, kwargs))


def etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def body(n, seed):
    """n reproducible bytes."""
    out = bytearray()
    block = hashlib.sha256(b"%d" % seed).digest()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:n])


@check
def buckets():
    s3.create_bucket(Bucket="py-crud")
    s3.head_bucket(Bucket="py-crud")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "py-crud" in names, names
    assert s3.get_bucket_location(Bucket="py-crud")["LocationConstraint"] is None
    assert error_of(s3.head_bucket, Bucket="py-missing") == ("404", 404)
    assert error_of(s3.delete_bucket, Bucket="py-missing") == ("NoSuchBucket", 404)
    if not on_moto:  # moto takes any name
        assert error_of(s3.create_bucket, Bucket="Py_Bad") == ("InvalidBucketName", 400)
    s3.put_object(Bucket="py-crud", Key="k", Body=b"v")
    assert error_of(s3.delete_bucket, Bucket="py-crud") == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket="py-crud", Key="k")
    s3.delete_bucket(Bucket="py-crud")
    assert error_of(s3.head_bucket, Bucket="py-crud") == ("404", 404)


@check
def objects():
    s3.create_bucket(Bucket="py-objects")
    data = body(100_000, 1)
    put = s3.put_object(Bucket="py-objects", Key="dir/a b+ü.bin", Body=data, ContentType="application/x-py",
                        Metadata={"Color": "blue"}, CacheControl="max-age=5")
    assert put["ETag"] == etag(data), put
    # botocore's default checksum: CRC32, which S3 echoes.
    assert put.get("ChecksumCRC32"), put
    got = s3.get_object(Bucket="py-objects", Key="dir/a b+ü.bin")
    assert got["Body"].read() == data
    assert got["ContentType"] == "application/x-py" and got["Metadata"] == {"color": "blue"}, got
    assert got["CacheControl"] == "max-age=5" and got["ContentLength"] == len(data) and got["ETag"] == etag(data), got
    head = s3.head_object(Bucket="py-objects", Key="dir/a b+ü.bin", ChecksumMode="ENABLED")
    assert head["ContentLength"] == len(data) and head["ChecksumCRC32"] == put["ChecksumCRC32"], head
    part = s3.get_object(Bucket="py-objects", Key="dir/a b+ü.bin", Range="bytes=10-19")
    assert part["Body"].read() == data[10:20] and part["ContentRange"] == "bytes 10-19/%d" % len(data), part
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert error_of(s3.get_object, Bucket="py-objects", Key="dir/a b+ü.bin", Range="bytes=%d-" % len(data)) == ("InvalidRange", 416)
    assert error_of(s3.get_object, Bucket="py-objects", Key="missing") == ("NoSuchKey", 404)
    assert error_of(s3.head_object, Bucket="py-objects", Key="missing") == ("404", 404)
    assert error_of(s3.get_object, Bucket="py-objects", Key="dir/a b+ü.bin", IfNoneMatch=etag(data)) == ("304", 304)
    assert error_of(s3.get_object, Bucket="py-objects", Key="dir/a b+ü.bin", IfMatch='"0123"') == ("PreconditionFailed", 412)
    for alg in ("CRC32", "SHA1", "SHA256"):  # CRC32C and CRC64NVME need botocore[crt]
        put = s3.put_object(Bucket="py-objects", Key="sum/" + alg, Body=data, ChecksumAlgorithm=alg)
        got = s3.get_object(Bucket="py-objects", Key="sum/" + alg, ChecksumMode="ENABLED")
        assert got["Body"].read() == data  # botocore validates the checksum as it reads
        assert got["Checksum" + alg] == put["Checksum" + alg], (alg, got, put)
    if not on_moto:  # moto takes any Content-MD5
        assert error_of(s3.put_object, Bucket="py-objects", Key="bad", Body=data,
                        ContentMD5="1B2M2Y8AsgTpgAmY7PhCfg==") == ("BadDigest", 400)


@check
def upload_and_download_file():
    s3.create_bucket(Bucket="py-files")
    data = body(12 * 1024 * 1024 + 3, 2)
    small = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "src.bin"), os.path.join(d, "dst.bin")
        with open(src, "wb") as f:
            f.write(data)
        s3.upload_file(src, "py-files", "big/file.bin", Config=small)
        s3.download_file("py-files", "big/file.bin", dst, Config=small)
        with open(dst, "rb") as f:
            assert f.read() == data, "download_file: the bytes differ"
    parts = [data[i:i + 5 * 1024 * 1024] for i in range(0, len(data), 5 * 1024 * 1024)]
    want = '"%s-%d"' % (hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest(), len(parts))
    head = s3.head_object(Bucket="py-files", Key="big/file.bin")
    assert head["ETag"] == want and head["ContentLength"] == len(data), (head, want)
    fileobj = io.BytesIO()
    s3.download_fileobj("py-files", "big/file.bin", fileobj)
    assert fileobj.getvalue() == data


@check
def listing():
    s3.create_bucket(Bucket="py-list")
    keys = sorted(["a/%02d" % i for i in range(12)] + ["b/x", "b/y", "c", "d e/ü"])
    for k in keys:
        s3.put_object(Bucket="py-list", Key=k, Body=k.encode())
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket="py-list", PaginationConfig={"PageSize": 5}))
    got = [o["Key"] for p in pages for o in p.get("Contents", [])]
    assert got == keys and len(pages) == 4, (got, len(pages))
    assert all(p["KeyCount"] <= 5 for p in pages), [p["KeyCount"] for p in pages]
    out = s3.list_objects_v2(Bucket="py-list", Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["a/", "b/", "d e/"], out
    assert [o["Key"] for o in out["Contents"]] == ["c"], out
    # boto3 asks for encoding-type=url and decodes the keys it gets.
    out = s3.list_objects_v2(Bucket="py-list", Prefix="d e/")
    assert [o["Key"] for o in out["Contents"]] == ["d e/ü"], out
    out = s3.list_objects(Bucket="py-list", Marker="a/10", MaxKeys=3)
    assert [o["Key"] for o in out["Contents"]] == ["a/11", "b/x", "b/y"] and out["IsTruncated"], out


@check
def copy_and_delete_objects():
    s3.create_bucket(Bucket="py-copy")
    s3.put_object(Bucket="py-copy", Key="src", Body=b"source", ContentType="text/plain", Metadata={"m": "1"})
    s3.copy({"Bucket": "py-copy", "Key": "src"}, "py-copy", "managed-copy")
    assert s3.get_object(Bucket="py-copy", Key="managed-copy")["Body"].read() == b"source"
    out = s3.copy_object(Bucket="py-copy", Key="replaced", CopySource={"Bucket": "py-copy", "Key": "src"},
                         MetadataDirective="REPLACE", ContentType="text/csv", Metadata={"n": "2"})
    assert out["CopyObjectResult"]["ETag"] == etag(b"source"), out
    head = s3.head_object(Bucket="py-copy", Key="replaced")
    assert head["ContentType"] == "text/csv" and head["Metadata"] == {"n": "2"}, head
    out = s3.delete_objects(Bucket="py-copy", Delete={"Objects": [{"Key": k} for k in ("src", "managed-copy", "never")]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["managed-copy", "never", "src"] and not out.get("Errors"), out
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="py-copy")["Contents"]] == ["replaced"]


@check
def tagging():
    s3.create_bucket(Bucket="py-tags")
    s3.put_object(Bucket="py-tags", Key="k", Body=b"v", Tagging="a=1&b=two")
    tags = s3.get_object_tagging(Bucket="py-tags", Key="k")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("a", "1"), ("b", "two")], tags
    assert s3.get_object(Bucket="py-tags", Key="k")["TagCount"] == 2
    s3.put_object_tagging(Bucket="py-tags", Key="k", Tagging={"TagSet": [{"Key": "c", "Value": "3"}]})
    assert s3.get_object_tagging(Bucket="py-tags", Key="k")["TagSet"] == [{"Key": "c", "Value": "3"}]
    s3.delete_object_tagging(Bucket="py-tags", Key="k")
    assert s3.get_object_tagging(Bucket="py-tags", Key="k")["TagSet"] == []
    assert error_of(s3.get_object_tagging, Bucket="py-tags", Key="missing") == ("NoSuchKey", 404)


@check
def presigned_urls():
    s3.create_bucket(Bucket="py-presign")
    data = body(5000, 3)
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "py-presign", "Key": "up.bin"}, ExpiresIn=300)
    # A content type of its own: urllib's default is a form.
    req = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req, timeout=30) as res:
        assert res.status == 200 and res.headers["ETag"] == etag(data), (res.status, res.headers)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "py-presign", "Key": "up.bin"}, ExpiresIn=300)
    assert "X-Amz-Signature=" in url, url
    with urllib.request.urlopen(url, timeout=30) as res:
        assert res.status == 200 and res.read() == data
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "py-presign", "Key": "missing"}, ExpiresIn=300)
    try:
        urllib.request.urlopen(url, timeout=30)
        raise AssertionError("presigned GET of a missing key succeeded")
    except urllib.error.HTTPError as e:
        assert e.code == 404 and b"<Code>NoSuchKey</Code>" in e.read(), e


@check
def multipart_errors():
    s3.create_bucket(Bucket="py-mpu")
    up = s3.create_multipart_upload(Bucket="py-mpu", Key="m")
    p1 = s3.upload_part(Bucket="py-mpu", Key="m", UploadId=up["UploadId"], PartNumber=1, Body=b"small")
    p2 = s3.upload_part(Bucket="py-mpu", Key="m", UploadId=up["UploadId"], PartNumber=2, Body=b"small")
    parts = [{"PartNumber": 1, "ETag": p1["ETag"]}, {"PartNumber": 2, "ETag": p2["ETag"]}]
    assert error_of(s3.complete_multipart_upload, Bucket="py-mpu", Key="m", UploadId=up["UploadId"],
                    MultipartUpload={"Parts": parts}) == ("EntityTooSmall", 400)
    assert error_of(s3.complete_multipart_upload, Bucket="py-mpu", Key="m", UploadId=up["UploadId"],
                    MultipartUpload={"Parts": [{"PartNumber": 3, "ETag": p1["ETag"]}]}) == ("InvalidPart", 400)
    s3.abort_multipart_upload(Bucket="py-mpu", Key="m", UploadId=up["UploadId"])
    assert error_of(s3.list_parts, Bucket="py-mpu", Key="m", UploadId=up["UploadId"]) == ("NoSuchUpload", 404)
    assert s3.list_multipart_uploads(Bucket="py-mpu").get("Uploads", []) == []


failed = 0
for c in checks:
    try:
        c()
        print("ok   %s" % c.__name__)
    except Exception:
        failed += 1
        print("FAIL %s\n%s" % (c.__name__, traceback.format_exc()))
if failed:
    print("boto3 buckets: %d of %d checks failed" % (failed, len(checks)))
    sys.exit(1)
print("boto3 buckets: ok")
