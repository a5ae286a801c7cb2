"""Links to addresses a source gave: only web addresses become links."""

from django import template

register = template.Library()


@register.filter
def web_link(address: str) -> str:
    """`address` when it is an http(s) address, else "" (a "javascript:" or "data:" address taken
    from a file or a form is shown as text, never followed)."""
    text = (address or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""
