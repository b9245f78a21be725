"""Domain errors of the event store."""


class EventInvalidError(Exception):
    """One or more events break the rules. ``errors`` maps field names to messages (one event) or is
    a list of such maps, one per event of a batch (empty for valid ones)."""

    def __init__(self, errors):
        super().__init__("invalid event")
        self.errors = errors


class EventQueryInvalidError(Exception):
    """A query parameter is malformed or out of range; ``errors`` maps parameter -> messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid event query")
        self.errors = errors
