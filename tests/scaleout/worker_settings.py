"""Settings for outbox workers started by tests/scaleout/test_outbox_workers.py: the project's,
with a channel that records each delivery in a file shared by the workers."""

from config.settings import *  # noqa: F403

HEARING_CHANNELS = {"email": "tests.scaleout.recording_channel.RecordingChannel"}
