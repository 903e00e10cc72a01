"""Every trigger in manifest.yml, registered in one place; one module per trigger.

A listener is a route: it turns the trigger into a recorded job (deduplicated) and acks. It does
no work itself; the workers do (bot/jobs/). The app runs with process_before_response=True, so
the job is in the database before Slack hears the ack.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.blocks import (
    ask_modal,
    assistant_modal,
    image_modal,
    mcp_approval,
    speech_modal,
    transcribe_modal,
    vision_modal,
    workspace_settings_modal,
)
from bot.blocks import feedback as feedback_blocks
from bot.blocks import home as home_blocks
from bot.blocks import rewrite as rewrite_blocks
from bot.listeners import runtime_context
from bot.listeners.actions import feedback, home, rewrite
from bot.listeners.actions import mcp_approval as mcp_approval_clicked
from bot.listeners.commands import ask, assistant, image, openai_settings, speech, vision
from bot.listeners.commands import transcribe as transcribe_command
from bot.listeners.events import (
    app_home_opened,
    app_mention,
    assistant_thread_context_changed,
    assistant_thread_started,
    message,
)
from bot.listeners.shortcuts import proofread, read_aloud, summarize_thread, translate_message
from bot.listeners.shortcuts import transcribe as transcribe_shortcut
from bot.listeners.submissions import (
    ask_modal_submitted,
    assistant_modal_submitted,
    media_modals_submitted,
    transcribe_modal_submitted,
    vision_modal_submitted,
)
from bot.process.runtime import Runtime


def register(app: AsyncApp, runtime: Runtime) -> None:
    app.use(runtime_context.attach(runtime))
    app.event("app_mention")(app_mention.handle)
    app.event("message")(message.handle)
    app.event("assistant_thread_started")(assistant_thread_started.handle)
    app.event("assistant_thread_context_changed")(assistant_thread_context_changed.handle)
    app.event("app_home_opened")(app_home_opened.handle)
    app.command("/ask")(ask.handle)
    app.view(ask_modal.CALLBACK_ID)(ask_modal_submitted.handle)
    app.command("/image")(image.handle)
    app.view(image_modal.CALLBACK_ID)(media_modals_submitted.image_submitted)
    app.command("/speech")(speech.handle)
    app.view(speech_modal.CALLBACK_ID)(media_modals_submitted.speech_submitted)
    app.shortcut(summarize_thread.CALLBACK_ID)(summarize_thread.handle)
    app.shortcut(read_aloud.CALLBACK_ID)(read_aloud.handle)
    app.command("/vision")(vision.handle)
    app.view(vision_modal.CALLBACK_ID)(vision_modal_submitted.handle)
    app.command("/assistant")(assistant.handle)
    app.view(assistant_modal.CALLBACK_ID)(assistant_modal_submitted.handle)
    app.command("/transcribe")(transcribe_command.transcribe)
    app.command("/translate")(transcribe_command.translate)
    app.shortcut(transcribe_shortcut.TRANSCRIBE_ID)(transcribe_shortcut.transcribe)
    app.shortcut(transcribe_shortcut.TRANSLATE_ID)(transcribe_shortcut.translate)
    # --- issue 15: answers people can rate, the Home tab's buttons, message shortcuts ---------
    app.action(feedback_blocks.ACTION_ID)(feedback.vote)
    app.action(feedback_blocks.EXPLAIN_ACTION_ID)(feedback.explain)
    app.view(feedback_blocks.COMMENT_CALLBACK_ID)(feedback.comment_submitted)
    app.action(home.ACTION_IDS)(home.open_form)
    app.action(home_blocks.SETTINGS_ACTION_ID)(home.open_settings)
    app.view(transcribe_modal.CALLBACK_ID)(transcribe_modal_submitted.handle)
    app.shortcut(translate_message.CALLBACK_ID)(translate_message.handle)
    app.action(rewrite_blocks.TRANSLATE_AGAIN_ACTION_ID)(rewrite.translate_again)
    app.shortcut(proofread.CALLBACK_ID)(proofread.handle)
    app.action(rewrite_blocks.TONE_ACTION_ID)(rewrite.change_tone)
    app.view(rewrite_blocks.RESULT_CALLBACK_ID)(rewrite.post_in_thread)
    # --- end issue 15 ---------------------------------------------------------------------------
    app.action(mcp_approval.APPROVE)(mcp_approval_clicked.handle)
    app.action(mcp_approval.DENY)(mcp_approval_clicked.handle)
    app.command("/openai")(openai_settings.handle)  # issue 14: workspace settings and usage
    app.view(workspace_settings_modal.CALLBACK_ID)(openai_settings.submitted)
