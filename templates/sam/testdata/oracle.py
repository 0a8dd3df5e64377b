#!/usr/bin/env python3
"""Writes the expected output of each golden test with samtranslator.

For every testdata/NAME.json or NAME.yaml (a SAM template; YAML is read with
samtranslator's yaml_parse, which turns short-form tags into long forms) this writes
testdata/NAME.expected.json:
either the CloudFormation template samtranslator produces, or {"Error": "<message>"}
when samtranslator rejects the template.

Run by hand from templates/sam:   python3 testdata/oracle.py [NAME.json ...]
or through the Go test:            go test ./templates/sam -run TestGolden -update-from-sam
The options of the Go test (region us-east-1, account 123456789012, partition aws,
stack name eddy-test) are the pseudo parameters given here.
"""
import glob
import json
import os
import sys

os.environ["AWS_DEFAULT_REGION"] = "us-east-1"

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class Policies:
    """Maps a managed policy name to arn:aws:iam::aws:policy/NAME."""

    def load(self):
        return Names()


class Names(dict):
    def __missing__(self, key):
        return "arn:aws:iam::aws:policy/" + key

    def get(self, key, default=None):
        return self[key]

    def __contains__(self, key):
        return True


PARAMS = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::StackName": "eddy-test",
    "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/eddy-test/00000000-0000-0000-0000-000000000000",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NotificationARNs": [],
    "AWS::NoValue": None,
}


def main(args):
    here = os.path.dirname(os.path.abspath(__file__))
    names = args or sorted(glob.glob(os.path.join(here, "*.json")) + glob.glob(os.path.join(here, "*.yaml")))
    for name in names:
        if name.endswith(".expected.json"):
            continue
        path = name if os.path.isabs(name) or os.path.exists(name) else os.path.join(here, name)
        with open(path) as f:
            template = yaml_parse(f.read()) if path.endswith(".yaml") else json.load(f)
        try:
            out = transform(template, dict(PARAMS), Policies())
        except InvalidDocumentException as e:
            out = {"Error": "Invalid Serverless Application Specification document. Number of errors found: %d. %s" % (
                len(e.causes), " ".join(c.message for c in e.causes))}
        with open(os.path.splitext(path)[0] + ".expected.json", "w") as f:
            json.dump(out, f, indent=2, sort_keys=True)
            f.write("\n")
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
