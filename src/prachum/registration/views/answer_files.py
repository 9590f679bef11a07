"""An answer's uploaded file, as the organizer's registration page and the person's private page serve it.

The file is shown by the browser only when it is a picture; anything else (a PDF) is downloaded. Either
way it is served as the type its stored name says (services/uploads.py gave that name from the content),
never sniffed, and under a `sandbox` policy: a file crafted to look like a page runs nothing, here.
"""

from django.http import FileResponse, Http404

from prachum.registration.models import Answer
from prachum.registration.services.uploads import content_type_of

FILE_POLICY = "sandbox; default-src 'none'; img-src 'self'"


def answer_file_response(answer: Answer) -> FileResponse:
    if not answer.file:
        raise Http404("no file")
    content_type = content_type_of(answer.file.name)
    extension = "." + answer.file.name.rsplit(".", 1)[-1].lower() if "." in answer.file.name else ""
    registration = answer.registration
    filename = f"{registration.meeting.slug}-{registration.pk}-{answer.question.key}{extension}"
    try:
        handle = answer.file.open("rb")
    except FileNotFoundError:
        raise Http404("the file is gone") from None
    response = FileResponse(handle, as_attachment=not content_type.startswith("image/"), filename=filename,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
