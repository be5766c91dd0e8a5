"""Processes shared by the scale-out tests of one test process."""

import itertools

import pytest

from .servers import s3_client, start_s3, stop

_buckets = itertools.count()


@pytest.fixture(scope="session")
def s3_server():
    """One moto S3 server (started once); each test makes its own buckets (`new_bucket`)."""
    process, endpoint = start_s3()
    yield endpoint
    stop(process)


@pytest.fixture
def new_bucket(s3_server):
    """Makes an empty private bucket of a name not used before on the shared server; returns
    (endpoint, its name)."""

    def make(prefix="media", region="us-east-1"):
        name = f"{prefix}-{next(_buckets)}"
        where = {} if region == "us-east-1" else {"LocationConstraint": region}
        s3_client(s3_server, region).create_bucket(
            Bucket=name, **({"CreateBucketConfiguration": where} if where else {})
        )
        return s3_server, name

    return make
