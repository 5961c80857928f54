"""Documents that parsed and validated once are not parsed or validated again.

Validation alone is a sixth of the CPU of a warm portfolio request: ~30 rules walk the whole
document, every time, for a frontend that sends the same few texts. Validation depends only on the
text, the schema and the rules (the cost rule reads variable defaults from the document, never the
request's variables), and a schema's rules are fixed when it is built, so a document that passed
once passes again. Only documents that passed are remembered: a document with parse or validation
errors goes through the full path every time and keeps its error codes.

The cache is per schema (so per app), bounded by entries and by text size, least recently used out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cachetools import LRUCache
from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

from gateway.http.execution import document_passed

__all__ = ["ValidatedDocuments", "validated_documents"]


class ValidatedDocuments:
    """Query text -> the parsed document that passed validation under this schema's rules."""

    def __init__(self, max_entries: int = 256, max_text_chars: int = 64 * 1024) -> None:
        self.max_text_chars = max_text_chars
        self._documents: LRUCache[str, DocumentNode] = LRUCache(maxsize=max_entries)

    def __len__(self) -> int:
        return len(self._documents)

    def get(self, text: str) -> DocumentNode | None:
        return self._documents.get(text)  # a hit becomes the most recently used

    def remember(self, text: str, document: DocumentNode) -> None:
        if len(text) <= self.max_text_chars:
            self._documents[text] = document  # past max_entries, the least recently used leaves


def validated_documents(documents: ValidatedDocuments) -> Callable[[], SchemaExtension]:
    """A factory for the extension that serves and fills ``documents`` (fresh instance per request)."""

    class ReuseValidated(SchemaExtension):
        reused = False

        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            cached = documents.get(context.query) if context.query and context.graphql_document is None else None
            if cached is not None:
                context.graphql_document = cached  # Strawberry parses only when no document is set
                self.reused = True
            yield

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            if self.reused and context.pre_execution_errors is None:
                context.pre_execution_errors = []  # passed before: Strawberry validates only when this is None
            yield
            if context.pre_execution_errors != [] or context.graphql_document is None:
                return
            passed = document_passed.get()
            if passed is not None:
                passed.append(True)
            if not self.reused and context.query:
                documents.remember(context.query, context.graphql_document)

    return ReuseValidated
