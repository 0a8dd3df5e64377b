package awsapi_test

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/eddyserverless/eddy/awsapi"
)

// boto3Program drives the edge with boto3 (argv[1] is the endpoint): the
// checksums, chunked bodies, list decoding and multipart transfers of
// the machine's botocore.
const boto3Program = `
import sys, io, urllib.request, boto3
from botocore.config import Config
from boto3.s3.transfer import TransferConfig
ep = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="AKID", aws_secret_access_key="SECRET",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
s3.create_bucket(Bucket="boto")
s3.put_object(Bucket="boto", Key="a b/c+d.txt", Body=b"hello", Metadata={"Color": "blue"}, ContentType="text/plain")
s3.put_object(Bucket="boto", Key="stream", Body=io.BytesIO(b"x" * 100000), ChecksumAlgorithm="SHA256")
o = s3.get_object(Bucket="boto", Key="a b/c+d.txt", ChecksumMode="ENABLED")
assert o["Body"].read() == b"hello", o
assert o["Metadata"] == {"color": "blue"}, o["Metadata"]
assert o["ContentType"] == "text/plain"
h = s3.head_object(Bucket="boto", Key="stream")
assert h["ContentLength"] == 100000, h
l = s3.list_objects_v2(Bucket="boto", Prefix="a b/", Delimiter="/")
assert [c["Key"] for c in l["Contents"]] == ["a b/c+d.txt"], l
l = s3.list_objects_v2(Bucket="boto", Delimiter="/")
assert [p["Prefix"] for p in l["CommonPrefixes"]] == ["a b/"], l
l1 = s3.list_objects(Bucket="boto")
assert len(l1["Contents"]) == 2, l1
s3.copy_object(Bucket="boto", Key="copy", CopySource={"Bucket": "boto", "Key": "a b/c+d.txt"})
s3.put_object_tagging(Bucket="boto", Key="copy", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
assert s3.get_object_tagging(Bucket="boto", Key="copy")["TagSet"] == [{"Key": "k", "Value": "v"}]
s3.upload_fileobj(io.BytesIO(b"m" * (11 << 20)), "boto", "multi", Config=TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20))
assert s3.head_object(Bucket="boto", Key="multi")["ETag"].endswith('-3"')
buf = io.BytesIO()
s3.download_fileobj("boto", "multi", buf, Config=TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20))
assert buf.getvalue() == b"m" * (11 << 20)
s3.put_bucket_cors(Bucket="boto", CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})
assert s3.get_bucket_cors(Bucket="boto")["CORSRules"][0]["AllowedMethods"] == ["GET"]
s3.put_bucket_website(Bucket="boto", WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
assert s3.get_bucket_website(Bucket="boto")["IndexDocument"]["Suffix"] == "index.html"
s3.put_bucket_policy(Bucket="boto", Policy='{"Version":"2012-10-17","Statement":[]}')
s3.put_bucket_tagging(Bucket="boto", Tagging={"TagSet": [{"Key": "t", "Value": "1"}]})
assert s3.get_bucket_tagging(Bucket="boto")["TagSet"] == [{"Key": "t", "Value": "1"}]
url = s3.generate_presigned_url("put_object", Params={"Bucket": "boto", "Key": "pre"})
urllib.request.urlopen(urllib.request.Request(url, data=b"presigned", method="PUT")).read()
url = s3.generate_presigned_url("get_object", Params={"Bucket": "boto", "Key": "pre"})
assert urllib.request.urlopen(url).read() == b"presigned"
post = s3.generate_presigned_post("boto", "up/${filename}", Fields={"success_action_status": "201"}, Conditions=[{"success_action_status": "201"}])
import requests
r = requests.post(post["url"], data=post["fields"], files={"file": ("f.txt", b"posted")})
assert r.status_code == 201 and "<Key>up/f.txt</Key>" in r.text, r.text
assert s3.get_object(Bucket="boto", Key="up/f.txt")["Body"].read() == b"posted"
assert s3.get_bucket_encryption(Bucket="boto")["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
try:
    s3.get_object(Bucket="boto", Key="missing")
    raise SystemExit("no error")
except s3.exceptions.NoSuchKey:
    pass
r = s3.delete_objects(Bucket="boto", Delete={"Objects": [{"Key": k} for k in ["a b/c+d.txt", "stream", "copy", "multi", "pre", "up/f.txt"]]})
assert len(r["Deleted"]) == 6, r
s3.delete_bucket(Bucket="boto")
print("ok")
`

func TestS3Boto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("boto3 is not installed")
	}
	srv := httptest.NewServer(&awsapi.Handler{Buckets: newFakeBuckets(), Region: "us-east-1"})
	t.Cleanup(srv.Close)
	cmd := exec.Command("python3", "-c", boto3Program, srv.URL)
	cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok") {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}

// TestS3AwsCLI runs the aws CLI's high-level s3 commands against the
// edge: the v1 CLI on PATH and, if installed, Debian's v2 at /usr/bin/aws.
func TestS3AwsCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("the aws CLI starts slowly")
	}
	var clis []string
	if p, err := exec.LookPath("aws"); err == nil {
		clis = append(clis, p)
	}
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		clis = append(clis, "/usr/bin/aws")
	}
	if len(clis) == 0 {
		t.Skip("aws CLI is not installed")
	}
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) { testAwsCLI(t, cli) })
	}
}

func testAwsCLI(t *testing.T, cli string) {
	srv := httptest.NewServer(&awsapi.Handler{Buckets: newFakeBuckets(), Region: "us-east-1"})
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/f.txt", []byte(strings.Repeat("cli ", 3<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(cli, append([]string{"--endpoint-url", srv.URL, "--region", "us-east-1"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET", "AWS_CONFIG_FILE=/dev/null",
			"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("aws %v: %v", args, time.Since(start))
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("s3", "mb", "s3://cli")
	run("s3", "cp", dir+"/f.txt", "s3://cli/dir/f.txt")
	run("s3", "sync", dir, "s3://cli/sync/")
	if out := run("s3", "ls", "s3://cli/", "--recursive"); !strings.Contains(out, "dir/f.txt") || !strings.Contains(out, "sync/f.txt") {
		t.Fatalf("aws s3 ls: got %s", out)
	}
	run("s3", "cp", "s3://cli/dir/f.txt", dir+"/back.txt")
	back, _ := os.ReadFile(dir + "/back.txt")
	if len(back) != 4*(3<<20) {
		t.Fatalf("downloaded %d bytes", len(back))
	}
	run("s3api", "put-object", "--bucket", "cli", "--key", "small", "--body", dir+"/back.txt", "--content-type", "text/plain")
	if out := run("s3api", "head-object", "--bucket", "cli", "--key", "small"); !strings.Contains(out, "text/plain") {
		t.Fatalf("head-object: got %s", out)
	}
	run("s3", "presign", "s3://cli/small")
	run("s3", "rb", "s3://cli", "--force")
}

// jsProgram drives the edge with the AWS SDK for JavaScript v3 (its last
// argument is the endpoint): its default CRC32 checksums, lib-storage multipart
// uploads and presigned URLs.
const jsProgram = `
const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
        DeleteObjectsCommand, DeleteBucketCommand, CopyObjectCommand } = require("@aws-sdk/client-s3");
const { Upload } = require("@aws-sdk/lib-storage");
const { getSignedUrl } = require("@aws-sdk/s3-request-presigner");
const { Readable } = require("stream");
const assert = require("assert");
(async () => {
  const s3 = new S3Client({ endpoint: process.argv[process.argv.length - 1], region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: "AKID", secretAccessKey: "SECRET" } });
  await s3.send(new CreateBucketCommand({ Bucket: "jsb" }));
  await s3.send(new PutObjectCommand({ Bucket: "jsb", Key: "a b.txt", Body: "hello js", ContentType: "text/plain", Metadata: { who: "js" } }));
  await s3.send(new PutObjectCommand({ Bucket: "jsb", Key: "stream", Body: Readable.from([Buffer.alloc(70000, 1)]), ContentLength: 70000 }));
  const got = await s3.send(new GetObjectCommand({ Bucket: "jsb", Key: "a b.txt", ChecksumMode: "ENABLED" }));
  assert.strictEqual(await got.Body.transformToString(), "hello js");
  assert.strictEqual(got.Metadata.who, "js");
  const head = await s3.send(new HeadObjectCommand({ Bucket: "jsb", Key: "stream" }));
  assert.strictEqual(head.ContentLength, 70000);
  await s3.send(new CopyObjectCommand({ Bucket: "jsb", Key: "copy", CopySource: "jsb/a%20b.txt" }));
  const up = new Upload({ client: s3, params: { Bucket: "jsb", Key: "multi", Body: Readable.from([Buffer.alloc(11 << 20, 2)]) }, partSize: 5 << 20 });
  await up.done();
  const mh = await s3.send(new HeadObjectCommand({ Bucket: "jsb", Key: "multi" }));
  assert.strictEqual(mh.ContentLength, 11 << 20);
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "jsb", Key: "a b.txt" }), { expiresIn: 60 });
  assert.strictEqual(await (await fetch(url)).text(), "hello js");
  const putURL = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "jsb", Key: "pre" }), { expiresIn: 60 });
  assert.strictEqual((await fetch(putURL, { method: "PUT", body: "presigned" })).status, 200);
  const list = await s3.send(new ListObjectsV2Command({ Bucket: "jsb" }));
  assert.deepStrictEqual(list.Contents.map(o => o.Key), ["a b.txt", "copy", "multi", "pre", "stream"]);
  const del = await s3.send(new DeleteObjectsCommand({ Bucket: "jsb", Delete: { Objects: list.Contents.map(o => ({ Key: o.Key })) } }));
  assert.strictEqual(del.Deleted.length, 5);
  try { await s3.send(new GetObjectCommand({ Bucket: "jsb", Key: "gone" })); throw new Error("no error"); }
  catch (e) { assert.strictEqual(e.name, "NoSuchKey", e.stack); }
  await s3.send(new DeleteBucketCommand({ Bucket: "jsb" }));
  console.log("ok");
})().catch(e => { console.error(e); process.exit(1); });
`

// TestS3JSSDK runs jsProgram when EDDY_TEST_NODE_MODULES names a
// node_modules directory holding @aws-sdk/client-s3, lib-storage and
// s3-request-presigner.
func TestS3JSSDK(t *testing.T) {
	dir := os.Getenv("EDDY_TEST_NODE_MODULES")
	if dir == "" {
		t.Skip("EDDY_TEST_NODE_MODULES is not set")
	}
	srv := httptest.NewServer(&awsapi.Handler{Buckets: newFakeBuckets(), Region: "us-east-1"})
	t.Cleanup(srv.Close)
	cmd := exec.Command("node", "-e", jsProgram, srv.URL)
	cmd.Env = append(os.Environ(), "NODE_PATH="+dir, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok") {
		t.Fatalf("node: %v\n%s", err, out)
	}
}
