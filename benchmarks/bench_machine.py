"""What the other suites are measured against: the machine's memory bandwidth, and the
framework versions of the environment (asv records its matrix; an `existing` environment
records none, so the versions are tracked here as numbers too)."""
from . import common


class Machine:
    def track_memory_bandwidth(self):
        return common.measure_bandwidth() / 1e9

    track_memory_bandwidth.unit = "GB/s (1e9 bytes/s, NumPy copy: read + write)"


def _as_number(version: str) -> float:
    """2.13.0+cpu -> 2.1300; 0.10.2 -> 0.1002 (major + minor/100 + patch/10000): asv records
    numbers only. version_text reads it back."""
    parts = [int("".join(ch for ch in p if ch.isdigit()) or 0)
             for p in version.split("+")[0].split(".")[:3]]
    parts += [0] * (3 - len(parts))
    return round(parts[0] + parts[1] / 100 + parts[2] / 10000, 4)


def version_text(number: float) -> str:
    """0.1002 -> '0.10.2': the version _as_number recorded (its local part, +cpu, is lost)."""
    major = int(number)
    rest = round((number - major) * 10000)
    return f"{major}.{rest // 100}.{rest % 100}"


class Versions:
    params = [list(common.adapter_names())]
    param_names = ["adapter"]

    def setup(self, adapter):
        self.versions = common.get_adapter(adapter).backend.versions()
        print(self.versions)

    def track_framework_version(self, adapter):
        return _as_number(self.versions[_versioned(adapter, self.versions)])

    track_framework_version.unit = "version: major + minor/100 + patch/10000 (0.1002 is 0.10.2)"


def _versioned(adapter: str, versions: dict) -> str:
    """Which of an adapter's versions it is benchmarked by: its own name's (jax, paddle), else a
    library's own, not that of the framework it runs on (monai's, not torch's), else the
    first."""
    if adapter in versions:
        return adapter
    names = list(versions)
    own = [n for n in names if n not in FRAMEWORKS]
    return own[0] if adapter in common.adapters.LIBRARIES and own else names[0]


# what the library adapters run on, listed beside their own version (sklearn: numpy)
FRAMEWORKS = ("torch", "tensorflow", "keras", "jax", "optax", "numpy")
