"""Settings shared by every environment.

Everything is declared here; the environment-specific modules only change what differs.
Values that differ between machines come from environment variables (docs/deployment.md lists
them). With no variable set you get the *embedded default*: SQLite, a file cache and a Celery
worker on a filesystem broker, so that `make run` needs no server at all
(docs/decisions/0001-embedded-default.md).
"""

from pathlib import Path

import environ
from csp import constants as csp

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
# Runtime state of the embedded default (SQLite file, cache, broker queue); git-ignored.
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

# --- Core -----------------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings
SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-change-me-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # Our rooms, top to bottom (docs/architecture.md): cms -> campaigns -> learners -> courses ->
    # core. Each imports only rooms below it; `make lint` (import-linter) enforces the order.
    "cms",
    "campaigns",
    "learners",
    "learners.accounts",
    "learners.certificates",
    "campaigns.reminders",  # SMS reminders to stalled learners (issue 19, decision 0105)
    "courses",
    "core",
    "core.outbox",  # the one outbox: tasks that must run survive a broker outage (0036, 0160)
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    # Translation through wagtail-localize (docs/decisions/0011-translation-wagtail-localize.md).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtailmedia",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",  # TOTP for staff; required for Administrators (cms/security.py)
    "allauth.usersessions",  # which sessions to end when an account is disabled
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: every line logged while a request runs carries its id (cms/logs.py, decision 0143).
    "cms.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages are compressed (a lesson: ~16 KB → ~5 KB, one round trip on 2G). Django adds random
    # padding to each gzip response against BREACH, and masks the CSRF token per request.
    "cms.compression.CompressTextMiddleware",
    "cms.security.SiteCSPMiddleware",
    "cms.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.security.AdminFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cms.security.AdminMFARequiredMiddleware",
    "learners.accounts.middleware.ConsentMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "learners.accounts.context_processors.learner_preferences",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
# Embedded default: one SQLite file in WAL mode; writers take the lock up front (IMMEDIATE) and
# wait up to
# 20 s for it, so concurrent writers queue instead of failing with "database is locked".
SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- Cache ----------------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/cache/
# allauth keeps rate limits and lockouts in the default cache, so it must be shared by every
# process and must never evict a live entry (decision 0075): Redis in production (REDIS_URL,
# required there), else a database table that only drops expired rows. "volatile" holds what may
# be lost (cached sessions): the same Redis, or a file cache on the embedded default.
EMBEDDED_CACHES = {
    "default": {"BACKEND": "cms.cache.NonEvictingDatabaseCache", "LOCATION": "dvc_security_cache"},
    "volatile": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    },
}
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    _redis_cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 2,
            "SOCKET_TIMEOUT": 2,
        },
    }
    CACHES = {"default": _redis_cache, "volatile": _redis_cache}
else:
    CACHES = EMBEDDED_CACHES

# --- Sessions -------------------------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "volatile"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 60  # farmers stay signed in on their own phone for two months
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Celery ---------------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Embedded default: kombu's filesystem transport and Celery's filesystem result backend: a real
# worker
# process, no server (docs/decisions/0001-embedded-default.md).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _default_result_backend = f"file://{VAR_DIR / 'celery-results'}"
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _default_result_backend = CELERY_BROKER_URL
else:
    _default_result_backend = ""
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=_default_result_backend) or None
CELERY_BROKER_QUEUE_DIR = VAR_DIR / "celery-broker"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_QUEUE_DIR),
        "data_folder_out": str(CELERY_BROKER_QUEUE_DIR),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = "Asia/Shanghai"
# Beat keeps its schedule and a lock in Redis (celery-redbeat, decision 0141) whenever there is a
# Redis: beat can move between boxes, and a second beat started by mistake waits for the lock
# instead of sending every task twice. The broker's Redis when it is one (clearing the cache must
# not take the lock), else REDIS_URL. The embedded default (no Redis) keeps Celery's file
# scheduler in var/ (serve_embedded passes its path).
_BEAT_REDIS_URL = (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else REDIS_URL
)
if _BEAT_REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = _BEAT_REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = env.str("CELERY_REDBEAT_KEY_PREFIX", default="dvc:redbeat:")
    # A beat that dies holds the lock at most this long; a standby beat then takes over.
    CELERY_REDBEAT_LOCK_TIMEOUT = 90
    CELERY_BEAT_MAX_LOOP_INTERVAL = 15

# --- The site's public address -------------------------------------------------------------------
# Where learners reach the site: the base of every absolute link it prints or sends (certificate QR
# codes and verify links, credential ids, SMS texts, the admin's links). `make run` sets it from
# HOST/PORT; production requires it (decision 0072).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Certificates (learners/certificates) --------------------------------------------------------
# Base64 Ed25519 private key from `manage.py certificate_key` (docs/decisions/0033).
# Unset, a development key is generated into var/; production refuses to start without one.
CERTIFICATE_SIGNING_KEY = env.str("CERTIFICATE_SIGNING_KEY", default="")
CERTIFICATE_DEV_KEY_ALLOWED = True
# Static font instances derived from the installed package (a cache: production settings rebuild
# it in each box's temporary folder, decision 0140).
CERTIFICATE_FONT_DIR = Path(env.str("CERTIFICATE_FONT_DIR", default=str(VAR_DIR / "fonts")))
# Public base of verification links printed in QR codes, if not SITE_URL (a separate short domain).
CERTIFICATE_VERIFY_BASE_URL = env.str("CERTIFICATE_VERIFY_BASE_URL", default="")
# Called as hook(enrollment_id=...) inside the transaction that completes an enrollment.
LEARNERS_ON_COURSE_COMPLETED = ["learners.certificates.services.certificate_request"]
# The incremental rollup refresh has a queue of its own, consumed by its own worker process
# (`celery -A cms worker -Q rollups --concurrency 1`; decision 0132): certificate rendering,
# exports and full rebuilds on the default queue never delay it.
ROLLUPS_QUEUE = "rollups"
CELERY_TASK_ROUTES = {"campaigns.rollups_refresh": {"queue": ROLLUPS_QUEUE}}
CELERY_BEAT_SCHEDULE = {
    # The one outbox drain (core/outbox, decision 0160) re-sends every message the broker never
    # got or lost: certificates, exports, roster imports, rollup rebuilds, reminders.
    "outbox-drain": {"task": "outbox.drain", "schedule": 60.0},
    # Apply changed learners to the dashboard rollups; build new campaigns' (decision 0095).
    # Every 30 s on its own queue and worker (decision 0132), so the dashboard lags an event by
    # at most about 30 s plus one refresh, whatever the other queues hold. A run not started
    # within 30 s is dropped: the next one applies the same marks.
    "campaigns-rollups-refresh": {
        "task": "campaigns.rollups_refresh",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    # Plan due reminder rules and hand due reminders to the outbox (decision 0105).
    "reminders-dispatch": {"task": "reminders.dispatch", "schedule": 60.0},
}

# --- Passwords & accounts -------------------------------------------------------------------------
# https://docs.allauth.org/en/latest/account/configuration.html
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
# Learners: phone + SMS code (sign-up and sign-in); staff and demo accounts: username + password.
# docs/decisions/0020-learner-accounts.md, 0021-sms-backends.md
ACCOUNT_ADAPTER = "learners.accounts.adapter.AccountAdapter"
# "Signed in as 张三" or "138****5678", never the internal username.
ACCOUNT_USER_DISPLAY = "learners.accounts.selectors.user_display"
ACCOUNT_LOGIN_METHODS = {"phone", "username"}
ACCOUNT_SIGNUP_FIELDS = ["phone*"]
ACCOUNT_FORMS = {
    "login": "learners.accounts.forms.LearnerLoginForm",
    "signup": "learners.accounts.forms.LearnerSignupForm",
    "request_login_code": "learners.accounts.forms.LearnerRequestLoginCodeForm",
}
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 10 * 60
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = True
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    # Per IP limits are generous: a whole village signs up through one carrier NAT or one
    # trainer's hotspot. Per number, one SMS per 30 s and 5 an hour (each SMS costs money).
    "signup": "60/h/ip",
    "request_login_code": "60/h/ip,1/30s/key,5/h/key",
    "verify_phone": "60/h/ip,1/30s/key,5/h/key",
    # Wrong training-session check-in codes (campaigns/sessions, decision 0100): 4 digits, so a
    # learner gets 5 wrong tries per 10 minutes; a village hall shares one IP.
    "session_checkin": "5/10m/user,60/10m/ip",
}
# Behind N trusted proxies the client address is the Nth from the right in X-Forwarded-For; 0 = use
# REMOTE_ADDR only, so a forged header cannot reset a rate limit.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# A new version asks every learner to agree again before anything else (learners/accounts).
# 2026-12: the notice says reminders may be sent by SMS (issue 19, decision 0107).
CONSENT_VERSION = "2026-12"

# --- SMS (learners/accounts/sms.py) ---------------------------------------------------------------
# Embedded default: messages are logged (logger "learners.sms"). Production:
# SMS_BACKEND=learners.accounts.sms.HttpGatewayBackend with the gateway's URL and token.
SMS_BACKEND = env.str("SMS_BACKEND", default="learners.accounts.sms.ConsoleBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)

# --- Internationalisation -------------------------------------------------------------------------
# https://docs.wagtail.org/en/stable/advanced_topics/i18n.html
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Each app keeps its own locale/ folder. This one holds only the admin JavaScript strings Wagtail
# leaves untranslated in zh-Hans (its JS catalogue reads wagtail.admin and LOCALE_PATHS); 0087.
LOCALE_PATHS: list = [BASE_DIR / "cms" / "wagtail_zh" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# --- Static & media -------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#storages
STATIC_URL = "/static/"
# collectstatic's output, made once per release (docs/deployment.md).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "static")))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible object storage (django-storages): https://django-storages.readthedocs.io/
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = env.bool("AWS_QUERYSTRING_AUTH", default=False)
    AWS_S3_FILE_OVERWRITE = False
    DEFAULT_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Private files (certificate PDFs and images, print batches, exports) never go to the public media
# storage: they are read only through views that check permission on every request (decision 0076).
# Embedded default: a folder outside MEDIA_ROOT. Production: a private bucket whose URLs are signed
# and short-lived, or PRIVATE_MEDIA_ROOT on a shared volume (`check --deploy` requires one of them).
AWS_PRIVATE_BUCKET_NAME = env.str("AWS_PRIVATE_BUCKET_NAME", default="")
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
PRIVATE_STORAGE_CONFIGURED = bool(
    AWS_PRIVATE_BUCKET_NAME or env.str("PRIVATE_MEDIA_ROOT", default="")
)
if AWS_PRIVATE_BUCKET_NAME:
    PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_PRIVATE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "custom_domain": None,  # a CDN domain would drop the signature
            "file_overwrite": False,
        },
    }
else:
    PRIVATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The embedded default (and `make dev`) serve MEDIA_URL from the application; production serves it
# from the bucket or the proxy (docs/deployment.md).
SERVE_PUBLIC_MEDIA = env.bool("SERVE_PUBLIC_MEDIA", default=False)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail --------------------------------------------------------------------------------------
# https://docs.wagtail.org/en/stable/reference/settings.html
WAGTAIL_SITE_NAME = "数字乡村课堂"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default=SITE_URL)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = (
    40_000_000  # refuse decompression bombs long before Pillow's own limit
)
# Reads the size from the header before Willow decodes anything (cms/images.py, decision 0053).
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.images.ImageForm"
# No SVG: an uploaded SVG is served as-is from /media/ and its scripts would run on our origin.
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "xlsx", "txt", "zip"]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_MODERATION_ENABLED = True
# No third-party requests from the admin (the CSP forbids them; staff e-mail hashes stay here).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Staff reset passwords through allauth (rate-limited); Wagtail's own reset form has no limits.
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_WORKFLOW_ENABLED = True
# Audio and video for lessons (docs/decisions/0010-media-wagtailmedia.md). Phones play AAC/MP3/Ogg
# audio and MP4/WebM video; other formats are refused at upload.
# Every audio upload is stored as a mono AAC .m4a rendition (courses.media_forms, decision 0080),
# so any format FFmpeg reads is accepted, including the editor's own microphone takes (WebM/Opus).
WAGTAILMEDIA = {
    "MEDIA_MODEL": "courses.LessonMedia",
    "MEDIA_FORM_BASE": "courses.media_forms.LessonMediaForm",
    "AUDIO_EXTENSIONS": ["aac", "amr", "flac", "m4a", "mp3", "ogg", "opus", "wav", "webm"],
    "VIDEO_EXTENSIONS": ["mp4", "webm"],
}

# --- Security -------------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/security/
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False  # the progress API sends the token in a header
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4: https://django-csp.readthedocs.io/), decision 0050.
# Learner pages: no inline script or style without the per-request nonce
# (`nonce="{{ request.csp_nonce }}"`); no style="" attributes either. Uploaded media from a CDN or
# bucket origin is added by cms.security.SiteCSPMiddleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF, "data:", "blob:"],
        "media-src": [csp.SELF, "blob:"],
        # font-src, connect-src, manifest-src and worker-src are 'self' through default-src:
        # not spelling them out saves 77 bytes on every response (decision 0180).
        "frame-src": [csp.NONE],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# The Wagtail admin still ships inline scripts and style attributes (wagtailadmin panels, date
# widgets, wagtail-localize), and frames its own previews: a looser policy under /admin/ only.
CSP_ADMIN_PATH_PREFIXES = ("/admin/",)
CSP_ADMIN_DIRECTIVES = {
    "default-src": [csp.SELF],
    "script-src": [csp.SELF, csp.UNSAFE_INLINE],
    "style-src": [csp.SELF, csp.UNSAFE_INLINE],
    "img-src": [csp.SELF, "data:", "blob:"],
    "media-src": [csp.SELF, "blob:"],
    "font-src": [csp.SELF, "data:"],
    "connect-src": [csp.SELF],
    "worker-src": [csp.SELF, "blob:"],
    "frame-src": [csp.SELF],
    "object-src": [csp.NONE],
    "base-uri": [csp.SELF],
    "form-action": [csp.SELF],
    "frame-ancestors": [csp.SELF],
}
# https://developer.mozilla.org/docs/Web/HTTP/Headers/Permissions-Policy: features no page uses.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
# The lesson editor records narration (decision 0080): the microphone, under /admin/ only.
PERMISSIONS_POLICY_ADMIN = {"microphone": ["self"]}
# Administrators (and superusers) must set up TOTP before they can use the admin.
ADMIN_MFA_REQUIRED = True
# https://docs.allauth.org/en/latest/mfa/configuration.html: staff accounts have no e-mail address.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Digital Village Classroom"

# --- Logging --------------------------------------------------------------------------------------
# One line format for web and Celery processes: UTC times and the request (or task) id (0143).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "cms.logs.UTCFormatter",
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        }
    },
    "filters": {"request_id": {"()": "cms.logs.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
