"""Locust users for bench/bench_vote.py: each is one phone that opens the vote page and votes
once (GET then POST, its own cookies), then stays idle. Set VOTE_TOKEN and VOTE_PITCHES."""

from __future__ import annotations

import os
import random
import re

from locust import FastHttpUser, constant, task

TOKEN = os.environ.get("VOTE_TOKEN", "")
PITCHES = [p for p in os.environ.get("VOTE_PITCHES", "").split(",") if p]
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


class Phone(FastHttpUser):
    wait_time = constant(3600)  # one vote per phone; the run ends long before

    @task
    def vote(self) -> None:
        page = self.client.get(f"/vote/{TOKEN}", name="GET /vote (page)")
        found = CSRF.search(page.text or "")
        if not found:
            return
        with self.client.post(
            f"/vote/{TOKEN}",
            data={"pitch": random.choice(PITCHES), "csrf": found.group(1)},
            name="POST /vote",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 303:
                response.success()
            else:
                response.failure(f"status {response.status_code}")
