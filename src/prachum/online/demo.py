"""Online settings of the demo meetings (`prachum demo`): a video conference link and two reminders.

The link is a room on the public Jitsi Meet service (a plain link: any platform works the same way).
In the demo, joining opens 40 days before each session, so that a visitor can try their personal join
link today although the demo ADGSOM is weeks ahead; a real meeting opens it some 30 minutes before.
Nothing is changed where the organizer has already set something up.
"""

from django.db import transaction

from prachum.meetings.models import Meeting
from prachum.online.models import OnlineRoom, Provider, ReminderRule

DEMO_OPENS_MINUTES_BEFORE = 40 * 24 * 60
DEMO_REMINDERS = (24 * 60, 60)  # one day and one hour before each session
MODERATOR_CATEGORIES = ("co-chair", "secretariat")


@transaction.atomic
def set_up_demo_online(meetings) -> list[Meeting]:
    """Give each online or hybrid demo meeting without online settings a room and the reminders."""
    done = []
    for meeting in meetings:
        if meeting.format == Meeting.Format.IN_PERSON or OnlineRoom.objects.filter(meeting=meeting).exists():
            continue
        room = OnlineRoom.objects.create(
            meeting=meeting, provider=Provider.LINK, join_link=f"https://meet.jit.si/prachum-{meeting.slug}",
            opens_minutes_before=DEMO_OPENS_MINUTES_BEFORE,
        )
        room.moderator_categories.set(meeting.categories.filter(code__in=MODERATOR_CATEGORIES))
        for minutes in DEMO_REMINDERS:
            ReminderRule.objects.get_or_create(meeting=meeting, minutes_before=minutes)
        done.append(meeting)
    return done
