"""A local S3-compatible server (moto's server mode) for the tests and benches of s3:// stores."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: moto accepts any credentials; these only have to be present and consistent.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "pitchjudge-test",
    "AWS_SECRET_ACCESS_KEY": "pitchjudge-test-secret",
    "AWS_DEFAULT_REGION": "eu-west-3",
}


@dataclass(frozen=True)
class LocalS3:
    endpoint_url: str

    def env(self, bucket: str, prefix: str = "decks") -> dict[str, str]:
        """The settings of an app whose deck store is `s3://bucket/prefix` on this server."""
        return {
            **CREDENTIALS,
            "PITCHJUDGE_DECK_STORE": f"s3://{bucket}/{prefix}",
            "PITCHJUDGE_S3_ENDPOINT_URL": self.endpoint_url,
        }

    def new_bucket(self) -> str:
        """A fresh, empty bucket (so tests sharing the server do not see each other's decks)."""
        import boto3

        name = f"pj-{uuid.uuid4().hex[:16]}"
        boto3.client("s3", endpoint_url=self.endpoint_url, **_client_credentials()).create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
        return name


def _client_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDENTIALS["AWS_DEFAULT_REGION"],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def local_s3() -> Iterator[LocalS3]:
    """moto's S3 server on a free local port, in a thread of this process."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield LocalS3(endpoint_url=f"http://{host}:{port}")
    finally:
        server.stop()
