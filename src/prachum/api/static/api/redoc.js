// Starts Redoc on the API documentation page (api/redoc.html) without an inline script (the site's CSP).
// The nonce lets the <style> elements Redoc writes through this page's style-src (api/views/docs.py).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (!container || typeof Redoc === "undefined") return;

  // Redoc's sidebar shows Redocly's logo from their CDN: an empty picture instead, so that the page loads
  // nothing from a third party (the policy's img-src would refuse it anyway).
  var REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  var EMPTY_PICTURE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
  function local(value) { return String(value) === REDOCLY_LOGO ? EMPTY_PICTURE : value; }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    return setAttribute.call(this, name, this instanceof HTMLImageElement && name === "src" ? local(value) : value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true, enumerable: src.enumerable, get: src.get,
    set: function (value) { src.set.call(this, local(value)); }
  });

  Redoc.init(container.dataset.specUrl, {
    nonce: container.dataset.nonce,
    disableSearch: true  // its worker would be a blob:, which the policy's worker-src refuses
  }, container);
}());
