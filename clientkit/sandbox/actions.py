"""Declared actions, served: each ``Action`` of a resource answers without a hand-written
route. An action on one record (its path holds the identity) finds the record in its
parents' scope (404 when it is missing) and answers it like a get; an action on the
collection answers its list (``GET``) or ``{}``; an action that answers bytes, text or a
stream answers a placeholder document. A handler given with ``Sandbox.action`` adds the
behaviour (it gets the found record, may change it, and may answer); a route of the
user's on the same path and method replaces all of it."""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from clientkit._declarations.identity import spec_of
from clientkit._declarations.resource import Resource, ResourceSpec
from clientkit.sandbox.envelopes import wrap_response
from clientkit.sandbox.files import placeholder
from clientkit.sandbox.store import digest_of

if TYPE_CHECKING:
    from clientkit._declarations.paths import PathTemplate
    from clientkit.sandbox.app import Reply, SandboxRequest

ActionHandler = Callable[[Any, "SandboxRequest"], Any]


@attrs.define
class ServedAction:
    """One declared action's route: its default answer, and the handler that adds behaviour."""

    cls: type[Resource]
    spec: ResourceSpec
    name: str
    document: Callable[[], Reply] | None = None  # the placeholder of one answering no JSON
    handler: ActionHandler | None = None

    @property
    def method(self) -> str:
        return self.spec.actions[self.name][0]

    @property
    def template(self) -> PathTemplate:
        return self.spec.actions[self.name][1]

    @property
    def on_record(self) -> bool:
        """Whether the action acts on one record: its path holds every identity placeholder."""
        return all(n in self.template.names for n in self.spec.identity)

    def __call__(self, req: SandboxRequest) -> Any:
        if self.spec.answers[self.name].kind != "json" and self.handler is None:
            return self._document()  # today's placeholder, whatever the path names
        return self._record(req) if self.on_record else self._collection(req)

    def _scoped(self, req: SandboxRequest, home: PathTemplate | None) -> SandboxRequest:
        """``req`` with only the path values that place records (those of the resource's own
        ``home`` path), so the action finds what a get or a list of the same scope finds."""
        names = set(home.names if home is not None else self.template.names)
        return attrs.evolve(req, params={k: v for k, v in req.params.items() if k in names})

    def _placed(self, req: SandboxRequest) -> SandboxRequest | Reply:
        """``req`` scoped as a get of the record would be. A flat action path that lacks the
        parents (``/tasks/{id}/close`` of ``/projects/{project_id}/tasks/{id}``) finds the
        record in every scope by its identity: 404 when none holds it, 409 when several do."""
        home = self.spec.one
        names = sorted(n for n in (home.names if home is not None else ()) if n not in self.spec.identity)
        if home is None or all(n in self.template.names for n in names):
            return self._scoped(req, home)
        box = req.sandbox
        own = {k: v for k, v in req.params.items() if k in self.spec.identity}
        shape = re.compile(re.escape(self.spec.name) + "".join(rf"\|{re.escape(n)}=(.*)" for n in names))
        scopes = []
        for table in box.store.tables():
            match = shape.fullmatch(table)
            if match is not None:
                scope = {**dict(zip(names, match.groups(), strict=True)), **own}
                if box._one(self.cls, self.spec, attrs.evolve(req, params=scope))[2] is not None:
                    scopes.append(scope)
        if len(scopes) > 1:
            return box.error(409, f"{self.spec.name} {'|'.join(own.values())} is in several scopes")
        return attrs.evolve(req, params=scopes[0] if scopes else own)

    def _record(self, req: SandboxRequest) -> Any:
        box = req.sandbox
        scoped = self._placed(req)
        if not isinstance(scoped, type(req)):
            return scoped
        found = box._existing(self.cls, self.spec, scoped)  # the 404 (and 412) of a write
        if not isinstance(found, tuple):
            return found
        table, key, record = found
        if self.handler is not None:
            body = copy.deepcopy(record.body)
            answer = self.handler(body, req)
            if getattr(answer, "status", 200) < 400 and digest_of(body) != record.digest:
                record = box.store.put(table, key, body)  # a new version: a new ETag
            if answer is not None:
                return answer
        if self.spec.answers[self.name].kind != "json":
            return self._document()
        return box._resource_reply(self.cls, self.spec, scoped, table, key, record, self.name)

    def _collection(self, req: SandboxRequest) -> Any:
        box = req.sandbox
        scoped = self._scoped(req, self.spec.many)
        if self.handler is not None:
            records = [r.body for r in box.store.records(box._table(self.spec, scoped.params))]
            answer = self.handler(records, req)  # changed in place: the store notices
            if answer is not None:
                return answer
        if self.spec.answers[self.name].kind != "json":
            return self._document()
        payload: Any = box.matching(self.cls, self.spec, scoped) if self.method == "GET" else {}
        return wrap_response(self.spec.envelope_in(box.service), payload, self.name)

    def _document(self) -> Reply:
        assert self.document is not None  # given to every action that answers no JSON
        return self.document()


def served_actions(cls: type[Resource], document: Callable[[bytes, str], Reply]) -> list[ServedAction]:
    """The routes of ``cls``'s declared actions; ``document`` makes the answer of a placeholder."""
    spec = spec_of(cls)
    served = []
    for name, answer in spec.answers.items():
        made = None
        if answer.kind != "json":
            made = functools.partial(document, *placeholder(answer, f"{spec.name}.{name}"))
        served.append(ServedAction(cls, spec, name, made))
    return served


def find(served: Mapping[tuple[str, str], ServedAction], resource: type[Resource], name: str) -> ServedAction:
    """The served action ``name`` of ``resource``; a clear ``ValueError`` when there is none."""
    spec = spec_of(resource)
    found = served.get((spec.name, name))
    if found is None:
        known = sorted(n for (r, n) in served if r == spec.name)
        raise ValueError(f"sandbox.action: {spec.name} has no served action {name!r} (has {known})")
    return found


__all__ = ["ActionHandler", "ServedAction", "find", "served_actions"]
