"""What every mail the pipeline sends has in common (the report, alerts, reminders)."""

from __future__ import annotations

from email.utils import parseaddr


class Sender:
    """For a configuration with a ``sender`` ("Name <address>"): its bare address and domain."""

    sender: str

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]

    @property
    def domain(self) -> str:
        """The sender's domain, for Message-IDs."""
        return self.sender_address.rpartition("@")[2] or "localhost"


def smtp_policy():
    """email.policy.SMTP, but a non-ASCII Subject is folded by email.header.Header. Python 3.11's
    folder can put the space between two words outside the encoded words it splits a Vietnamese
    subject into, and readers drop whitespace between encoded words (RFC 2047): "chưa gửi" arrived
    as "chưagửi"."""
    from email.header import Header
    from email.policy import EmailPolicy

    class _Policy(EmailPolicy):
        def _subject(self, name, value):
            return f"{name}: {Header(str(value), 'utf-8', header_name=name).encode(linesep=self.linesep)}{self.linesep}"

        def fold(self, name, value):
            if name.lower() == "subject" and not str(value).isascii():
                return self._subject(name, value)
            return super().fold(name, value)

        def fold_binary(self, name, value):
            if name.lower() == "subject" and not str(value).isascii():
                return self._subject(name, value).encode("ascii")
            return super().fold_binary(name, value)

    return _Policy(linesep="\r\n")
