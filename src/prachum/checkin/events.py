"""The domain event of a check-in (prachum.core.events): emitted in the check-in's transaction when a person
is counted for the meeting or a session for the first time (live at the desk or synced from a device)."""

from prachum.core import events


def checkin_event(checkin, registration, meeting) -> None:
    def data():
        return {
            "checkin": {
                "id": checkin.pk,
                "client_id": str(checkin.client_id),
                "meeting": meeting.slug,
                "session": checkin.session_id,
                "checked_in_at": checkin.checked_in_at.isoformat(),
                "device": checkin.device.name if checkin.device_id else None,
            },
            "registration": {
                "id": registration.pk,
                "full_name": registration.full_name,
                "name_lo": registration.name_lo,
                "status": registration.status,
            },
        }
    events.emit("checkin.created", meeting_id=meeting.pk, subject_id=registration.pk, data=data)
