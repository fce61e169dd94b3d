"""vipdesk settings: one module, driven by environment variables.

VIPDESK_DATA_DIR   data directory (default ./var): SQLite file, generated demo keys, uploads
DATABASE_URL       default sqlite:///<data dir>/vipdesk.sqlite3; postgres://… in production
REDIS_URL          optional; when set, the cache and the task queue use Redis
VIPDESK_QUEUE      task queue (Huey): "sqlite" (embedded default, a file in the data dir), "redis"
                   (default in production or when REDIS_URL is set) or "immediate" (tests: run inline)
VIPDESK_DAILY_JOBS_AT  local time (Asia/Shanghai) of the daily jobs, HH:MM (default 00:10)
VIPDESK_SECRET_KEY Django secret key
VIPDESK_FIELD_KEYS comma-separated Fernet keys for encrypted member fields (first one encrypts)
VIPDESK_DEBUG      1 to enable debug pages
VIPDESK_ENV        "production" refuses to start with the generated demo keys
VIPDESK_ALLOWED_HOSTS comma-separated host names
VIPDESK_TWO_FACTOR_REQUIRED  1: HQ admins, auditors, store managers and superusers must sign in with a
                   TOTP code (enrolment on first sign-in); default 1 in production, 0 elsewhere (the demo)
VIPDESK_API_RATE_KEY / VIPDESK_API_RATE_STORE / VIPDESK_API_RATE_HQ_KEY  API requests per minute per
                   store key (120), per store (600, above the key's) and per HQ key (1200)

Messaging (vipdesk/messaging, docs/operations.md):
VIPDESK_SMS_BACKEND    "webhook" (signed JSON), "form" (signed form-encoded), "aliyun" (Aliyun SMS
                       SendSms), "file" (JSON lines in <data dir>/sms; the default outside production)
                       or "disabled" (the default in production: SMS fail as not configured)
VIPDESK_SMS_URL        the gateway's address (webhook/form; aliyun: default https://dysmsapi.aliyuncs.com/)
VIPDESK_SMS_SECRET     shared secret signing webhook/form requests (HMAC-SHA256)
VIPDESK_SMS_TIMEOUT    seconds per gateway request (default 10)
VIPDESK_SMS_ACCESS_KEY_ID / VIPDESK_SMS_ACCESS_KEY_SECRET / VIPDESK_SMS_SIGN_NAME  Aliyun credentials and 签名
VIPDESK_SMS_REGION     Aliyun region (default cn-hangzhou)
VIPDESK_CALLBACK_SECRET shared secret of signed delivery reports (POST /api/v1/messaging/callbacks/)
EMAIL_HOST / EMAIL_PORT / EMAIL_HOST_USER / EMAIL_HOST_PASSWORD / EMAIL_USE_TLS / EMAIL_USE_SSL /
DEFAULT_FROM_EMAIL     SMTP for e-mail; without EMAIL_HOST mail is written to <data dir>/mail
VIPDESK_MESSAGE_QUIET_HOURS  HH:MM-HH:MM store local time when SMS and e-mail wait (default 21:00-09:00)
VIPDESK_MESSAGE_WEEKLY_CAP   marketing SMS/e-mails per member per calendar week (default 2; 0 = none)
VIPDESK_MESSAGE_MAX_ATTEMPTS tries per message before it fails (default 5)
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from vipdesk.core import limits

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("VIPDESK_DATA_DIR") or (Path.cwd() / "var")).resolve()
ENVIRONMENT = os.environ.get("VIPDESK_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = os.environ.get("VIPDESK_DEBUG", "0") == "1"


def _demo_keys() -> dict:
    """Keys generated once into the data directory (mode 0600) for the embedded default."""
    path = DATA_DIR / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    from cryptography.fernet import Fernet
    from django.core.management.utils import get_random_secret_key

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    keys = {"secret_key": get_random_secret_key(), "field_keys": [Fernet.generate_key().decode()]}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh)
    return keys


_env_secret = os.environ.get("VIPDESK_SECRET_KEY")
_env_field = os.environ.get("VIPDESK_FIELD_KEYS")
if PRODUCTION and not (_env_secret and _env_field):
    raise ImproperlyConfigured(
        "VIPDESK_ENV=production needs VIPDESK_SECRET_KEY and VIPDESK_FIELD_KEYS; "
        "the generated demo keys are refused in production."
    )
if _env_secret and _env_field:
    SECRET_KEY = _env_secret
    FIELD_ENCRYPTION_KEYS = [k.strip() for k in _env_field.split(",") if k.strip()]
else:
    _keys = _demo_keys()
    SECRET_KEY = _env_secret or _keys["secret_key"]
    FIELD_ENCRYPTION_KEYS = [k.strip() for k in _env_field.split(",")] if _env_field else _keys["field_keys"]
if PRODUCTION and (len(SECRET_KEY) < 40 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("VIPDESK_SECRET_KEY is too weak for production.")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("VIPDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("VIPDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",  # django-csp: its system checks (the policy: security headers block below)
    "vipdesk.core",
    "vipdesk.audit",
    "vipdesk.org",
    "vipdesk.accounts",
    "vipdesk.members",
    "vipdesk.sales",
    "vipdesk.tiers",
    "vipdesk.points",
    "vipdesk.wallet",
    "vipdesk.coupons",
    "vipdesk.pricing",
    "vipdesk.till",
    "vipdesk.messaging",
    "vipdesk.feedback",
    "vipdesk.performance",
    "vipdesk.care",
    "vipdesk.analytics",
    "vipdesk.reports",
    "vipdesk.webhooks",
    "vipdesk.api",
    "vipdesk.console",
    "vipdesk.portal",
    "vipdesk.setup",
    # The apps added in session 4 come after the ones they build on, so that where two catalogues
    # translate the same English words, the older app's wording stays (Django: earlier apps win).
    "vipdesk.grading",
    "vipdesk.servicedesk",
    "vipdesk.arrivals",
    "vipdesk.salesimport",
    "vipdesk.companies",  # organisation accounts and the annual evaluation (issue 20 §1–2)
    "vipdesk.partners",
    "vipdesk.hotline",
    "vipdesk.campaigns",  # campaigns to a segment (issue 18 §1)
    "vipdesk.events",  # VIP events: invitations, waiting list, the door, results (issue 18 §2)
    "vipdesk.demo",
    "huey.contrib.djhuey",
    "vipdesk.scheduler",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy with a per-request nonce (the security headers block below).
    "vipdesk.core.content_policy.ContentPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor sign-in (vipdesk/accounts/two_factor.py): which device verified this session, then
    # the gate that keeps a signed-in user who still owes a code out of everything but that page.
    "django_otp.middleware.OTPMiddleware",
    "vipdesk.console.two_factor.middleware.TwoFactorGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'vipdesk.sqlite3'}",
        conn_max_age=int(os.environ.get("VIPDESK_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the embedded default serve the console and the API at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# The VIP hotline's SIP server (deploy/kamailio/): the secret kamailio sends with every question and
# report (no secret: its endpoints refuse everything), and the domain seats register under.
VIPDESK_SIP_TOKEN = os.environ.get("VIPDESK_SIP_TOKEN", "")
VIPDESK_SIP_DOMAIN = os.environ.get("VIPDESK_SIP_DOMAIN", "hotline.example.com")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Live arrival notices (vipdesk/arrivals/bus.py): "redis" pub/sub when Redis is there (several server
# processes), else "local", an in-process channel (the embedded default's one uvicorn process).
VIPDESK_PUSH_REDIS_URL = os.environ.get("VIPDESK_PUSH_REDIS_URL", REDIS_URL)
VIPDESK_PUSH = os.environ.get("VIPDESK_PUSH", "redis" if VIPDESK_PUSH_REDIS_URL else "local").strip().lower()
if VIPDESK_PUSH not in ("redis", "local"):
    raise ImproperlyConfigured("VIPDESK_PUSH must be redis or local.")

# Task queue (Huey; docs/decisions.md). The daily jobs run on it (vipdesk/scheduler). Embedded default:
# SqliteHuey in the data directory, consumed by a thread inside `vipdesk demo`. Production: RedisHuey,
# consumed by `vipdesk run_huey` (docs/operations.md). Under pytest tasks run inline (immediate mode).
VIPDESK_QUEUE = (os.environ.get("VIPDESK_QUEUE")
                 or ("immediate" if os.environ.get("PYTEST_VERSION")
                     else "redis" if (PRODUCTION or REDIS_URL) else "sqlite")).strip().lower()
if VIPDESK_QUEUE not in ("sqlite", "redis", "immediate"):
    raise ImproperlyConfigured("VIPDESK_QUEUE must be sqlite, redis or immediate.")
HUEY = {
    "name": os.environ.get("VIPDESK_QUEUE_NAME", "vipdesk"),
    "huey_class": "huey.RedisHuey" if VIPDESK_QUEUE == "redis" else "huey.SqliteHuey",
    "immediate": VIPDESK_QUEUE == "immediate",
    "utc": True,
    "consumer": {"workers": int(os.environ.get("VIPDESK_QUEUE_WORKERS", "1")), "worker_type": "thread"},
}
if VIPDESK_QUEUE == "redis":
    HUEY["url"] = REDIS_URL or "redis://127.0.0.1:6379/0"
else:
    HUEY["filename"] = str(DATA_DIR / "huey.sqlite3")
    if VIPDESK_QUEUE == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)

AUTH_USER_MODEL = "accounts.Staff"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

# Lockout after repeated failed logins (django-axes): 5 failures lock the user name for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("VIPDESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "console/locked_out.html"
AXES_VERBOSE = False
# Counter tablets share one IP, so lockout is per user name; the IP-based warning is deliberate.
# models.W040: SQLite keeps a covering index's INCLUDE columns out (sales: sale_member_day_cover); PostgreSQL uses them.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]

# TOTP (django-otp): the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = os.environ.get("VIPDESK_TWO_FACTOR_ISSUER", "vipdesk")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "vipdesk" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Request bodies (docs/api.md §5.1): larger ones answer 413 body_too_large under /api/.
DATA_UPLOAD_MAX_MEMORY_SIZE = limits.BODY_BYTES_MAX

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

# ---- HTTPS behind the reverse proxy (issue 21; docs/operations.md §2, §3) ------------------------------
# Production answers only over HTTPS: plain HTTP is redirected, browsers are told (HSTS) to keep to HTTPS
# for a year, and the session and CSRF cookies (above) travel only over HTTPS. Development keeps plain
# HTTP so that `vipdesk demo` works on 127.0.0.1. `vipdesk check --deploy` is clean with these defaults.
def _https_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {value!r}.")


try:
    SECURE_HSTS_SECONDS = int(os.environ.get("VIPDESK_HSTS_SECONDS") or (365 * 24 * 3600 if PRODUCTION else 0))
except ValueError:
    raise ImproperlyConfigured("VIPDESK_HSTS_SECONDS must be a whole number of seconds.") from None
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https_flag("VIPDESK_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
# Preload is the domain owner's decision (hstspreload.org lists a whole domain and is slow to undo), so it
# stays off unless asked for; with it off the reminder security.W021 is silenced, the choice being made here.
SECURE_HSTS_PRELOAD = _https_flag("VIPDESK_HSTS_PRELOAD", False)
if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
SECURE_SSL_REDIRECT = _https_flag("VIPDESK_SSL_REDIRECT", PRODUCTION)
# The header by which nginx tells the application that the browser came over HTTPS (nginx sets it to
# $scheme, overwriting whatever the browser sent; the application listens on 127.0.0.1 only).
# "off" or an empty value: the WSGI server sets the scheme itself, or TLS ends in the application.
_proxy_ssl_header = os.environ.get("VIPDESK_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO" if PRODUCTION else "").strip()
if _proxy_ssl_header and _proxy_ssl_header.lower() != "off":
    _proxy_ssl_header = _proxy_ssl_header.upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header if _proxy_ssl_header.startswith("HTTP_")
                               else f"HTTP_{_proxy_ssl_header}", "https")
# ---- end of HTTPS ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vipdesk.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "vipdesk.api.schema.VipdeskAutoSchema",
    "EXCEPTION_HANDLER": "vipdesk.api.errors.exception_handler",
    # JSON through vipdesk's parser (a depth limit: deep nesting is 400, not a RecursionError).
    "DEFAULT_PARSER_CLASSES": ["vipdesk.api.parsers.JSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_PAGINATION_CLASS": "vipdesk.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
    # Per key and per store (vipdesk/api/throttling.py; the limits below, docs/api.md §5.2).
    "DEFAULT_THROTTLE_CLASSES": ["vipdesk.api.throttling.ApiClientThrottle"],
}


def _rate(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or int(raw) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of requests per minute, at least 1.")
    return int(raw)


# API requests per minute (docs/api.md §5.2), counted in the cache below (Redis when REDIS_URL is set:
# every worker shares the counts; the local-memory cache counts per process).
VIPDESK_API_RATE_KEY = _rate("VIPDESK_API_RATE_KEY", 120)          # one store key (a till, a service desk)
VIPDESK_API_RATE_STORE = _rate("VIPDESK_API_RATE_STORE", 600)      # all keys of one store together
VIPDESK_API_RATE_HQ_KEY = _rate("VIPDESK_API_RATE_HQ_KEY", 1200)   # one HQ integration key
VIPDESK_API_THROTTLE_CACHE = "default"
if VIPDESK_API_RATE_KEY >= VIPDESK_API_RATE_STORE:
    # Otherwise one runaway till could spend its whole store's budget.
    raise ImproperlyConfigured("VIPDESK_API_RATE_KEY must be below VIPDESK_API_RATE_STORE.")
SPECTACULAR_SETTINGS = {
    "TITLE": "vipdesk API",
    "DESCRIPTION": "vipdesk REST API v1 — members and cards, POS postings (sales, returns, quotes), points, tiers, "
                   "stored value, coupons, messaging, care, feedback and performance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "MessageChannelEnum": "vipdesk.messaging.choices.Channel",
        "OutboxStatusEnum": "vipdesk.messaging.choices.OutboxStatus",
        "DeliveryReportStatusEnum": "vipdesk.messaging.choices.ReportStatus",
        "PostingKindEnum": [("sale", "sale"), ("return", "return")],
    },
}

# ---- Content-Security-Policy and browser security headers (docs/operations.md §3) ---------------
# django-csp (Django 5.2 has no CSP of its own). Every page loads only from our origin (all assets are
# vendored); a <script> or <style> written into a page runs only with this request's nonce
# ({{ request.csp_nonce }}), so an injected one is refused; style="" attributes are refused too (the
# console styles through classes). data: images: the API docs' stylesheet draws its icons with them.
# JSON answers get a stricter policy of their own (vipdesk/core/content_policy.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True        # X-Content-Type-Options: nosniff
SECURE_REFERRER_POLICY = "same-origin"    # member pages' URLs (ids, searches) never leave the site
X_FRAME_OPTIONS = "DENY"                  # with frame-ancestors 'none', for browsers without CSP 2

# ---- vipdesk business settings -------------------------------------------------------------
VIPDESK = {
    # Arrival recognition: a member seen again at the same store within so many minutes is announced once.
    "ARRIVAL_REPEAT_MINUTES": int(os.environ.get("VIPDESK_ARRIVAL_REPEAT_MINUTES", "30")),
    # Stored-value PIN: wrong PINs allowed, then PIN payments locked for so many minutes.
    "PIN_MAX_TRIES": int(os.environ.get("VIPDESK_PIN_MAX_TRIES", "5")),
    "PIN_LOCK_MINUTES": int(os.environ.get("VIPDESK_PIN_LOCK_MINUTES", "30")),
    # Member portal (vipdesk/portal): a card joined online waits for the store's approval when 1;
    # the gateway's approved template for the sign-in code SMS (Aliyun), its one parameter "code".
    "PORTAL_CARD_APPROVAL": os.environ.get("VIPDESK_PORTAL_CARD_APPROVAL", "0") == "1",
    "PORTAL_SMS_TEMPLATE": os.environ.get("VIPDESK_PORTAL_SMS_TEMPLATE", ""),
    # Card numbers: prefix + zero-padded sequence + Luhn check digit.
    "CARD_PREFIX": os.environ.get("VIPDESK_CARD_PREFIX", "8860"),
    "CARD_SEQUENCE_DIGITS": 10,
    # Profile completeness weights (R1.2); the score is the weighted share of filled fields, 0–100.
    "COMPLETENESS_WEIGHTS": {
        "name": 10, "mobile": 15, "gender": 5, "birthday": 10, "email": 5, "address": 5,
        "ethnicity": 2, "clothing_size": 5, "shoe_size": 3, "occupation": 5, "family": 5,
        "personality": 3, "consumption_habits": 5, "style_preferences": 5, "hobbies": 5,
        "lifestyle": 3, "preferred_contact": 3, "promo_receptiveness": 3, "values": 3,
    },
    # Identity facts needed before a lost card is replaced (R2.3).
    "LOST_CARD_MIN_FACTS": 2,
    # An anonymous sale may be credited to a member this many days later (R3).
    "ATTACH_SALE_DAYS": 7,
    # Care tasks (call, visit, gift) still open this many days after their due date go to the store manager.
    "CARE_ESCALATE_AFTER_DAYS": 1,
    # R2.6: a card is dormant after this many months without a purchase.
    "DORMANT_MONTHS": 12,
    # A till's clock may run this far ahead of ours.
    "POS_CLOCK_SKEW_SECONDS": 300,
    # The daily jobs (vipdesk/scheduler) start at this store-local time for the business date that
    # has just begun; after downtime the missed dates run oldest first, at most this many days back.
    "DAILY_JOBS_AT": os.environ.get("VIPDESK_DAILY_JOBS_AT", "00:10"),
    "CATCH_UP_DAYS": 31,
    # Two-factor sign-in for the roles that can reveal, export or change programmes (docs/operations.md §2FA).
    # Off by default so the demo signs in with a password alone; production turns it on.
    "TWO_FACTOR_REQUIRED": os.environ.get("VIPDESK_TWO_FACTOR_REQUIRED", "1" if PRODUCTION else "0") == "1",
    # Messaging (R9.2, R9.3; vipdesk/messaging). Greetings carry no advertising (000 篇2 三.1): a greeting
    # template containing one of these words is refused (HQ adds more as BlockedWord rows).
    "MESSAGE_BLOCKED_WORDS": ["新品", "新款", "上新", "上市", "折扣", "打折", "促销", "优惠", "特价", "满减", "清仓", "秒杀",
                              "new arrival", "discount", "promotion", "sale", "% off"],
    "MESSAGE_QUIET_HOURS": os.environ.get("VIPDESK_MESSAGE_QUIET_HOURS", "21:00-09:00"),
    "MESSAGE_WEEKLY_CAP": int(os.environ.get("VIPDESK_MESSAGE_WEEKLY_CAP", "2")),
    "MESSAGE_MAX_ATTEMPTS": int(os.environ.get("VIPDESK_MESSAGE_MAX_ATTEMPTS", "5")),
    "MESSAGE_RETRY_SECONDS": 60,  # first retry after 1 min, then 2, 4, 8 … (capped at MESSAGE_RETRY_MAX_SECONDS)
    "MESSAGE_RETRY_MAX_SECONDS": 3600,
    "MESSAGE_BATCH": 200,  # messages claimed per deliver_due run
    "MESSAGE_SENDING_LEASE_SECONDS": 600,  # a message left "sending" this long (a crashed worker) is tried again
    "CALLBACK_MAX_SKEW_SECONDS": 300,  # signed delivery reports older or newer than this are refused
    "CALLBACK_SECRET": os.environ.get("VIPDESK_CALLBACK_SECRET", ""),
    # A member's SMS reply that withdraws marketing consent on SMS (the gateway's inbound callback).
    "MESSAGE_OPT_OUT_WORDS": ["退订", "TD", "T", "N"],
    # Where members open links sent to them (a campaign's opt-out link): scheme and host, no slash.
    "PUBLIC_URL": os.environ.get("VIPDESK_PUBLIC_URL", "").rstrip("/"),
    "SMS": {
        "BACKEND": os.environ.get("VIPDESK_SMS_BACKEND") or ("disabled" if PRODUCTION else "file"),
        "URL": os.environ.get("VIPDESK_SMS_URL", ""),
        "SECRET": os.environ.get("VIPDESK_SMS_SECRET", ""),
        "TIMEOUT": float(os.environ.get("VIPDESK_SMS_TIMEOUT", "10")),
        "ACCESS_KEY_ID": os.environ.get("VIPDESK_SMS_ACCESS_KEY_ID", ""),
        "ACCESS_KEY_SECRET": os.environ.get("VIPDESK_SMS_ACCESS_KEY_SECRET", ""),
        "SIGN_NAME": os.environ.get("VIPDESK_SMS_SIGN_NAME", ""),
        "REGION": os.environ.get("VIPDESK_SMS_REGION", "cn-hangzhou"),
    },
}

# ---- Outgoing webhooks (R14.1; vipdesk/webhooks, docs/api.md "Webhooks") ----------------------------
VIPDESK.update({
    "WEBHOOK_RETRY_SECONDS": 30,           # first retry after ~30 s, then 1, 2, 4 … min (jittered, capped below)
    "WEBHOOK_RETRY_MAX_SECONDS": 3600,
    "WEBHOOK_RETRY_HOURS": float(os.environ.get("VIPDESK_WEBHOOK_RETRY_HOURS", "24")),  # then a delivery is given up
    "WEBHOOK_DISABLE_AFTER_DAYS": int(os.environ.get("VIPDESK_WEBHOOK_DISABLE_AFTER_DAYS", "3")),
    "WEBHOOK_CONNECT_TIMEOUT_SECONDS": 3,
    "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("VIPDESK_WEBHOOK_TIMEOUT_SECONDS", "10")),
    "WEBHOOK_LEASE_SECONDS": 120,          # a delivery left "sending" this long (a dead worker) is taken again
    "WEBHOOK_BATCH": 100,
    "WEBHOOK_SECRET_OVERLAP_HOURS": 24,    # after a rotation the old secret signs too for this long
    "WEBHOOK_REQUIRE_HTTPS": PRODUCTION,
    "WEBHOOK_KEEP_DAYS": 30,
    "WEBHOOK_LOCAL_CACHE_SECONDS": 5,      # each process re-reads the subscriptions at most this often               # settled events (and their delivery log) older than this are removed daily
    "WEBHOOK_DELIVER_ON_COMMIT": True,     # ask the queue to deliver right after the commit (else: the sweep)
})
# ---- end of outgoing webhooks --------------------------------------------------------------------------

# ---- Console sessions on shared counter tablets (issue 21; docs/operations.md §3) -------------------
# Minutes without a request after which a console session ends, per role ("default": roles not named;
# 0: never). Cashiers and guides share counter tablets; the others mostly sit at their own desk. The
# session still ends SESSION_COOKIE_AGE after signing in. VIPDESK_IDLE_SIGN_OUT_MINUTES changes single
# roles, e.g. "cashier=10,guide=10,hq_admin=0"; vipdesk/accounts/checks.py checks the role names.
VIPDESK["IDLE_SIGN_OUT_MINUTES"] = {"cashier": 15, "guide": 15, "default": 60}
for _idle_entry in filter(None, (e.strip() for e in os.environ.get("VIPDESK_IDLE_SIGN_OUT_MINUTES", "").split(","))):
    _idle_role, _, _idle_minutes = _idle_entry.partition("=")
    if not _idle_minutes.strip().isdigit():
        raise ImproperlyConfigured(f"VIPDESK_IDLE_SIGN_OUT_MINUTES: {_idle_entry!r} is not role=minutes.")
    VIPDESK["IDLE_SIGN_OUT_MINUTES"][_idle_role.strip()] = int(_idle_minutes)
# After the messages (the idle sign-out leaves one for the login page), before anything that reads the user.
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "vipdesk.console.idle.IdleSignOutMiddleware")
# ---- end of console sessions -------------------------------------------------------------------------

# E-mail (messaging): SMTP when EMAIL_HOST is set, otherwise one file per message in <data dir>/mail.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
    EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "vipdesk@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused or unknown request (4xx) is one line in the log, without a traceback (vipdesk/core/logs.py).
    "filters": {"one_line_4xx": {"()": "vipdesk.core.logs.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["one_line_4xx"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("VIPDESK_LOG_LEVEL", "WARNING")},
}
