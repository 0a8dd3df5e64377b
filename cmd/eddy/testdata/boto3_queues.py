"""SQS through boto3's client API, against eddy.

Run with the endpoint as the only argument. Every check runs, each on queues
of its own; the failures are printed and the exit status is non-zero if there
is any. Where moto and AWS differ, the checks follow AWS's documentation.
"""
import hashlib
import json
import struct
import sys
import threading
import time
import traceback

import boto3
from botocore.exceptions import ClientError

endpoint = sys.argv[1].rstrip("/")
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="AKID", aws_secret_access_key="secret")

checks = []


def check(f):
    checks.append(f)
    return f


def wait_for(what, cond, timeout=15.0):
    """Polls cond until it returns a true value, which it returns."""
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(0.05)


def error_of(call, **kwargs):
    """Calls call and returns the error boto3 reports: code, query code, HTTP status."""
    try:
        call(**kwargs)
    except ClientError as e:
        err = e.response["Error"]
        return err.get("Code"), err.get("QueryErrorCode"), e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("%s(%s) succeeded, want an error" % (call.__name__, kwargs))


def md5(data):
    return hashlib.md5(data if isinstance(data, bytes) else data.encode()).hexdigest()


def md5_of_attributes(attrs):
    """The MD5 of message attributes as SQS computes it: names sorted, each
    field preceded by its 4-byte big-endian length, and 1 (string) or 2
    (binary) before the value."""
    h = hashlib.md5()

    def put(b):
        h.update(struct.pack(">I", len(b)))
        h.update(b)
    for name in sorted(attrs):
        v = attrs[name]
        put(name.encode())
        put(v["DataType"].encode())
        if "BinaryValue" in v:
            h.update(b"\x02")
            put(v["BinaryValue"])
        else:
            h.update(b"\x01")
            put(v["StringValue"].encode())
    return h.hexdigest()


def create(name, **attributes):
    return sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]


def arn_of(url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def receive(url, **kwargs):
    return sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])


def counts(url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"])["Attributes"]
    return (int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"]),
            int(a["ApproximateNumberOfMessagesDelayed"]))


@check
def create_and_url():
    url = create("orders", VisibilityTimeout=7, DelaySeconds=0)
    arn = arn_of(url)
    assert arn.startswith("arn:aws:sqs:us-east-1:") and arn.endswith(":orders"), arn
    account = arn.split(":")[4]
    assert url == "%s/%s/orders" % (endpoint, account), (url, endpoint, account)
    # The same name and attributes: the same queue.
    assert create("orders", VisibilityTimeout=7, DelaySeconds=0) == url
    assert create("orders") == url, "CreateQueue without attributes must return the existing queue"
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url
    # A differing attribute: QueueNameExists, whose query code is QueueAlreadyExists.
    got = error_of(sqs.create_queue, QueueName="orders", Attributes={"VisibilityTimeout": "8"})
    assert got == ("QueueAlreadyExists", "QueueNameExists", 400), got

    fifo = create("jobs.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    a = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])["Attributes"]
    assert a["FifoQueue"] == "true" and a["ContentBasedDeduplication"] == "true", a
    assert create("jobs.fifo", FifoQueue="true", ContentBasedDeduplication="true") == fifo
    code = error_of(sqs.create_queue, QueueName="jobs.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"})
    assert code[0] == "QueueAlreadyExists", code
    code = error_of(sqs.create_queue, QueueName="notfifo", Attributes={"FifoQueue": "true"})
    assert code[0] == "InvalidParameterValue", code

    got = error_of(sqs.get_queue_url, QueueName="no-such-queue")
    assert got == ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", 400), got
    got = error_of(sqs.send_message, QueueUrl="%s/%s/no-such-queue" % (endpoint, account), MessageBody="x")
    assert got[:2] == ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"), got


@check
def list_queues():
    want = sorted(create("page-%d" % i) for i in range(5))
    create("other-page")
    got = sqs.list_queues(QueueNamePrefix="page-")
    assert sorted(got["QueueUrls"]) == want and "NextToken" not in got, got
    seen, kwargs, pages = [], {"QueueNamePrefix": "page-", "MaxResults": 2}, 0
    while True:
        page = sqs.list_queues(**kwargs)
        pages += 1
        assert len(page["QueueUrls"]) <= 2, page
        seen += page["QueueUrls"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
        assert pages < 10, "ListQueues pages without end"
    assert sorted(seen) == want and pages == 3, (seen, pages)
    got = sqs.list_queues(QueueNamePrefix="no-such-prefix")
    assert got.get("QueueUrls", []) == [], got


@check
def queue_attributes():
    url = create("attrs", VisibilityTimeout=7)
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    for name in ["QueueArn", "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod", "DelaySeconds",
                 "ReceiveMessageWaitTimeSeconds", "CreatedTimestamp", "LastModifiedTimestamp",
                 "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]:
        assert name in a, (name, a)
    assert a["VisibilityTimeout"] == "7" and a["MessageRetentionPeriod"] == "345600", a
    # Timestamps are whole seconds since the epoch.
    assert a["CreatedTimestamp"].isdigit() and a["LastModifiedTimestamp"].isdigit(), a
    assert abs(int(a["CreatedTimestamp"]) - time.time()) < 120, a

    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "QueueArn"])["Attributes"]
    assert sorted(got) == ["QueueArn", "VisibilityTimeout"], got
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "5", "MaximumMessageSize": "2048"})
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "MaximumMessageSize"])["Attributes"]
    assert got == {"VisibilityTimeout": "5", "MaximumMessageSize": "2048"}, got
    code = error_of(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["Bogus"])
    assert code[0] == "InvalidAttributeName", code
    code = error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Bogus": "1"})
    assert code[0] == "InvalidAttributeName", code

    # The approximate counts: visible, in flight, delayed.
    sqs.send_message(QueueUrl=url, MessageBody="one")
    sqs.send_message(QueueUrl=url, MessageBody="two")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    wait_for("2 visible and 1 delayed message", lambda: counts(url) == (2, 0, 1))
    assert len(receive(url, MaxNumberOfMessages=1, VisibilityTimeout=60)) == 1
    wait_for("1 visible, 1 in flight and 1 delayed message", lambda: counts(url) == (1, 1, 1))


@check
def tags():
    url = sqs.create_queue(QueueName="tagged", tags={"team": "a"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url).get("Tags") == {"team": "a"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev", "team": "b"})
    assert sqs.list_queue_tags(QueueUrl=url).get("Tags") == {"team": "b", "env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url).get("Tags") == {"env": "dev"}


ATTRIBUTES = {
    "s": {"DataType": "String", "StringValue": "héllo ✓"},
    "n": {"DataType": "Number", "StringValue": "42.5"},
    "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    "meta.kind": {"DataType": "String.custom", "StringValue": "order"},
    "meta.size": {"DataType": "Number.int", "StringValue": "3"},
}


@check
def send_and_receive_attributes():
    url = create("attributes")
    body = "a body with ünïcode ✓"
    sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=ATTRIBUTES)
    assert sent["MD5OfMessageBody"] == md5(body), sent
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES), sent

    before = int(time.time() * 1000)
    [m] = receive(url, AttributeNames=["All"], MessageAttributeNames=["All"], VisibilityTimeout=0)
    assert m["MessageId"] == sent["MessageId"] and m["Body"] == body and m["MD5OfBody"] == md5(body), m
    assert m["MessageAttributes"] == ATTRIBUTES, m["MessageAttributes"]
    assert m["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES), m
    a = m["Attributes"]
    for name in ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"]:
        assert name in a, (name, a)
    assert a["ApproximateReceiveCount"] == "1", a
    assert abs(int(a["SentTimestamp"]) - before) < 60000 and int(a["ApproximateFirstReceiveTimestamp"]) >= int(a["SentTimestamp"]), a

    # Named system attributes only; message attributes by name and by prefix.
    [m] = receive(url, MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
                  MessageAttributeNames=["s", "meta.*"], VisibilityTimeout=0)
    assert sorted(m["Attributes"]) == ["ApproximateReceiveCount", "SentTimestamp"], m["Attributes"]
    assert m["Attributes"]["ApproximateReceiveCount"] == "2", m["Attributes"]
    subset = {k: ATTRIBUTES[k] for k in ["s", "meta.kind", "meta.size"]}
    assert m["MessageAttributes"] == subset, m["MessageAttributes"]
    # The digest covers the attributes returned, as the SDKs that check it expect.
    assert m["MD5OfMessageAttributes"] == md5_of_attributes(subset), m

    # No attribute asked for: none returned, and no digest of them.
    [m] = receive(url, VisibilityTimeout=0)
    assert "MessageAttributes" not in m and "MD5OfMessageAttributes" not in m and "Attributes" not in m, m


@check
def long_polling():
    url = create("long-poll")
    start = time.monotonic()
    assert receive(url, WaitTimeSeconds=1) == []
    waited = time.monotonic() - start
    assert 0.9 <= waited < 5, "an empty long poll of 1 s took %.2f s" % waited

    sent_at = []

    def send_later():
        time.sleep(0.5)  # let the receive below reach the server and wait
        sqs.send_message(QueueUrl=url, MessageBody="wake up")
        sent_at.append(time.monotonic())
    t = threading.Thread(target=send_later)
    start = time.monotonic()
    t.start()
    got = receive(url, WaitTimeSeconds=10)
    done = time.monotonic()
    t.join()
    assert [m["Body"] for m in got] == ["wake up"], got
    assert done - start < 5 and done - sent_at[0] < 2, \
        "the long poll answered %.2f s after it started, %.2f s after the send" % (done - start, done - sent_at[0])


@check
def visibility_timeout():
    url = create("visibility", VisibilityTimeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="again")
    start = time.monotonic()
    [first] = receive(url)
    assert receive(url) == [], "an in-flight message was received"
    m = wait_for("the message to come back", lambda: receive(url, AttributeNames=["All"]))[0]
    assert time.monotonic() - start >= 0.9, "the message came back before its visibility timeout"
    assert m["MessageId"] == first["MessageId"] and m["Attributes"]["ApproximateReceiveCount"] == "2", m
    assert m["ReceiptHandle"] != first["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    wait_for("an empty queue", lambda: counts(url) == (0, 0, 0))

    # ChangeMessageVisibility: to 0, the message is back at once; to 60, it stays hidden.
    url = create("change-visibility")
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.send_message(QueueUrl=url, MessageBody="b")
    got = wait_for("both messages", lambda: receive(url, MaxNumberOfMessages=10, VisibilityTimeout=30) or None)
    if len(got) == 1:
        got += wait_for("the second message", lambda: receive(url, MaxNumberOfMessages=10, VisibilityTimeout=30))
    a = [m for m in got if m["Body"] == "a"][0]
    b = [m for m in got if m["Body"] == "b"][0]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=a["ReceiptHandle"], VisibilityTimeout=0)
    back = wait_for("the message made visible", lambda: receive(url, AttributeNames=["All"], VisibilityTimeout=30))
    assert [m["Body"] for m in back] == ["a"] and back[0]["Attributes"]["ApproximateReceiveCount"] == "2", back
    code = error_of(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle="not-a-receipt-handle", VisibilityTimeout=5)
    assert code[0] == "ReceiptHandleIsInvalid", code

    out = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "b", "ReceiptHandle": b["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "bad", "ReceiptHandle": "not-a-receipt-handle", "VisibilityTimeout": 0}])
    assert [e["Id"] for e in out["Successful"]] == ["b"], out
    assert [(e["Id"], e["Code"], e["SenderFault"]) for e in out["Failed"]] == [("bad", "ReceiptHandleIsInvalid", True)], out
    back = wait_for("the message made visible by the batch", lambda: receive(url))
    assert [m["Body"] for m in back] == ["b"], back


@check
def delete_and_batches():
    url = create("batches")
    entries = [{"Id": "m%d" % i, "MessageBody": "body %d" % i} for i in range(3)]
    entries[1]["MessageAttributes"] = ATTRIBUTES
    out = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert not out.get("Failed"), out
    by_id = {e["Id"]: e for e in out["Successful"]}
    assert sorted(by_id) == ["m0", "m1", "m2"], out
    for e in entries:
        assert by_id[e["Id"]]["MD5OfMessageBody"] == md5(e["MessageBody"]), by_id
    assert by_id["m1"]["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES), by_id
    assert "MD5OfMessageAttributes" not in by_id["m0"], by_id

    for bad, want in [
        ([{"Id": "bad id!", "MessageBody": "x"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
        ([{"Id": "x" * 81, "MessageBody": "x"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
        ([{"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}], "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
        ([], "AWS.SimpleQueueService.EmptyBatchRequest"),
        ([{"Id": str(i), "MessageBody": "x"} for i in range(11)], "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    ]:
        code = error_of(sqs.send_message_batch, QueueUrl=url, Entries=bad)
        assert code[0] == want, (bad[:2], code)
    code = error_of(sqs.delete_message_batch, QueueUrl=url, Entries=[{"Id": "bad id!", "ReceiptHandle": "x"}])
    assert code[0] == "AWS.SimpleQueueService.InvalidBatchEntryId", code
    code = error_of(sqs.delete_message_batch, QueueUrl=url, Entries=[{"Id": "a", "ReceiptHandle": "x"}, {"Id": "a", "ReceiptHandle": "y"}])
    assert code[0] == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", code
    code = error_of(sqs.change_message_visibility_batch, QueueUrl=url, Entries=[{"Id": "bad id!", "ReceiptHandle": "x", "VisibilityTimeout": 1}])
    assert code[0] == "AWS.SimpleQueueService.InvalidBatchEntryId", code

    got = []
    wait_for("the three messages", lambda: got.extend(receive(url, MaxNumberOfMessages=10, VisibilityTimeout=30)) or len(got) >= 3)
    assert sorted(m["Body"] for m in got) == ["body 0", "body 1", "body 2"], got
    first, rest = got[0], got[1:]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    out = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "r%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(rest)] +
                                   [{"Id": "garbage", "ReceiptHandle": "not-a-receipt-handle"}])
    assert sorted(e["Id"] for e in out["Successful"]) == ["r0", "r1"], out
    assert [(e["Id"], e["Code"], e["SenderFault"]) for e in out["Failed"]] == [("garbage", "ReceiptHandleIsInvalid", True)], out
    code = error_of(sqs.delete_message, QueueUrl=url, ReceiptHandle="not-a-receipt-handle")
    assert code[0] == "ReceiptHandleIsInvalid", code
    wait_for("an empty queue", lambda: counts(url) == (0, 0, 0))


@check
def fifo_order_and_dedup():
    url = create("order.fifo", FifoQueue="true")
    seqs = []
    for i in range(5):
        out = sqs.send_message(QueueUrl=url, MessageBody="m%d" % i, MessageGroupId="g1", MessageDeduplicationId="d%d" % i)
        seqs.append(int(out["SequenceNumber"]))
    assert seqs == sorted(seqs) and len(set(seqs)) == 5, seqs
    # The same deduplication id within 5 minutes: accepted, not delivered again.
    sqs.send_message(QueueUrl=url, MessageBody="duplicate", MessageGroupId="g1", MessageDeduplicationId="d1")
    code = error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g1")
    assert code[0] == "InvalidParameterValue", code  # no deduplication id and no content-based deduplication
    code = error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageDeduplicationId="x")
    assert code[0] == "MissingParameter", code

    got = receive(url, MaxNumberOfMessages=10, AttributeNames=["All"])
    assert [m["Body"] for m in got] == ["m0", "m1", "m2", "m3", "m4"], [m["Body"] for m in got]
    a = got[0]["Attributes"]
    assert a["MessageGroupId"] == "g1" and a["MessageDeduplicationId"] == "d0" and int(a["SequenceNumber"]) == seqs[0], a
    out = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
    assert len(out["Successful"]) == 5 and not out.get("Failed"), out
    assert receive(url, MaxNumberOfMessages=10) == [], "the duplicate was delivered"

    # A group with a message in flight delivers nothing more until it is deleted.
    for body, group in [("a1", "ga"), ("a2", "ga"), ("b1", "gb")]:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=body)
    [x] = receive(url, MaxNumberOfMessages=1, AttributeNames=["MessageGroupId"])
    group = x["Attributes"]["MessageGroupId"]
    others = receive(url, MaxNumberOfMessages=10, AttributeNames=["MessageGroupId"])
    assert all(m["Attributes"]["MessageGroupId"] != group for m in others), (x, others)
    assert [m["Body"] for m in others] == (["b1"] if group == "ga" else ["a1", "a2"]), (x["Body"], others)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=x["ReceiptHandle"])
    if group == "ga":
        assert [m["Body"] for m in receive(url, MaxNumberOfMessages=10)] == ["a2"]

    url = create("content.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="other", MessageGroupId="g")
    assert [m["Body"] for m in receive(url, MaxNumberOfMessages=10)] == ["same", "other"]


@check
def redrive_and_move_back():
    dlq = create("dead-letters")
    dlq_arn = arn_of(dlq)
    src = create("work", RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}))
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"])
    assert policy["deadLetterTargetArn"] == dlq_arn and int(policy["maxReceiveCount"]) == 2, policy
    sqs.send_message(QueueUrl=src, MessageBody="poison")
    for n in ["1", "2"]:
        got = wait_for("receive %s of the message" % n, lambda: receive(src, VisibilityTimeout=0, AttributeNames=["All"]))
        assert got[0]["Body"] == "poison" and got[0]["Attributes"]["ApproximateReceiveCount"] == n, got
    # The next receive finds the message past its maxReceiveCount: it moves to the dead-letter queue.
    moved = wait_for("the message in the dead-letter queue", lambda: receive(src, VisibilityTimeout=0) == [] and receive(dlq, VisibilityTimeout=0))
    assert [m["Body"] for m in moved] == ["poison"], moved
    wait_for("the source queue empty", lambda: counts(src) == (0, 0, 0))
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]

    task = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert task, "no task handle"

    def completed():
        r = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        return r if r and r[0]["Status"] == "COMPLETED" else None
    [t] = wait_for("the move task to complete", completed)
    assert t["SourceArn"] == dlq_arn and t["ApproximateNumberOfMessagesMoved"] == 1, t
    back = wait_for("the message back in its source queue", lambda: receive(src))
    assert [m["Body"] for m in back] == ["poison"], back
    assert receive(dlq) == []


@check
def queue_defaults():
    # A queue's DelaySeconds delays each message; its ReceiveMessageWaitTimeSeconds
    # makes every receive a long poll.
    url = create("defaults", DelaySeconds=1, ReceiveMessageWaitTimeSeconds=1)
    start = time.monotonic()
    assert receive(url) == []
    assert time.monotonic() - start >= 0.9, "the queue's ReceiveMessageWaitTimeSeconds did not apply"
    sqs.send_message(QueueUrl=url, MessageBody="late")
    sent = time.monotonic()
    assert receive(url, WaitTimeSeconds=0) == [], "a message of a queue with DelaySeconds 1 was delivered at once"
    got = receive(url, WaitTimeSeconds=5)
    assert [m["Body"] for m in got] == ["late"] and 0.8 <= time.monotonic() - sent < 4, (got, time.monotonic() - sent)
    account = arn_of(url).split(":")[4]
    assert sqs.get_queue_url(QueueName="defaults", QueueOwnerAWSAccountId=account)["QueueUrl"] == url


@check
def invalid_requests():
    url = create("strict", MaximumMessageSize=1024)
    fifo = create("strict.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for what, call, kwargs, want in [
        ("a body over MaximumMessageSize", sqs.send_message, {"QueueUrl": url, "MessageBody": "x" * 1025}, "InvalidParameterValue"),
        ("a body with a control character", sqs.send_message, {"QueueUrl": url, "MessageBody": "a\x01b"}, "InvalidMessageContents"),
        ("a Number attribute that is no number", sqs.send_message,
         {"QueueUrl": url, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Number", "StringValue": "abc"}}}, "InvalidParameterValue"),
        ("an attribute of an unknown type", sqs.send_message,
         {"QueueUrl": url, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Bogus", "StringValue": "1"}}}, "InvalidParameterValue"),
        ("DelaySeconds over 900", sqs.send_message, {"QueueUrl": url, "MessageBody": "x", "DelaySeconds": 901}, "InvalidParameterValue"),
        ("a per-message delay on a FIFO queue", sqs.send_message,
         {"QueueUrl": fifo, "MessageBody": "x", "MessageGroupId": "g", "DelaySeconds": 5}, "InvalidParameterValue"),
        ("MaxNumberOfMessages 11", sqs.receive_message, {"QueueUrl": url, "MaxNumberOfMessages": 11}, "InvalidParameterValue"),
        ("a VisibilityTimeout over 12 hours", sqs.set_queue_attributes,
         {"QueueUrl": url, "Attributes": {"VisibilityTimeout": "43201"}}, "InvalidAttributeValue"),
        ("a queue name with a space", sqs.create_queue, {"QueueName": "bad name"}, "InvalidParameterValue"),
        ("a move task from a queue that is no dead-letter queue", sqs.start_message_move_task,
         {"SourceArn": arn_of(url)}, "InvalidParameterValue"),
        ("a move task from no queue", sqs.start_message_move_task,
         {"SourceArn": arn_of(url).replace(":strict", ":no-such-queue")}, "ResourceNotFoundException"),
    ]:
        code = error_of(call, **kwargs)
        assert code[0] == want, (what, code, want)


@check
def purge_and_delete():
    url = create("purged")
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
    sqs.purge_queue(QueueUrl=url)
    wait_for("the purged queue empty", lambda: counts(url) == (0, 0, 0))
    assert receive(url) == []
    # One purge a minute.
    code = error_of(sqs.purge_queue, QueueUrl=url)
    assert code[:3] == ("AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueueInProgress", 403), code

    sqs.delete_queue(QueueUrl=url)

    def gone():
        try:
            sqs.get_queue_url(QueueName="purged")
        except ClientError as e:
            return e.response["Error"]["Code"]
    assert wait_for("the deleted queue gone", gone) == "AWS.SimpleQueueService.NonExistentQueue"
    code = error_of(sqs.send_message, QueueUrl=url, MessageBody="x")
    assert code[0] == "AWS.SimpleQueueService.NonExistentQueue", code


failed = 0
for c in checks:
    try:
        c()
        print("ok   %s" % c.__name__)
    except Exception:
        failed += 1
        print("FAIL %s\n%s" % (c.__name__, traceback.format_exc()))
if failed:
    print("boto3 queues: %d of %d checks failed" % (failed, len(checks)))
    sys.exit(1)
print("boto3 queues: ok")
