"""Property tests of the flag reader: any text is read, or refused with a message naming the flag;
what is read is within the ranges the action takes, so the job it makes is a correct one."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.flags import (
    ASSISTANT_FLAGS,
    CHAT_FLAGS,
    IMAGE_FLAGS,
    SPEECH_FLAGS,
    TRANSCRIBE_FLAGS,
    TRANSLATE_FLAGS,
    VISION_FLAGS,
    Flag,
    FlagError,
    parse_flags,
)
from handlers.ask_chatgpt import ChatRequest

TABLES: dict[str, dict[str, Flag]] = {
    "/ask": CHAT_FLAGS,
    "/image": IMAGE_FLAGS,
    "/speech": SPEECH_FLAGS,
    "/transcribe": TRANSCRIBE_FLAGS,
    "/translate": TRANSLATE_FLAGS,
    "/assistant": ASSISTANT_FLAGS,
    "/vision": VISION_FLAGS,
}
QUOTES = "\"'“”‘’„«»"
PIECES = st.sampled_from(
    ["--", "—", " ", "  ", "\n", *QUOTES, "&amp;", "&lt;", "&gt;", "[", "{", "}", "]", ":", ",", "-1", "0.5",
     "1e309", "nan", "10", "2", "true", '"50256"', "F0ABCDEF", "<https://x.slack.com/files/U1/F0ABCDEF/a>"]
)  # fmt: skip


def flag_like(table: dict[str, Flag]) -> st.SearchStrategy[str]:
    """Text that looks like flags: known and unknown names, odd values, quotes, escapes, JSON."""
    name = st.sampled_from([*table, "bogus", "", "-", "n n"])
    value = st.one_of(
        st.text(max_size=12), st.lists(PIECES, max_size=6).map("".join), st.integers().map(str),
        st.floats(allow_nan=True).map(str), st.sampled_from(["[" * 2000, "{}", "[]", '{"1": 5}'])
    )  # fmt: skip
    pair = st.tuples(st.sampled_from(["--", "—", "---"]), name, st.sampled_from([" ", "\n", "  "]), value)
    flags = st.lists(pair.map(lambda p: "".join(p)), max_size=5).map(" ".join)
    return st.tuples(flags, st.sampled_from(["", " -- ", " "]), st.text(max_size=20)).map("".join)


def refused_clearly(error: FlagError, table: dict[str, Flag]) -> bool:
    message = str(error)
    return bool(message) and (
        any(f"`--{name}`" in message for name in table) or "`--" in message or "quote" in message
    )


@pytest.mark.parametrize("command", list(TABLES))
@settings(max_examples=300, deadline=None, database=None)
@given(data=st.data())
def test_any_text_is_read_or_refused_with_the_flag_named(command: str, data: st.DataObject) -> None:
    table = TABLES[command]
    raw = data.draw(st.one_of(st.text(max_size=200), flag_like(table)))
    try:
        values, rest = parse_flags(raw, table, command)
    except FlagError as error:
        assert refused_clearly(error, table), str(error)
        return
    fields = {flag.field: flag for flag in table.values()}
    assert set(values) <= set(fields)
    assert isinstance(rest, str) and rest == rest.strip()
    for field, value in values.items():
        if fields[field].repeatable > 1:
            assert isinstance(value, list) and 1 <= len(value) <= fields[field].repeatable


@settings(max_examples=300, deadline=None, database=None)
@given(raw=flag_like(CHAT_FLAGS))
def test_chat_flags_that_are_read_make_a_valid_request(raw: str) -> None:
    try:
        values, _ = parse_flags(raw, CHAT_FLAGS, "/ask")
    except FlagError:
        return
    ChatRequest(messages=[], **{"model": "gpt-6-luna", **values})  # raises if a range was let through


NUMBERS = {
    "temperature": (0.0, 2.0),
    "top-p": (0.0, 1.0),
    "presence-penalty": (-2.0, 2.0),
    "frequency-penalty": (-2.0, 2.0),
}


@settings(max_examples=200, deadline=None, database=None)
@given(
    numbers=st.dictionaries(
        st.sampled_from(sorted(NUMBERS)),
        st.floats(-3, 3, allow_nan=False).map(lambda f: round(f, 3)),
        max_size=4,
    ),
    n=st.none() | st.integers(-2, 12),
    stops=st.lists(st.text(string.ascii_letters + " ", min_size=1, max_size=8).filter(str.strip), max_size=5),
    prompt=st.text(string.ascii_letters + " ?", max_size=30),
)
def test_well_typed_flags_are_read_exactly_or_refused_for_their_range(
    numbers: dict[str, float], n: int | None, stops: list[str], prompt: str
) -> None:
    parts = [f"--{name} {value}" for name, value in numbers.items()]
    parts += [f"--n {n}"] if n is not None else []
    parts += [f'--stop "{stop}"' for stop in stops]
    raw = " ".join([*parts, "--", prompt])
    out_of_range = [
        name for name, value in numbers.items() if not NUMBERS[name][0] <= value <= NUMBERS[name][1]
    ]
    out_of_range += ["n"] if n is not None and not 1 <= n <= 10 else []
    out_of_range += ["stop"] if len(stops) > 4 else []
    try:
        values, rest = parse_flags(raw, CHAT_FLAGS, "/ask")
    except FlagError as error:
        assert any(f"`--{name}`" in str(error) for name in out_of_range), (raw, str(error))
        return
    assert not out_of_range, raw
    expected: dict[str, object] = {name.replace("-", "_"): value for name, value in numbers.items()}
    if n is not None:
        expected["n"] = n
    if stops:
        expected["stop"] = stops
    assert values == expected and rest == prompt.strip()
