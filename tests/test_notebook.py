"""The exploration notebook runs top to bottom on the sample and shows what it promises.

The notebook is executed with nbclient in a fresh kernel whose working directory is the repo
root. The kernel must run the *same* Python as the tests (the venv with followup installed),
whatever `python3` kernelspec the machine happens to have (a user-level one could point at a
system Python without followup). So the test writes a throw-away `python3` kernelspec whose
argv is ``sys.executable`` into a temporary directory and puts it first on ``JUPYTER_PATH`` —
nothing is installed into the venv or the user's Jupyter folders.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore_followups.ipynb"


@pytest.fixture(scope="module")
def kernel_for_this_python(tmp_path_factory):
    """A `python3` kernelspec that launches this interpreter, first on JUPYTER_PATH."""
    data_dir = tmp_path_factory.mktemp("jupyter")
    spec_dir = data_dir / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (followup tests)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        import os

        patch.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, [str(data_dir), os.environ.get("JUPYTER_PATH")])))
        patch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        from jupyter_client.kernelspec import KernelSpecManager

        resolved = KernelSpecManager().get_kernel_spec("python3")
        assert resolved.argv[0] == sys.executable, resolved.resource_dir
        yield "python3"


@pytest.fixture(scope="module")
def executed(kernel_for_this_python):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name=kernel_for_this_python, timeout=300, startup_timeout=120,
        resources={"metadata": {"path": str(ROOT)}},
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb, time.perf_counter() - started


def outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.append(data.get("text/plain", ""))
        parts.append(data.get("text/html", ""))
    return "\n".join(parts)


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in code_cells(nb):
        assert cell.get("outputs") == [] and cell.get("execution_count") is None, cell.source[:60]
    assert sum(cell.cell_type == "markdown" for cell in nb.cells) >= 8


def test_notebook_runs_without_errors(executed):
    nb, seconds = executed
    for cell in code_cells(nb):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{cell.source[:60]!r}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
        assert cell.execution_count is not None
    assert seconds < 240, f"notebook took {seconds:.0f} s"


def test_notebook_shows_the_accounting_the_shortlist_and_the_flags(executed):
    nb, _ = executed
    text = "\n".join(outputs_text(cell) for cell in code_cells(nb))
    assert "sales (" in text and "America/New_York" in text  # policy label and time zone printed
    assert "carrier pigeon" in text and "next Tuesday" in text  # rejects with their values
    assert "Alice Hartman" in text  # the ranked table

    flagged_cell = next(cell for cell in code_cells(nb) if "r.flagged" in cell.source)
    flagged = outputs_text(flagged_cell)
    for candidate_id in ("C007", "C025", "C011", "C004"):
        assert candidate_id in flagged
    assert "EXCESSIVE_HANGUPS" in flagged
    assert "C001" not in flagged  # the textbook candidate is not flagged


def test_notebook_draws_its_plots(executed):
    nb, _ = executed
    images = [cell for cell in code_cells(nb)
              if any("image/png" in output.get("data", {}) for output in cell.outputs)]
    # score distribution, first-contact delay, flag counts, C007's timeline
    assert len(images) >= 4
    assert any(("plot_candidate" in cell.source or ".plot(" in cell.source) and "C007" in cell.source
               for cell in images)


def test_notebook_explains_a_candidate_from_the_result(executed):
    nb, _ = executed
    printed = "".join(output.get("text", "") for cell in code_cells(nb) if "r.explain(" in cell.source
                      for output in cell.outputs)
    assert "C007" in printed and "Gloria Stanton" in printed
