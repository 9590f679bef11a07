// Once the browser has registered a passkey (django-otp-webauthn's register script fires this event), the
// page goes on to the recovery codes through an ordinary POST, so the server decides what comes next.
document.addEventListener("otp_webauthn.register_complete", () => {
  document.getElementById("passkey-added")?.submit();
});
