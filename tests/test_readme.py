"""The README's plug-in example is real: extracted, saved as my_losses.py, and run as written."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_plugin_example_passes(tmp_path):
    pytest.importorskip("torch", reason="the README example is torch code")
    (code,) = [block for block in re.findall(r"```python\n(.*?)```", README, re.S)
               if "declare_adapter" in block]
    assert 10 <= len(code.strip().splitlines()) <= 20, "the README promises a 10-20 line example"
    (tmp_path / "my_losses.py").write_text(code)
    assert "pytest conformance/ --adapter my_losses" in README
    out = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "conformance"), "-q",
                          "-p", "no:cacheprovider", "--rootdir", str(ROOT),
                          "-c", str(ROOT / "pyproject.toml"), "--adapter", "my_losses"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stdout[-3000:]
    assert re.search(r"[1-9]\d* passed", out.stdout)
