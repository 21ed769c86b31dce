"""Execute every notebook; a failing cell fails the test (the notebooks must not go stale).

Marked ``slow`` (a kernel start and the whole analysis, about 10 s together): they run in
every plain run, but ``-m "not slow"`` leaves them out of a quick local run.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs"), f"{path.name}: strip outputs before committing"
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()


def test_there_are_notebooks():
    assert {p.name for p in NOTEBOOKS} >= {"01_september_2022.ipynb", "02_your_own_events.ipynb"}
