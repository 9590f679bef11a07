"""The paper a badge is printed on: one A6 badge per page, four A6 badges on an A4 sheet, and two
common A4 label sheets. All sizes in millimetres; a sheet is filled row by row from the top left.

Label sheets are placed by their maker's pitch (the distance from one label's left edge to the next
one's), so a printer that holds the sheet straight puts every badge on its label.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Layout(models.TextChoices):
    A6 = "a6", _("A6, one badge per page (105 × 148 mm)")
    A4_FOUR_A6 = "a4_4", _("A4 sheet of four A6 badges, to cut (105 × 148 mm)")
    LABELS_2X4 = "labels_2x4", _("A4 label sheet 2 × 4, 105 × 74 mm (e.g. Avery 3427, Herma 4614)")
    LABELS_2X5 = "labels_2x5", _("A4 label sheet 2 × 5, 99.1 × 57 mm (e.g. Avery L7173)")


@dataclass(frozen=True)
class Sheet:
    page_width: float
    page_height: float
    badge_width: float
    badge_height: float
    columns: int
    rows: int
    left: float = 0.0  # margin of the sheet to the first label
    top: float = 0.0
    pitch_x: float = 0.0  # 0: the badge's width (labels that touch)
    pitch_y: float = 0.0
    cut_marks: bool = False  # a thin outline to cut along

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def orientation(self) -> str:
        """`portrait` badges have the QR code under the name; `landscape` ones beside it."""
        return "portrait" if self.badge_height > self.badge_width else "landscape"

    def position(self, index: int) -> tuple[float, float]:
        """(left, top) of the badge at `index` on its page."""
        row, column = divmod(index % self.per_page, self.columns)
        return (
            self.left + column * (self.pitch_x or self.badge_width),
            self.top + row * (self.pitch_y or self.badge_height),
        )


SHEETS = {
    Layout.A6: Sheet(105, 148, 105, 148, 1, 1),
    Layout.A4_FOUR_A6: Sheet(210, 297, 105, 148.5, 2, 2, cut_marks=True),
    # Avery 3427 / Herma 4614: eight labels touching, no margins.
    Layout.LABELS_2X4: Sheet(210, 297, 105, 74, 2, 4, top=0.5),
    # Avery L7173: ten labels, 6 mm top margin, 4.65 mm side margin, 2.5 mm between the columns.
    Layout.LABELS_2X5: Sheet(210, 297, 99.1, 57, 2, 5, left=4.65, top=6, pitch_x=101.6, pitch_y=57),
}
