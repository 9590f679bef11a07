"""The languages a registered person is written to in."""

# The site's languages, in the order an email in both gives them after the person's own.
LANGUAGES = ("lo", "en")


def email_languages(registration, language: str | None = None) -> tuple[str, ...]:
    """The languages of the registration's emails: its own (or `language`), then the other one where the
    meeting asks for emails in both languages (Meeting.emails_in_both_languages)."""
    language = language or registration.language
    if not registration.meeting.emails_in_both_languages:
        return (language,)
    return (language, *[code for code in LANGUAGES if code != language])
