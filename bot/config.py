"""Settings: read once from the environment, validated, never logged.

A missing or malformed setting raises `SettingsError` with one line naming the
variable and what it should look like; the CLI turns that into exit status 2.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.content.secrets import is_fernet_key
from bot.openai_models import defaults as default_models
from bot.openai_models.lifecycle import SETTINGS as MODEL_SETTINGS
from bot.openai_models.lifecycle import Action, Source
from bot.openai_models.prices import Price, parse_overrides
from storage.secrets import Cipher

# Azure OpenAI's own domains: where a workspace's own endpoint may point unless the operator says more.
WORKSPACE_AZURE_ENDPOINTS = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///" + str(Path("data") / "bot.db")
DEFAULT_SYSTEM_PROMPT = (
    "You are a helpful assistant inside Slack. Today is {date}. Your answers are read in Slack: "
    "be concise, use Markdown (short paragraphs, lists, code blocks) and no HTML. "
    "Several people may write in one thread; each user message carries its author's name."
)

# What each setting should look like, for the one-line error a person reads.
HINTS: dict[str, str] = {
    "SLACK_BOT_TOKEN": "the bot token from your Slack app's OAuth & Permissions page, starting with xoxb-",
    "SLACK_SIGNING_SECRET": "the signing secret from your Slack app's Basic Information page "
    "(required in HTTP mode)",
    "SLACK_APP_TOKEN": "an app-level token with the connections:write scope, starting with xapp-",
    "SLACK_API_URL": "an http(s) URL such as https://slack.com/api/",
    "OPENAI_API_KEY": "your OpenAI (or compatible) API key",
    "OPENAI_BASE_URL": "an http(s) URL such as https://api.openai.com/v1",
    # many workspaces (issue 14)
    "SLACK_CLIENT_SECRET": "the client secret from your Slack app's Basic Information page "
    "(required with SLACK_CLIENT_ID)",
    "ENCRYPTION_KEY": "a Fernet key, 32 random bytes in urlsafe base64 (python -c "
    "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'), "
    "required with SLACK_CLIENT_ID and for assistants' MCP servers",
    "ADMIN_USER_IDS": "Slack user ids separated by commas, such as U012ABC,U034DEF",
    "OPENAI_PRICES": 'JSON such as {"gpt-6": {"input": 1.25, "output": 10}} (USD per million tokens)',
    "SLACK_OAUTH_AUTHORIZE_URL": "an http(s) URL such as https://slack.com/oauth/v2/authorize",
    "WORKSPACE_AZURE_ENDPOINTS": "host suffixes or origins separated by commas, such as "
    ".openai.azure.com,https://ai.example.com",
    "DATABASE_URL": "an SQLAlchemy async URL: sqlite+aiosqlite:///path/bot.db or "
    "postgresql+asyncpg://user:password@host/db",
    # --- issue 13: model lifecycle and Azure OpenAI ---
    "OPENAI_API_TYPE": "openai or azure",
    "AZURE_OPENAI_ENDPOINT": "your Azure OpenAI resource's URL, such as https://NAME.openai.azure.com",
    "OPENAI_API_VERSION": "an Azure OpenAI API version such as 2025-04-01-preview",
    "OPENAI_MODELS_REFRESH_SECONDS": "how often to read the model list again, in seconds (at least 60)",
    # --- end of issue 13 ---
}


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for a person."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", env_file=None)

    slack_bot_token: SecretStr | None = None  # required unless SLACK_CLIENT_ID is set (see below)
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    openai_api_key: SecretStr
    openai_base_url: str | None = None
    openai_chat_model: str = default_models.CHAT
    openai_image_model: str = default_models.IMAGE
    openai_speech_model: str = default_models.SPEECH
    openai_transcription_model: str = default_models.TRANSCRIPTION
    openai_translation_model: str = default_models.TRANSLATION
    openai_vision_model: str = default_models.VISION
    openai_system_prompt: str = DEFAULT_SYSTEM_PROMPT
    openai_tools_enabled: bool = True
    openai_context_tokens: Annotated[int, Field(ge=256)] | None = None
    openai_max_retries: Annotated[int, Field(ge=0, le=10)] = 2
    openai_first_token_timeout: Annotated[float, Field(gt=0)] = 120.0
    openai_between_tokens_timeout: Annotated[float, Field(gt=0)] = 60.0
    openai_total_timeout: Annotated[float, Field(gt=0)] = 900.0

    database_url: str = DEFAULT_DATABASE_URL

    worker_concurrency: Annotated[int, Field(ge=1, le=1000)] = 32
    shutdown_grace_seconds: Annotated[float, Field(ge=0)] = 30.0
    job_lease_seconds: Annotated[float, Field(ge=1)] = 30.0
    job_max_attempts: Annotated[int, Field(ge=1, le=20)] = 3
    job_poll_seconds: Annotated[float, Field(gt=0)] = 2.0

    stream_flush_seconds: Annotated[float, Field(gt=0)] = 0.3
    update_interval_seconds: Annotated[float, Field(gt=0)] = 1.5

    log_level: Annotated[str, NoDecode] = "INFO"

    # --- many workspaces (OAuth distribution, issue 14) ---
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_oauth_authorize_url: str = "https://slack.com/oauth/v2/authorize"
    encryption_key: SecretStr | None = None
    daily_token_limit_per_user: Annotated[int, Field(ge=0)] = 0
    admin_user_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    openai_prices: Annotated[dict[str, Price], NoDecode] = Field(default_factory=dict)
    # Where a workspace's own Azure OpenAI endpoint (`/openai azure`) may point: host suffixes
    # (".openai.azure.com": https only) or whole origins ("https://ai.example.com").
    workspace_azure_endpoints: Annotated[tuple[str, ...], NoDecode] = WORKSPACE_AZURE_ENDPOINTS

    @field_validator("workspace_azure_endpoints", mode="before")
    @classmethod
    def _azure_endpoints(cls, value: object) -> object:
        if isinstance(value, str):
            entries = tuple(part.strip().lower().rstrip("/") for part in value.split(",") if part.strip())
            if any(not re.fullmatch(r"\.[a-z0-9.-]+|https?://[a-z0-9.-]+(:\d+)?", e) for e in entries):
                raise ValueError(
                    "must be host suffixes such as .openai.azure.com, or origins such as https://ai.example.com"
                )
            return entries
        return value

    def workspace_azure_allowed(self, endpoint: str) -> bool:
        """Whether a workspace's admins may send its requests to this Azure OpenAI endpoint."""
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        for entry in self.workspace_azure_endpoints:
            if entry.startswith("."):
                if parts.scheme == "https" and host and ("." + host).endswith(entry):
                    return True
            elif origin == entry:
                return True
        return False

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _user_ids(cls, value: object) -> object:
        if isinstance(value, str):
            ids = frozenset(part.strip() for part in value.replace(" ", ",").split(",") if part.strip())
            if any(not re.fullmatch(r"[UW][A-Z0-9]{2,}", user) for user in ids):
                raise ValueError("must be Slack user ids such as U012ABC, separated by commas")
            return ids
        return value

    @field_validator("openai_prices", mode="before")
    @classmethod
    def _prices(cls, value: object) -> object:
        return parse_overrides(value) if isinstance(value, str) else value

    @property
    def distributed(self) -> bool:
        """True when the app is installed with OAuth into many workspaces."""
        return bool(self.slack_client_id)

    def require_slack_credentials(self) -> None:
        """One workspace needs SLACK_BOT_TOKEN; OAuth distribution needs its secret and a key."""
        if not self.distributed:
            if self.slack_bot_token is None:
                raise SettingsError(_line("SLACK_BOT_TOKEN", "is missing"))
            return
        if self.slack_client_secret is None or not self.slack_client_secret.get_secret_value():
            raise SettingsError(_line("SLACK_CLIENT_SECRET", "is missing"))
        key = self.encryption_key.get_secret_value() if self.encryption_key else ""
        if not key:
            raise SettingsError(_line("ENCRYPTION_KEY", "is missing"))
        if not Cipher.valid_key(key):
            raise SettingsError(_line("ENCRYPTION_KEY", "is malformed"))

    # --- end many workspaces ---

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            return None
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            return None
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("slack_signing_secret", "slack_client_secret", "encryption_key")
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value() else None

    @field_validator("openai_api_key")
    @classmethod
    def _key(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("is empty")
        return value

    @field_validator("slack_api_url", "openai_base_url", "slack_oauth_authorize_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @property
    def slack_api_base(self) -> str:
        url = self.slack_api_url or "https://slack.com/api/"
        return url if url.endswith("/") else url + "/"

    # --- issue 13: model lifecycle and Azure OpenAI (kept together to ease merging) ---
    openai_models_refresh_seconds: Annotated[float, Field(ge=60)] = 3 * 3600.0
    openai_api_type: Literal["openai", "azure"] = "openai"
    azure_openai_endpoint: str | None = None
    azure_openai_api_key: SecretStr | None = None
    openai_api_version: str | None = None
    # ENCRYPTION_KEY (declared with the many-workspaces settings) also encrypts MCP servers'
    # authorization headers: when set, it must be a Fernet key.

    @field_validator("encryption_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not is_fernet_key(value.get_secret_value()):
            raise ValueError("must be a Fernet key: urlsafe base64 of 32 bytes")
        return value

    @field_validator("openai_api_type", mode="before")
    @classmethod
    def _api_type(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("azure_openai_endpoint")
    @classmethod
    def _azure_endpoint(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _azure_needs(self) -> Settings:
        if self.openai_api_type == "azure":
            if not self.azure_openai_endpoint:
                raise ValueError("AZURE_OPENAI_ENDPOINT is missing (OPENAI_API_TYPE=azure needs it)")
            if not self.openai_api_version:
                raise ValueError("OPENAI_API_VERSION is missing (OPENAI_API_TYPE=azure needs it)")
        return self

    @property
    def azure(self) -> bool:
        return self.openai_api_type == "azure"

    def model_for(self, action: Action) -> str:
        """The model (on Azure: the deployment) of an action, as set or by default."""
        value: str = getattr(self, MODEL_SETTINGS[action].lower())
        return value

    def model_source(self, action: Action) -> Source:
        """ "setting" when an admin set the action's model; "default" when the bot's default is used."""
        return "setting" if MODEL_SETTINGS[action].lower() in self.model_fields_set else "default"

    # --- end of issue 13 ---

    def require_http_mode(self) -> None:
        if self.slack_signing_secret is None:
            raise SettingsError(_line("SLACK_SIGNING_SECRET", "is missing"))

    def require_socket_mode(self) -> None:
        if self.slack_app_token is None:
            raise SettingsError(_line("SLACK_APP_TOKEN", "is missing"))


def _line(variable: str, problem: str) -> str:
    hint = HINTS.get(variable)
    return f"{variable} {problem}" + (f": set it to {hint}." if hint else ".")


def _set(variable: str) -> bool:
    return any(key.upper() == variable and value for key, value in os.environ.items())


def load_settings() -> Settings:
    """Read the environment once; raise SettingsError naming the first bad variable."""
    try:
        settings = Settings()
    except ValidationError as exc:
        if not _set("SLACK_BOT_TOKEN") and not _set("SLACK_CLIENT_ID"):  # the first thing to say
            raise SettingsError(_line("SLACK_BOT_TOKEN", "is missing")) from None
        error = exc.errors()[0]
        if not error["loc"]:  # a rule across settings names its variable first
            variable, _, problem = str(error["msg"]).removeprefix("Value error, ").partition(" ")
            raise SettingsError(_line(variable, problem)) from None
        variable = str(error["loc"][0]).upper()
        if error["type"] == "missing":
            problem = "is missing"
        else:
            problem = "is malformed (" + str(error["msg"]).removeprefix("Value error, ") + ")"
        raise SettingsError(_line(variable, problem)) from None
    settings.require_slack_credentials()
    return settings
