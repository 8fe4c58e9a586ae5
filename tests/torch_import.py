"""How the tests that need PyTorch start (dlpack_torch.py,
torch_generator_live.py, torch_reference_data.py): import it, or skip."""
import importlib
import os
import sys

SKIP = 77  # CTest's SKIP_RETURN_CODE for these tests


def require(*names):
    """Imports torch, then the named modules, and returns them in that
    order. When one cannot be imported, exits 77 (skipped), or 1 where
    GINIT_REQUIRE_TORCH=1 says PyTorch must be there (CI)."""
    try:
        return [importlib.import_module(n) for n in ("torch",) + names]
    except ImportError as e:
        if os.environ.get("GINIT_REQUIRE_TORCH") == "1":
            print("GINIT_REQUIRE_TORCH=1 but torch cannot be imported: %s"
                  % e, file=sys.stderr)
            sys.exit(1)
        print("skipped: torch cannot be imported (%s)" % e)
        sys.exit(SKIP)
