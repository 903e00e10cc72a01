"""Azure OpenAI: OPENAI_API_TYPE=azure sends every action to its deployment, with the API version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.content.audio_encoding import wav_from_pcm16
from tests.fakes.openai_api import ErrorReply, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.support import payloads
from tests.support.bot_process import BotProcess, clean_environ
from tests.test_settings_and_cli import run_bot

VERSION = "2025-04-01-preview"


def azure_env(openai_api: FakeOpenAI) -> dict[str, str]:
    return {
        "OPENAI_API_TYPE": "azure",
        "AZURE_OPENAI_ENDPOINT": f"http://127.0.0.1:{openai_api.port}",
        "OPENAI_API_VERSION": VERSION,
        "OPENAI_BASE_URL": "",
        "OPENAI_CHAT_MODEL": "chat-prod",
        "OPENAI_SPEECH_MODEL": "tts-prod",
    }


async def test_requests_go_to_the_deployment_url_with_the_api_version(
    start_bot: Callable[..., BotProcess], slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    bot = await start_bot(**azure_env(openai_api))  # type: ignore[misc]
    event = payloads.mention("hello azure")
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert "Echo: hello azure" in reply.visible_text
    [chat] = [r for r in openai_api.requests if r.path.endswith("/chat/completions")]
    assert chat.path == "/openai/deployments/chat-prod/chat/completions"
    assert chat.query["api-version"] == VERSION
    assert chat.headers["api-key"] == openai_api.api_key and "authorization" not in chat.headers

    await bot.send_form(payloads.slash_command("/speech", "Hello."))
    [[audio]] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")
    assert audio.content == openai_api.speech_payload("mp3")
    [speech] = [r for r in openai_api.requests if r.path.endswith("/audio/speech")]
    assert (
        speech.path == "/openai/deployments/tts-prod/audio/speech" and speech.query["api-version"] == VERSION
    )


async def test_a_missing_deployment_is_named_with_its_setting(
    start_bot: Callable[..., BotProcess], slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    openai_api.queue_chat(ErrorReply(404, "The API deployment for this resource does not exist.",
                                     code="DeploymentNotFound"))  # fmt: skip
    bot = await start_bot(**azure_env(openai_api))  # type: ignore[misc]
    event = payloads.mention("hello")
    await bot.send_event(payloads.event_callback(event))
    [reply] = await slack.wait_thread_messages("C0CHAN", event["ts"])
    assert "no deployment `chat-prod`" in reply.visible_text and "`OPENAI_CHAT_MODEL`" in reply.visible_text
    assert len([r for r in openai_api.requests if r.path.endswith("/chat/completions")]) == 1


async def test_check_covers_azure_and_says_what_it_does_not_do(
    slack: FakeSlack, openai_api: FakeOpenAI, bot_env: dict[str, str], tmp_path: Path
) -> None:
    rc, output = await run_bot("check", env={**bot_env, **azure_env(openai_api)}, cwd=tmp_path)
    assert rc == 0, output
    assert (
        f"API version {VERSION}" in output and "Deployment for chat (OPENAI_CHAT_MODEL): chat-prod" in output
    )
    assert "not supported through Azure" in output
    [models] = [r for r in openai_api.requests if r.path == "/openai/models"]
    assert models.query["api-version"] == VERSION
    assert openai_api.api_key not in output


async def test_azure_without_its_settings_names_the_missing_one(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "OPENAI_API_KEY": "k",
           "OPENAI_API_TYPE": "azure", "AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com"}  # fmt: skip
    rc, output = await run_bot("serve", env={**clean_environ(), **env}, cwd=tmp_path)
    assert rc == 2 and len(output.strip().splitlines()) == 1, output
    assert "OPENAI_API_VERSION is missing" in output and "Traceback" not in output


async def test_speech_on_azure_says_plainly_what_happens_after_the_audio_speech_shutdown(
    start_bot: Callable[..., BotProcess],
    slack: FakeSlack,
    openai_api: FakeOpenAI,
    bot_env: dict[str, str],
    tmp_path: Path,
) -> None:
    openai_api.queue("/audio/speech", ErrorReply(404, "The API deployment for this resource does not exist.",
                                                 code="DeploymentNotFound"))  # fmt: skip
    bot = await start_bot(**azure_env(openai_api))  # type: ignore[misc]
    await bot.send_form(payloads.slash_command("/speech", "Hello."))
    [notice] = await slack.wait_for("chat.postEphemeral", timeout=20)
    text = notice.args["text"]
    assert "no deployment `tts-prod`" in text and "`OPENAI_SPEECH_MODEL`" in text
    assert "not available on Azure unless `OPENAI_SPEECH_MODEL` names a Realtime deployment" in text
    assert "2027-01-06" in text and openai_api.realtime_sessions == []

    rc, output = await run_bot("check", env={**bot_env, **azure_env(openai_api)}, cwd=tmp_path)
    [line] = [line for line in output.splitlines() if "Speech on Azure" in line]
    assert "not available on Azure unless `OPENAI_SPEECH_MODEL` names a Realtime deployment" in line
    env = {**bot_env, **azure_env(openai_api), "OPENAI_SPEECH_MODEL": "gpt-realtime-voice"}
    rc, output = await run_bot("check", env=env, cwd=tmp_path)
    assert rc == 0, output
    [line] = [line for line in output.splitlines() if "Speech on Azure" in line]
    assert line.strip().startswith("[ok]") and "`gpt-realtime-voice` is read through the Realtime API" in line


async def test_speech_through_an_azure_realtime_deployment_reaches_slack_byte_for_byte(
    start_bot: Callable[..., BotProcess], slack: FakeSlack, openai_api: FakeOpenAI
) -> None:
    """Past /audio/speech's shutdown, speech on Azure is a gpt-realtime deployment: the session
    opens at {endpoint}/openai/realtime with the API version, the deployment and the `api-key`."""
    env = {**azure_env(openai_api), "OPENAI_SPEECH_MODEL": "gpt-realtime-prod"}
    bot = await start_bot(**env)  # type: ignore[misc]
    await bot.send_form(payloads.slash_command("/speech", "--response-format wav Good morning."))
    [[audio]] = await slack.wait_until(lambda: slack.upload_batches, timeout=20, what="the upload")
    assert audio.content == wav_from_pcm16(openai_api.realtime_pcm("Good morning."))
    [opened] = [r for r in openai_api.requests if r.path == "/openai/realtime"]
    assert opened.query == {"api-version": VERSION, "deployment": "gpt-realtime-prod"}
    [session] = openai_api.realtime_sessions
    assert session.model == "gpt-realtime-prod"
    assert session.headers["api-key"] == openai_api.api_key and "authorization" not in session.headers
    assert not openai_api.requests_to("/audio/speech")
