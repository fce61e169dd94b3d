import os
import subprocess
import sys
from pathlib import Path


def _run(env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIPDESK_")}
    env.update({"VIPDESK_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}, **env_extra)
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY[:4])"],
                          env=env, capture_output=True, text=True)


def test_demo_keys_generated_private(tmp_path):
    result = _run({}, tmp_path)
    assert result.returncode == 0, result.stderr
    keys = Path(tmp_path, "keys.json")
    assert keys.exists() and (keys.stat().st_mode & 0o777) == 0o600


def test_production_refuses_demo_keys(tmp_path):
    result = _run({"VIPDESK_ENV": "production"}, tmp_path)
    assert result.returncode != 0
    assert "refused in production" in result.stderr
    assert not Path(tmp_path, "keys.json").exists()


def test_production_starts_with_real_keys(tmp_path):
    from cryptography.fernet import Fernet

    result = _run({"VIPDESK_ENV": "production", "VIPDESK_SECRET_KEY": "k" * 50, "VIPDESK_FIELD_KEYS": Fernet.generate_key().decode()}, tmp_path)
    assert result.returncode == 0, result.stderr
