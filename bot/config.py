"""Settings: read once from the environment, validated, never logged.

A missing or malformed setting raises `SettingsError` with one line naming the
variable and what it should look like; the CLI turns that into exit status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.content.secrets import is_fernet_key
from bot.openai_models import defaults as default_models
from bot.openai_models.lifecycle import SETTINGS as MODEL_SETTINGS
from bot.openai_models.lifecycle import Action, Source

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
    "DATABASE_URL": "an SQLAlchemy async URL: sqlite+aiosqlite:///path/bot.db or "
    "postgresql+asyncpg://user:password@host/db",
    # --- issue 13: model lifecycle and Azure OpenAI ---
    "OPENAI_API_TYPE": "openai or azure",
    "AZURE_OPENAI_ENDPOINT": "your Azure OpenAI resource's URL, such as https://NAME.openai.azure.com",
    "OPENAI_API_VERSION": "an Azure OpenAI API version such as 2025-04-01-preview",
    "OPENAI_MODELS_REFRESH_SECONDS": "how often to read the model list again, in seconds (at least 60)",
    "ENCRYPTION_KEY": "a Fernet key (urlsafe base64 of 32 bytes), e.g. from "
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'",
    # --- end of issue 13 ---
}


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for a person."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", env_file=None)

    slack_bot_token: SecretStr
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

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
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

    @field_validator("slack_signing_secret")
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value() else None

    @field_validator("openai_api_key")
    @classmethod
    def _key(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("is empty")
        return value

    @field_validator("slack_api_url", "openai_base_url")
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
    # The contract's ENCRYPTION_KEY (Fernet), shared with OAuth's stored secrets: keep one
    # definition when merging. Here it encrypts MCP servers' authorization headers.
    encryption_key: SecretStr | None = None

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


def load_settings() -> Settings:
    """Read the environment once; raise SettingsError naming the first bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
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
