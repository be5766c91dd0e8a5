"""Two people at once: run a write in a thread, on a database connection of its own."""

import threading

from django.db import connection


def in_other_connection(run):
    """Start `run` in a thread with its own connection; returns (thread, outcome), where outcome
    gets "value" (what `run` returned) or "error" (what it raised) once the thread ends."""
    outcome = {}

    def target():
        try:
            outcome["value"] = run()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome
