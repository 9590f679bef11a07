"""/api/v1/docs/: the readable API page (Redoc, from drf-spectacular-sidecar's copy) under the site's
Content-Security-Policy.

drf-spectacular's own template loads web fonts from Google and styles the page inline, and Redoc styles its
components with <style> elements written at run time (styled-components): the site's `style-src 'self'` blocks
them all and Redoc fails. Here the page loads only our static files (api/redoc.js starts Redoc, api/redoc.css
holds the page's one rule), and this response alone lets styles in by a nonce that Redoc puts on the <style>
elements it writes — scripts stay 'self' only. One stylesheet is written before Redoc reads its options (its
scroll bars', bundled by style-loader): that one is allowed by its hash (REDOC_SCROLLBAR_STYLE), which the
browser test checks against the bundle. Redoc's search runs in a worker made from a blob: (not allowed: the
page turns search off) and its sidebar shows Redocly's logo from their CDN (api/redoc.js swaps it for an empty
picture: the page sends no visitor to a third party)."""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView

# sha256 of the perfect-scrollbar CSS that redoc.standalone.js (drf-spectacular-sidecar) injects at load.
REDOC_SCROLLBAR_STYLE = "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"
# sha256 of "": the empty <style> element styled-components writes before Redoc hands it the nonce, then fills
# through the CSSOM (insertRule, which a policy does not govern).
EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


@method_decorator(csp_update({"style-src": [NONCE, REDOC_SCROLLBAR_STYLE, EMPTY_STYLE]}), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
