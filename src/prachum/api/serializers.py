"""What the API shows of each thing. Bilingual fields come as {"lo": …, "en": …}: a system on the other side
picks, the API does not guess."""

from rest_framework import serializers

from prachum.meetings.models import Meeting


class BilingualField(serializers.Field):
    """Reads `<name>_lo` and `<name>_en` of the object as {"lo": …, "en": …}."""

    def __init__(self, base: str, **kwargs):
        self.base = base
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return {"lo": getattr(obj, f"{self.base}_lo", ""), "en": getattr(obj, f"{self.base}_en", "")}


class Bilingual(serializers.Serializer):
    lo = serializers.CharField()
    en = serializers.CharField()


def bilingual(base: str):
    from drf_spectacular.utils import extend_schema_field

    return extend_schema_field(Bilingual)(BilingualField)(base)


class MeetingSerializer(serializers.ModelSerializer):
    title = bilingual("title")
    description = bilingual("description")
    venue = bilingual("venue")

    class Meta:
        model = Meeting
        fields = ["slug", "series", "title", "description", "format", "status", "time_zone", "starts_at", "ends_at",
                  "venue", "registration_mode", "registration_opens_at", "registration_closes_at", "capacity",
                  "online_capacity", "default_language"]
        read_only_fields = fields
