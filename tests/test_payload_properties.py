"""Property tests of the job payloads read back from the queue: any JSON in a row is either a
payload of its kind, or a ValidationError (the dispatcher logs and drops it), never another error;
and every payload a listener records reads back as itself."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.delivery.where import Where
from bot.jobs import payloads
from storage import ClaimedJob

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
FIELD_NAMES = sorted(
    {name for model in payloads.PAYLOADS.values() for name in model.model_fields} | set(Where.model_fields)
)
WHERE = st.fixed_dictionaries(
    {"team_id": st.text(max_size=8), "channel": st.text(max_size=8), "user": st.text(max_size=8)},
    optional={"thread_ts": st.none() | st.text(max_size=8), "response_url": st.none() | st.text(max_size=8)},
)
# Rows that look like ours: right names with any values, a proper `where` or the old flat fields.
ROWS = st.one_of(
    JSON,
    st.dictionaries(st.sampled_from(FIELD_NAMES), JSON, max_size=8),
    st.tuples(WHERE, st.dictionaries(st.sampled_from(FIELD_NAMES), JSON, max_size=6)).map(
        lambda t: {**t[1], "where": t[0]}
    ),
    st.tuples(WHERE, st.dictionaries(st.sampled_from(FIELD_NAMES), JSON, max_size=6)).map(
        lambda t: {**t[1], **t[0]}
    ),
)


@pytest.mark.parametrize("kind", sorted(payloads.PAYLOADS))
@settings(max_examples=300, deadline=None, database=None)
@given(row=ROWS)
def test_any_json_row_is_its_payload_or_a_validation_error(kind: str, row: Any) -> None:
    try:
        payload = payloads.read(ClaimedJob(1, kind, row, 1))
    except ValidationError:
        return
    assert isinstance(payload, payloads.PAYLOADS[kind])
    # What was read is recorded and read back the same (a resumed job sees the same request).
    again = payloads.read(ClaimedJob(2, kind, payload.job("key").payload, 1))
    assert again == payload


@settings(max_examples=50, deadline=None, database=None)
@given(row=JSON)
def test_an_unknown_kind_is_a_key_error(row: Any) -> None:
    with pytest.raises(KeyError):
        payloads.read(ClaimedJob(1, "no.such.kind", row, 1))


@settings(max_examples=200, deadline=None, database=None)
@given(
    where=st.builds(
        Where,
        team_id=st.text(max_size=8),
        channel=st.text(max_size=8),
        user=st.text(max_size=8),
        thread_ts=st.none() | st.text(max_size=8),
    ),
    ts=st.text(max_size=8),
    text=st.text(max_size=50),
    options=st.dictionaries(st.sampled_from(["temperature", "n", "stop", "model"]), JSON, max_size=3),
)
def test_a_recorded_chat_payload_reads_back_as_itself(
    where: Where, ts: str, text: str, options: dict[str, Any]
) -> None:
    payload = payloads.ChatReply(where=where, ts=ts, text=text, options=options)
    job = payload.job("dedup")
    assert payloads.read(ClaimedJob(1, job.kind, job.payload, 1)) == payload
    assert job.serial_key == (
        f"thread:{where.team_id}:{where.channel}:{where.thread_ts}" if where.thread_ts else None
    )
