from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prachum.core"
    verbose_name = "Prachum core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from prachum.core.collation import register_sqlite_collations

        connection_created.connect(register_sqlite_collations, dispatch_uid="prachum_lo_collation")
