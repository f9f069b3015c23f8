"""Fair admission of heavy queries: a few run, the next wait in a bounded queue, each client its share.

A heavy query (one that computes before its first row) takes one of ``max_heavy_queries`` slots.
When they are all taken it waits, up to its own deadline, in a queue of ``max_heavy_queue``: four
researchers sending an ORDER BY at the same moment are all served, one after the other. Only a
full queue is refused (503 with Retry-After), and no client may hold more than
``max_heavy_per_client`` places (running or waiting; by default every place but one), so one
script cannot take every place from everybody else.
Waiters are served in arrival order (a ticket each, a condition variable).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque

from relais.config import Settings
from relais.errors import ServiceUnavailable


class Ticket:
    """One heavy query's place: waiting, then running."""

    __slots__ = ("client", "running")

    def __init__(self, client: str) -> None:
        self.client = client
        self.running = False


class HeavyQueue:
    """Slots and queue places for heavy queries, counted per client."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.running = 0
        self.waiting: deque[Ticket] = deque()
        self.per_client: Counter[str] = Counter()
        self._changed = threading.Condition()
        places = settings.max_heavy_queries + settings.max_heavy_queue
        self.per_client_limit = settings.max_heavy_per_client or max(1, places - 1)

    def enter(self, client: str) -> Ticket:
        """Take a place (running or waiting) or refuse now; the ticket goes to :meth:`wait` and :meth:`leave`."""
        settings = self.settings
        with self._changed:
            if self.per_client[client] >= self.per_client_limit:
                raise ServiceUnavailable(
                    f"you already have {self.per_client[client]} sorting, grouping or joining queries running or "
                    f"waiting (RELAIS_HEAVY_PER_CLIENT={self.per_client_limit}); wait for one to finish"
                )
            if self.running >= settings.max_heavy_queries and len(self.waiting) >= settings.max_heavy_queue:
                raise ServiceUnavailable(
                    f"{self.running} sorting, grouping or joining queries are running and {len(self.waiting)} are "
                    f"waiting (RELAIS_MAX_HEAVY_QUERIES={settings.max_heavy_queries}, "
                    f"RELAIS_HEAVY_QUEUE={settings.max_heavy_queue}); retry in a moment"
                )
            ticket = Ticket(client)
            self.per_client[client] += 1
            self.waiting.append(ticket)
            return ticket

    def wait(self, ticket: Ticket, deadline: float) -> bool:
        """Block until the ticket's turn comes and a slot is free (True), or the deadline passes (False)."""
        with self._changed:
            while not (self.waiting and self.waiting[0] is ticket and self.running < self.settings.max_heavy_queries):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.waiting.remove(ticket)
                    self._changed.notify_all()
                    return False
                self._changed.wait(remaining)
            self.waiting.popleft()
            self.running += 1
            ticket.running = True
            self._changed.notify_all()
            return True

    def leave(self, ticket: Ticket) -> None:
        """Give back the ticket's place (and its slot, if it ran)."""
        with self._changed:
            if ticket.running:
                self.running -= 1
                ticket.running = False
            elif ticket in self.waiting:
                self.waiting.remove(ticket)
            self.per_client[ticket.client] -= 1
            if not self.per_client[ticket.client]:
                del self.per_client[ticket.client]
            self._changed.notify_all()
