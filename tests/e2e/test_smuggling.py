"""Request smuggling shapes: each gets 400 from the edge (501 for a transfer coding other than a
single chunked), the connection is closed right after
the response (no second response), and nothing smuggled reaches the origin."""

from __future__ import annotations

import pytest

from fake_origin import Behavior
from harness import RawConn, distribution, edge_config, http_origin, request_bytes

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"


def post(headers: bytes, body: bytes = b"") -> bytes:
    return b"POST /front HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n" + body


# Shapes rejected from the head alone: the origin must see no request at all.
HEAD_SHAPES = {
    "cl_and_te": post(b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
                      b"0\r\n\r\n" + SMUGGLED),
    "te_and_cl": post(b"Transfer-Encoding: chunked\r\nContent-Length: 40\r\n",
                      b"0\r\n\r\n" + SMUGGLED),
    "two_different_cl": post(b"Content-Length: 0\r\nContent-Length: 35\r\n", SMUGGLED),
    "duplicate_identical_cl": post(b"Content-Length: 35\r\nContent-Length: 35\r\n", SMUGGLED),
    "obs_fold_plain_header": post(b"X-Folded: first\r\n second\r\nContent-Length: 0\r\n",
                                  SMUGGLED),
    "obs_fold_tab": post(b"X-Folded: first\r\n\tsecond\r\nContent-Length: 0\r\n", SMUGGLED),
    "obs_fold_transfer_encoding": post(b"Content-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n",
                                       b"0\r\n\r\n" + SMUGGLED),
    "te_chunked_identity": post(b"Transfer-Encoding: chunked, identity\r\n",
                                b"0\r\n\r\n" + SMUGGLED),
    "te_xchunked": post(b"Transfer-Encoding: xchunked\r\n", b"0\r\n\r\n" + SMUGGLED),
    "te_chunked_then_xchunked_lines": post(b"Transfer-Encoding: chunked\r\n"
                                           b"Transfer-Encoding: x\r\n", b"0\r\n\r\n" + SMUGGLED),
    "space_before_colon_cl": post(b"Content-Length : 35\r\n", SMUGGLED),
    "space_before_colon_te": post(b"Transfer-Encoding : chunked\r\nContent-Length: 5\r\n",
                                  b"0\r\n\r\n" + SMUGGLED),
    "bare_lf_everywhere": b"GET /front HTTP/1.1\nHost: x\n\n" + SMUGGLED,
    "bare_lf_in_headers": b"POST /front HTTP/1.1\r\nHost: x\nContent-Length: 35\r\n\r\n" + SMUGGLED,
    "cl_plus_sign": post(b"Content-Length: +35\r\n", SMUGGLED),
    "cl_negative": post(b"Content-Length: -1\r\n", SMUGGLED),
    "cl_not_a_number": post(b"Content-Length: 3x\r\n", SMUGGLED),
    "cl_comma_list": post(b"Content-Length: 35, 35\r\n", SMUGGLED),
    "space_in_header_name": post(b"Content Length: 35\r\n", SMUGGLED),
    "nul_in_header_value": post(b"X-Nul: a\x00b\r\nContent-Length: 0\r\n", SMUGGLED),
    "cr_in_header_value": post(b"X-Cr: a\rb\r\nContent-Length: 0\r\n", SMUGGLED),
}

# Transfer codings other than a single chunked: 501 Not Implemented (RFC 9112 6.1).
UNSUPPORTED_CODING = {"te_chunked_identity", "te_xchunked", "te_chunked_then_xchunked_lines"}


def expected_status(name: str) -> int:
    return 501 if name in UNSUPPORTED_CODING else 400


# Shapes only visible in the body: the head may already have gone to the origin, but no
# complete request may reach it and nothing smuggled.
BODY_SHAPES = {
    "bad_chunk_size_zz": post(b"Transfer-Encoding: chunked\r\n", b"zz\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
    "overflowing_chunk_size": post(b"Transfer-Encoding: chunked\r\n",
                                   b"fffffffffffffffffffff1\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
    "chunk_size_16_hex_digits_overflow": post(b"Transfer-Encoding: chunked\r\n",
                                              b"10000000000000000\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
    "chunk_data_without_crlf": post(b"Transfer-Encoding: chunked\r\n",
                                    b"5\r\nhelloXX0\r\n\r\n" + SMUGGLED),
    "negative_chunk_size": post(b"Transfer-Encoding: chunked\r\n", b"-5\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
    "chunk_size_with_space_prefix": post(b"Transfer-Encoding: chunked\r\n",
                                         b" 5\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
}


@pytest.fixture
def target(cluster):
    o = cluster.origin(Behavior(echo=True))
    edge = cluster.edge(edge_config(distribution([http_origin("app", o.port)], "app")))
    return edge, o


def send_and_expect_400_close(edge, payload: bytes, connection_close_header: bool = True,
                              status: int = 400):
    with RawConn(edge.port, timeout=10) as c:
        c.send(payload)
        r = c.read_response(timeout=10)
        assert r.status == status, r
        assert r.header("Server") == "edgefront"
        if connection_close_header:
            assert (r.header("Connection") or "").lower() == "close"
        # closed right after the response: nothing more, in particular no second response
        c.wait_closed(timeout=5)


def assert_nothing_smuggled(o):
    assert not any("smuggled" in r.target for r in o.requests), \
        [(r.method, r.target) for r in o.requests]


@pytest.mark.parametrize("name", sorted(HEAD_SHAPES))
def test_head_shape_rejected(target, name):
    edge, o = target
    send_and_expect_400_close(edge, HEAD_SHAPES[name], status=expected_status(name))
    assert_nothing_smuggled(o)
    assert o.requests == [], f"{name}: the origin received {[(r.method, r.target) for r in o.requests]}"


@pytest.mark.parametrize("name", sorted(BODY_SHAPES))
def test_body_shape_rejected(target, name):
    edge, o = target
    send_and_expect_400_close(edge, BODY_SHAPES[name], connection_close_header=False)
    assert_nothing_smuggled(o)
    assert o.completed() == [], "a request with a malformed body reached the origin complete"


@pytest.mark.parametrize("name", sorted(HEAD_SHAPES))
def test_head_shape_after_good_request(target, name):
    """The same shape as the second request on a keep-alive connection."""
    edge, o = target
    with RawConn(edge.port, timeout=10) as c:
        c.send(request_bytes("GET", "/first"))
        assert c.read_response().status == 200
        c.send(HEAD_SHAPES[name])
        r = c.read_response(timeout=10)
        assert r.status == expected_status(name)
        c.wait_closed(timeout=5)
    assert [q.target for q in o.requests] == ["/first"]


def test_control_valid_chunked_then_pipelined(target):
    """The harness itself: a valid chunked POST followed by a pipelined GET gets two answers."""
    edge, o = target
    with RawConn(edge.port) as c:
        c.send(post(b"Transfer-Encoding: chunked\r\n", b"5\r\nhello\r\n0\r\n\r\n") +
               request_bytes("GET", "/second"))
        r1 = c.read_response()
        r2 = c.read_response()
    assert (r1.status, r1.body) == (200, b"POST /front")
    assert (r2.status, r2.body) == (200, b"GET /second")
    assert [q.target for q in o.requests] == ["/front", "/second"]
    assert o.requests[0].body == b"hello"


def test_control_content_length_body_not_parsed_as_request(target):
    """A body that looks like a request is just a body."""
    edge, o = target
    with RawConn(edge.port) as c:
        c.send(post(b"Content-Length: %d\r\n" % len(SMUGGLED), SMUGGLED))
        r = c.read_response()
        assert r.status == 200
        c.send(request_bytes("GET", "/next"))
        assert c.read_response().body == b"GET /next"
    assert [q.target for q in o.requests] == ["/front", "/next"]
    assert o.requests[0].body == SMUGGLED
