"""The page gunicorn sends when it refuses a request before the app sees it: an address longer
than its 4,094 characters (414), a header (a cookie grown too large) past 8,190 bytes or more
than 100 of them (431), a request it cannot read (400). gunicorn writes those in English, in
Latin-1, with no word of what to do; `pheduyet serve` has it write this one instead, in
Vietnamese first and English under it, as every page of the app is.

gunicorn calls `gunicorn.util.write_error` by that name from every kind of web process (the
sync worker, its threaded one and `web.serving_worker`'s): `install` replaces it there, in the
master before the fork, so every web process it forks writes these pages."""

from __future__ import annotations

import html
import socket

from gunicorn import util

# By status: the title and what to do, in Vietnamese, then in English.
_WORDS: dict[int, tuple[str, str, str, str]] = {
    414: (
        "Địa chỉ trang quá dài",
        "Đường dẫn dài quá mức máy chủ nhận được. Hãy mở lại trang từ trang chủ của hệ thống.",
        "The address is too long",
        "The link is longer than the server accepts. Open the page again from the home page.",
    ),
    431: (
        "Yêu cầu quá lớn",
        "Trình duyệt gửi kèm dữ liệu (cookie) quá lớn. Hãy xoá cookie của trang này trong "
        "trình duyệt rồi đăng nhập lại.",
        "The request is too large",
        "The browser sent too much with it (its cookies). Clear this site's cookies in the "
        "browser, then log in again.",
    ),
    403: (
        "Yêu cầu bị từ chối",
        "Máy chủ không nhận yêu cầu này.",
        "The request was refused",
        "The server does not accept this request.",
    ),
    500: (
        "Máy chủ gặp lỗi",
        "Yêu cầu chưa được thực hiện. Hãy thử lại sau ít phút; nếu vẫn lỗi, hãy báo quản trị viên.",
        "The server met an error",
        "Nothing was done. Try again in a few minutes, and tell the administrator if it stays.",
    ),
}
_UNREADABLE = (
    "Yêu cầu không hợp lệ",
    "Máy chủ không đọc được yêu cầu này. Hãy mở lại trang từ trang chủ của hệ thống.",
    "The request could not be read",
    "The server could not read this request. Open the page again from the home page.",
)


def refusal_page(status: int) -> str:
    title, advice, title_en, advice_en = _WORDS.get(status, _UNREADABLE)
    return (
        '<!doctype html>\n<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto; '
        'padding: 0 1rem">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(advice)}</p>"
        f'<p><a href="/">Về trang chủ</a></p><hr><div lang="en"><h2>{html.escape(title_en)}</h2>'
        f"<p>{html.escape(advice_en)}</p></div></body></html>\n"
    )


def write_refusal(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's `write_error`, with our page. `mesg` (gunicorn's own words: the start of
    the refused line or header) goes to gunicorn's log only, as it already does."""
    body = refusal_page(status_int).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        "Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    util.write_error = write_refusal
