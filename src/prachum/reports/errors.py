class ReportsError(Exception):
    """A refusal with a stable `code` (tests) and a message in the user's language (pages)."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message
