"""Event descriptions: Markdown rendered to safe HTML (raw HTML is shown as text, unsafe links are dropped)."""

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# CommonMark with raw HTML turned off: "<script>" in a description is printed, never run.
# markdown-it refuses javascript:, vbscript:, file: and data: (but images) link targets itself.
_RENDERER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def render_markdown(text: str) -> SafeString:
    """The HTML of a Markdown description; headings start at level 3 so the page's outline stays whole."""
    tokens = _RENDERER.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + 2)
            token.tag = f"h{level}"
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "link_open":
                    child.attrSet("rel", "nofollow noopener")
    return mark_safe(_RENDERER.renderer.render(tokens, _RENDERER.options, {}))
