"""The meeting file format: YAML read with line numbers (nodes), times (times), the checked specification (schema)."""

from .nodes import MeetingFileError, compose
from .schema import MeetingSpec, read_meeting_spec

__all__ = ["MeetingFileError", "MeetingSpec", "compose", "read_meeting_spec"]
