"""`vipdesk check --deploy` under production settings (issue 21, item 1).

The settings module reads the environment once, at start-up, so each case starts a fresh Django in a
subprocess with the environment an operator would write (docs/operations.md §3).
"""
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[3]


def _production_env(tmp_path, **extra) -> dict:
    # Nothing of the test run's own configuration (VIPDESK_*, PYTEST_VERSION: the inline queue) leaks in.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VIPDESK_") and k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_VERSION")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VIPDESK_ENV": "production",
        "VIPDESK_DATA_DIR": str(tmp_path),
        "VIPDESK_SECRET_KEY": "s" * 20 + "e" * 20 + "cret-key-for-the-deploy-check",
        "VIPDESK_FIELD_KEYS": Fernet.generate_key().decode(),
        "VIPDESK_ALLOWED_HOSTS": "vip.example.com",
        "VIPDESK_CSRF_TRUSTED_ORIGINS": "https://vip.example.com",
        "REDIS_URL": "redis://127.0.0.1:6379/0",  # only named: the check does not connect
    })
    env.update(extra)
    return env


def _check_deploy(env):
    return subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def _settings(env, *names):
    code = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print(repr(getattr(settings, {name!r}, None)))" for name in names)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")[:len(names)]


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    done = _check_deploy(_production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr
    assert "WARNING" not in done.stderr and "security." not in done.stdout + done.stderr


def test_production_defaults_force_https_behind_the_proxy(tmp_path):
    values = _settings(_production_env(tmp_path), "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                       "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
                       "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
    assert values == ["31536000", "True", "False", "True", "('HTTP_X_FORWARDED_PROTO', 'https')", "True", "True"]


def test_the_environment_sets_each_https_setting(tmp_path):
    env = _production_env(tmp_path, VIPDESK_HSTS_SECONDS="600", VIPDESK_HSTS_INCLUDE_SUBDOMAINS="0",
                          VIPDESK_HSTS_PRELOAD="1", VIPDESK_PROXY_SSL_HEADER="X-Forwarded-Scheme")
    assert _settings(env, "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
                     "SECURE_PROXY_SSL_HEADER") == ["600", "False", "True", "('HTTP_X_FORWARDED_SCHEME', 'https')"]
    # Turning HTTPS enforcement off in production is possible, and the deploy check says what is missing.
    weakened = _check_deploy(_production_env(tmp_path, VIPDESK_HSTS_SECONDS="0", VIPDESK_SSL_REDIRECT="0",
                                             VIPDESK_PROXY_SSL_HEADER="off"))
    assert weakened.returncode == 1
    assert "security.W004" in weakened.stderr and "security.W008" in weakened.stderr


def test_a_malformed_value_stops_the_start_with_its_name(tmp_path):
    done = subprocess.run([sys.executable, "-m", "django", "check"], cwd=REPO, capture_output=True, text=True,
                          env=_production_env(tmp_path, VIPDESK_SSL_REDIRECT="maybe"), timeout=120)
    assert done.returncode != 0 and "VIPDESK_SSL_REDIRECT must be 1 or 0" in done.stderr


def test_development_keeps_plain_http(settings):
    # The suite runs with development settings (the demo on http://127.0.0.1:8000).
    assert settings.SECURE_HSTS_SECONDS == 0 and settings.SECURE_SSL_REDIRECT is False
    assert settings.SECURE_PROXY_SSL_HEADER is None and settings.SESSION_COOKIE_SECURE is False
