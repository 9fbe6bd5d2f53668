"""Fixtures: one emulator per test session, started through `tests/emulator/run`, plus clients.

Each test gets its own fresh 12-digit account (the access key ID selects the account), and the
emulator is reset before every test so config from one test cannot leak into the next.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

EMULATOR_DIR = Path(__file__).resolve().parent.parent
RUN = EMULATOR_DIR / "run"
REGION = "us-east-1"
_accounts = itertools.count(100000000001)


def start_emulator(*extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """Starts `run --port 0`, waits for its URL line; stdin stays a pipe (its lifeline)."""
    process = subprocess.Popen(
        [str(RUN), "--port", "0", *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=open(os.devnull, "wb") if not os.environ.get("EMULATOR_LOG") else None,
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode().strip()
    if not line.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"emulator did not print its URL, got {line!r}")
    return process, line


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    process, url = start_emulator()
    yield url
    assert process.stdin is not None
    process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


class Admin:
    """The emulator's `/_emulator/` API."""

    def __init__(self, url: str) -> None:
        self.url = url

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_emulator/{path}", data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def config(self, **changes: Any) -> Any:
        status, payload = self.request("POST", "config", changes)
        assert status == 200, payload
        return payload

    def calls(self, account: str | None = None) -> list[dict[str, Any]]:
        status, payload = self.request("GET", "calls" + (f"?account={account}" if account else ""))
        assert status == 200
        return payload["calls"]

    def inventory(self, account: str) -> dict[str, list[dict[str, Any]]]:
        status, payload = self.request("GET", f"inventory?account={account}")
        assert status == 200, payload
        return payload["objects"]


@pytest.fixture
def admin(emulator: str) -> Admin:
    handle = Admin(emulator)
    status, _ = handle.request("POST", "reset")
    assert status == 200
    return handle


@pytest.fixture
def account(admin: Admin) -> str:
    return str(next(_accounts))


ClientFactory = Callable[..., Any]


@pytest.fixture
def client(emulator: str, account: str) -> ClientFactory:
    """`client("ec2")` for the test's account, `client("ec2", account=...)` for another one.

    Retries are off so that throttling and faults reach the test as they are.
    """

    def make(service: str, account: str = account, region: str = REGION, retries: int = 1) -> Any:
        return boto3.client(
            service,
            endpoint_url=emulator,
            region_name=region,
            aws_access_key_id=account,
            aws_secret_access_key="secret",
            config=Config(retries={"total_max_attempts": retries, "mode": "standard"}),
        )

    return make


def new_account() -> str:
    return str(next(_accounts))


def wait_for(probe: Callable[[], Any], expected: Any, timeout: float = 5.0) -> float:
    """Polls until probe() == expected; returns the seconds it took."""
    started = time.monotonic()
    last = None
    while time.monotonic() - started < timeout:
        last = probe()
        if last == expected:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"still {last!r} after {timeout}s, expected {expected!r}")


def error_code(excinfo: Any) -> str:
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture
def network(client: ClientFactory) -> dict[str, Any]:
    """A VPC (10.0.0.0/16 + 10.1.0.0/16) with subnets in two AZs and one extra in the first AZ."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.1.0.0/16")
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    a2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    return {"vpc": vpc, "subnet_a": a, "subnet_b": b, "subnet_a2": a2}
