"""The shape of the code itself: layers without cycles, short functions, a small surface, mirrored tests."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import grimp
import pytest

import clientkit

ROOT = Path(clientkit.__file__).parent
TESTS = Path(__file__).parent
#: each layer package of clientkit, and the test package that mirrors it module by module
MIRRORS = {"_declarations": "declarations", "_client": "client", "sandbox": "sandbox", "cli": "cli"}
PUBLIC_MODULES = (
    "clientkit.auth",
    "clientkit.bulk",
    "clientkit.errors",
    "clientkit.files",
    "clientkit.jobs",
    "clientkit.model",
    "clientkit.paging",
    "clientkit.redaction",
    "clientkit.tokens",
    "clientkit.webhooks",
)


def import_cycles() -> list[list[str]]:
    """Groups of clientkit modules that import each other (Tarjan's strongly connected parts)."""
    graph = grimp.build_graph("clientkit", exclude_type_checking_imports=True)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in edges.get(module, []):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            part = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(part) > 1:
                cycles.append(sorted(part))

    for module in edges:
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycles() -> None:
    assert import_cycles() == []


def test_no_function_over_60_lines() -> None:
    long = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []


#: Lines of the core (clientkit/ without sandbox/ and cli.py). A ratchet: lower it when the
#: core shrinks; it may not grow past it. Issue #17 left 8,743 lines (its target of 4,500 is
#: not met); issue #18 added answers, streams, downloads, uploads, jobs and the shared
#: deadline and cancel conventions (+2,359), and the fixes after their review (+183).
#: Issue #19: index steps in key paths, error details in other shapes, decimals (+223);
#: what a write answers, answer checks (+253); delete verbs, paging that keeps the
#: caller's position (+63); context in queries and bodies, counts, webhooks (+441);
#: optional auth, auth=False, alternative credentials, login headers (+190); reference
#: fields, declared path segments, parents that are fields (+226); login flows: credentials
#: callback, stored token check, login retries (+202); tokens in paths (+98); environments
#: and declared secondary origins (+147); review fixes: callback stores, login errors,
#: auth=False cookies, signed times, segment escapes, retry_login_when (+47); paths of
#: loaded objects, unsaved references, reloaded parents, count queries, checks and
#: write answers refused where they cannot work (+89); list levels refuse fields that
#: cannot expand, a pager's repr (+34); webhook signatures with signed headers, several
#: signatures a header and base64 secrets (Standard Webhooks) (+60); no jar cookies to a
#: declared origin other than the service's (+14); credential_provider=, a login's
#: keyword= and OneOf of two logins, one send_start= for every paging style (+69); context
#: values in multipart bodies and per resource, clashes refused, one origin rule for
#: Location and next links, Action(status=) enforced (+172).
#: Issue #21: error texts worded as an official client words them, content types that
#: make a 2xx answer an error (+49). Issue #20: request() sends files as multipart, resource
#: classes made at run time and written out as source (+134). Review of #19: cached login
#: pages, context only where headers go, statuses on downloads, list defaults checked, a
#: declared origin of a service without auth (+30).
#: Issue #21 again: declared query tables, an official client's method table (+214).
#: Issue #23: PathToken(in_paths=True), context_body_first (+35).
#: Issue #22: error texts that show the body, connect(origins=) (+19); merging the two
#: context_body options (+4).
#: Issue #23 again: one-time handshake tokens the service confirms (EchoHandshake
#: challenge=None, answer(confirm=), raw bodies) (+35); Surface RPC body templates, empty
#: literal defaults, converts and item accessors (+47).
#: Issue #22 again: PasswordLogin token alternatives, the login answer on the token,
#: patterns in retry_login_when (+43); connect(trace=), connect(verify=) taking an
#: ssl.SSLContext (+36).
#: Issue #20 again: calls with credentials=False, to a URL on any host (+2); Surface.request
#: rows, header roles and bodiless rows, requests_files (+73); merging the two Surface rows (+2).
#: Issue #25: a count shown in place of a list is never sent (+8); field(check=), a check
#: of values given in Python that keeps the generated loader (+18); delete(level=) and
#: bulk.completed / bulk.Incomplete, a partial failure reported whole (+37); action(data=),
#: a body already encoded (+4).
#: Review fixes of the service packages: AnswerCheck(required=) raised as DecodeError with the
#: service's mixin (+14); errors.as_official and pickling combined errors (+32).
#: Issue #24, typing for users: typed converters (statuses, operations, params, headers),
#: a webhook Headers protocol, APIError.request, CountedList.count declared, Page.response
#: always set (+30); declaring.md type-checks: Service.resource typed with resource()'s
#: options, typed context values, make_resource's MadeResource (+33); resource() and field()
#: refuse a misspelt option with a DeclarationError, as the declaration types do (+23).
#: Issue #25, declarations not code: check_arguments (argument checks from annotations, also
#: field(check=True)), OfficialException, ResourcePath / path_of (+321).
#: Issue #23 again: clientkit errors leave calls with their frames' locals cleared
#: (forgets_locals) (+47); Outcome, an RPC answer as a result object, Session.outcome and
#: Surface.outcome (+116); Surface.item key paths and alternatives (+4); review fixes: an
#: Outcome's settings private and inherited, Session.outcome never reads an earlier answer (+16);
#: a walk refused for repeated items says when no page size was asked (+7).
#: Review fixes of this round's framework additions: pagers clear their frames' locals as they
#: are walked, forgets_locals on generator functions (+30); check_arguments: ranges in unions,
#: Required/NotRequired keys, protocols, undefined names, generator functions, no arguments
#: kept in a refusal's frame (+64); path_of/ResourcePath build values as the session does
#: (path_values shared, session=) (+41); Surface.item literal keys first (+12).
CORE_LINE_BUDGET = 15_380


def test_the_core_does_not_grow() -> None:
    core = [p for p in ROOT.rglob("*.py") if not {"sandbox", "cli"} & set(p.relative_to(ROOT).parts)]
    lines = sum(len(p.read_text().splitlines()) for p in core)
    assert lines <= CORE_LINE_BUDGET, f"the core has {lines} lines (budget {CORE_LINE_BUDGET})"


def test_a_small_public_surface() -> None:
    assert 30 <= len(clientkit.__all__) <= 36
    for module in ("clientkit", *PUBLIC_MODULES):
        exported = importlib.import_module(module)
        missing = [name for name in exported.__all__ if not hasattr(exported, name)]
        assert missing == [], module


def test_internal_modules_are_private() -> None:
    names = [m.name for m in pkgutil.iter_modules(clientkit.__path__)]
    public = {f"clientkit.{name}" for name in names if not name.startswith("_")}
    assert public == {*PUBLIC_MODULES, "clientkit.sandbox", "clientkit.cli"}


@pytest.mark.parametrize("module", ["clientkit", "clientkit.sandbox"])
def test_no_name_shadows_a_submodule(module: str) -> None:
    package = importlib.import_module(module)
    submodules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    assert submodules & set(package.__all__) == set()


def test_public_modules_only_re_export() -> None:
    for module in ("clientkit.__init__", *PUBLIC_MODULES):
        tree = ast.parse((ROOT / f"{module.split('.')[-1]}.py").read_text())
        kinds = {type(node).__name__ for node in tree.body}
        assert kinds <= {"Expr", "ImportFrom", "Assign"}, module


@pytest.mark.parametrize(("layer", "tests"), sorted(MIRRORS.items()))
def test_tests_mirror_the_modules_they_test(layer: str, tests: str) -> None:
    modules = {path.stem for path in (ROOT / layer).glob("*.py") if not path.stem.startswith("__")}
    mirrored = {path.stem.removeprefix("test_") for path in (TESTS / tests).glob("test_*.py")}
    assert sorted(modules - mirrored) == [], f"modules of clientkit/{layer}/ without tests/{tests}/test_X.py"
    assert sorted(mirrored - modules) == [], f"tests/{tests}/test_X.py without clientkit/{layer}/X.py"
