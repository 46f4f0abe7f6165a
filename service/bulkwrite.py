"""Moved: the import's batch writer is now the write core's parts, in service/write/.

These names stay importable from here for code written against the old module."""

from .write.batch import KINDS  # noqa: F401
from .write.batch import Batch  # noqa: F401
from .write.claims import ClaimParts  # noqa: F401
from .write.claims import review_key  # noqa: F401
from .write.history import change_row  # noqa: F401
from .write.recording import carried  # noqa: F401
from .write.rows import TEXT_START  # noqa: F401
from .write.rows import insert_rows  # noqa: F401
from .write.rows import text_start  # noqa: F401
from .write.run import EditGuard  # noqa: F401
from .write.run import Outcome  # noqa: F401
from .write.run import Run  # noqa: F401
from .write.validation import SCHEMAS  # noqa: F401
from .write.validation import load  # noqa: F401
