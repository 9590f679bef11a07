from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names once `collectstatic` has written its manifest; the plain names
    before that (tests, a first run), which WhiteNoise serves from the apps' folders."""

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        return super().stored_name(name)
