"""The code's shape, checked: data flows one way (read → normalise → features → score →
present), so imports go downward only — no module imports one that imports it back, the
engine never imports presentation, and no module reaches into another's private names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "followup"
# The engine: reading, normalising, features and scoring. Presentation reads its columns.
ENGINE = ("errors", "schema", "timeparse", "days", "textcolumns", "policy", "readers", "normalise", "roster",
          "rounds", "features", "event_roles", "reasons", "scoring", "settling", "sources")
PRESENTATION = ("present", "report", "plotting", "explain", "batch", "cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, list[tuple[str, list[str]]]]:
    """Each module's imports of the package, at any depth (a function's lazy import counts:
    it is still a dependency), as (module, names imported)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        edges = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                elif (node.module or "").startswith("followup"):
                    target = node.module
                else:
                    continue
                names = [alias.name for alias in node.names]
                modules = [f"{target}.{n}" for n in names if (PACKAGE.parent / f"{target}.{n}".replace(".", "/")).with_suffix(".py").exists()
                           or (PACKAGE.parent / f"{target}.{n}".replace(".", "/") / "__init__.py").exists()]
                edges += [(m, []) for m in modules]
                if len(modules) < len(names):
                    edges.append((target, [n for n in names if f"{target}.{n}" not in modules]))
            elif isinstance(node, ast.Import):
                edges += [(alias.name, []) for alias in node.names if alias.name.startswith("followup")]
        found[name] = edges
    return found


IMPORTS = _imports()


def _graph() -> dict[str, set[str]]:
    # A package's own __init__ re-exports its modules; a cycle through it is only that.
    return {module: {target for target, _ in edges if target != module and target in IMPORTS
                     and target != "followup"}
            for module, edges in IMPORTS.items() if module != "followup"}


def test_no_module_imports_one_that_imports_it_back():
    graph, cycles, state = _graph(), [], {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("engine", ENGINE)
def test_the_engine_never_imports_presentation(engine):
    prefix = f"followup.{engine}"
    offending = sorted({f"{module} imports {target}"
                        for module, edges in IMPORTS.items() if module == prefix or module.startswith(prefix + ".")
                        for target, _ in edges
                        if any(target == f"followup.{p}" or target.startswith(f"followup.{p}.") for p in PRESENTATION)})
    assert not offending


# Above the engine: scoring a log and the result. They import neither presentation nor
# learning (which reads their results: a model is loaded by the caller, score(model=…) takes it).
PIPELINE = ("loading", "api", "shortlist", "partitioned", "replay", "trend", "history", "changes")


@pytest.mark.parametrize("module", PIPELINE)
def test_the_pipeline_never_imports_presentation_or_learning(module):
    above = (*PRESENTATION, "learning")
    offending = sorted({f"followup.{module} imports {target}" for target, _ in IMPORTS[f"followup.{module}"]
                        if any(target == f"followup.{p}" or target.startswith(f"followup.{p}.") for p in above)})
    assert not offending


def test_no_module_imports_another_modules_private_names():
    crossings = sorted(f"{module} imports {target}.{name}" for module, edges in IMPORTS.items()
                       for target, names in edges for name in names
                       if name.startswith("_") and not name.startswith("__") and target != module)
    assert not crossings


# The explain package's modules, lowest first: each imports only modules listed before it, so
# the per-event roles never depend on how one candidate's card is built.
EXPLAIN_LAYERS = ("words", "roles", "model", "find", "components", "missed", "build")


def test_the_explain_package_is_every_module_of_its_layers():
    modules = {m.removeprefix("followup.explain.") for m in IMPORTS if m.startswith("followup.explain.")}
    assert modules == set(EXPLAIN_LAYERS)


@pytest.mark.parametrize("layer", EXPLAIN_LAYERS)
def test_explain_modules_import_only_lower_layers_of_the_package(layer):
    module = f"followup.explain.{layer}"
    upward = sorted({target for target, _ in IMPORTS[module]
                     if target == "followup.explain" or (target.startswith("followup.explain.")
                     and EXPLAIN_LAYERS.index(target.removeprefix("followup.explain.")) >= EXPLAIN_LAYERS.index(layer))})
    assert not upward, f"{module} imports {upward}"


def test_the_rest_of_the_package_reads_explain_through_its_public_face():
    reaching_in = sorted(f"{module} imports {target}" for module, edges in IMPORTS.items()
                         if not module.startswith("followup.explain")
                         for target, _ in edges if target.startswith("followup.explain."))
    assert not reaching_in


# A reject's ``reason`` is a sentence for people; code that decides anything reads its ``code``
# (or ``duplicate_of_file``/``duplicate_of_row``), never the wording, which adapters vary.
READS_A_REASON = re.compile(r"""\[["']reason["']\][^\n]*(\.str\.|startswith|extract|[!=]=\s*["'])""")


def test_no_module_decides_anything_by_a_reject_reasons_wording():
    offending = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
                 for path in sorted(PACKAGE.rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if READS_A_REASON.search(line)]
    assert not offending


# The rules live in the engine, each computed once as a column (the rounds' ``quiet_since``,
# ``cadence_start_at``, ``interviewers_not_addressed``; event_roles' roles, ``unanswered_run``,
# …): presentation reads those columns, so it never calls the engine's rule helpers to decide
# something again, nor reads the outcome list that makes a call unanswered. The modules that
# hold rules are closed to presentation but for the names listed in ALLOWED_FROM_RULES.
RULE_MODULES = ("followup.features", "followup.scoring", "followup.reasons", "followup.rounds",
                "followup.normalise", "followup.event_roles", "followup.notes", "followup.settling")
RULE_HELPERS = {"followup.schema": {"UNANSWERED_OUTCOMES"}}
ALLOWED_FROM_RULES = {
    "followup.reasons": {"MONTHS"},            # month abbreviations: words, no rule
    "followup.event_roles": {"event_roles"},   # the engine's roles frame, made for a few candidates
    # plot_timeline draws any events frame, a hand-made one too, so it runs the engine's one
    # rule function on it; plot_candidate goes through it with the result's events.
    "followup.features": {"unanswered_calls"},
    # plot_first_contact_delay likewise bins any candidates frame (or another deadline than the
    # policy's) with the engine's one timing rule; given a result, it reads the rounds' column.
    "followup.scoring": {"first_contact_timing"},
}


def _rule_helper_imports(imports) -> list[str]:
    def presentation(module):
        return any(module == f"followup.{p}" or module.startswith(f"followup.{p}.") for p in PRESENTATION)

    def closed(target, name):
        if target in RULE_MODULES:
            return name not in ALLOWED_FROM_RULES.get(target, ())
        return name in RULE_HELPERS.get(target, ())

    return sorted({f"{module} imports {target}" + (f".{name}" if name else "")
                   for module, edges in imports.items() if presentation(module)
                   for target, names in edges for name in (names or [""]) if closed(target, name)})


def test_presentation_never_calls_the_engines_rule_helpers():
    assert not _rule_helper_imports(IMPORTS)


def test_the_rule_helper_check_catches_explain_deciding_roles_itself():
    # What explain/roles.py did before the roles moved into the engine.
    before = {"followup.explain.roles": [("followup.features", ["cadence_start", "checkin_roles", "follow_up_events"]),
                                         ("followup.schema", ["UNANSWERED_OUTCOMES"])],
              "followup.event_roles": [("followup.features", ["follow_up_events"])]}
    assert _rule_helper_imports(before) == [
        "followup.explain.roles imports followup.features.cadence_start",
        "followup.explain.roles imports followup.features.checkin_roles",
        "followup.explain.roles imports followup.features.follow_up_events",
        "followup.explain.roles imports followup.schema.UNANSWERED_OUTCOMES"]


def test_the_rule_helper_check_catches_explain_re_deriving_round_facts():
    # What explain/build.py and explain/missed.py did before the rounds carried quiet_since,
    # cadence_start_at and interviewers_not_addressed; a whole rule module imported counts too.
    before = {"followup.explain.build": [("followup.scoring", ["quiet_since"]),
                                         ("followup.event_roles", ["round_cadence_start"])],
              "followup.explain.missed": [("followup.normalise", ["person_key"])],
              "followup.report": [("followup.rounds", [])],
              "followup.explain.words": [("followup.reasons", ["MONTHS"])]}
    assert _rule_helper_imports(before) == [
        "followup.explain.build imports followup.event_roles.round_cadence_start",
        "followup.explain.build imports followup.scoring.quiet_since",
        "followup.explain.missed imports followup.normalise.person_key",
        "followup.report imports followup.rounds"]


# A flag's reason is a column of its own (schema.FLAG_REASON_COLUMNS: ``reason_WENT_SILENT``);
# ``reasons`` and the ``reason`` headline are sentences for people. Code may list the sentences
# (split on REASON_SEPARATOR) but never takes one apart to find a fact: no test of their text,
# no regex over them, no cutting at the ``CODE: `` mark the engine words a flag's reason with.
READS_A_SENTENCE = re.compile(
    r"""\[["'](?:reasons|reason|reason_[A-Z_]+)["']\][^\n]*(?:\.str\.(?!split\(REASON_SEPARATOR)|startswith|endswith"""
    r"""|removeprefix|extract|\bre\.)""")
CUTS_AT_THE_FLAG_MARK = re.compile(
    r"""(?:split|partition|startswith|endswith|removeprefix|find|index|extract|match|contains)\([^)\n]*"""
    r"""(?:FLAG_REASON_MARK|\+\s*["']: ["']|["']: ["']\s*[,)]|\[A-Z_\]\+\)?: )""")


def _lines_deciding_by_a_sentence(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if READS_A_SENTENCE.search(line) or CUTS_AT_THE_FLAG_MARK.search(line)]


def test_the_check_catches_the_ways_a_flags_reason_was_read_out_of_the_sentences():
    # The readings this rule replaced (explain and changes before the reason columns) and
    # the shapes they come in; a listing of the sentences passes.
    caught = '''
    flag_reasons = {code: text.split(": ", 1)[1] for text in reasons for code in FLAGS
                    if text.startswith(code + ": ")}
    sentences["flag"] = sentences["sentence"].astype(str).str.extract(r"^([A-Z_]+): ", expand=False)
    silent = frame["reasons"].str.contains("WENT_SILENT")
    late = row["reason"].startswith("NO_CONTACT")
    detail = text.partition(FLAG_REASON_MARK)[2]
    '''
    assert len(_lines_deciding_by_a_sentence(caught)) == 6
    listed = '''
    reasons = [r for r in str(row["reasons"] or "").split(REASON_SEPARATOR) if r]
    reasons = frame["reasons"].fillna("").astype(str).str.split(REASON_SEPARATOR)
    flag_reasons = {code: str(row[column]) for code, column in FLAG_REASON_COLUMNS.items() if pd.notna(row[column])}
    '''
    assert _lines_deciding_by_a_sentence(listed) == []


def test_no_module_decides_anything_by_a_reasons_wording():
    offending = [f"{path.relative_to(PACKAGE)}:{number}: {line}"
                 for path in sorted(PACKAGE.rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 for line in _lines_deciding_by_a_sentence(line)]
    assert not offending
