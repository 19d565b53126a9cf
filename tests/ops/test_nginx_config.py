"""The stack's nginx configuration, rendered as deploy/stack.sh renders it, is one nginx accepts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"

pytestmark = pytest.mark.skipif(
    not (Path(NGINX).exists() and shutil.which("envsubst")), reason="needs nginx and envsubst"
)


def test_the_rendered_stack_configuration_passes_nginx_t(tmp_path):
    for folder in ("run", "logs", "nginx", "static", "media"):
        (tmp_path / folder).mkdir()
    values = {
        "STACK_DIR": str(tmp_path),
        "STACK_WEB1": "127.0.0.1:18031",
        "STACK_WEB2": "127.0.0.1:18032",
        "STACK_LISTEN": "127.0.0.1:18030",
        "STACK_TRUSTED_PROXY": "127.0.0.1",
        "STACK_STATIC": str(tmp_path / "static"),
        "STACK_MEDIA": str(tmp_path / "media"),
        "STACK_ERRORS": str(ROOT / "templates"),
    }
    template = (ROOT / "deploy" / "nginx-stack.conf.template").read_text()
    rendered = subprocess.run(
        ["envsubst", " ".join(f"${{{name}}}" for name in values)],
        input=template,
        capture_output=True,
        text=True,
        env={**os.environ, **values},
        check=True,
    ).stdout
    # nginx's own variables are left for nginx; only the stack's are filled in.
    assert "$request_id" in rendered and "${STACK_" not in rendered
    conf = tmp_path / "nginx.conf"
    conf.write_text(rendered)
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path / "nginx"), "-c", str(conf), "-e", str(tmp_path / "e")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
