"""Where a webhook may be delivered: the receiver's address is checked when we connect (SSRF).

Private, loopback, link-local, multicast and reserved addresses are refused unless the endpoint
allows private addresses (an administrator's choice; the demo and tests use 127.0.0.1). The check
runs on the address actually connected to, after DNS resolution, so a name that resolves to an
internal address is refused as well.
"""

from __future__ import annotations

import ipaddress
import socket

import httpcore


class AddressRefused(Exception):
    def __init__(self, host: str, address: str):
        super().__init__(f"{host} resolves to {address}, which is not a public address")
        self.host = host
        self.address = address


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to addresses the endpoint may reach."""

    def __init__(self, *, allow_private: bool):
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        last_error = None
        for family, kind, proto, _, sockaddr in infos:
            address = sockaddr[0]
            if not self.allow_private and not is_public(address):
                raise AddressRefused(host, address)
            sock = socket.socket(family, kind, proto)
            sock.settimeout(timeout)
            try:
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                last_error = exc
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            from httpcore._backends.sync import SyncStream

            return SyncStream(sock)
        if isinstance(last_error, socket.timeout):
            raise httpcore.ConnectTimeout(str(last_error))
        raise httpcore.ConnectError(str(last_error or f"no address for {host}"))
