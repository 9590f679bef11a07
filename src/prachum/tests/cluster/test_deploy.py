"""deploy/ is what a real installation copies: its nginx files are the render of core/cluster.py's one template,
nginx accepts them, and the environment example passes `check --deploy` and names every variable."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from prachum import config
from prachum.core import cluster, tables
from prachum.registration.forms import MAX_UPLOAD_BYTES
from prachum.reports.files import document_max_bytes, photo_max_bytes

DEPLOY = Path(__file__).resolve().parents[4] / "deploy"
# Used by the demo and the test suite only; the example says so in a comment.
NOT_FOR_PRODUCTION = {"PRACHUM_DEMO_PASSWORD", "PRACHUM_TEST_DATABASE_URL", "PRACHUM_HOSTILE_EXAMPLES"}


def example_variables() -> dict[str, str]:
    """NAME=value lines of the example, read as systemd and a shell do (quotes around a value removed)."""
    values = {}
    for line in (DEPLOY / "prachum.env.example").read_text().splitlines():
        if match := re.fullmatch(r"([A-Z0-9_]+)=(.*)", line):
            values[match.group(1)] = match.group(2).strip('"')
    return values


def test_the_committed_nginx_files_are_the_render_of_the_documented_values():
    assert (DEPLOY / "nginx" / "prachum.conf").read_text() == cluster.production_nginx()
    assert (DEPLOY / "nginx" / "compose.conf").read_text() == cluster.compose_nginx()


def _self_signed(folder: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "meetings.example.gov.la")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return str(folder / "cert.pem"), str(folder / "key.pem")


def test_nginx_accepts_the_production_configuration(tmp_path):
    """The production render with its certificate and folders moved into tmp_path, inside a minimal nginx.conf."""
    site = cluster.render_nginx(**{**cluster.PRODUCTION, "tls": _self_signed(tmp_path), "acme_root": str(tmp_path),
                                   "static_root": str(tmp_path), "access_log": str(tmp_path / "access.log")})
    (tmp_path / "prachum.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n    include {cluster.MIME_TYPES};\n"
        + "".join(f"    {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                            "uwsgi", "scgi"))
        + f"    include {tmp_path}/prachum.conf;\n}}\n")
    result = subprocess.run([cluster.NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                             "-e", "stderr"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr, result.stderr


def test_nginx_passes_every_upload_the_app_accepts():
    megabytes = int(cluster.CLIENT_MAX_BODY_SIZE.removesuffix("m"))
    largest = max(document_max_bytes(), photo_max_bytes(), tables.MAX_BYTES, 4 * MAX_UPLOAD_BYTES,
                  settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    assert megabytes * 1024 * 1024 >= largest


def test_the_environment_example_names_every_variable_and_only_known_ones():
    named = set(example_variables()) | set(re.findall(r"#(PRACHUM_[A-Z0-9_]+)=", (DEPLOY / "prachum.env.example")
                                                         .read_text()))
    assert named <= set(config.KNOWN_VARIABLES)
    assert set(config.KNOWN_VARIABLES) - NOT_FOR_PRODUCTION <= named


def test_check_deploy_is_clean_with_the_environment_example(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRACHUM_")}
    env.update(example_variables())
    # The folders of a server, moved into tmp_path; the database and servers are never reached by `check`.
    env.update(PRACHUM_DATA_DIR=str(tmp_path / "data"), PRACHUM_STATIC_ROOT=str(tmp_path / "static"))
    result = subprocess.run([sys.executable, "-m", "prachum", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_compose_runs_every_part_of_the_shape_from_one_image():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"nginx", "web1", "web2", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web1", "web2", "worker", "beat", "migrate"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert services[name]["env_file"] == ["prachum.env"]
        assert services[name]["environment"]["PRACHUM_CLIENT_IP_HEADER"] == "X-Real-IP"
    assert "./nginx/compose.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
    assert "--require-hashes" in (DEPLOY / "Dockerfile").read_text()
