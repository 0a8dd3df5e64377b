"""The common DynamoDB path through boto3's resource API, against eddy.

Run with the endpoint as the only argument; exits non-zero on any mismatch.
"""
import sys
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
db = boto3.resource("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                    aws_access_key_id="AKID", aws_secret_access_key="secret")

table = db.create_table(
    TableName="scores",
    KeySchema=[{"AttributeName": "player", "KeyType": "HASH"},
               {"AttributeName": "game", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "player", "AttributeType": "S"},
                          {"AttributeName": "game", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)
table.wait_until_exists()
table.reload()
assert table.table_status == "ACTIVE", table.table_status

for game, score in [("chess#1", 10), ("chess#2", 20), ("go#1", 5)]:
    table.put_item(Item={"player": "ann", "game": game, "score": score, "tags": {"a", "b"}})
table.put_item(Item={"player": "bob", "game": "chess#1", "score": Decimal("1.5")})

got = table.get_item(Key={"player": "ann", "game": "chess#2"})["Item"]
assert got["score"] == 20 and got["tags"] == {"a", "b"}, got

res = table.query(KeyConditionExpression=Key("player").eq("ann") & Key("game").begins_with("chess#"))
assert [i["game"] for i in res["Items"]] == ["chess#1", "chess#2"], res["Items"]

res = table.query(KeyConditionExpression=Key("player").eq("ann"), ScanIndexForward=False,
                  FilterExpression=Attr("score").gt(6))
assert [i["game"] for i in res["Items"]] == ["chess#2", "chess#1"], res["Items"]
assert res["ScannedCount"] == 3 and res["Count"] == 2, res

out = table.update_item(Key={"player": "ann", "game": "go#1"}, UpdateExpression="ADD score :d, wins :one",
                        ExpressionAttributeValues={":d": 7, ":one": 1}, ReturnValues="ALL_NEW")
assert out["Attributes"]["score"] == 12 and out["Attributes"]["wins"] == 1, out

try:
    table.put_item(Item={"player": "ann", "game": "go#1"}, ConditionExpression=Attr("player").not_exists())
    raise SystemExit("conditional put succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ConditionalCheckFailedException", e.response

with table.batch_writer() as batch:
    for i in range(30):
        batch.put_item(Item={"player": "carl", "game": "g%02d" % i, "score": i})
res = table.query(KeyConditionExpression=Key("player").eq("carl"), Select="COUNT")
assert res["Count"] == 30, res

items, kwargs = [], {"Limit": 7}
while True:
    page = table.scan(**kwargs)
    items += page["Items"]
    if "LastEvaluatedKey" not in page:
        break
    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
assert len(items) == 34, len(items)

table.delete_item(Key={"player": "bob", "game": "chess#1"})
assert "Item" not in table.get_item(Key={"player": "bob", "game": "chess#1"})
table.delete()
print("boto3 tables: ok")
