"""The Responses API, files, vector stores and container files, for FakeOpenAI.

``add_routes(app, fake)`` registers, on the fake's aiohttp app:

* ``POST /v1/responses``: streamed (SSE: ``response.created``, ``response.output_text.delta`` in
  8-character pieces, ``response.output_text.annotation.added`` per annotation,
  ``response.completed``) or not. Its reply is the next ``ResponsesReply`` queued on
  ``"/responses"`` (``fake.queue("/responses", ResponsesReply(...))``; ``ErrorReply`` and the other
  generic replies work too); with none, ``"Echo: " + the text of the last user input item``.
* ``POST /v1/files`` (multipart ``file`` + ``purpose``), ``DELETE /v1/files/{id}``: kept in
  ``fake.uploaded_files`` (id -> (filename, purpose, bytes)).
* ``POST /v1/vector_stores`` (``name``, ``file_ids``), ``POST /v1/vector_stores/{id}/files``,
  ``GET /v1/vector_stores/{id}/files``, ``DELETE /v1/vector_stores/{id}``: kept in
  ``fake.vector_stores`` (id -> list of file ids; deleted stores are removed).
* ``GET /v1/containers/{container_id}/files/{file_id}/content``: the bytes put in
  ``fake.container_files[(container_id, file_id)]``.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes.openai_api import FakeOpenAI


@dataclass
class ResponsesReply:
    """A scripted response: its text, the annotations on it (url_citation, file_citation,
    container_file_citation dicts), extra output items before the message (e.g. a
    code_interpreter_call or an mcp_approval_request), and ``status``."""

    text: str = ""
    annotations: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    status: str = "completed"
    message: bool = True  # False: no message item (e.g. only an approval request)
    # Streamed only: waited after ``response.created`` and before the first text delta; between
    # deltas; after that many text deltas, send nothing more until the client goes away
    # (``stall_after``), drop the connection (``disconnect_after``), or end the stream cleanly with
    # no final event (``close_after``).
    first_delay: float = 0.0
    chunk_delay: float = 0.0
    stall_after: int | None = None
    disconnect_after: int | None = None
    close_after: int | None = None


_ids = itertools.count(1)


def _input_text(body: dict[str, Any]) -> str:
    items = body.get("input")
    if isinstance(items, str):
        return items
    for item in reversed(items or []):
        if isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, str):
                return content
            return " ".join(str(p.get("text", "")) for p in content or [] if isinstance(p, dict))
    return ""


def add_routes(app: web.Application, fake: FakeOpenAI) -> None:
    async def responses(request: web.Request) -> web.StreamResponse:
        record = request[fake.record_key]
        body = record.json
        if body is None or not body.get("model"):
            return fake.error(400, "Missing required parameter: 'model'.", param="model")
        reply = fake.next_reply("/v1/responses")
        if reply is not None and not isinstance(reply, ResponsesReply):
            return await fake.generic(request, reply, bool(body.get("stream"))) or fake.misused(reply)
        reply = reply or ResponsesReply(text="Echo: " + _input_text(body))
        rid = f"resp_fake{next(_ids):06d}"
        output = list(reply.items)
        if reply.message:
            output.append(
                {
                    "type": "message",
                    "id": f"msg_fake{next(_ids):06d}",
                    "role": "assistant",
                    "status": "completed",
                    "content": [
                        {"type": "output_text", "text": reply.text, "annotations": reply.annotations}
                    ],
                }
            )
        final = {
            "id": rid,
            "object": "response",
            "created_at": int(time.time()),
            "model": body["model"],
            "status": reply.status,
            "output": output,
            "usage": {"input_tokens": 10, "output_tokens": max(1, len(reply.text) // 4), "total_tokens": 20},
        }
        if not body.get("stream"):
            return fake.json(final)
        resp = web.StreamResponse(status=200, headers={"Cache-Control": "no-cache"})
        resp.content_type = "text/event-stream"
        await resp.prepare(request)

        async def send(event: dict[str, Any]) -> None:
            await resp.write(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())

        await send({"type": "response.created", "response": {**final, "status": "in_progress", "output": []}})
        pieces = [reply.text[start : start + 8] for start in range(0, len(reply.text), 8)]

        async def interrupted(sent: int) -> bool:
            if reply.stall_after is not None and sent >= reply.stall_after:
                await fake.wait(request, math.inf)
                return True
            if reply.disconnect_after is not None and sent >= reply.disconnect_after:
                if sent:  # let the client read what was sent: a reset can discard unread data
                    await fake.wait(request, 0.3)
                fake.drop(request)
                return True
            if reply.close_after is not None and sent >= reply.close_after:
                await resp.write_eof()
                return True
            return False

        try:
            await fake.wait(request, reply.first_delay)
            for sent, piece in enumerate(pieces):
                if await interrupted(sent):
                    return resp
                if sent and reply.chunk_delay:
                    await fake.wait(request, reply.chunk_delay)
                await send({"type": "response.output_text.delta", "delta": piece})
            if await interrupted(len(pieces)):
                return resp
        except ConnectionError:
            return resp
        for index, annotation in enumerate(reply.annotations):
            await send({"type": "response.output_text.annotation.added", "annotation_index": index,
                        "annotation": annotation})  # fmt: skip
        done = "response.completed" if reply.status == "completed" else f"response.{reply.status}"
        await send({"type": done, "response": final})
        await resp.write_eof()
        return resp

    async def upload_file(request: web.Request) -> web.StreamResponse:
        record = request[fake.record_key]
        files, form = record.files or {}, record.form or {}
        if "file" not in files:
            return fake.error(400, "Missing required parameter: 'file'.", param="file")
        filename, _, content = files["file"]
        fid = f"file-fake{next(_ids):06d}"
        fake.uploaded_files[fid] = (filename, str(form.get("purpose")), content)
        return fake.json({"id": fid, "object": "file", "bytes": len(content), "created_at": 0,
                          "filename": filename, "purpose": form.get("purpose"),
                          "status": "processed"})  # fmt: skip

    async def delete_file(request: web.Request) -> web.StreamResponse:
        fid = request.match_info["file_id"]
        fake.uploaded_files.pop(fid, None)
        return fake.json({"id": fid, "object": "file", "deleted": True})

    def store(vid: str, files: list[str]) -> dict[str, Any]:
        return {"id": vid, "object": "vector_store", "created_at": int(time.time()), "name": "",
                "status": "completed", "usage_bytes": 0,
                "file_counts": {"in_progress": 0, "completed": len(files), "failed": 0, "cancelled": 0,
                                "total": len(files)}}  # fmt: skip

    async def create_store(request: web.Request) -> web.StreamResponse:
        body = request[fake.record_key].json or {}
        vid = f"vs_fake{next(_ids):06d}"
        fake.vector_stores[vid] = list(body.get("file_ids") or [])
        return fake.json(store(vid, fake.vector_stores[vid]))

    async def add_store_file(request: web.Request) -> web.StreamResponse:
        vid = request.match_info["store_id"]
        if vid not in fake.vector_stores:
            return fake.error(404, f"No vector store found with id '{vid}'.")
        fid = (request[fake.record_key].json or {}).get("file_id")
        fake.vector_stores[vid].append(str(fid))
        return fake.json({"id": fid, "object": "vector_store.file", "vector_store_id": vid,
                          "status": "completed", "created_at": 0, "usage_bytes": 0,
                          "last_error": None})  # fmt: skip

    async def list_store_files(request: web.Request) -> web.StreamResponse:
        vid = request.match_info["store_id"]
        if vid not in fake.vector_stores:
            return fake.error(404, f"No vector store found with id '{vid}'.")
        data = [{"id": fid, "object": "vector_store.file", "vector_store_id": vid, "status": "completed",
                 "created_at": 0, "usage_bytes": 0, "last_error": None}
                for fid in fake.vector_stores[vid]]  # fmt: skip
        return fake.json({"object": "list", "data": data, "has_more": False,
                          "first_id": data[0]["id"] if data else None,
                          "last_id": data[-1]["id"] if data else None})  # fmt: skip

    async def delete_store(request: web.Request) -> web.StreamResponse:
        vid = request.match_info["store_id"]
        if fake.vector_stores.pop(vid, None) is None:
            return fake.error(404, f"No vector store found with id '{vid}'.")
        return fake.json({"id": vid, "object": "vector_store.deleted", "deleted": True})

    async def container_file(request: web.Request) -> web.StreamResponse:
        key = (request.match_info["container_id"], request.match_info["file_id"])
        if key not in fake.container_files:
            return fake.error(404, "No such container file.")
        return web.Response(body=fake.container_files[key], content_type="application/octet-stream")

    app.router.add_post("/v1/responses", responses)
    app.router.add_post("/v1/files", upload_file)
    app.router.add_delete("/v1/files/{file_id}", delete_file)
    app.router.add_post("/v1/vector_stores", create_store)
    app.router.add_post("/v1/vector_stores/{store_id}/files", add_store_file)
    app.router.add_get("/v1/vector_stores/{store_id}/files", list_store_files)
    app.router.add_delete("/v1/vector_stores/{store_id}", delete_store)
    app.router.add_get("/v1/containers/{container_id}/files/{file_id}/content", container_file)
