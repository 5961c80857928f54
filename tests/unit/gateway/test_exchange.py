"""The access layer's ``send``: the response's status noted and ``X-Request-ID`` added, by message or whole."""

from __future__ import annotations

from starlette.types import Message

from gateway.exchange import Exchange


async def test_messages_pass_with_the_request_id_added_and_the_status_noted() -> None:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    exchange = Exchange(send, "rid-1")
    assert exchange.status == 500  # nothing started yet: what an exception before the response counts as
    headers = [(b"content-type", b"application/json")]
    start = {"type": "http.response.start", "status": 201, "headers": headers}
    await exchange(start)
    await exchange({"type": "http.response.body", "body": b"{}"})
    assert exchange.status == 201
    assert sent[0]["headers"] == [(b"content-type", b"application/json"), (b"x-request-id", b"rid-1")]
    assert headers == [(b"content-type", b"application/json")] and "x-request-id" not in str(start)  # not mutated
    assert sent[1] == {"type": "http.response.body", "body": b"{}"}


async def test_respond_sends_the_same_two_messages_in_one_call() -> None:
    by_message: list[Message] = []
    whole: list[Message] = []

    def into(box: list[Message]) -> Exchange:
        async def send(message: Message) -> None:
            box.append(message)

        return Exchange(send, "rid-2")

    one, other = into(by_message), into(whole)
    headers = ((b"etag", b'"x"'), (b"content-length", b"2"))
    await one({"type": "http.response.start", "status": 200, "headers": headers})
    await one({"type": "http.response.body", "body": b"{}"})
    await other.respond(200, headers, b"{}")
    assert whole == by_message and other.status == one.status == 200
