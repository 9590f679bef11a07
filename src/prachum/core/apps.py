from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prachum.core"
    verbose_name = "Prachum core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from prachum.core.collation import register_sqlite_collations

        connection_created.connect(register_sqlite_collations, dispatch_uid="prachum_lo_collation")

        from django.core.signals import request_finished, request_started

        from prachum.core.request_ids import request_began, request_ended

        request_started.connect(request_began, dispatch_uid="prachum_request_id")
        request_finished.connect(request_ended, dispatch_uid="prachum_request_id")

        # One rule for every text field of every form (ours, ModelForms', Django's login and admin): control
        # characters are refused beside the field. Django's CharField refuses NUL alone; subclasses with their
        # own validators (EmailField, URLField…) refuse control characters already.
        from django import forms

        from prachum.core.validators import validate_plain_text

        if validate_plain_text not in forms.CharField.default_validators:
            forms.CharField.default_validators = [*forms.CharField.default_validators, validate_plain_text]
